-- Lotteries (wheels and giveaways), their prizes, spins, entries and drawn winners.
-- A spin row is the guard of one spin: its member and spin number are unique, and it is written
-- in the same transaction as the points it cost and the stock it took. `seq` is the global order
-- of spins in a lottery, as the proof lists them. The seed (hex) stays NULL until the owner
-- opens the lottery and is shown to nobody before `closed_at` is set.

CREATE TABLE lotteries (
    site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    lottery_id      TEXT NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('wheel', 'giveaway')),
    no_prize_weight INTEGER NOT NULL CHECK (no_prize_weight >= 0),
    cost            INTEGER NOT NULL CHECK (cost >= 0),
    daily_spins     INTEGER NOT NULL CHECK (daily_spins >= 1),
    winners         INTEGER NOT NULL CHECK (winners >= 1),
    opens_at        TEXT NOT NULL,
    closes_at       TEXT NOT NULL,
    seed            TEXT,
    seed_hash       TEXT,
    opened_at       TEXT,
    closed_at       TEXT,
    created_at      TEXT NOT NULL,
    CHECK ((seed IS NULL) = (seed_hash IS NULL)),
    CHECK (closed_at IS NULL OR seed IS NOT NULL),
    PRIMARY KEY (site_id, lottery_id)
);

CREATE TABLE lottery_prizes (
    site_id    TEXT NOT NULL,
    lottery_id TEXT NOT NULL,
    prize_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    weight     INTEGER NOT NULL CHECK (weight >= 0),
    stock      INTEGER NOT NULL CHECK (stock >= 0),
    stock_left INTEGER NOT NULL CHECK (stock_left >= 0 AND stock_left <= stock),
    image      TEXT,
    position   INTEGER NOT NULL,
    PRIMARY KEY (site_id, lottery_id, prize_id),
    FOREIGN KEY (site_id, lottery_id) REFERENCES lotteries(site_id, lottery_id) ON DELETE CASCADE
);

-- `prize_id` is NULL for the no-prize slot; `day` is the site-local day, for the daily limit.
CREATE TABLE lottery_spins (
    site_id    TEXT NOT NULL,
    lottery_id TEXT NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    member_id  TEXT NOT NULL,
    spin       INTEGER NOT NULL CHECK (spin >= 1),
    prize_id   TEXT,
    day        TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (site_id, lottery_id, seq),
    UNIQUE (site_id, lottery_id, member_id, spin),
    FOREIGN KEY (site_id, lottery_id) REFERENCES lotteries(site_id, lottery_id) ON DELETE CASCADE,
    FOREIGN KEY (site_id, lottery_id, prize_id)
        REFERENCES lottery_prizes(site_id, lottery_id, prize_id),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

CREATE INDEX lottery_spins_by_member_day ON lottery_spins (site_id, lottery_id, member_id, day);

CREATE TABLE lottery_entries (
    site_id    TEXT NOT NULL,
    lottery_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    at         TEXT NOT NULL,
    PRIMARY KEY (site_id, lottery_id, member_id),
    UNIQUE (site_id, lottery_id, seq),
    FOREIGN KEY (site_id, lottery_id) REFERENCES lotteries(site_id, lottery_id) ON DELETE CASCADE,
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

-- Written once, when a giveaway closes; `place` is the draw order (1, 2, …).
CREATE TABLE lottery_winners (
    site_id    TEXT NOT NULL,
    lottery_id TEXT NOT NULL,
    place      INTEGER NOT NULL CHECK (place >= 1),
    member_id  TEXT NOT NULL,
    PRIMARY KEY (site_id, lottery_id, place),
    UNIQUE (site_id, lottery_id, member_id),
    FOREIGN KEY (site_id, lottery_id, member_id)
        REFERENCES lottery_entries(site_id, lottery_id, member_id)
);
