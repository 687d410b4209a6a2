//! A site's credentials: reading a site with the ones rotations are retiring, and rotating its
//! member-token secret or API key. The console and the command line call the same
//! [`Store::rotate_credential`].

use std::time::Duration;

use engage_core::SiteId;
use engage_core::jiff::Timestamp;
use sqlx::Row;

use super::{Finish, SqliteConnection, Store, StoreError, WRITTEN, parse_timestamp, retry_busy};
use crate::store::{Credential, Retiring, Rotated, Site, SiteRecord};
use crate::token::{hash_api_key, new_api_key, new_site_secret};

impl Store {
    /// A site with the credentials rotations are retiring (still working or not: the caller
    /// decides with its clock).
    pub async fn site_record(&self, id: &SiteId) -> Result<Option<SiteRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, tz, secret, api_key_hash, previous_secret, previous_secret_until,
                    previous_api_key_hash, previous_api_key_until
             FROM sites WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        let retiring = |value: &str, until: &str| -> Result<Option<Retiring>, StoreError> {
            let value: Option<String> = row.try_get(value)?;
            let until: Option<String> = row.try_get(until)?;
            Ok(match (value, until) {
                (Some(value), Some(until)) => Some(Retiring {
                    value,
                    until: parse_timestamp(&until)?,
                }),
                _ => None,
            })
        };
        Ok(Some(SiteRecord {
            previous_secret: retiring("previous_secret", "previous_secret_until")?,
            previous_api_key_hash: retiring("previous_api_key_hash", "previous_api_key_until")?,
            site: Site {
                id: SiteId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                name: row.try_get("name")?,
                tz: row.try_get("tz")?,
                secret: row.try_get("secret")?,
                api_key_hash: row.try_get("api_key_hash")?,
            },
        }))
    }

    /// Replaces the site's member-token secret or API key with a new random one and answers it.
    /// The replaced value keeps working for `overlap` after `now`, so host backends can switch
    /// without a moment in which neither works; an overlap of zero retires it at once. Only the
    /// newest replaced value is kept: rotating again inside an overlap retires the value the
    /// first rotation replaced, at once.
    pub async fn rotate_credential(
        &self,
        site: &SiteId,
        credential: Credential,
        overlap: Duration,
        now: Timestamp,
    ) -> Result<Rotated, StoreError> {
        let value = match credential {
            Credential::Secret => new_site_secret(),
            Credential::ApiKey => new_api_key(),
        };
        let stored = match credential {
            Credential::Secret => value.clone(),
            Credential::ApiKey => hash_api_key(&value),
        };
        // An overlap too long for the calendar means "until the end of time".
        let previous_until = now.checked_add(overlap).unwrap_or(Timestamp::MAX);
        let keep_previous = !overlap.is_zero();
        // SQLite evaluates every expression of an UPDATE on the row as it was, so the previous
        // value is the current one before it is replaced.
        let sql = match (credential, keep_previous) {
            (Credential::Secret, true) => {
                "UPDATE sites SET previous_secret = secret, previous_secret_until = ?, secret = ?
                 WHERE id = ?"
            }
            (Credential::Secret, false) => {
                "UPDATE sites SET previous_secret = NULL, previous_secret_until = ?, secret = ?
                 WHERE id = ?"
            }
            (Credential::ApiKey, true) => {
                "UPDATE sites SET previous_api_key_hash = api_key_hash,
                 previous_api_key_until = ?, api_key_hash = ? WHERE id = ?"
            }
            (Credential::ApiKey, false) => {
                "UPDATE sites SET previous_api_key_hash = NULL,
                 previous_api_key_until = ?, api_key_hash = ? WHERE id = ?"
            }
        };
        let until = keep_previous.then(|| previous_until.to_string());
        write_transaction!(self, |conn| {
            let updated = sqlx::query(sql)
                .bind(&until)
                .bind(&stored)
                .bind(site.as_str())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if updated == 0 {
                return Err(StoreError::SiteNotFound(site.clone()));
            }
            Ok(Finish::Commit(()))
        })?;
        Ok(Rotated {
            site: site.clone(),
            credential,
            value,
            previous_until: if keep_previous { previous_until } else { now },
        })
    }
}
