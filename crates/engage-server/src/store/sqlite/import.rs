//! `engage-server import` in SQLite: a parsed history file applied in file order inside one
//! write transaction, so a refused line leaves nothing behind and a dry run is the same work
//! rolled back.
//!
//! Each record goes through the paths live traffic takes — `append_entry` for ledger entries
//! (balance, leaderboard sums and rank histogram), the check-in and host-event tables with their
//! primary keys, `note_day` for activity — so what an import leaves is what traffic would have.
//! Idempotency comes from those keys: a check-in is its (member, day), a host event its
//! (member, idempotency key), a `points` record its ledger key `import:<key>`, a visit its
//! member-day; a record whose key is stored already is `unchanged`. Members are upserted (a
//! `member` record sets the name, and the first-seen time when earlier).
//!
//! History is dated by its records, never by the import: a check-in's points on its `date`, an
//! event's and a `points` record's on the site-local day of `at`. Daily caps do not apply (they
//! judge today's awards). A `points` record that would take a balance below zero refuses the
//! whole file, naming its line; so does a record for a member whose points were taken below
//! what it needs by an earlier line. Badges are judged once, at the end, for every member the
//! file touched.

use std::collections::{BTreeSet, HashSet};

use engage_core::analytics::{Kind, Kinds};
use engage_core::api::analytics::ImportReport;
use engage_core::calendar::calendar_day;
use engage_core::import::{HistoryRecord, LineError};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::jiff::tz::TimeZone;
use engage_core::ledger::{LedgerError, Source};
use engage_core::rules::Rules;
use engage_core::{MemberId, SiteId};
use sqlx::sqlite::SqliteConnection;

use super::activity::note_day;
use super::{
    EntryToAppend, Finish, Store, StoreError, WRITTEN, append_entry, audit_in, award_badges,
    ensure_site, insert_checkin, ledger_corrupt, retry_busy,
};
use crate::audit::{Actor, AuditAction};

/// What the import needs to know besides the records.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    pub zone: &'a TimeZone,
    pub rules: &'a Rules,
    /// The site-local day and the instant of the import (badges earned are dated by it).
    pub today: Date,
    pub now: Timestamp,
    pub dry_run: bool,
}

impl Store {
    /// Applies `records` (line number, record) for `site`; a refused line rolls everything
    /// back and is returned as the error. Audited as the command line's when it changed
    /// something and is not a dry run.
    pub async fn import_history(
        &self,
        site: &SiteId,
        records: &[(u64, HistoryRecord)],
        context: ImportContext<'_>,
    ) -> Result<Result<ImportReport, LineError>, StoreError> {
        // History is not capped: caps judge the awards of one day as they happen.
        let mut uncapped = context.rules.clone();
        uncapped.points.daily_caps.clear();
        write_transaction!(self, |conn| {
            ensure_site(conn, site).await?;
            let mut report = ImportReport {
                dry_run: context.dry_run,
                lines: records.len() as u64,
                ..ImportReport::default()
            };
            let mut known: HashSet<MemberId> = HashSet::new();
            let mut touched: BTreeSet<MemberId> = BTreeSet::new();
            for (line, record) in records {
                let member = record.member();
                if !matches!(record, HistoryRecord::Member { .. }) && !known.contains(member) {
                    ensure_member(conn, site, member, record_time(record, context.zone)).await?;
                    known.insert(member.clone());
                }
                match apply(conn, site, record, &context, &uncapped).await? {
                    Ok(true) => {
                        count(&mut report, record);
                        touched.insert(member.clone());
                    }
                    Ok(false) => report.unchanged += 1,
                    Err(message) => {
                        let field = match record {
                            HistoryRecord::Points { .. } => "amount",
                            _ => "points",
                        };
                        return Ok(Finish::Rollback(Err(LineError {
                            line: *line,
                            field: field.into(),
                            message,
                        })));
                    }
                }
            }
            for member in &touched {
                award_badges(
                    conn,
                    site,
                    member,
                    context.today,
                    context.now,
                    context.rules,
                )
                .await?;
            }
            if context.dry_run || touched.is_empty() {
                return Ok(Finish::Rollback(Ok(report)));
            }
            let detail = serde_json::to_value(&report)
                .map_err(|e| StoreError::Corrupt(format!("import report: {e}")))?;
            audit_in(
                conn,
                site,
                Some(&Actor::Cli),
                AuditAction::Import,
                detail,
                context.now,
            )
            .await?;
            Ok(Finish::Commit(Ok(report)))
        })
    }
}

fn count(report: &mut ImportReport, record: &HistoryRecord) {
    let counter = match record {
        HistoryRecord::Member { .. } => &mut report.members,
        HistoryRecord::Visit { .. } => &mut report.visits,
        HistoryRecord::Checkin { .. } => &mut report.checkins,
        HistoryRecord::Points { .. } => &mut report.points,
        HistoryRecord::Event { .. } => &mut report.events,
    };
    *counter += 1;
}

/// The first instant of a site-local day.
fn start_of(day: Date, zone: &TimeZone) -> Timestamp {
    day.to_zoned(zone.clone())
        .map(|zoned| zoned.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// When a record happened, for a member it creates.
fn record_time(record: &HistoryRecord, zone: &TimeZone) -> Timestamp {
    match record {
        HistoryRecord::Member { joined_at, .. } => *joined_at,
        HistoryRecord::Visit { date, .. } | HistoryRecord::Checkin { date, .. } => {
            start_of(*date, zone)
        }
        HistoryRecord::Points { at, .. } | HistoryRecord::Event { at, .. } => *at,
    }
}

/// Stores a member the file names, unless stored (their name is their id until a `member`
/// record says otherwise).
async fn ensure_member(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let at = at.to_string();
    sqlx::query(
        "INSERT INTO members (site_id, member_id, name, first_seen, last_seen)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, member_id) DO NOTHING",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .bind(member.as_str())
    .bind(&at)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Applies one record: `Ok(true)` when it wrote, `Ok(false)` when it was stored already,
/// `Err` with the reason when a balance would go below zero.
async fn apply(
    conn: &mut SqliteConnection,
    site: &SiteId,
    record: &HistoryRecord,
    context: &ImportContext<'_>,
    rules: &Rules,
) -> Result<Result<bool, String>, StoreError> {
    let zone = context.zone;
    Ok(Ok(match record {
        HistoryRecord::Member {
            member,
            name,
            joined_at,
        } => {
            let at = joined_at.to_string();
            let written = sqlx::query(
                "INSERT INTO members (site_id, member_id, name, first_seen, last_seen)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (site_id, member_id) DO UPDATE
                 SET name = excluded.name, first_seen = MIN(first_seen, excluded.first_seen)
                 WHERE name != excluded.name OR excluded.first_seen < first_seen",
            )
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(name)
            .bind(&at)
            .bind(&at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            written == 1
        }
        HistoryRecord::Visit { member, date } => {
            note_day(conn, site, member, *date, Kinds::NONE, true).await?
        }
        HistoryRecord::Checkin {
            member,
            date,
            points,
        } => {
            let at = start_of(*date, zone);
            if !insert_checkin(conn, site, member, *date, "daily", at).await? {
                return Ok(Ok(false));
            }
            note_day(conn, site, member, *date, Kinds::of(Kind::Checkin), false).await?;
            if *points > 0 {
                let key = format!("checkin:{date}");
                let entry = entry(
                    site,
                    member,
                    Source::Checkin,
                    *points,
                    &key,
                    None,
                    *date,
                    at,
                );
                if let Err(message) = append(conn, entry, rules).await? {
                    return Ok(Err(message));
                }
            }
            true
        }
        HistoryRecord::Points {
            member,
            amount,
            at,
            key,
            reason,
        } => {
            let key = format!("import:{key}");
            let day = calendar_day(*at, zone);
            let entry = entry(
                site,
                member,
                Source::Import,
                *amount,
                &key,
                reason.clone(),
                day,
                *at,
            );
            match append(conn, entry, rules).await? {
                Ok(written) => written,
                Err(message) => return Ok(Err(message)),
            }
        }
        HistoryRecord::Event {
            member,
            kind,
            at,
            idempotency_key,
            points,
        } => {
            let stored: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM host_events
                 WHERE site_id = ? AND member_id = ? AND idempotency_key = ?",
            )
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(idempotency_key)
            .fetch_optional(&mut *conn)
            .await?;
            if stored.is_some() {
                return Ok(Ok(false));
            }
            let day = calendar_day(*at, zone);
            let key = format!("event:{idempotency_key}");
            let entry = entry(
                site,
                member,
                Source::HostEvent,
                *points,
                &key,
                Some(kind.clone()),
                day,
                *at,
            );
            if let Err(message) = append(conn, entry, rules).await? {
                return Ok(Err(message));
            }
            let balance = super::read_balance(conn, site, member).await?;
            sqlx::query(
                "INSERT INTO host_events (site_id, member_id, idempotency_key, kind, awarded,
                 balance, day, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(idempotency_key)
            .bind(kind)
            .bind(points)
            .bind(balance)
            .bind(day.to_string())
            .bind(at.to_string())
            .execute(&mut *conn)
            .await?;
            note_day(conn, site, member, day, Kinds::of(Kind::HostEvent), false).await?;
            true
        }
    }))
}

#[allow(clippy::too_many_arguments)]
fn entry<'a>(
    site: &'a SiteId,
    member: &'a MemberId,
    source: Source,
    amount: i64,
    key: &'a str,
    detail: Option<String>,
    today: Date,
    now: Timestamp,
) -> EntryToAppend<'a> {
    EntryToAppend {
        site,
        member,
        source,
        amount,
        key,
        detail,
        today,
        now,
    }
}

/// Appends a ledger entry: `Ok(true)` when new, `Ok(false)` for a stored key, `Err` when the
/// balance would go below zero.
async fn append(
    conn: &mut SqliteConnection,
    entry: EntryToAppend<'_>,
    rules: &Rules,
) -> Result<Result<bool, String>, StoreError> {
    let amount = entry.amount;
    match append_entry(conn, entry, rules).await? {
        Ok(appended) => Ok(Ok(!appended.duplicate)),
        Err(LedgerError::InsufficientPoints { balance, .. }) => Ok(Err(format!(
            "{amount} would take the member's balance of {balance} below zero"
        ))),
        Err(other) => Err(ledger_corrupt(other)),
    }
}
