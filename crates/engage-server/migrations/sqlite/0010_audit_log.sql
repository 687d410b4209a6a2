-- The owner console's data: the audit log, and who installed each rules version.

-- Who did what on a site, and when. `id` grows by one per entry of the site (the next is
-- MAX(id) + 1, taken in the writing statement or transaction, so two never share one).
-- `actor` is the JSON of `api::console::Actor` ({"kind": "api_key" | "owner" | "cli", …});
-- `detail` is a JSON object. Entries are written in the transaction of the fact they record
-- where there is one, so an audited change and its entry commit or roll back together.
CREATE TABLE audit_log (
    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    id      INTEGER NOT NULL CHECK (id >= 1),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL CHECK (json_valid(actor)),
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL CHECK (json_valid(detail) AND json_type(detail) = 'object'),
    PRIMARY KEY (site_id, id)
);

-- Who installed a rules version (the actor's JSON); NULL for versions installed before this
-- migration and for the demo's own.
ALTER TABLE rules ADD COLUMN actor TEXT CHECK (actor IS NULL OR json_valid(actor));
