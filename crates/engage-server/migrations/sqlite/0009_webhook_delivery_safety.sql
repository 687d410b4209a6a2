-- Webhook delivery, safe on the open internet: the delivery log keeps a coarse failure
-- category instead of an error's text (which could map the server's network), and each site's
-- events are delivered one at a time, oldest first.

-- The category (`dns`, `forbidden_address`, `connect`, `tls`, `timeout`, `protocol`,
-- `http_status`, `invalid_url`) of the last failed attempt. Texts recorded before are replaced
-- by the category they were.
ALTER TABLE webhook_outbox RENAME COLUMN last_error TO last_failure;
UPDATE webhook_outbox SET last_failure = CASE
    WHEN last_status IS NOT NULL THEN 'http_status'
    WHEN last_failure LIKE 'no answer within %' THEN 'timeout'
    WHEN last_failure LIKE '%dns error%' THEN 'dns'
    WHEN last_failure LIKE '%certificate%' OR last_failure LIKE '%tls%' THEN 'tls'
    WHEN last_failure LIKE '%(Connect)%' THEN 'connect'
    ELSE 'protocol'
END
WHERE last_failure IS NOT NULL;

-- The oldest pending event of each site (the one the worker delivers next) in one index step.
CREATE INDEX webhook_outbox_pending_by_site ON webhook_outbox (site_id, id)
WHERE status = 'pending';
