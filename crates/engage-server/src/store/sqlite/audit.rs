//! The audit log in SQLite: [`audit_in`] writes an entry inside the transaction of the fact it
//! records, [`Store::record_audit`] one on its own (an export, a sign-in), and
//! [`Store::audit_page`] reads a site's entries newest first. A site's ids grow by one: the next
//! is `MAX(id) + 1`, read by the inserting statement itself, which holds the write lock.

use engage_core::SiteId;
use engage_core::api::console::{AuditEntry, AuditPage};
use engage_core::jiff::Timestamp;
use sqlx::sqlite::SqliteConnection;

use super::{Finish, Store, StoreError, WRITTEN, parse_timestamp, retry_busy};
use crate::audit::{Actor, AuditAction};

/// An actor as the `actor` columns keep it: its JSON.
pub(super) fn actor_json(actor: &Actor) -> Result<String, StoreError> {
    serde_json::to_string(actor).map_err(|e| StoreError::Corrupt(format!("actor: {e}")))
}

/// An actor read back from its JSON.
pub(super) fn parse_actor(json: &str) -> Result<Actor, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("actor '{json}': {e}")))
}

/// Writes an audit entry inside the caller's transaction when there is an actor (nothing when
/// `None`: no one asked for the fact). `detail` must be a JSON object. Returns the entry's id.
pub(super) async fn audit_in(
    conn: &mut SqliteConnection,
    site: &SiteId,
    actor: Option<&Actor>,
    action: AuditAction,
    detail: serde_json::Value,
    at: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let Some(actor) = actor else { return Ok(None) };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (site_id, id, at, actor, action, detail)
         SELECT ?1, COALESCE(MAX(id), 0) + 1, ?2, ?3, ?4, ?5 FROM audit_log WHERE site_id = ?1
         RETURNING id",
    )
    .bind(site.as_str())
    .bind(at.to_string())
    .bind(actor_json(actor)?)
    .bind(action.as_str())
    .bind(detail.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(id))
}

impl Store {
    /// Records that `actor` did `action` on `site` at `at`, for facts that have no transaction of
    /// their own to write the entry in. `detail` is a JSON object (ids, counts; never secrets).
    /// Returns the entry's id.
    pub async fn record_audit(
        &self,
        site: &SiteId,
        actor: &Actor,
        action: AuditAction,
        detail: serde_json::Value,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        write_transaction!(self, |conn| {
            let id = audit_in(conn, site, Some(actor), action, detail.clone(), at).await?;
            Ok(Finish::Commit(id.unwrap_or_default()))
        })
    }

    /// Up to `limit` of a site's audit entries older than `before` (all when `None`), newest
    /// first, and the id to pass as `before` for the next page when more follow.
    pub async fn audit_page(
        &self,
        site: &SiteId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditPage, StoreError> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, at, actor, action, detail FROM audit_log
             WHERE site_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
        )
        .bind(site.as_str())
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = rows
            .into_iter()
            .map(|(id, at, actor, action, detail)| {
                Ok(AuditEntry {
                    id,
                    at: parse_timestamp(&at)?,
                    actor: parse_actor(&actor)?,
                    action: AuditAction::parse(&action)
                        .ok_or_else(|| StoreError::Corrupt(format!("audit action '{action}'")))?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let next_before = page_end(&mut entries, limit, |entry| entry.id);
        Ok(AuditPage {
            entries,
            next_before,
        })
    }
}

/// Cuts a page read with one row more than `limit` back to `limit`, and answers the key of its
/// last row when the extra row showed that more follow.
pub(super) fn page_end<T, K>(rows: &mut Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Option<K> {
    let limit = limit as usize;
    if rows.len() <= limit {
        return None;
    }
    rows.truncate(limit);
    rows.last().map(key)
}
