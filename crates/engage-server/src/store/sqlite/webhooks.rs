//! Webhooks in SQLite: the owner's URL and secret, and the outbox. [`enqueue_event`] writes an
//! event (`checkin`, `badge`, `prize`) in the transaction of the fact it reports, so an event is
//! never lost and never sent for a fact that rolled back; the delivery worker
//! (`crate::webhooks`) takes each site's oldest pending event ([`Store::delivery_heads`]), posts
//! it and records the attempt here. A site's other events wait behind its oldest, so a failing
//! endpoint postpones its whole site, in order, and only the oldest spends attempts.

use engage_core::SiteId;
use engage_core::jiff::Timestamp;
use sqlx::sqlite::SqliteConnection;

use crate::token::Redacted;
use crate::webhooks::Failure;

use super::{
    Finish, Store, StoreError, WRITTEN, audit_in, ensure_site, note_written, parse_timestamp,
    retry_busy,
};
use crate::audit::{Actor, AuditAction};

/// Where a site's events go, and the secret that signs them.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url)
            .field("secret", &Redacted)
            .finish()
    }
}

/// A site's oldest pending event, the next to deliver for that site, with where to send it.
#[derive(Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub site: String,
    pub event_id: String,
    /// The exact JSON body to post (and sign).
    pub body: String,
    pub attempts: u32,
    /// When it is due (Unix milliseconds; 0 for a new event).
    pub next_attempt_ms: i64,
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("event_id", &self.event_id)
            .field("attempts", &self.attempts)
            .field("url", &self.url)
            .field("secret", &Redacted)
            .finish_non_exhaustive()
    }
}

/// One event in the delivery log.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub event_id: String,
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    /// What went wrong on the last attempt, if it failed.
    pub last_failure: Option<Failure>,
    pub created_at: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    /// Unix milliseconds of the next attempt (pending events only): its own, or that of the
    /// older event of its site it waits behind, whichever is later.
    pub next_attempt_ms: Option<i64>,
    pub delivered_at: Option<Timestamp>,
}

/// How one delivery attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// The receiver answered another status, or could not be reached (`status` is `None`).
    Failed {
        status: Option<u16>,
        failure: Failure,
    },
}

impl Store {
    /// Sets the site's webhook URL. The secret stays as it is unless `rotate` or the site had
    /// no webhook, in which case `fresh_secret` becomes it. The site's pending events become
    /// due at once: an owner who sets the URL has usually just fixed the endpoint. Audited as
    /// `actor`'s (the URL and whether the secret changed; never the secret).
    pub async fn set_webhook(
        &self,
        site: &SiteId,
        url: &str,
        fresh_secret: &str,
        rotate: bool,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<WebhookSettings, StoreError> {
        write_transaction!(self, |conn| {
            ensure_site(conn, site).await?;
            let keep_secret = if rotate {
                "excluded.secret"
            } else {
                "site_webhooks.secret"
            };
            let sql = format!(
                "INSERT INTO site_webhooks (site_id, url, secret, updated_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (site_id) DO UPDATE SET url = excluded.url, secret = {keep_secret},
                 updated_at = excluded.updated_at"
            );
            let before = read_webhook(conn, site).await?;
            // Audited: the only text spliced in is one of the two constant column names above.
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(site.as_str())
                .bind(url)
                .bind(fresh_secret)
                .bind(now.to_string())
                .execute(&mut *conn)
                .await?;
            let postponed = sqlx::query(
                "UPDATE webhook_outbox SET next_attempt_ms = 0
                 WHERE site_id = ? AND status = 'pending' AND next_attempt_ms > 0",
            )
            .bind(site.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if postponed > 0 {
                note_written(|written| written.outbox = true);
            }
            let settings = read_webhook(conn, site).await?;
            let old_secret = before.map(|b| b.secret);
            let new_secret = settings.as_ref().map(|s| s.secret.clone());
            let detail =
                serde_json::json!({ "url": url, "secret_changed": old_secret != new_secret });
            audit_in(conn, site, actor, AuditAction::WebhookSet, detail, now).await?;
            Ok(Finish::Commit(settings.ok_or_else(|| {
                StoreError::Corrupt(format!("webhook of '{site}' vanished"))
            })?))
        })
    }

    /// The site's webhook, if the owner set one.
    pub async fn webhook(&self, site: &SiteId) -> Result<Option<WebhookSettings>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_webhook(&mut conn, site).await
    }

    /// The oldest pending event of each site with a webhook — the only one of the site the
    /// worker may deliver now —, soonest due first, at most `limit` of them.
    pub async fn delivery_heads(&self, limit: u32) -> Result<Vec<DueDelivery>, StoreError> {
        type Row = (i64, String, String, String, i64, i64, String, String);
        // One index step per site (`webhook_outbox_pending_by_site`), however long its queue.
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.id, o.site_id, o.event_id, o.body, o.attempts, o.next_attempt_ms,
                    w.url, w.secret
             FROM site_webhooks w
             JOIN webhook_outbox o ON o.id = (
                 SELECT h.id FROM webhook_outbox h
                 WHERE h.site_id = w.site_id AND h.status = 'pending'
                 ORDER BY h.id LIMIT 1)
             ORDER BY o.next_attempt_ms, o.id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, site, event_id, body, attempts, next_attempt_ms, url, secret)| DueDelivery {
                    id,
                    site,
                    event_id,
                    body,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    next_attempt_ms,
                    url,
                    secret,
                },
            )
            .collect())
    }

    /// Records one attempt: delivered, or failed and retried after `retry_in_ms` (`None`: gave
    /// up, the event is `failed`).
    pub async fn record_delivery_attempt(
        &self,
        id: i64,
        outcome: &AttemptOutcome,
        retry_in_ms: Option<i64>,
        now: Timestamp,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let stamp = now.to_string();
        retry_busy(|| async {
            match outcome {
                AttemptOutcome::Delivered { status } => {
                    sqlx::query(
                        "UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1,
                         last_status = ?, last_failure = NULL, last_attempt_at = ?,
                         delivered_at = ?
                         WHERE id = ?",
                    )
                    .bind(i64::from(*status))
                    .bind(&stamp)
                    .bind(&stamp)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                }
                AttemptOutcome::Failed { status, failure } => {
                    let (state, next) = match retry_in_ms {
                        Some(wait) => ("pending", now_ms.saturating_add(wait)),
                        None => ("failed", i64::MAX),
                    };
                    sqlx::query(
                        "UPDATE webhook_outbox SET status = ?, attempts = attempts + 1,
                         last_status = ?, last_failure = ?, last_attempt_at = ?,
                         next_attempt_ms = ?
                         WHERE id = ?",
                    )
                    .bind(state)
                    .bind(status.map(i64::from))
                    .bind(failure.code())
                    .bind(&stamp)
                    .bind(next)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                }
            }
            Ok(())
        })
        .await
    }

    /// The site's newest `limit` events with their delivery state, newest first.
    pub async fn webhook_deliveries(
        &self,
        site: &SiteId,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_deliveries(&mut conn, site, None, limit).await
    }

    /// Queues a site's event `event_id` for delivery again, due at once (like a new event) with the retry schedule
    /// started over (the receiver sees the same event id, as with any retry), audited as
    /// `actor`'s; `None` when the site has no such event.
    pub async fn redeliver(
        &self,
        site: &SiteId,
        event_id: &str,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<Option<DeliveryRow>, StoreError> {
        write_transaction!(self, |conn| {
            let queued = sqlx::query(
                "UPDATE webhook_outbox SET status = 'pending', attempts = 0, next_attempt_ms = 0
                 WHERE site_id = ? AND event_id = ?",
            )
            .bind(site.as_str())
            .bind(event_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if queued == 0 {
                return Ok(Finish::Rollback(None));
            }
            note_written(|written| written.outbox = true);
            let detail = serde_json::json!({ "event": event_id });
            audit_in(
                conn,
                site,
                actor,
                AuditAction::WebhookRedeliver,
                detail,
                now,
            )
            .await?;
            let row = read_deliveries(conn, site, Some(event_id), 1).await?.pop();
            Ok(Finish::Commit(row))
        })
    }
}

/// The site's newest `limit` events (only `event_id` when given) with their delivery state,
/// newest first.
async fn read_deliveries(
    conn: &mut SqliteConnection,
    site: &SiteId,
    event_id: Option<&str>,
    limit: u32,
) -> Result<Vec<DeliveryRow>, StoreError> {
    type Row = (
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        String,
        Option<String>,
        i64,
        Option<String>,
    );
    // A pending event is not tried before the site's oldest pending one is done with: its
    // next attempt is no sooner than that one's.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT o.event_id, o.type, o.status, o.attempts, o.last_status, o.last_failure,
         o.created_at, o.last_attempt_at,
         MAX(o.next_attempt_ms, COALESCE((
             SELECT h.next_attempt_ms FROM webhook_outbox h
             WHERE h.site_id = o.site_id AND h.status = 'pending'
             ORDER BY h.id LIMIT 1), 0)),
         o.delivered_at
         FROM webhook_outbox o WHERE o.site_id = ?1 AND (?2 IS NULL OR o.event_id = ?2)
         ORDER BY o.id DESC LIMIT ?3",
    )
    .bind(site.as_str())
    .bind(event_id)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(
            |(
                event_id,
                kind,
                status,
                attempts,
                last_status,
                last_failure,
                created,
                last,
                next,
                delivered,
            )| {
                let pending = status == "pending";
                Ok(DeliveryRow {
                    event_id,
                    kind,
                    status,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    last_status: last_status.and_then(|s| u16::try_from(s).ok()),
                    last_failure: last_failure
                        .map(|code| {
                            Failure::from_code(&code).ok_or_else(|| {
                                StoreError::Corrupt(format!("unknown webhook failure '{code}'"))
                            })
                        })
                        .transpose()?,
                    created_at: parse_timestamp(&created)?,
                    last_attempt_at: last.as_deref().map(parse_timestamp).transpose()?,
                    next_attempt_ms: pending.then_some(next),
                    delivered_at: delivered.as_deref().map(parse_timestamp).transpose()?,
                })
            },
        )
        .collect()
}

async fn read_webhook(
    conn: &mut SqliteConnection,
    site: &SiteId,
) -> Result<Option<WebhookSettings>, StoreError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT url, secret FROM site_webhooks WHERE site_id = ?")
            .bind(site.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(url, secret)| WebhookSettings { url, secret }))
}

/// Puts an event in the outbox, inside the caller's transaction, when the site has a webhook:
/// the body `{"id", "type", "site", "created_at", "data"}` is fixed now and delivered as is.
pub(super) async fn enqueue_event(
    conn: &mut SqliteConnection,
    site: &SiteId,
    kind: &str,
    now: Timestamp,
    data: serde_json::Value,
) -> Result<(), StoreError> {
    let configured: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM site_webhooks WHERE site_id = ?")
            .bind(site.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    if configured.is_none() {
        return Ok(());
    }
    let event_id = crate::webhooks::new_event_id();
    let created_at = now.to_string();
    let body = serde_json::json!({
        "id": event_id,
        "type": kind,
        "site": site.as_str(),
        "created_at": created_at,
        "data": data,
    });
    sqlx::query(
        "INSERT INTO webhook_outbox (event_id, site_id, type, body, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&event_id)
    .bind(site.as_str())
    .bind(kind)
    .bind(body.to_string())
    .bind(&created_at)
    .execute(&mut *conn)
    .await?;
    note_written(|written| written.outbox = true);
    Ok(())
}
