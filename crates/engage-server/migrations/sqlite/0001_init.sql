-- Sites, their origins and rules; members, check-ins and the points ledger.
-- Times are RFC 3339 text in UTC; days are 'YYYY-MM-DD' in the site's time zone.

CREATE TABLE sites (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    tz           TEXT NOT NULL,
    secret       TEXT NOT NULL,
    api_key_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE site_origins (
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    origin  TEXT NOT NULL,
    PRIMARY KEY (site_id, origin)
);

CREATE TABLE rules (
    site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    document     TEXT NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('toml', 'json')),
    installed_at TEXT NOT NULL,
    PRIMARY KEY (site_id, version)
);

CREATE TABLE members (
    site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    PRIMARY KEY (site_id, member_id)
);

CREATE TABLE checkins (
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('daily', 'makeup')),
    at        TEXT NOT NULL,
    PRIMARY KEY (site_id, member_id, day),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

-- Append-only. `day` is the site-local day the entry was made, for daily caps and monthly counts.
CREATE TABLE ledger (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    source    TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    key       TEXT NOT NULL,
    detail    TEXT,
    day       TEXT NOT NULL,
    at        TEXT NOT NULL,
    UNIQUE (site_id, member_id, key),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);

CREATE INDEX ledger_by_source_day ON ledger (site_id, member_id, source, day);

CREATE TABLE balances (
    site_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    points    INTEGER NOT NULL CHECK (points >= 0),
    PRIMARY KEY (site_id, member_id),
    FOREIGN KEY (site_id, member_id) REFERENCES members(site_id, member_id) ON DELETE CASCADE
);
