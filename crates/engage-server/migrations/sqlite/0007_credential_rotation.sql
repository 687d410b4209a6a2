-- Rotation of a site's member-token secret and API key (`Store::rotate_credential`): the value a
-- rotation replaced keeps working until its `*_until` time (RFC 3339, UTC), so host backends can
-- switch over without a moment in which neither value works. Only the newest replaced value is
-- kept: a second rotation inside an overlap retires the first one at once. Both columns of a pair
-- are NULL together when nothing is retiring.
ALTER TABLE sites ADD COLUMN previous_secret TEXT;
ALTER TABLE sites ADD COLUMN previous_secret_until TEXT;
ALTER TABLE sites ADD COLUMN previous_api_key_hash TEXT;
ALTER TABLE sites ADD COLUMN previous_api_key_until TEXT;
