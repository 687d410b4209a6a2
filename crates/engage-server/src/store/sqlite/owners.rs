//! Owner accounts in SQLite: owners and the sites granted to them, sessions (stored by the
//! SHA-256 of their token, with a sliding expiry), the one-time setup tokens, and sites as
//! the console reads and edits them.
//!
//! Instants that are compared (a session's expiry and last use, a setup token's expiry) are
//! Unix milliseconds, so SQL compares numbers rather than RFC 3339 text of varying precision.

use std::time::Duration;

use engage_core::SiteId;
use engage_core::api::console::{ConsoleLang, OwnerSite, SiteView};
use engage_core::jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use super::{
    Finish, Store, StoreError, WRITTEN, ensure_site, insert_origin, insert_site, parse_timestamp,
    retry_busy,
};
use crate::store::NewSite;

/// An owner account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: i64,
    /// Lowercase.
    pub email: String,
    pub admin: bool,
    pub lang: Option<ConsoleLang>,
}

/// An owner with the hash their password is checked against.
#[derive(Debug, Clone)]
pub struct OwnerCredentials {
    pub owner: Owner,
    /// An Argon2id PHC string.
    pub password_hash: String,
}

/// An owner to create.
#[derive(Debug, Clone, Copy)]
pub struct NewOwner<'a> {
    /// Already trimmed and lowercased.
    pub email: &'a str,
    pub password_hash: &'a str,
    pub admin: bool,
    /// Sites granted at once; each must exist.
    pub sites: &'a [SiteId],
}

/// What a new session is.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// Hex SHA-256 of the cookie's token.
    pub token_hash: &'a str,
    pub lifetime: Duration,
}

/// What the first-owner setup did.
#[derive(Debug, Clone)]
pub enum SetupOutcome {
    /// The admin owner was made and signed in.
    Created(Owner),
    /// The token is unknown, used or expired, or an owner exists already: nothing was written.
    Refused,
}

/// A site's editable settings, already validated.
#[derive(Debug, Clone, Default)]
pub struct SiteChanges {
    pub name: Option<String>,
    pub tz: Option<String>,
    /// The whole new list.
    pub origins: Option<Vec<String>>,
}

impl Store {
    /// Creates an owner with their grants; refuses an email that is taken (whatever its
    /// case) and a site that does not exist.
    pub async fn create_owner(
        &self,
        new: NewOwner<'_>,
        now: Timestamp,
    ) -> Result<Owner, StoreError> {
        write_transaction!(self, |conn| {
            let owner = insert_owner(conn, new, now).await?;
            Ok(Finish::Commit(owner))
        })
    }

    /// Whether any owner exists.
    pub async fn has_owner(&self) -> Result<bool, StoreError> {
        let any: Option<i64> = sqlx::query_scalar("SELECT 1 FROM owners LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(any.is_some())
    }

    /// The owner with this (lowercase) email, with their password hash.
    pub async fn owner_credentials(
        &self,
        email: &str,
    ) -> Result<Option<OwnerCredentials>, StoreError> {
        let row =
            sqlx::query("SELECT id, email, admin, lang, password_hash FROM owners WHERE email = ?")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(OwnerCredentials {
            owner: owner_row(&row)?,
            password_hash: row.try_get("password_hash")?,
        }))
    }

    /// The sites an owner may run, by id: every site for an admin, else those granted.
    pub async fn owner_sites(&self, owner: &Owner) -> Result<Vec<OwnerSite>, StoreError> {
        let rows = if owner.admin {
            sqlx::query("SELECT id, name FROM sites ORDER BY id")
                .fetch_all(&self.pool)
                .await?
        } else {
            sqlx::query(
                "SELECT s.id, s.name FROM owner_sites g JOIN sites s ON s.id = g.site_id
                 WHERE g.owner_id = ? ORDER BY s.id",
            )
            .bind(owner.id)
            .fetch_all(&self.pool)
            .await?
        };
        rows.iter()
            .map(|row| {
                Ok(OwnerSite {
                    id: site_id(row)?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// Whether an owner may run `site`: admins run every site, others those granted.
    pub async fn owner_runs_site(&self, owner: &Owner, site: &SiteId) -> Result<bool, StoreError> {
        if owner.admin {
            return Ok(true);
        }
        let granted: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM owner_sites WHERE owner_id = ? AND site_id = ?")
                .bind(owner.id)
                .bind(site.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Ok(granted.is_some())
    }

    /// Sets the owner's console language (`None`: follow the browser).
    pub async fn set_owner_lang(
        &self,
        owner_id: i64,
        lang: Option<ConsoleLang>,
    ) -> Result<(), StoreError> {
        retry_busy(|| async {
            sqlx::query("UPDATE owners SET lang = ? WHERE id = ?")
                .bind(lang.map(ConsoleLang::as_str))
                .bind(owner_id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    /// Starts a session for an owner, and drops every session that has expired.
    pub async fn create_session(
        &self,
        owner_id: i64,
        session: NewSession<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_transaction!(self, |conn| {
            insert_session(conn, owner_id, session, now).await?;
            Ok(Finish::Commit(()))
        })
    }

    /// The owner of a live session. A session last seen more than `refresh_after` ago is
    /// seen again now and lives `lifetime` from now (one small write every few minutes at
    /// most, however busy the console).
    pub async fn session_owner(
        &self,
        token_hash: &str,
        now: Timestamp,
        lifetime: Duration,
        refresh_after: Duration,
    ) -> Result<Option<Owner>, StoreError> {
        let now_ms = now.as_millisecond();
        let row = sqlx::query(
            "SELECT o.id, o.email, o.admin, o.lang, s.last_seen_ms
             FROM owner_sessions s JOIN owners o ON o.id = s.owner_id
             WHERE s.token_hash = ? AND s.expires_ms > ?",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let owner = owner_row(&row)?;
        let last_seen_ms: i64 = row.try_get("last_seen_ms")?;
        if now_ms.saturating_sub(last_seen_ms) >= millis(refresh_after) {
            retry_busy(|| async {
                sqlx::query(
                    "UPDATE owner_sessions SET last_seen_ms = ?, expires_ms = ?
                     WHERE token_hash = ?",
                )
                .bind(now_ms)
                .bind(now_ms.saturating_add(millis(lifetime)))
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
                Ok(())
            })
            .await?;
        }
        Ok(Some(owner))
    }

    /// Ends a session; false when there was none.
    pub async fn delete_session(&self, token_hash: &str) -> Result<bool, StoreError> {
        retry_busy(|| async {
            let deleted = sqlx::query("DELETE FROM owner_sessions WHERE token_hash = ?")
                .bind(token_hash)
                .execute(&self.pool)
                .await?
                .rows_affected();
            Ok(deleted > 0)
        })
        .await
    }

    /// Whether a session row exists for this token hash, live or not (tests, operators).
    pub async fn session_exists(&self, token_hash: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM owner_sessions WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Stores a new setup token (by its hash) that works until `now + lifetime`; tokens made
    /// before it and never used stop working, so only the newest link logged is valid.
    pub async fn create_setup_token(
        &self,
        token_hash: &str,
        now: Timestamp,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        write_transaction!(self, |conn| {
            sqlx::query("DELETE FROM console_setup_tokens WHERE used_at IS NULL")
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO console_setup_tokens (token_hash, created_at, expires_ms)
                 VALUES (?, ?, ?)",
            )
            .bind(token_hash)
            .bind(now.to_string())
            .bind(now.as_millisecond().saturating_add(millis(lifetime)))
            .execute(&mut *conn)
            .await?;
            Ok(Finish::Commit(()))
        })
    }

    /// Whether a setup token would be accepted now (checked before the password is hashed,
    /// so made-up tokens cost no hashing; [`Store::set_up_first_owner`] checks again).
    pub async fn setup_token_usable(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        setup_token_usable_in(&mut conn, token_hash, now).await
    }

    /// In one transaction: spends the setup token, creates the admin owner and starts their
    /// session. Refused (nothing written) when the token is unknown, used or expired, or when
    /// any owner exists already.
    pub async fn set_up_first_owner(
        &self,
        token_hash: &str,
        new: NewOwner<'_>,
        session: NewSession<'_>,
        now: Timestamp,
    ) -> Result<SetupOutcome, StoreError> {
        write_transaction!(self, |conn| {
            let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM owners")
                .fetch_one(&mut *conn)
                .await?;
            if owners > 0 || !setup_token_usable_in(conn, token_hash, now).await? {
                return Ok(Finish::Rollback(SetupOutcome::Refused));
            }
            sqlx::query("UPDATE console_setup_tokens SET used_at = ? WHERE token_hash = ?")
                .bind(now.to_string())
                .bind(token_hash)
                .execute(&mut *conn)
                .await?;
            let owner = insert_owner(conn, NewOwner { admin: true, ..new }, now).await?;
            insert_session(conn, owner.id, session, now).await?;
            Ok(Finish::Commit(SetupOutcome::Created(owner)))
        })
    }

    /// Creates a site with its origins and grants it to the owner who made it.
    pub async fn create_site_for_owner(
        &self,
        new: &NewSite,
        owner_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_transaction!(self, |conn| {
            insert_site(conn, new, now).await?;
            grant_site(conn, owner_id, &new.site.id).await?;
            Ok(Finish::Commit(()))
        })
    }

    /// Sites as the console lists them: every site, or those granted to `owner` (not admin).
    pub async fn site_views(&self, owner: &Owner) -> Result<Vec<SiteView>, StoreError> {
        let ids = self.owner_sites(owner).await?;
        let mut views = Vec::with_capacity(ids.len());
        for site in ids {
            if let Some(view) = self.site_view(&site.id).await? {
                views.push(view);
            }
        }
        Ok(views)
    }

    /// One site as its owner sees it.
    pub async fn site_view(&self, site: &SiteId) -> Result<Option<SiteView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_site_view(&mut conn, site).await
    }

    /// Changes a site's name, time zone or origins (the whole list), and answers the site.
    pub async fn update_site(
        &self,
        site: &SiteId,
        changes: &SiteChanges,
    ) -> Result<SiteView, StoreError> {
        write_transaction!(self, |conn| {
            ensure_site(conn, site).await?;
            if let Some(name) = &changes.name {
                sqlx::query("UPDATE sites SET name = ? WHERE id = ?")
                    .bind(name)
                    .bind(site.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
            if let Some(tz) = &changes.tz {
                sqlx::query("UPDATE sites SET tz = ? WHERE id = ?")
                    .bind(tz)
                    .bind(site.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
            if let Some(origins) = &changes.origins {
                sqlx::query("DELETE FROM site_origins WHERE site_id = ?")
                    .bind(site.as_str())
                    .execute(&mut *conn)
                    .await?;
                for origin in origins {
                    insert_origin(conn, site, origin).await?;
                }
            }
            let view = read_site_view(conn, site)
                .await?
                .ok_or_else(|| StoreError::SiteNotFound(site.clone()))?;
            Ok(Finish::Commit(view))
        })
    }
}

async fn insert_owner(
    conn: &mut SqliteConnection,
    new: NewOwner<'_>,
    now: Timestamp,
) -> Result<Owner, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO owners (email, password_hash, admin, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(new.email)
    .bind(new.password_hash)
    .bind(new.admin)
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::OwnerExists(new.email.to_owned()));
    }
    let id = inserted.last_insert_rowid();
    for site in new.sites {
        ensure_site(conn, site).await?;
        grant_site(conn, id, site).await?;
    }
    let row = sqlx::query("SELECT id, email, admin, lang FROM owners WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    owner_row(&row)
}

async fn grant_site(
    conn: &mut SqliteConnection,
    owner_id: i64,
    site: &SiteId,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO owner_sites (owner_id, site_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(owner_id)
        .bind(site.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert_session(
    conn: &mut SqliteConnection,
    owner_id: i64,
    session: NewSession<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let now_ms = now.as_millisecond();
    sqlx::query("DELETE FROM owner_sessions WHERE expires_ms <= ?")
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO owner_sessions (token_hash, owner_id, created_at, last_seen_ms, expires_ms)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(session.token_hash)
    .bind(owner_id)
    .bind(now.to_string())
    .bind(now_ms)
    .bind(now_ms.saturating_add(millis(session.lifetime)))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn setup_token_usable_in(
    conn: &mut SqliteConnection,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let usable: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM console_setup_tokens
         WHERE token_hash = ? AND used_at IS NULL AND expires_ms > ?",
    )
    .bind(token_hash)
    .bind(now.as_millisecond())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(usable.is_some())
}

async fn read_site_view(
    conn: &mut SqliteConnection,
    site: &SiteId,
) -> Result<Option<SiteView>, StoreError> {
    let row = sqlx::query("SELECT id, name, tz, created_at FROM sites WHERE id = ?")
        .bind(site.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let origins: Vec<String> =
        sqlx::query_scalar("SELECT origin FROM site_origins WHERE site_id = ? ORDER BY origin")
            .bind(site.as_str())
            .fetch_all(&mut *conn)
            .await?;
    let created_at: String = row.try_get("created_at")?;
    Ok(Some(SiteView {
        id: site_id(&row)?,
        name: row.try_get("name")?,
        tz: row.try_get("tz")?,
        origins,
        created_at: parse_timestamp(&created_at)?,
    }))
}

fn owner_row(row: &SqliteRow) -> Result<Owner, StoreError> {
    let lang: Option<String> = row.try_get("lang")?;
    Ok(Owner {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        admin: row.try_get("admin")?,
        lang: match lang {
            None => None,
            Some(text) => Some(
                ConsoleLang::parse(&text)
                    .ok_or_else(|| StoreError::Corrupt(format!("owner language '{text}'")))?,
            ),
        },
    })
}

fn site_id(row: &SqliteRow) -> Result<SiteId, StoreError> {
    let id: String = row.try_get("id")?;
    SiteId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
