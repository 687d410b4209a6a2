//! The SQLite implementation of the store: one database file in WAL mode with `synchronous=FULL`,
//! migrations embedded in the binary, and write transactions that start with `BEGIN IMMEDIATE`.
//!
//! Why `BEGIN IMMEDIATE`: in WAL mode a deferred transaction that reads and then writes fails
//! with `SQLITE_BUSY_SNAPSHOT` when another writer committed in between, and the busy timeout
//! does not retry that. Taking the write lock first makes concurrent check-ins queue instead.

use std::collections::BTreeSet;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use engage_core::calendar::YearMonth;
use engage_core::checkin::{MakeupError, checkin_award, current_streak, makeup_cost};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::ledger::{LedgerError, Source, capped_award, next_balance};
use engage_core::rules::{Rules, RulesFormat};
use engage_core::{MemberId, SiteId};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use super::{
    CheckinRecorded, CheckinSummary, HostEvent, HostEventRecorded, LedgerRow, MakeupRecorded,
    MemberProfile, MemberRow, NewSite, Site, StoreError, StoredRules,
};

/// The migrations, in order. Each runs once; `schema_version` remembers the last one applied.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/sqlite/0001_init.sql"))];

/// How often a transaction that met a locked database is tried again before giving up.
const BUSY_RETRIES: u32 = 6;

/// The server's storage. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// The result of appending one ledger entry inside a transaction.
#[derive(Debug, Clone, Copy)]
struct Appended {
    awarded: i64,
    balance: i64,
    duplicate: bool,
}

impl Store {
    /// Opens (creating if needed) the database named by `db` — a file path or a `sqlite://`
    /// URL — and applies pending migrations.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        let options = connect_options(db)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                .execute(&mut *tx)
                .await?;
            let applied: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                    .fetch_one(&mut *tx)
                    .await?;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > applied) {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_version (version) VALUES (?)")
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                tracing::info!(version, "applied migration");
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Creates a site with its origins; refuses an id that is taken.
    pub async fn create_site(&self, new: &NewSite, now: Timestamp) -> Result<(), StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            let site = &new.site;
            let inserted = sqlx::query(
                "INSERT INTO sites (id, name, tz, secret, api_key_hash, created_at)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            )
            .bind(site.id.as_str())
            .bind(&site.name)
            .bind(&site.tz)
            .bind(&site.secret)
            .bind(&site.api_key_hash)
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::SiteExists(site.id.clone()));
            }
            for origin in &new.origins {
                insert_origin(&mut tx, &site.id, origin).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Allows one more origin for a site (kept if already there).
    pub async fn add_site_origin(&self, site: &SiteId, origin: &str) -> Result<(), StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            insert_origin(&mut tx, site, origin).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn site(&self, id: &SiteId) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query("SELECT id, name, tz, secret, api_key_hash FROM sites WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        Ok(Some(Site {
            id: SiteId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name: row.try_get("name")?,
            tz: row.try_get("tz")?,
            secret: row.try_get("secret")?,
            api_key_hash: row.try_get("api_key_hash")?,
        }))
    }

    /// The origins allowed to call the API for a site (empty for an unknown site).
    pub async fn site_origins(&self, site: &SiteId) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT origin FROM site_origins WHERE site_id = ? ORDER BY origin")
                .bind(site.as_str())
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Stores a validated rules document as the site's newest version and returns the version.
    pub async fn install_rules(
        &self,
        site: &SiteId,
        document: &str,
        format: RulesFormat,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sites WHERE id = ?")
                .bind(site.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::SiteNotFound(site.clone()));
            }
            let version: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM rules WHERE site_id = ?",
            )
            .bind(site.as_str())
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO rules (site_id, version, document, format, installed_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(version)
            .bind(document)
            .bind(format_name(format))
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(version)
        })
        .await
    }

    /// The site's newest rules document, if one was installed.
    pub async fn current_rules(&self, site: &SiteId) -> Result<Option<StoredRules>, StoreError> {
        let row = sqlx::query(
            "SELECT version, document, format FROM rules WHERE site_id = ?
             ORDER BY version DESC LIMIT 1",
        )
        .bind(site.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let format: String = row.try_get("format")?;
        Ok(Some(StoredRules {
            version: row.try_get("version")?,
            document: row.try_get("document")?,
            format: match format.as_str() {
                "json" => RulesFormat::Json,
                _ => RulesFormat::Toml,
            },
        }))
    }

    /// Records that a member was seen now, with the name their token carries.
    pub async fn upsert_member(
        &self,
        site: &SiteId,
        member: &MemberId,
        name: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        retry_busy(|| async move {
            let mut conn = self.pool.acquire().await?;
            upsert_member_in(&mut conn, site, member, name, now).await
        })
        .await
    }

    /// Adds a member unless they exist (the demo's sample members).
    pub async fn add_member_if_missing(
        &self,
        site: &SiteId,
        member: &MemberId,
        name: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let now = now.to_string();
        retry_busy(|| {
            let now = &now;
            async move {
                sqlx::query(
                    "INSERT INTO members (site_id, member_id, name, first_seen, last_seen)
                     VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, member_id) DO NOTHING",
                )
                .bind(site.as_str())
                .bind(member.as_str())
                .bind(name)
                .bind(now)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        })
        .await
    }

    /// A site's members in the order they were first stored.
    pub async fn members(&self, site: &SiteId) -> Result<Vec<MemberRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT member_id, name FROM members WHERE site_id = ? ORDER BY rowid LIMIT 1000",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(member_row).collect()
    }

    pub async fn member(
        &self,
        site: &SiteId,
        member: &MemberId,
    ) -> Result<Option<MemberRow>, StoreError> {
        let row =
            sqlx::query("SELECT member_id, name FROM members WHERE site_id = ? AND member_id = ?")
                .bind(site.as_str())
                .bind(member.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(member_row).transpose()
    }

    /// A member's check-in days, balance and this month's make-ups, as of `today`.
    pub async fn checkin_summary(
        &self,
        site: &SiteId,
        member: &MemberId,
        today: Date,
    ) -> Result<CheckinSummary, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_summary(&mut conn, site, member, today).await
    }

    /// Checks a member in for `today`, exactly once: the check-in row is the guard, and the
    /// award (streak bonus and daily cap included) is appended in the same transaction.
    pub async fn record_checkin(
        &self,
        site: &SiteId,
        member: &MemberId,
        name: &str,
        today: Date,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<CheckinRecorded, StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            upsert_member_in(&mut tx, site, member, name, now).await?;
            let inserted = insert_checkin(&mut tx, site, member, today, "daily", now).await?;
            if !inserted {
                let summary = read_summary(&mut tx, site, member, today).await?;
                tx.rollback().await?;
                return Ok(CheckinRecorded {
                    inserted: false,
                    awarded: 0,
                    summary,
                });
            }
            let days = read_days(&mut tx, site, member).await?;
            let award = checkin_award(&rules.checkin, current_streak(&days, today));
            let key = format!("checkin:{today}");
            let appended = append_entry(
                &mut tx,
                EntryToAppend {
                    site,
                    member,
                    source: Source::Checkin,
                    amount: award.total(),
                    key: &key,
                    detail: award.milestone.map(|day| format!("milestone:{day}")),
                    today,
                    now,
                },
                rules,
            )
            .await?
            .map_err(ledger_corrupt)?;
            let summary = read_summary(&mut tx, site, member, today).await?;
            tx.commit().await?;
            Ok(CheckinRecorded {
                inserted: true,
                awarded: appended.awarded,
                summary,
            })
        })
        .await
    }

    /// Makes up a missed `day`, paying its cost in points, if the rules allow it today.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_makeup(
        &self,
        site: &SiteId,
        member: &MemberId,
        name: &str,
        today: Date,
        day: Date,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<MakeupRecorded, StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            upsert_member_in(&mut tx, site, member, name, now).await?;
            let before = read_summary(&mut tx, site, member, today).await?;
            let cost = match makeup_cost(
                &rules.checkin,
                &before.days,
                today,
                day,
                before.makeups_this_month,
                before.balance,
            ) {
                Ok(cost) => cost,
                Err(refused) => {
                    tx.rollback().await?;
                    return Ok(MakeupRecorded::Refused(refused));
                }
            };
            if !insert_checkin(&mut tx, site, member, day, "makeup", now).await? {
                tx.rollback().await?;
                return Ok(MakeupRecorded::Refused(MakeupError::AlreadyCheckedIn {
                    day,
                }));
            }
            let key = format!("makeup:{day}");
            let entry = EntryToAppend {
                site,
                member,
                source: Source::Makeup,
                amount: -cost,
                key: &key,
                detail: None,
                today,
                now,
            };
            match append_entry(&mut tx, entry, rules).await? {
                Ok(appended) if !appended.duplicate => {}
                Ok(_) => {
                    tx.rollback().await?;
                    return Ok(MakeupRecorded::Refused(MakeupError::AlreadyCheckedIn {
                        day,
                    }));
                }
                Err(LedgerError::InsufficientPoints { balance, .. }) => {
                    tx.rollback().await?;
                    return Ok(MakeupRecorded::Refused(MakeupError::InsufficientPoints {
                        cost,
                        balance,
                    }));
                }
                Err(other) => return Err(ledger_corrupt(other)),
            }
            let summary = read_summary(&mut tx, site, member, today).await?;
            tx.commit().await?;
            Ok(MakeupRecorded::Done {
                spent: cost,
                summary,
            })
        })
        .await
    }

    /// Awards points for a host event once per idempotency key, creating the member if new.
    pub async fn record_host_event(
        &self,
        site: &SiteId,
        event: &HostEvent,
        today: Date,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<HostEventRecorded, StoreError> {
        retry_busy(|| async move {
            let mut tx = self.begin_write().await?;
            let stamp = now.to_string();
            sqlx::query(
                "INSERT INTO members (site_id, member_id, name, first_seen, last_seen)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (site_id, member_id) DO UPDATE SET name = COALESCE(?, members.name)",
            )
            .bind(site.as_str())
            .bind(event.member.as_str())
            .bind(event.name.as_deref().unwrap_or(event.member.as_str()))
            .bind(&stamp)
            .bind(&stamp)
            .bind(event.name.as_deref())
            .execute(&mut *tx)
            .await?;
            let key = format!("event:{}", event.idempotency_key);
            let entry = EntryToAppend {
                site,
                member: &event.member,
                source: Source::HostEvent,
                amount: event.points,
                key: &key,
                detail: Some(event.kind.clone()),
                today,
                now,
            };
            let appended = append_entry(&mut tx, entry, rules)
                .await?
                .map_err(ledger_corrupt)?;
            tx.commit().await?;
            Ok(HostEventRecorded {
                awarded: appended.awarded,
                balance: appended.balance,
                duplicate: appended.duplicate,
            })
        })
        .await
    }

    /// A member's name, balance and newest `limit` ledger entries.
    pub async fn member_profile(
        &self,
        site: &SiteId,
        member: &MemberId,
        limit: u32,
    ) -> Result<Option<MemberProfile>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM members WHERE site_id = ? AND member_id = ?")
                .bind(site.as_str())
                .bind(member.as_str())
                .fetch_optional(&mut *conn)
                .await?;
        let Some(name) = name else { return Ok(None) };
        let balance = read_balance(&mut conn, site, member).await?;
        let rows = sqlx::query(
            "SELECT source, amount, key, at FROM ledger WHERE site_id = ? AND member_id = ?
             ORDER BY id DESC LIMIT ?",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        let ledger = rows
            .iter()
            .map(|row| {
                let source: String = row.try_get("source")?;
                let at: String = row.try_get("at")?;
                Ok(LedgerRow {
                    source: Source::parse(&source)
                        .ok_or_else(|| StoreError::Corrupt(format!("ledger source '{source}'")))?,
                    amount: row.try_get("amount")?,
                    key: row.try_get("key")?,
                    at: parse_timestamp(&at)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(MemberProfile {
            name,
            balance,
            ledger,
        }))
    }

    /// Counts rows of a table for one site; tests use it to prove refused requests stored nothing.
    pub async fn count_rows(&self, table: CountedTable, site: &SiteId) -> Result<i64, StoreError> {
        let sql = match table {
            CountedTable::Members => "SELECT COUNT(*) FROM members WHERE site_id = ?",
            CountedTable::Checkins => "SELECT COUNT(*) FROM checkins WHERE site_id = ?",
            CountedTable::Ledger => "SELECT COUNT(*) FROM ledger WHERE site_id = ?",
        };
        Ok(sqlx::query_scalar(sql)
            .bind(site.as_str())
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Tables [`Store::count_rows`] can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedTable {
    Members,
    Checkins,
    Ledger,
}

fn connect_options(db: &str) -> Result<SqliteConnectOptions, StoreError> {
    let lower = db.to_ascii_lowercase();
    if lower.starts_with("postgres:") || lower.starts_with("postgresql:") {
        return Err(StoreError::UnsupportedDatabase(
            "PostgreSQL is not supported yet; use a SQLite file path or a sqlite:// URL".into(),
        ));
    }
    let options = if lower.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(db)?
    } else if db.contains("://") {
        return Err(StoreError::UnsupportedDatabase(format!(
            "database URL '{db}' is not supported; use a SQLite file path or a sqlite:// URL"
        )));
    } else {
        SqliteConnectOptions::new().filename(db)
    };
    Ok(options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true))
}

/// Runs `op` again when SQLite reports the database busy or locked, with a short backoff, so a
/// burst of writers queues instead of failing.
async fn retry_busy<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(error) if is_busy(&error) && attempt < BUSY_RETRIES => {
                attempt += 1;
                tracing::debug!(attempt, "database busy, retrying");
                tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
            }
            other => return other,
        }
    }
}

fn is_busy(error: &StoreError) -> bool {
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    let StoreError::Database(sqlx::Error::Database(db)) = error else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, SQLITE_BUSY | SQLITE_LOCKED))
}

fn format_name(format: RulesFormat) -> &'static str {
    match format {
        RulesFormat::Toml => "toml",
        RulesFormat::Json => "json",
    }
}

fn member_row(row: &sqlx::sqlite::SqliteRow) -> Result<MemberRow, StoreError> {
    let member: String = row.try_get("member_id")?;
    Ok(MemberRow {
        member: MemberId::parse(&member).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: row.try_get("name")?,
    })
}

fn parse_day(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("day '{text}'")))
}

fn parse_timestamp(text: &str) -> Result<Timestamp, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("timestamp '{text}'")))
}

fn ledger_corrupt(error: LedgerError) -> StoreError {
    StoreError::Corrupt(format!("ledger refused an award: {error}"))
}

async fn insert_origin(
    conn: &mut SqliteConnection,
    site: &SiteId,
    origin: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO site_origins (site_id, origin) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(site.as_str())
        .bind(origin)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn upsert_member_in(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    name: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let now = now.to_string();
    sqlx::query(
        "INSERT INTO members (site_id, member_id, name, first_seen, last_seen)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, member_id)
         DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(name)
    .bind(&now)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts a check-in row unless the day has one; true when inserted.
async fn insert_checkin(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    day: Date,
    kind: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO checkins (site_id, member_id, day, kind, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, member_id, day) DO NOTHING",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(day.to_string())
    .bind(kind)
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

async fn read_days(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<BTreeSet<Date>, StoreError> {
    let days: Vec<String> =
        sqlx::query_scalar("SELECT day FROM checkins WHERE site_id = ? AND member_id = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_all(&mut *conn)
            .await?;
    days.iter().map(|day| parse_day(day)).collect()
}

async fn read_balance(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<i64, StoreError> {
    let points: Option<i64> =
        sqlx::query_scalar("SELECT points FROM balances WHERE site_id = ? AND member_id = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(points.unwrap_or(0))
}

async fn read_summary(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    today: Date,
) -> Result<CheckinSummary, StoreError> {
    let days = read_days(conn, site, member).await?;
    let balance = read_balance(conn, site, member).await?;
    let month = YearMonth::of(today);
    let makeups: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger WHERE site_id = ? AND member_id = ? AND source = 'makeup'
         AND day BETWEEN ? AND ?",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(month.first_day().to_string())
    .bind(month.last_day().to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(CheckinSummary {
        days,
        balance,
        makeups_this_month: u32::try_from(makeups).unwrap_or(u32::MAX),
    })
}

/// One ledger entry on its way in.
struct EntryToAppend<'a> {
    site: &'a SiteId,
    member: &'a MemberId,
    source: Source,
    amount: i64,
    key: &'a str,
    detail: Option<String>,
    /// The site-local day the entry is made on, for daily caps and monthly counts.
    today: Date,
    now: Timestamp,
}

/// Appends a ledger entry and updates the balance, inside the caller's transaction: a repeated
/// key is a duplicate that changes nothing; awards are cut to the source's daily cap; an entry
/// that would make the balance negative is refused with the ledger's own error.
async fn append_entry(
    conn: &mut SqliteConnection,
    entry: EntryToAppend<'_>,
    rules: &Rules,
) -> Result<Result<Appended, LedgerError>, StoreError> {
    let EntryToAppend {
        site,
        member,
        source,
        amount,
        key,
        detail,
        today,
        now,
    } = entry;
    let balance = read_balance(conn, site, member).await?;
    let seen: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM ledger WHERE site_id = ? AND member_id = ? AND key = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    if seen.is_some() {
        return Ok(Ok(Appended {
            awarded: 0,
            balance,
            duplicate: true,
        }));
    }
    let awarded_today: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(amount), 0) FROM ledger
         WHERE site_id = ? AND member_id = ? AND source = ? AND day = ? AND amount > 0",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(source.as_str())
    .bind(today.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let amount = capped_award(amount, awarded_today, rules.daily_cap(source));
    let next = match next_balance(balance, amount) {
        Ok(next) => next,
        Err(refused) => return Ok(Err(refused)),
    };
    sqlx::query(
        "INSERT INTO ledger (site_id, member_id, source, amount, key, detail, day, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(source.as_str())
    .bind(amount)
    .bind(key)
    .bind(detail)
    .bind(today.to_string())
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO balances (site_id, member_id, points) VALUES (?, ?, ?)
         ON CONFLICT (site_id, member_id) DO UPDATE SET points = excluded.points",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(next)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(Appended {
        awarded: amount,
        balance: next,
        duplicate: false,
    }))
}
