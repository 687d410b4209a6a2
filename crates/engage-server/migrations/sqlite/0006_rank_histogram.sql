-- The leaderboard's rank histogram: per site, period and points, how many members earned exactly
-- that many points in the period. A member's rank is 1 + the members of the rows with more points,
-- a sum over distinct point values (a few hundred) rather than a count over members (up to all of
-- them). Kept by `append_entry` in the transaction that changes `period_points`: one decrement of
-- the member's old points and one increment of their new ones; a row that reaches 0 is deleted in
-- the same transaction, so no committed row holds 0. `Store::audit_ledger` checks that the table
-- equals a GROUP BY of `period_points`.
CREATE TABLE period_rank_histogram (
    site_id TEXT NOT NULL,
    period  TEXT NOT NULL CHECK (period IN ('day', 'week', 'month', 'all')),
    start   TEXT NOT NULL,
    points  INTEGER NOT NULL CHECK (points > 0),
    members INTEGER NOT NULL CHECK (members >= 0),
    PRIMARY KEY (site_id, period, start, points)
) WITHOUT ROWID;

INSERT INTO period_rank_histogram (site_id, period, start, points, members)
SELECT site_id, period, start, points, COUNT(*) FROM period_points
GROUP BY site_id, period, start, points;
