//! The SQLite implementation of the store: one database file in WAL mode with `synchronous=FULL`,
//! migrations embedded in the binary, and write transactions that start with `BEGIN IMMEDIATE`.
//!
//! Why `BEGIN IMMEDIATE`: in WAL mode a deferred transaction that reads and then writes fails
//! with `SQLITE_BUSY_SNAPSHOT` when another writer committed in between, and the busy timeout
//! does not retry that. Taking the write lock first makes concurrent check-ins queue instead.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use engage_core::analytics::Kind;
use engage_core::api::{PollOption, ResultsVisibility, UpdatePoll};
use engage_core::calendar::YearMonth;
use engage_core::checkin::{
    MakeupError, checkin_award, current_streak, freezes_for_checkin, makeup_cost,
};
use engage_core::jiff::civil::Date;
use engage_core::jiff::{SignedDuration, Timestamp};
use engage_core::ledger::{
    LedgerError, Source, capped_award, counts_as_earned, daily_cap_for, next_balance,
};
use engage_core::poll::{Poll, Tally, VoteAttempt, VoteDecision, Voter, apply_update, check_vote};
use engage_core::rules::{Rules, RulesFormat};
use engage_core::{MemberId, PollId, SiteId};
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::audit::{Actor, AuditAction};

use super::{
    CheckinRecorded, CheckinSummary, HostEvent, HostEventRecorded, LedgerRow, MakeupRecorded,
    MemberProfile, MemberRow, NewSite, PollRecord, PollUpdated, Site, StoreError, StoreWatch,
    StoredRules, VoteRecorded, VoteToRecord, Written,
};
use activity::note_acted;
use badges::award_badges;
use webhooks::enqueue_event;

/// Runs `$body` in one write transaction (`BEGIN IMMEDIATE`), from the start again while the
/// database is busy. Inside, `$conn` is the transaction's connection; the body evaluates to
/// `Result<Finish<T>, StoreError>` (`return` and `?` leave the body), and an error rolls back
/// everything it wrote. A macro rather than a function taking an async closure because the
/// compiler cannot yet prove such a closure's future `Send` for axum's handlers.
///
/// What the body wrote that others listen for (ledger entries, webhook events) is noted in the
/// task-local [`WRITTEN`] and announced only once the commit succeeded, so a listener that
/// reads again at once sees the change.
macro_rules! write_transaction {
    ($store:expr, |$conn:ident| $body:block) => {
        retry_busy(|| async {
            let mut tx = $store.pool.begin_with("BEGIN IMMEDIATE").await?;
            let (finish, written) = WRITTEN
                .scope(std::cell::RefCell::default(), async {
                    let $conn: &mut SqliteConnection = &mut tx;
                    let finish: Result<Finish<_>, StoreError> = async { $body }.await;
                    (finish, WRITTEN.with(std::cell::RefCell::take))
                })
                .await;
            match finish? {
                Finish::Commit(value) => {
                    tx.commit().await?;
                    $store.watch.announce(written);
                    Ok(value)
                }
                Finish::Rollback(value) => {
                    tx.rollback().await?;
                    Ok(value)
                }
            }
        })
        .await
    };
}

/// The migrations, in order. Each runs once; `schema_version` remembers those applied.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_polls.sql")),
    (
        3,
        include_str!("../../migrations/sqlite/0003_lotteries.sql"),
    ),
    (4, include_str!("../../migrations/sqlite/0004_feedback.sql")),
    (
        5,
        include_str!("../../migrations/sqlite/0005_badges_leaderboard_webhooks.sql"),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_rank_histogram.sql"),
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_credential_rotation.sql"),
    ),
    (
        8,
        include_str!("../../migrations/sqlite/0008_lottery_proofs.sql"),
    ),
    (
        9,
        include_str!("../../migrations/sqlite/0009_webhook_delivery_safety.sql"),
    ),
    (
        10,
        include_str!("../../migrations/sqlite/0010_audit_log.sql"),
    ),
    (11, include_str!("../../migrations/sqlite/0011_owners.sql")),
    (
        12,
        include_str!("../../migrations/sqlite/0012_analytics.sql"),
    ),
    (13, include_str!("../../migrations/sqlite/0013_rewards.sql")),
];

tokio::task_local! {
    /// What the running write transaction wrote that listeners care about.
    static WRITTEN: std::cell::RefCell<Written>;
}

/// Notes, inside a write transaction, something to announce after its commit.
fn note_written(note: impl FnOnce(&mut Written)) {
    // Outside `write_transaction!` there is nothing to announce to.
    let _ = WRITTEN.try_with(|written| note(&mut written.borrow_mut()));
}

/// Notes, inside a write transaction, that a lottery's public state (stock, status) may have
/// changed.
fn note_lottery(site: &SiteId, lottery: &engage_core::LotteryId) {
    note_written(|written| {
        written.lotteries.insert((site.clone(), lottery.clone()));
    });
}

/// Notes, inside a write transaction, that a site's rewards (stock, the catalogue) may have
/// changed.
fn note_rewards(site: &SiteId) {
    note_written(|written| {
        written.reward_sites.insert(site.clone());
    });
}

// After the macro, so that activity, badge, leaderboard and webhook storage can use it.
mod activity;
mod analytics;
mod badges;
mod bench;
mod leaderboard;
mod webhooks;

pub use analytics::{AnalyticsFacts, AnalyticsSpan};
pub use leaderboard::{LeaderboardRead, RankedRow};
pub use webhooks::{AttemptOutcome, DeliveryRow, DueDelivery, WebhookSettings};

// After the macro, so that feedback storage can use it.
mod feedback;

// After the macro, so that lottery storage can use it.
mod lotteries;

// After the macro, so that the rewards shop can use it.
mod rewards;

// After the macro: rotating a site's credentials, backups, owner accounts, and the
// owner console's storage.
mod audit;
mod backup;
mod credentials;
mod export;
mod import;
mod members;
mod owner_views;
mod owners;
mod rules_versions;

use audit::audit_in;
pub use export::EXPORT_PAGE_ROWS;
pub use import::ImportContext;
pub use members::Adjustment;
pub use owners::{NewOwner, NewSession, Owner, OwnerCredentials, SetupOutcome, SiteChanges};

/// How often a transaction that met a locked database is tried again before giving up.
const BUSY_RETRIES: u32 = 6;

/// The server's storage. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Who listens for committed changes: live leaderboards and the webhook worker.
    pub watch: Arc<StoreWatch>,
    /// The member-days this process already recorded as seen.
    seen: Arc<activity::SeenDays>,
}

/// How a write transaction ends: keep its writes, or drop them (a refusal, a repeat) while still
/// answering with what it read.
enum Finish<T> {
    Commit(T),
    Rollback(T),
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
        let store = Store {
            pool,
            watch: Arc::default(),
            seen: Arc::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        write_transaction!(self, |conn| {
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                .execute(&mut *conn)
                .await?;
            // Every migration not yet recorded, not only those above the highest: numbers are
            // handed out to work done in parallel, so a database may have met 11 before 7.
            let applied: BTreeSet<i64> = sqlx::query_scalar("SELECT version FROM schema_version")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| !applied.contains(v)) {
                sqlx::raw_sql(*sql).execute(&mut *conn).await?;
                sqlx::query("INSERT INTO schema_version (version) VALUES (?)")
                    .bind(version)
                    .execute(&mut *conn)
                    .await?;
                tracing::info!(version, "applied migration");
            }
            Ok(Finish::Commit(()))
        })
    }

    /// Creates a site with its origins; refuses an id that is taken.
    pub async fn create_site(&self, new: &NewSite, now: Timestamp) -> Result<(), StoreError> {
        write_transaction!(self, |conn| {
            insert_site(conn, new, now).await?;
            Ok(Finish::Commit(()))
        })
    }

    /// Allows one more origin for a site (kept if already there).
    pub async fn add_site_origin(&self, site: &SiteId, origin: &str) -> Result<(), StoreError> {
        write_transaction!(self, |conn| {
            insert_origin(conn, site, origin).await?;
            Ok(Finish::Commit(()))
        })
    }

    pub async fn site(&self, id: &SiteId) -> Result<Option<Site>, StoreError> {
        Ok(self.site_record(id).await?.map(|record| record.site))
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

    /// Stores a validated rules document as the site's newest version and returns the version;
    /// `actor` (who installed it) is kept with the version and audited.
    pub async fn install_rules(
        &self,
        site: &SiteId,
        document: &str,
        format: RulesFormat,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<i64, StoreError> {
        let actor_json = actor.map(audit::actor_json).transpose()?;
        write_transaction!(self, |conn| {
            ensure_site(conn, site).await?;
            let version: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM rules WHERE site_id = ?",
            )
            .bind(site.as_str())
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO rules (site_id, version, document, format, installed_at, actor)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(version)
            .bind(document)
            .bind(format_name(format))
            .bind(now.to_string())
            .bind(actor_json.as_deref())
            .execute(&mut *conn)
            .await?;
            let detail = serde_json::json!({ "version": version, "format": format_name(format) });
            audit_in(conn, site, actor, AuditAction::RulesInstall, detail, now).await?;
            Ok(Finish::Commit(version))
        })
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
            format: parse_format(&format),
        }))
    }

    /// Records that a member was seen now, with the name their token carries, for the reads a
    /// member makes (`/me`, the check-in state): it writes only when the member is new, the
    /// name changed, or the stored `last_seen` is stale ([`last_seen_is_stale`]), so that
    /// repeated reads take no write lock. True when it wrote.
    pub async fn note_member_seen(
        &self,
        site: &SiteId,
        member: &MemberId,
        name: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let stored: Option<(String, String)> = sqlx::query_as(
            "SELECT name, last_seen FROM members WHERE site_id = ? AND member_id = ?",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .fetch_optional(&self.pool)
        .await?;
        if let Some((stored_name, last_seen)) = stored {
            // An unreadable time is rewritten rather than refused: it is only bookkeeping.
            let fresh = parse_timestamp(&last_seen).is_ok_and(|at| !last_seen_is_stale(at, now));
            if fresh && stored_name == name {
                return Ok(false);
            }
        }
        retry_busy(|| async move {
            let mut conn = self.pool.acquire().await?;
            upsert_member_in(&mut conn, site, member, name, now).await
        })
        .await?;
        Ok(true)
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
        // A repeat (double click, retry, second tab) is answered from a plain read, without
        // queueing for the write lock; the unique key below still decides every race.
        {
            let mut conn = self.pool.acquire().await?;
            let summary = read_summary(&mut conn, site, member, today).await?;
            if summary.days.contains(&today) {
                return Ok(CheckinRecorded {
                    inserted: false,
                    awarded: 0,
                    summary,
                    badges: Vec::new(),
                });
            }
        }
        write_transaction!(self, |conn| {
            upsert_member_in(conn, site, member, name, now).await?;
            // Freezes first, read before today's row: they cover the days missed up to today.
            let before = read_summary(conn, site, member, today).await?;
            let freeze = freezes_for_checkin(&before.days, &before.frozen, before.freezes, today);
            freeze_days(conn, site, member, &freeze, now).await?;
            let inserted = insert_checkin(conn, site, member, today, "daily", now).await?;
            if !inserted {
                let summary = read_summary(conn, site, member, today).await?;
                return Ok(Finish::Rollback(CheckinRecorded {
                    inserted: false,
                    awarded: 0,
                    summary,
                    badges: Vec::new(),
                }));
            }
            note_acted(conn, site, member, today, Kind::Checkin, true).await?;
            let days = read_days(conn, site, member).await?;
            let frozen = read_frozen(conn, site, member).await?;
            let award = checkin_award(&rules.checkin, current_streak(&days, &frozen, today));
            let key = format!("checkin:{today}");
            let appended = append_entry(
                conn,
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
            let badges = award_badges(conn, site, member, today, now, rules).await?;
            let summary = read_summary(conn, site, member, today).await?;
            let mut checkin = serde_json::json!({
                "member": member.as_str(),
                "name": name,
                "date": today.to_string(),
                "streak": current_streak(&summary.days, &summary.frozen, today),
                "awarded": appended.awarded,
                "points": summary.balance,
                "badges": badges,
            });
            if !freeze.is_empty() {
                // The days this check-in's streak freezes covered, only when there are some.
                checkin["frozen"] = freeze.iter().map(Date::to_string).collect();
            }
            enqueue_event(conn, site, "checkin", now, checkin).await?;
            Ok(Finish::Commit(CheckinRecorded {
                inserted: true,
                awarded: appended.awarded,
                summary,
                badges,
            }))
        })
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
        let refused = |reason| Ok(Finish::Rollback(MakeupRecorded::Refused(reason)));
        write_transaction!(self, |conn| {
            upsert_member_in(conn, site, member, name, now).await?;
            let before = read_summary(conn, site, member, today).await?;
            let cost = match makeup_cost(
                &rules.checkin,
                &before.days,
                &before.frozen,
                today,
                day,
                before.makeups_this_month,
                before.balance,
            ) {
                Ok(cost) => cost,
                Err(reason) => return refused(reason),
            };
            if !insert_checkin(conn, site, member, day, "makeup", now).await? {
                return refused(MakeupError::AlreadyCheckedIn { day });
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
            match append_entry(conn, entry, rules).await? {
                Ok(appended) if !appended.duplicate => {}
                Ok(_) => return refused(MakeupError::AlreadyCheckedIn { day }),
                Err(LedgerError::InsufficientPoints { balance, .. }) => {
                    return refused(MakeupError::InsufficientPoints { cost, balance });
                }
                Err(other) => return Err(ledger_corrupt(other)),
            }
            note_acted(conn, site, member, today, Kind::Checkin, true).await?;
            let badges = award_badges(conn, site, member, today, now, rules).await?;
            let summary = read_summary(conn, site, member, today).await?;
            Ok(Finish::Commit(MakeupRecorded::Done {
                spent: cost,
                summary,
                badges,
            }))
        })
    }

    /// Awards points for a host event once per idempotency key, creating the member if new.
    /// A repeated key changes nothing and answers what the first call answered.
    pub async fn record_host_event(
        &self,
        site: &SiteId,
        event: &HostEvent,
        today: Date,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<HostEventRecorded, StoreError> {
        write_transaction!(self, |conn| {
            if let Some(first) = read_host_event(conn, site, event).await? {
                return Ok(Finish::Rollback(first));
            }
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
            .execute(&mut *conn)
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
            let appended = append_entry(conn, entry, rules)
                .await?
                .map_err(ledger_corrupt)?;
            if appended.duplicate {
                return Err(StoreError::Corrupt(format!(
                    "ledger key '{key}' exists without its host event"
                )));
            }
            sqlx::query(
                "INSERT INTO host_events (site_id, member_id, idempotency_key, kind, awarded,
                 balance, day, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(event.member.as_str())
            .bind(&event.idempotency_key)
            .bind(&event.kind)
            .bind(appended.awarded)
            .bind(appended.balance)
            .bind(today.to_string())
            .bind(&stamp)
            .execute(&mut *conn)
            .await?;
            note_acted(conn, site, &event.member, today, Kind::HostEvent, false).await?;
            // After the event row, so that event-count criteria count this event.
            let badges = award_badges(conn, site, &event.member, today, now, rules).await?;
            if !badges.is_empty() {
                sqlx::query(
                    "UPDATE host_events SET badges = ?
                     WHERE site_id = ? AND member_id = ? AND idempotency_key = ?",
                )
                .bind(serde_json::Value::from(badges.clone()).to_string())
                .bind(site.as_str())
                .bind(event.member.as_str())
                .bind(&event.idempotency_key)
                .execute(&mut *conn)
                .await?;
            }
            Ok(Finish::Commit(HostEventRecorded {
                awarded: appended.awarded,
                balance: appended.balance,
                duplicate: false,
                badges,
            }))
        })
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
        let earned = leaderboard::read_earned(&mut conn, site, member).await?;
        let badges = badges::read_member_badges(&mut conn, site, member).await?;
        let rows = sqlx::query(
            "SELECT source, amount, key, at, detail FROM ledger WHERE site_id = ? AND member_id = ?
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
                let source = Source::parse(&source)
                    .ok_or_else(|| StoreError::Corrupt(format!("ledger source '{source}'")))?;
                // Other sources keep internal notes in `detail`; only the owner's reason for
                // an adjustment is meant for the member's eyes.
                let detail: Option<String> = row.try_get("detail")?;
                Ok(LedgerRow {
                    source,
                    amount: row.try_get("amount")?,
                    key: row.try_get("key")?,
                    at: parse_timestamp(&at)?,
                    reason: detail.filter(|_| source == Source::Admin),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(MemberProfile {
            name,
            balance,
            earned,
            ledger,
            badges,
        }))
    }

    /// Creates a poll (audited as `actor`'s); refuses an id the site already uses.
    pub async fn create_poll(
        &self,
        site: &SiteId,
        poll: &Poll,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<PollRecord, StoreError> {
        write_transaction!(self, |conn| {
            if !save_poll(conn, site, poll, SavePoll::Create, now).await? {
                return Err(StoreError::PollExists(poll.id.clone()));
            }
            write_options(conn, site, &poll.id, &[], &poll.options).await?;
            let detail = serde_json::json!({ "poll": poll.id.as_str() });
            audit_in(conn, site, actor, AuditAction::PollCreate, detail, now).await?;
            let record = read_poll_record(conn, site, &poll.id, None).await?;
            Ok(Finish::Commit(record.ok_or_else(|| vanished(&poll.id))?))
        })
    }

    /// Applies an owner's edit as the core's `apply_update` decides, against the current tally
    /// so that an option with votes is never removed. An edit that changes nothing writes nothing;
    /// one that does is audited as `actor`'s, with the fields it sent.
    pub async fn update_poll(
        &self,
        site: &SiteId,
        poll_id: &PollId,
        update: &UpdatePoll,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<PollUpdated, StoreError> {
        write_transaction!(self, |conn| {
            let before = read_poll_record(conn, site, poll_id, None)
                .await?
                .ok_or_else(|| StoreError::PollNotFound(poll_id.clone()))?;
            let after = match apply_update(&before.poll, update.clone(), &before.tally, now) {
                Ok(after) => after,
                Err(reason) => return Ok(Finish::Rollback(PollUpdated::Refused(reason))),
            };
            if after == before.poll {
                return Ok(Finish::Rollback(PollUpdated::Done {
                    record: before,
                    changed: false,
                }));
            }
            save_poll(conn, site, &after, SavePoll::Replace, now).await?;
            write_options(conn, site, poll_id, &before.poll.options, &after.options).await?;
            let detail = serde_json::json!({ "poll": poll_id.as_str(), "changes": update });
            audit_in(conn, site, actor, AuditAction::PollUpdate, detail, now).await?;
            let record = read_poll_record(conn, site, poll_id, None).await?;
            Ok(Finish::Commit(PollUpdated::Done {
                record: record.ok_or_else(|| vanished(poll_id))?,
                changed: true,
            }))
        })
    }

    /// A poll with its tally and, for `voter`, their current choices; read from one snapshot.
    pub async fn poll(
        &self,
        site: &SiteId,
        poll_id: &PollId,
        voter: Option<&Voter>,
    ) -> Result<Option<PollRecord>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let record = read_poll_record(&mut tx, site, poll_id, voter).await?;
        tx.rollback().await?;
        Ok(record)
    }

    /// Stores a vote as the core's `check_vote` decides, exactly once per voter and poll: the
    /// ballot, one row per chosen option, the poll's new version and, for a member's first vote,
    /// the award (daily caps included) all in one transaction. A repeat of the stored choices
    /// and every refusal write nothing.
    pub async fn record_vote(
        &self,
        site: &SiteId,
        poll_id: &PollId,
        vote: VoteToRecord<'_>,
        today: Date,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<VoteRecorded, StoreError> {
        let member = match vote.voter {
            Some(Voter::Member(member)) => Some(member),
            _ => None,
        };
        write_transaction!(self, |conn| {
            let before = read_poll_record(conn, site, poll_id, vote.voter)
                .await?
                .ok_or_else(|| StoreError::PollNotFound(poll_id.clone()))?;
            let anonymous_votes_from_ip = match vote.voter {
                Some(Voter::Visitor(_)) => {
                    count_ballots_from_ip(conn, site, poll_id, vote.ip_hash).await?
                }
                _ => 0,
            };
            let attempt = VoteAttempt {
                voter: vote.voter,
                choices: vote.choices,
                previous: Some(&before.my_choices).filter(|choices| !choices.is_empty()),
                anonymous_votes_from_ip,
            };
            let (chosen, first) = match check_vote(&before.poll, attempt, now) {
                Err(reason) => return Ok(Finish::Rollback(VoteRecorded::Refused(reason))),
                Ok(VoteDecision::Unchanged) => {
                    return Ok(Finish::Rollback(VoteRecorded::Done {
                        record: Box::new(before),
                        changed: false,
                        awarded: 0,
                        balance: read_balance_of(conn, site, member).await?,
                        badges: Vec::new(),
                    }));
                }
                Ok(VoteDecision::Cast(chosen)) => (chosen, true),
                Ok(VoteDecision::Change(chosen)) => (chosen, false),
            };
            let Some(voter) = vote.voter else {
                unreachable!("check_vote accepts no vote without a voter")
            };
            let ip_hash = matches!(voter, Voter::Visitor(_)).then_some(vote.ip_hash);
            store_ballot(conn, site, poll_id, voter, &chosen, ip_hash, first, now).await?;
            let mut awarded = 0;
            let mut badges = Vec::new();
            if let Some(member) = member {
                upsert_member_in(conn, site, member, vote.name, now).await?;
                if first && before.poll.points > 0 {
                    let key = format!("vote:{poll_id}");
                    let entry = EntryToAppend {
                        site,
                        member,
                        source: Source::Vote,
                        amount: before.poll.points,
                        key: &key,
                        detail: None,
                        today,
                        now,
                    };
                    let appended = append_entry(conn, entry, rules)
                        .await?
                        .map_err(ledger_corrupt)?;
                    awarded = appended.awarded;
                }
                note_acted(conn, site, member, today, Kind::Poll, true).await?;
                badges = award_badges(conn, site, member, today, now, rules).await?;
            }
            let record = read_poll_record(conn, site, poll_id, Some(voter)).await?;
            Ok(Finish::Commit(VoteRecorded::Done {
                record: Box::new(record.ok_or_else(|| vanished(poll_id))?),
                changed: true,
                awarded,
                balance: read_balance_of(conn, site, member).await?,
                badges,
            }))
        })
    }

    /// Counts rows of a table for one site; tests use it to prove refused requests stored nothing.
    pub async fn count_rows(&self, table: CountedTable, site: &SiteId) -> Result<i64, StoreError> {
        let sql = match table {
            CountedTable::Members => "SELECT COUNT(*) FROM members WHERE site_id = ?",
            CountedTable::Checkins => "SELECT COUNT(*) FROM checkins WHERE site_id = ?",
            CountedTable::Ledger => "SELECT COUNT(*) FROM ledger WHERE site_id = ?",
            CountedTable::Polls => "SELECT COUNT(*) FROM polls WHERE site_id = ?",
            CountedTable::PollBallots => "SELECT COUNT(*) FROM poll_ballots WHERE site_id = ?",
            CountedTable::PollVotes => "SELECT COUNT(*) FROM poll_votes WHERE site_id = ?",
            CountedTable::Lotteries => "SELECT COUNT(*) FROM lotteries WHERE site_id = ?",
            CountedTable::LotterySpins => "SELECT COUNT(*) FROM lottery_spins WHERE site_id = ?",
            CountedTable::LotteryEntries => {
                "SELECT COUNT(*) FROM lottery_entries WHERE site_id = ?"
            }
            CountedTable::Feedback => "SELECT COUNT(*) FROM feedback WHERE site_id = ?",
            CountedTable::MemberBadges => "SELECT COUNT(*) FROM member_badges WHERE site_id = ?",
            CountedTable::HostEvents => "SELECT COUNT(*) FROM host_events WHERE site_id = ?",
            CountedTable::WebhookOutbox => "SELECT COUNT(*) FROM webhook_outbox WHERE site_id = ?",
            CountedTable::FeedbackReplies => {
                "SELECT COUNT(*) FROM feedback_replies JOIN feedback ON feedback.id = feedback_id
                 WHERE site_id = ?"
            }
            CountedTable::AuditLog => "SELECT COUNT(*) FROM audit_log WHERE site_id = ?",
            CountedTable::MemberDays => "SELECT COUNT(*) FROM member_days WHERE site_id = ?",
            CountedTable::MemberFirstDays => {
                "SELECT COUNT(*) FROM member_first_days WHERE site_id = ?"
            }
        };
        Ok(sqlx::query_scalar(sql)
            .bind(site.as_str())
            .fetch_one(&self.pool)
            .await?)
    }
}

impl Store {
    /// Checks the ledger's invariants for one site and lists every violation (none when
    /// healthy): each member's balance equals the sum of their ledger entries and is never
    /// negative, the all-time leaderboard equals the sum of their positive entries (refunds of
    /// cancelled redemptions excepted: they earn nothing), the rank histogram of every period
    /// equals a count of the members at each of its points, and the streak freezes each member
    /// holds equal those redeemed and not cancelled, less the days they froze.
    pub async fn audit_ledger(&self, site: &SiteId) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT m.member_id,
                    COALESCE((SELECT SUM(amount) FROM ledger l
                              WHERE l.site_id = m.site_id AND l.member_id = m.member_id), 0),
                    COALESCE((SELECT points FROM balances b
                              WHERE b.site_id = m.site_id AND b.member_id = m.member_id), 0),
                    COALESCE((SELECT SUM(amount) FROM ledger l
                              WHERE l.site_id = m.site_id AND l.member_id = m.member_id
                              AND l.amount > 0 AND l.source <> 'redemption'), 0)
                    - COALESCE((SELECT points FROM period_points p
                                WHERE p.site_id = m.site_id AND p.member_id = m.member_id
                                AND p.period = 'all' AND p.start = ''), 0)
             FROM members m WHERE m.site_id = ?",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut problems = Vec::new();
        for (member, ledger_sum, balance, earned_gap) in rows {
            if ledger_sum != balance || balance < 0 {
                problems.push(format!(
                    "member '{member}': ledger sums to {ledger_sum}, balance is {balance}"
                ));
            }
            if earned_gap != 0 {
                problems.push(format!(
                    "member '{member}': all-time leaderboard is off by {earned_gap}"
                ));
            }
        }
        let histogram: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT period, start, points, SUM(kept), SUM(counted) FROM (
                 SELECT period, start, points, members AS kept, 0 AS counted
                 FROM period_rank_histogram WHERE site_id = ?1
                 UNION ALL
                 SELECT period, start, points, 0, COUNT(*) FROM period_points WHERE site_id = ?1
                 GROUP BY period, start, points)
             GROUP BY period, start, points HAVING SUM(kept) <> SUM(counted)
             ORDER BY period, start, points",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        for (period, start, points, kept, counted) in histogram {
            problems.push(format!(
                "rank histogram of {period} '{start}' at {points} points holds {kept} members, \
                 {counted} have those points"
            ));
        }
        problems.extend(rewards::audit_freezes(&self.pool, site).await?);
        Ok(problems)
    }
}

/// Tables [`Store::count_rows`] can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedTable {
    Members,
    Checkins,
    Ledger,
    Polls,
    PollBallots,
    PollVotes,
    Lotteries,
    LotterySpins,
    LotteryEntries,
    Feedback,
    FeedbackReplies,
    MemberBadges,
    HostEvents,
    WebhookOutbox,
    AuditLog,
    /// Activity rows: one per member and day seen or acting.
    MemberDays,
    MemberFirstDays,
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

/// A stored format name (the table's CHECK allows only these two).
fn parse_format(text: &str) -> RulesFormat {
    match text {
        "json" => RulesFormat::Json,
        _ => RulesFormat::Toml,
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

/// Refuses a site that does not exist.
async fn ensure_site(conn: &mut SqliteConnection, site: &SiteId) -> Result<(), StoreError> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sites WHERE id = ?")
        .bind(site.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    match exists {
        Some(_) => Ok(()),
        None => Err(StoreError::SiteNotFound(site.clone())),
    }
}

/// Inserts a site with its origins; refuses an id that is taken.
async fn insert_site(
    conn: &mut SqliteConnection,
    new: &NewSite,
    now: Timestamp,
) -> Result<(), StoreError> {
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
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::SiteExists(site.id.clone()));
    }
    for origin in &new.origins {
        insert_origin(conn, &site.id, origin).await?;
    }
    Ok(())
}

async fn insert_origin(
    conn: &mut SqliteConnection,
    site: &SiteId,
    origin: &str,
) -> Result<(), StoreError> {
    // Stored as browsers send it, whoever registers it; callers validated it already.
    let canonical = crate::state::canonical_origin(origin);
    sqlx::query("INSERT INTO site_origins (site_id, origin) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(site.as_str())
        .bind(canonical.as_deref().unwrap_or(origin))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How far behind "now" a member's stored `last_seen` may be before a read writes it again.
const LAST_SEEN_REFRESH: SignedDuration = SignedDuration::from_hours(1);

/// Whether a member's `last_seen` must be written again when they are seen at `now`. The one
/// place that decides it, so that a finer rule (say, once per site-local day, for "seen that
/// day") replaces only this; it must stay a comparison, as it runs on every member read.
fn last_seen_is_stale(last_seen: Timestamp, now: Timestamp) -> bool {
    now.duration_since(last_seen) >= LAST_SEEN_REFRESH
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

/// The days streak freezes covered for a member.
async fn read_frozen(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<BTreeSet<Date>, StoreError> {
    let days: Vec<String> =
        sqlx::query_scalar("SELECT day FROM frozen_days WHERE site_id = ? AND member_id = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_all(&mut *conn)
            .await?;
    days.iter().map(|day| parse_day(day)).collect()
}

/// Streak freezes a member holds unused.
async fn read_freezes_held(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<u32, StoreError> {
    let held: Option<i64> =
        sqlx::query_scalar("SELECT held FROM streak_freezes WHERE site_id = ? AND member_id = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(u32::try_from(held.unwrap_or(0)).unwrap_or(0))
}

/// Writes the days a check-in's freezes cover and takes one freeze for each, inside the
/// check-in's transaction (`streak_freezes.held` cannot go below zero).
async fn freeze_days(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    days: &[Date],
    now: Timestamp,
) -> Result<(), StoreError> {
    if days.is_empty() {
        return Ok(());
    }
    for day in days {
        sqlx::query("INSERT INTO frozen_days (site_id, member_id, day, at) VALUES (?, ?, ?, ?)")
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(day.to_string())
            .bind(now.to_string())
            .execute(&mut *conn)
            .await?;
    }
    let used = i64::try_from(days.len()).unwrap_or(i64::MAX);
    let taken = sqlx::query(
        "UPDATE streak_freezes SET held = held - ? WHERE site_id = ? AND member_id = ? AND held >= ?",
    )
    .bind(used)
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(used)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken != 1 {
        return Err(StoreError::Corrupt(format!(
            "member '{member}' froze {used} days without holding the freezes"
        )));
    }
    Ok(())
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

/// The answer a host event's first call got, if its key was seen for this member.
async fn read_host_event(
    conn: &mut SqliteConnection,
    site: &SiteId,
    event: &HostEvent,
) -> Result<Option<HostEventRecorded>, StoreError> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT awarded, balance, badges FROM host_events
         WHERE site_id = ? AND member_id = ? AND idempotency_key = ?",
    )
    .bind(site.as_str())
    .bind(event.member.as_str())
    .bind(&event.idempotency_key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((awarded, balance, badges)) = row else {
        return Ok(None);
    };
    let badges = serde_json::from_str(&badges)
        .map_err(|e| StoreError::Corrupt(format!("host event badges '{badges}': {e}")))?;
    Ok(Some(HostEventRecorded {
        awarded,
        balance,
        duplicate: true,
        badges,
    }))
}

async fn read_summary(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    today: Date,
) -> Result<CheckinSummary, StoreError> {
    let days = read_days(conn, site, member).await?;
    let frozen = read_frozen(conn, site, member).await?;
    let freezes = read_freezes_held(conn, site, member).await?;
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
        frozen,
        freezes,
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
    let cap = daily_cap_for(source, rules.daily_cap(source));
    let amount = capped_award(amount, awarded_today, cap);
    let next = match next_balance(balance, amount) {
        Ok(next) => next,
        Err(refused) => return Ok(Err(refused)),
    };
    let entry_id = sqlx::query(
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
    .await?
    .last_insert_rowid();
    if counts_as_earned(source, amount) {
        leaderboard::add_earned(conn, site, member, today, amount, entry_id).await?;
    }
    note_written(|written| {
        written.ledger_sites.insert(site.clone());
        written
            .ledger_members
            .insert((site.clone(), member.clone()));
    });
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

fn vanished(poll: &PollId) -> StoreError {
    StoreError::Corrupt(format!("poll '{poll}' vanished inside its own transaction"))
}

/// Whether [`save_poll`] creates a poll or replaces an existing one's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SavePoll {
    Create,
    Replace,
}

/// Writes a poll's row; false when creating an id that is taken. Replacing grows the version.
async fn save_poll(
    conn: &mut SqliteConnection,
    site: &SiteId,
    poll: &Poll,
    mode: SavePoll,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let on_conflict = match mode {
        SavePoll::Create => "DO NOTHING",
        SavePoll::Replace => {
            "DO UPDATE SET question = excluded.question, multiple = excluded.multiple,
             max_choices = excluded.max_choices, closes_at = excluded.closes_at,
             results = excluded.results, anonymous = excluded.anonymous,
             allow_change = excluded.allow_change, points = excluded.points,
             ip_limit = excluded.ip_limit, version = polls.version + 1,
             updated_at = excluded.updated_at"
        }
    };
    let sql = format!(
        "INSERT INTO polls (site_id, poll_id, question, multiple, max_choices, closes_at, results,
         anonymous, allow_change, points, ip_limit, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (site_id, poll_id) {on_conflict}"
    );
    let stamp = now.to_string();
    // Audited: the only text spliced in is one of the two constant clauses above.
    let written = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(poll.id.as_str())
        .bind(&poll.question)
        .bind(poll.multiple)
        .bind(i64::from(poll.max_choices))
        .bind(poll.closes_at.map(|at| at.to_string()))
        .bind(poll.results.as_str())
        .bind(poll.anonymous)
        .bind(poll.allow_change)
        .bind(poll.points)
        .bind(i64::from(poll.ip_limit))
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(written == 1)
}

/// Replaces a poll's options `old` with `new`: removed ones are deleted (the database refuses
/// to delete one with votes), the others inserted or relabelled, in `new`'s order.
async fn write_options(
    conn: &mut SqliteConnection,
    site: &SiteId,
    poll: &PollId,
    old: &[PollOption],
    new: &[PollOption],
) -> Result<(), StoreError> {
    for removed in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
        sqlx::query("DELETE FROM poll_options WHERE site_id = ? AND poll_id = ? AND option_id = ?")
            .bind(site.as_str())
            .bind(poll.as_str())
            .bind(&removed.id)
            .execute(&mut *conn)
            .await?;
    }
    for (position, option) in (0_i64..).zip(new) {
        sqlx::query(
            "INSERT INTO poll_options (site_id, poll_id, option_id, label, position)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (site_id, poll_id, option_id)
             DO UPDATE SET label = excluded.label, position = excluded.position",
        )
        .bind(site.as_str())
        .bind(poll.as_str())
        .bind(&option.id)
        .bind(&option.label)
        .bind(position)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A poll, its tally counted in SQL, and `voter`'s stored choices.
async fn read_poll_record(
    conn: &mut SqliteConnection,
    site: &SiteId,
    poll_id: &PollId,
    voter: Option<&Voter>,
) -> Result<Option<PollRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT question, multiple, max_choices, closes_at, results, anonymous, allow_change,
         points, ip_limit, version FROM polls WHERE site_id = ? AND poll_id = ?",
    )
    .bind(site.as_str())
    .bind(poll_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let options: Vec<(String, String)> = sqlx::query_as(
        "SELECT option_id, label FROM poll_options WHERE site_id = ? AND poll_id = ?
         ORDER BY position",
    )
    .bind(site.as_str())
    .bind(poll_id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT option_id, COUNT(*) FROM poll_votes WHERE site_id = ? AND poll_id = ?
         GROUP BY option_id",
    )
    .bind(site.as_str())
    .bind(poll_id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let voters: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM poll_ballots WHERE site_id = ? AND poll_id = ?")
            .bind(site.as_str())
            .bind(poll_id.as_str())
            .fetch_one(&mut *conn)
            .await?;
    let my_choices = match voter {
        None => BTreeSet::new(),
        Some(voter) => {
            let (kind, id) = voter_key(voter);
            let chosen: Vec<String> = sqlx::query_scalar(
                "SELECT option_id FROM poll_votes
                 WHERE site_id = ? AND poll_id = ? AND voter_kind = ? AND voter_id = ?",
            )
            .bind(site.as_str())
            .bind(poll_id.as_str())
            .bind(kind)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            chosen.into_iter().collect()
        }
    };
    let corrupt = |what: &str| StoreError::Corrupt(format!("poll '{poll_id}': {what}"));
    let closes_at: Option<String> = row.try_get("closes_at")?;
    let results: String = row.try_get("results")?;
    let count = |column: &str| -> Result<u32, StoreError> {
        let value: i64 = row.try_get(column)?;
        u32::try_from(value).map_err(|_| corrupt(column))
    };
    let poll = Poll {
        id: poll_id.clone(),
        question: row.try_get("question")?,
        options: options
            .into_iter()
            .map(|(id, label)| PollOption { id, label })
            .collect(),
        multiple: row.try_get("multiple")?,
        max_choices: count("max_choices")?,
        closes_at: closes_at.as_deref().map(parse_timestamp).transpose()?,
        results: ResultsVisibility::parse(&results).ok_or_else(|| corrupt("results"))?,
        anonymous: row.try_get("anonymous")?,
        allow_change: row.try_get("allow_change")?,
        points: row.try_get("points")?,
        ip_limit: count("ip_limit")?,
    };
    let counts: BTreeMap<String, i64> = counts.into_iter().collect();
    let tally = Tally {
        votes: poll
            .options
            .iter()
            .map(|option| {
                let votes = counts.get(&option.id).copied().unwrap_or(0);
                (option.id.clone(), u64::try_from(votes).unwrap_or(0))
            })
            .collect(),
        voters: u64::try_from(voters).map_err(|_| corrupt("voters"))?,
    };
    let version: i64 = row.try_get("version")?;
    Ok(Some(PollRecord {
        poll,
        tally,
        my_choices,
        version: u64::try_from(version).map_err(|_| corrupt("version"))?,
    }))
}

/// A voter as the ballot and vote tables key them.
fn voter_key(voter: &Voter) -> (&'static str, &str) {
    match voter {
        Voter::Member(member) => ("member", member.as_str()),
        Voter::Visitor(visitor) => ("visitor", visitor.as_str()),
    }
}

async fn count_ballots_from_ip(
    conn: &mut SqliteConnection,
    site: &SiteId,
    poll: &PollId,
    ip_hash: &str,
) -> Result<u32, StoreError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM poll_ballots WHERE site_id = ? AND poll_id = ? AND ip_hash = ?",
    )
    .bind(site.as_str())
    .bind(poll.as_str())
    .bind(ip_hash)
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Writes a first ballot, or replaces a changed one's choices; then grows the poll's version.
#[allow(clippy::too_many_arguments)]
async fn store_ballot(
    conn: &mut SqliteConnection,
    site: &SiteId,
    poll: &PollId,
    voter: &Voter,
    chosen: &BTreeSet<String>,
    ip_hash: Option<&str>,
    first: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (kind, id) = voter_key(voter);
    let stamp = now.to_string();
    if first {
        sqlx::query(
            "INSERT INTO poll_ballots (site_id, poll_id, voter_kind, voter_id, ip_hash, voted_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(site.as_str())
        .bind(poll.as_str())
        .bind(kind)
        .bind(id)
        .bind(ip_hash)
        .bind(&stamp)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "UPDATE poll_ballots SET changed_at = ?
             WHERE site_id = ? AND poll_id = ? AND voter_kind = ? AND voter_id = ?",
        )
        .bind(&stamp)
        .bind(site.as_str())
        .bind(poll.as_str())
        .bind(kind)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "DELETE FROM poll_votes WHERE site_id = ? AND poll_id = ? AND voter_kind = ? AND voter_id = ?",
    )
    .bind(site.as_str())
    .bind(poll.as_str())
    .bind(kind)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    for option in chosen {
        sqlx::query(
            "INSERT INTO poll_votes (site_id, poll_id, voter_kind, voter_id, option_id)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(site.as_str())
        .bind(poll.as_str())
        .bind(kind)
        .bind(id)
        .bind(option)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE polls SET version = version + 1 WHERE site_id = ? AND poll_id = ?")
        .bind(site.as_str())
        .bind(poll.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn read_balance_of(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: Option<&MemberId>,
) -> Result<Option<i64>, StoreError> {
    match member {
        Some(member) => Ok(Some(read_balance(conn, site, member).await?)),
        None => Ok(None),
    }
}
