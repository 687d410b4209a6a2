-- The rewards shop (积分兑换): rewards, their pools of coupon codes, redemptions, and the streak
-- freezes members hold and the days those froze.
--
-- A redemption row is written in the transaction that takes its points (ledger key
-- `redemption:<seq>`), one unit of `stock_left` and, for a `code` reward, one unused code: the
-- code row's `redemption_seq` and the redemption's `code` are both unique, so no code can go to
-- two redemptions whichever side a bug would write. A cancelled redemption keeps its code; the
-- code row stays taken and is never handed out again.

CREATE TABLE rewards (
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    reward_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    image_url   TEXT,
    price       INTEGER NOT NULL CHECK (price >= 1),
    kind        TEXT NOT NULL CHECK (kind IN ('item', 'code', 'streak_freeze')),
    -- Units left; NULL for unlimited. Always NULL for a `code` reward (its stock is its pool).
    stock_left  INTEGER CHECK (stock_left >= 0),
    per_member  INTEGER CHECK (per_member >= 1),
    opens_at    TEXT,
    closes_at   TEXT,
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    -- The owner's order: grows by one per reward of the site.
    position    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (kind <> 'code' OR stock_left IS NULL),
    PRIMARY KEY (site_id, reward_id),
    UNIQUE (site_id, position)
);

-- Codes are handed out in upload order (`seq`); `redemption_seq` is set once, when given out.
CREATE TABLE reward_codes (
    site_id        TEXT NOT NULL,
    reward_id      TEXT NOT NULL,
    code           TEXT NOT NULL,
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    redemption_seq INTEGER,
    added_at       TEXT NOT NULL,
    PRIMARY KEY (site_id, reward_id, code),
    UNIQUE (site_id, reward_id, seq),
    UNIQUE (site_id, redemption_seq),
    FOREIGN KEY (site_id, reward_id) REFERENCES rewards(site_id, reward_id) ON DELETE CASCADE
);

CREATE INDEX reward_codes_unused ON reward_codes (site_id, reward_id, seq)
    WHERE redemption_seq IS NULL;

-- `seq` grows by one per site and is the redemption's id. `name` and `price` are the reward's
-- when redeemed. `idempotency_key`, when the client sent one, makes a retry answer the first
-- redemption instead of making a second.
CREATE TABLE redemptions (
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    reward_id       TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('item', 'code', 'streak_freeze')),
    name            TEXT NOT NULL,
    price           INTEGER NOT NULL CHECK (price >= 1),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'fulfilled', 'cancelled')),
    code            TEXT,
    idempotency_key TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((kind = 'code') = (code IS NOT NULL)),
    PRIMARY KEY (site_id, seq),
    UNIQUE (site_id, reward_id, code),
    UNIQUE (site_id, member_id, idempotency_key),
    FOREIGN KEY (site_id, reward_id) REFERENCES rewards(site_id, reward_id),
    FOREIGN KEY (site_id, reward_id, code) REFERENCES reward_codes(site_id, reward_id, code),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

CREATE INDEX redemptions_by_member ON redemptions (site_id, member_id, reward_id, status);
CREATE INDEX redemptions_by_reward ON redemptions (site_id, reward_id, seq);
CREATE INDEX redemptions_by_status ON redemptions (site_id, status, seq);

-- Streak freezes a member holds unused: one more per `streak_freeze` redemption, one fewer per
-- frozen day and per cancelled freeze. Never negative.
CREATE TABLE streak_freezes (
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    held      INTEGER NOT NULL CHECK (held >= 0),
    PRIMARY KEY (site_id, member_id),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

-- A missed day a freeze covered, written by the check-in that used the freeze.
CREATE TABLE frozen_days (
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (site_id, member_id, day),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

-- The webhook outbox takes `redemption` events too. SQLite cannot change a CHECK in place, so
-- the table is rebuilt with its rows, ids and indexes (nothing references it).
CREATE TABLE webhook_outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL UNIQUE,
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    type            TEXT NOT NULL CHECK (type IN ('checkin', 'badge', 'prize', 'redemption')),
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_failure    TEXT,
    last_attempt_at TEXT,
    delivered_at    TEXT
);

INSERT INTO webhook_outbox_new (id, event_id, site_id, type, body, created_at, status, attempts,
    next_attempt_ms, last_status, last_failure, last_attempt_at, delivered_at)
SELECT id, event_id, site_id, type, body, created_at, status, attempts, next_attempt_ms,
    last_status, last_failure, last_attempt_at, delivered_at
FROM webhook_outbox;

DROP TABLE webhook_outbox;
ALTER TABLE webhook_outbox_new RENAME TO webhook_outbox;

CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_ms) WHERE status = 'pending';
CREATE INDEX webhook_outbox_by_site ON webhook_outbox (site_id, id);
CREATE INDEX webhook_outbox_pending_by_site ON webhook_outbox (site_id, id)
WHERE status = 'pending';
