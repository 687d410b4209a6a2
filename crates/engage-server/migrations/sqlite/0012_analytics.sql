-- Activity for the owner's analytics (PRODUCT.md, "Analytics"), and the indexes its per-day
-- sums read.
--
-- One row per member and site-local day on which the member was seen (a request on their
-- member token, an imported visit) or acted. `acted` is the mask of `engage_core::analytics::
-- Kind` bits (check-in 1, poll 2, lottery 4, feedback 8, host event 16, rewards 32), OR-ed in
-- by every action's own transaction; `seen` is 1 when a request on the member's token or an
-- imported visit wrote the row (a host event alone leaves it 0). A row is written once a
-- member-day for "seen" (the server remembers which it wrote), so reads do not write again.
-- Keyed by site and day first: the analytics read a range of days of one site.
CREATE TABLE member_days (
    site_id   TEXT NOT NULL,
    day       TEXT NOT NULL,
    member_id TEXT NOT NULL,
    seen      INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
    acted     INTEGER NOT NULL DEFAULT 0 CHECK (acted BETWEEN 0 AND 63),
    PRIMARY KEY (site_id, day, member_id)
) WITHOUT ROWID;

-- Each member's first seen-or-acting day (the least day of their `member_days` rows), kept in
-- the transaction that writes a member's new `member_days` row: new members per day and the
-- retention cohorts read it instead of a MIN over all activity.
CREATE TABLE member_first_days (
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    first_day TEXT NOT NULL,
    PRIMARY KEY (site_id, member_id)
) WITHOUT ROWID;

CREATE INDEX member_first_days_by_day ON member_first_days (site_id, first_day);

-- Check-ins per day, and points issued and spent per day and source, read from indexes alone.
CREATE INDEX checkins_by_day ON checkins (site_id, day);
CREATE INDEX ledger_by_day ON ledger (site_id, day, source, amount);
-- Badges earned in a range of time, poll ballots cast in one.
CREATE INDEX member_badges_by_time ON member_badges (site_id, earned_at);
CREATE INDEX poll_ballots_by_time ON poll_ballots (site_id, voted_at);
CREATE INDEX lottery_spins_by_day ON lottery_spins (site_id, day);
CREATE INDEX lottery_entries_by_time ON lottery_entries (site_id, at);
CREATE INDEX feedback_nps_by_day ON feedback (site_id, day, nps) WHERE nps IS NOT NULL;

-- The activity that stored facts already show: check-ins (on the day checked in, or made up
-- on), ballots, spins, entries, feedback that is not spam, and host events. Where only an
-- instant is stored (make-ups, ballots, entries) its UTC date stands for the site-local day:
-- SQL has no time zones, and this is only the history from before activity was recorded.
INSERT INTO member_days (site_id, day, member_id, seen, acted)
SELECT site_id, day, member_id, MAX(seen), SUM(DISTINCT bit) FROM (
    SELECT site_id, CASE kind WHEN 'daily' THEN day ELSE date(at) END AS day, member_id,
           1 AS seen, 1 AS bit FROM checkins
    UNION ALL SELECT site_id, date(voted_at), voter_id, 1, 2 FROM poll_ballots
        WHERE voter_kind = 'member'
    UNION ALL SELECT site_id, day, member_id, 1, 4 FROM lottery_spins
    UNION ALL SELECT site_id, date(at), member_id, 1, 4 FROM lottery_entries
    UNION ALL SELECT site_id, day, sender_id, 1, 8 FROM feedback
        WHERE sender_kind = 'member' AND status != 'spam'
    UNION ALL SELECT site_id, day, member_id, 0, 16 FROM host_events)
GROUP BY site_id, day, member_id;

INSERT INTO member_first_days (site_id, member_id, first_day)
SELECT site_id, member_id, MIN(day) FROM member_days GROUP BY site_id, member_id;
