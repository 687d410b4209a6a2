-- Polls, their options, and votes: one ballot row per voter and poll (the guard that makes a vote
-- count once and awards points once), and one vote row per option the voter chose. The tally is
-- COUNT(*) of vote rows grouped by option; the number of voters is COUNT(*) of ballots.
-- Question and labels are stored verbatim.

CREATE TABLE polls (
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    poll_id      TEXT NOT NULL,
    question     TEXT NOT NULL,
    multiple     INTEGER NOT NULL CHECK (multiple IN (0, 1)),
    max_choices  INTEGER NOT NULL CHECK (max_choices >= 1),
    closes_at    TEXT,
    results      TEXT NOT NULL CHECK (results IN ('always', 'after_vote', 'after_close')),
    anonymous    INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    allow_change INTEGER NOT NULL CHECK (allow_change IN (0, 1)),
    points       INTEGER NOT NULL CHECK (points >= 0),
    ip_limit     INTEGER NOT NULL CHECK (ip_limit >= 1),
    -- Grows by one with every stored or changed vote and every edit; sent on the live stream.
    version      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (site_id, poll_id)
);

CREATE TABLE poll_options (
    site_id   TEXT NOT NULL,
    poll_id   TEXT NOT NULL,
    option_id TEXT NOT NULL,
    label     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (site_id, poll_id, option_id),
    FOREIGN KEY (site_id, poll_id) REFERENCES polls(site_id, poll_id) ON DELETE CASCADE
);

-- `voter_kind` is 'member' (voter_id a member id) or 'visitor' (voter_id a visitor id).
-- `ip_hash` (a keyed hash, never the address) is kept for anonymous ballots only.
CREATE TABLE poll_ballots (
    site_id    TEXT NOT NULL,
    poll_id    TEXT NOT NULL,
    voter_kind TEXT NOT NULL CHECK (voter_kind IN ('member', 'visitor')),
    voter_id   TEXT NOT NULL,
    ip_hash    TEXT CHECK ((voter_kind = 'visitor') = (ip_hash IS NOT NULL)),
    voted_at   TEXT NOT NULL,
    changed_at TEXT,
    PRIMARY KEY (site_id, poll_id, voter_kind, voter_id),
    FOREIGN KEY (site_id, poll_id) REFERENCES polls(site_id, poll_id) ON DELETE CASCADE
);

CREATE INDEX poll_ballots_by_ip ON poll_ballots (site_id, poll_id, ip_hash)
    WHERE ip_hash IS NOT NULL;

-- No cascade from options: an option that has votes cannot be deleted.
CREATE TABLE poll_votes (
    site_id    TEXT NOT NULL,
    poll_id    TEXT NOT NULL,
    voter_kind TEXT NOT NULL,
    voter_id   TEXT NOT NULL,
    option_id  TEXT NOT NULL,
    PRIMARY KEY (site_id, poll_id, voter_kind, voter_id, option_id),
    FOREIGN KEY (site_id, poll_id, voter_kind, voter_id)
        REFERENCES poll_ballots(site_id, poll_id, voter_kind, voter_id) ON DELETE CASCADE,
    FOREIGN KEY (site_id, poll_id, option_id)
        REFERENCES poll_options(site_id, poll_id, option_id)
);

CREATE INDEX poll_votes_by_option ON poll_votes (site_id, poll_id, option_id);
