//! Rotating a site's member-token secret or API key: a minimal stand-in, kept apart so that it
//! can be replaced by the full implementation, in which the previous value keeps working for
//! an overlap (that needs columns for the previous value and its end, and the token and key
//! checks to accept it). This one replaces the value at once and says so:
//! `previous_valid_until` is `None` whatever overlap was asked for.

use std::time::Duration;

use engage_core::SiteId;
use engage_core::api::console::SiteCredential;
use engage_core::jiff::Timestamp;

use sqlx::sqlite::SqliteConnection;

use super::{Finish, Store, StoreError, WRITTEN, ensure_site, retry_busy};
use crate::token::{hash_api_key, new_api_key, new_site_secret};

/// A rotation's result: the new value (shown once) and until when the previous one works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotatedCredential {
    pub value: String,
    pub previous_valid_until: Option<Timestamp>,
}

impl Store {
    /// Replaces the site's secret or API key with a new random one. `overlap` and `now` are
    /// what the full implementation needs to keep the previous value working; this minimal
    /// one does not keep it (see the module's documentation).
    pub async fn rotate_site_credential(
        &self,
        site: &SiteId,
        what: SiteCredential,
        overlap: Duration,
        now: Timestamp,
    ) -> Result<RotatedCredential, StoreError> {
        let _ = (overlap, now);
        let value = match what {
            SiteCredential::Secret => new_site_secret(),
            SiteCredential::ApiKey => new_api_key(),
        };
        let (update, stored) = match what {
            SiteCredential::Secret => ("UPDATE sites SET secret = ? WHERE id = ?", value.clone()),
            SiteCredential::ApiKey => (
                "UPDATE sites SET api_key_hash = ? WHERE id = ?",
                hash_api_key(&value),
            ),
        };
        write_transaction!(self, |conn| {
            ensure_site(conn, site).await?;
            sqlx::query(update)
                .bind(&stored)
                .bind(site.as_str())
                .execute(&mut *conn)
                .await?;
            Ok(Finish::Commit(()))
        })?;
        Ok(RotatedCredential {
            value,
            previous_valid_until: None,
        })
    }
}
