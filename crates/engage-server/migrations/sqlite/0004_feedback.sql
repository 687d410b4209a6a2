-- Feedback (反馈) and the owner's replies. Text, contact, page URL and context are stored exactly
-- as sent (never escaped or trimmed); whoever shows them renders them as text.
-- `sender_kind` is 'member' (sender_id a member id) or 'visitor' (sender_id a visitor id).
-- Feedback the rules judged suspect is stored with status 'spam' and the reason, never dropped.
-- `day` is the site-local day it was sent, for the owner's filters and numbers.

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    sender_kind TEXT NOT NULL CHECK (sender_kind IN ('member', 'visitor')),
    sender_id   TEXT NOT NULL,
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    nps         INTEGER CHECK (nps BETWEEN 0 AND 10),
    category    TEXT,
    text        TEXT NOT NULL,
    contact     TEXT,
    page_url    TEXT,
    context     TEXT,
    status      TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'done', 'spam')),
    spam_reason TEXT,
    day         TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE INDEX feedback_by_site ON feedback (site_id, id);
CREATE INDEX feedback_by_sender ON feedback (site_id, sender_kind, sender_id, id);
CREATE INDEX feedback_by_day ON feedback (site_id, day);

CREATE TABLE feedback_replies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE INDEX feedback_replies_by_feedback ON feedback_replies (feedback_id, id);
