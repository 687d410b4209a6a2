-- Owner accounts of the console: owners, the sites granted to them, their sessions, and the
-- one-time setup tokens `serve` logs while no owner exists. Secrets are stored only as hashes:
-- passwords as Argon2id PHC strings, session and setup tokens as hex SHA-256.
-- Instants that are compared (expiry, last seen) are Unix milliseconds; others RFC 3339 text.

CREATE TABLE owners (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lowercased at the edge; NOCASE keeps even a raw insert from making a second account.
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    lang          TEXT CHECK (lang IN ('en', 'zh-CN')),
    created_at    TEXT NOT NULL
);

CREATE TABLE owner_sites (
    owner_id INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    site_id  TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    PRIMARY KEY (owner_id, site_id)
);

CREATE INDEX owner_sites_by_site ON owner_sites (site_id);

CREATE TABLE owner_sessions (
    token_hash   TEXT PRIMARY KEY,
    owner_id     INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL
);

CREATE INDEX owner_sessions_by_owner ON owner_sessions (owner_id);
CREATE INDEX owner_sessions_by_expiry ON owner_sessions (expires_ms);

CREATE TABLE console_setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_at    TEXT
);
