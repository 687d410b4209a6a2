-- Badges earned, host events with their first answer, per-period points for the leaderboard,
-- and the webhook outbox.

-- A badge is earned once: the primary key is the guard, and the row is written in the same
-- transaction as the fact (check-in, vote, spin, feedback, host event) that earned it.
CREATE TABLE member_badges (
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    badge_id  TEXT NOT NULL,
    earned_at TEXT NOT NULL,
    -- Orders badges earned in the same instant: the newest is the one with the highest seq.
    seq       INTEGER NOT NULL,
    PRIMARY KEY (site_id, member_id, badge_id),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

CREATE INDEX member_badges_newest ON member_badges (site_id, member_id, seq);

-- One row per host event key and member: the answer the first call got, repeated to every
-- retry. `badges` is a JSON array of the badge ids it earned.
CREATE TABLE host_events (
    site_id         TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    kind            TEXT NOT NULL,
    awarded         INTEGER NOT NULL,
    balance         INTEGER NOT NULL,
    badges          TEXT NOT NULL DEFAULT '[]',
    day             TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (site_id, member_id, idempotency_key),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

CREATE INDEX host_events_by_kind ON host_events (site_id, member_id, kind);

-- Host events recorded before this migration, with the balance they left.
INSERT INTO host_events (site_id, member_id, idempotency_key, kind, awarded, balance, day, at)
SELECT l.site_id, l.member_id, substr(l.key, 7), COALESCE(l.detail, 'event'), l.amount,
       (SELECT SUM(p.amount) FROM ledger p
        WHERE p.site_id = l.site_id AND p.member_id = l.member_id AND p.id <= l.id),
       l.day, l.at
FROM ledger l WHERE l.source = 'host_event' AND l.key LIKE 'event:%';

-- Points earned (positive ledger entries) per member and period, kept in the transaction of
-- every ledger entry. `period` is day, week, month or all; `start` the period's first
-- site-local day ('' for all). `reached` is the id of the ledger entry that brought the member
-- to these points: within a tie, whoever reached them first ranks first.
CREATE TABLE period_points (
    site_id   TEXT NOT NULL,
    period    TEXT NOT NULL CHECK (period IN ('day', 'week', 'month', 'all')),
    start     TEXT NOT NULL,
    member_id TEXT NOT NULL,
    points    INTEGER NOT NULL CHECK (points > 0),
    reached   INTEGER NOT NULL,
    PRIMARY KEY (site_id, period, start, member_id)
);

CREATE INDEX period_points_ranking ON period_points (site_id, period, start, points DESC, reached);

INSERT INTO period_points (site_id, period, start, member_id, points, reached)
SELECT site_id, 'all', '', member_id, SUM(amount), MAX(id) FROM ledger WHERE amount > 0
GROUP BY site_id, member_id;
INSERT INTO period_points (site_id, period, start, member_id, points, reached)
SELECT site_id, 'day', day, member_id, SUM(amount), MAX(id) FROM ledger WHERE amount > 0
GROUP BY site_id, day, member_id;
INSERT INTO period_points (site_id, period, start, member_id, points, reached)
SELECT site_id, 'week', date(day, '-6 days', 'weekday 1'), member_id, SUM(amount), MAX(id)
FROM ledger WHERE amount > 0
GROUP BY site_id, date(day, '-6 days', 'weekday 1'), member_id;
INSERT INTO period_points (site_id, period, start, member_id, points, reached)
SELECT site_id, 'month', substr(day, 1, 7) || '-01', member_id, SUM(amount), MAX(id)
FROM ledger WHERE amount > 0
GROUP BY site_id, substr(day, 1, 7), member_id;

-- Badge criteria count a member's votes.
CREATE INDEX poll_ballots_by_voter ON poll_ballots (site_id, voter_kind, voter_id);

-- The owner's webhook: where events go and the secret that signs them.
CREATE TABLE site_webhooks (
    site_id    TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Events to deliver, written in the transaction of the fact they report, so none is lost.
-- `body` is the exact JSON delivered; `next_attempt_ms` is Unix milliseconds.
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL UNIQUE,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    type            TEXT NOT NULL CHECK (type IN ('checkin', 'badge', 'prize')),
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    last_attempt_at TEXT,
    delivered_at    TEXT
);

CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_ms) WHERE status = 'pending';
CREATE INDEX webhook_outbox_by_site ON webhook_outbox (site_id, id);
