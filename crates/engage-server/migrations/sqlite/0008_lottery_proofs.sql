-- The published proof of a closed lottery, built once (by the first request for it after the
-- close) and then served as stored: a closed lottery never changes, so neither does its proof,
-- and serving it no longer reads every spin. `proof` is the exact JSON served; `etag` is its
-- strong entity tag (from a hash of those bytes), read alone to answer a revalidation.

CREATE TABLE lottery_proofs (
    site_id    TEXT NOT NULL,
    lottery_id TEXT NOT NULL,
    proof      TEXT NOT NULL,
    etag       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (site_id, lottery_id),
    FOREIGN KEY (site_id, lottery_id) REFERENCES lotteries(site_id, lottery_id) ON DELETE CASCADE
);
