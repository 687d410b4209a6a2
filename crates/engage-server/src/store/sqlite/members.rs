//! Members as the owner sees them in SQLite: search by id prefix or name, one member in full,
//! their ledger a page at a time, and the owner's points adjustment — a ledger entry with source
//! `admin` written through the same `append_entry` as every award and spend, so a deduction
//! never takes a balance below zero (the balance is read and written under the transaction's
//! write lock, and `balances` has `CHECK (points >= 0)`).

use std::collections::BTreeMap;

use engage_core::api::console::{LedgerPage, OwnerLedgerEntry};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::ledger::{LedgerError, Source};
use engage_core::rules::{PointsRules, Rules};
use engage_core::{MemberId, SiteId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use super::audit::page_end;
use super::badges::{read_badges_of, read_member_badges};
use super::feedback::escape_like;
use super::{
    EntryToAppend, Finish, Store, StoreError, WRITTEN, append_entry, audit_in, award_badges,
    parse_timestamp, read_days, read_frozen, retry_busy,
};
use crate::audit::{Actor, AuditAction};
use crate::store::{MemberDetailRecord, MemberRecord, PointsAdjustment};

const SELECT_MEMBERS: &str = "
    SELECT m.member_id, m.name, COALESCE(b.points, 0) AS points, m.first_seen, m.last_seen
    FROM members m
    LEFT JOIN balances b ON b.site_id = m.site_id AND b.member_id = m.member_id";

/// One owner adjustment on its way in.
#[derive(Debug, Clone, Copy)]
pub struct Adjustment<'a> {
    pub member: &'a MemberId,
    /// Non-zero: positive adds, negative takes away.
    pub amount: i64,
    pub reason: &'a str,
    /// The ledger key, `admin:<random>`: unique per adjustment.
    pub key: &'a str,
    /// The site-local day, for the leaderboard's periods.
    pub today: Date,
}

impl Store {
    /// Up to `limit` members whose id starts with `query` or whose name contains it (ASCII
    /// letters compared case-insensitively, as SQLite's `LIKE` does), in member id order after
    /// `after`; and the id to pass as `after` when more follow.
    pub async fn search_members(
        &self,
        site: &SiteId,
        query: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<MemberRecord>, Option<String>), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let sql = format!(
            "{SELECT_MEMBERS}
             WHERE m.site_id = ?1
               AND (?2 IS NULL OR m.member_id LIKE ?2 || '%' ESCAPE '\\'
                    OR m.name LIKE '%' || ?2 || '%' ESCAPE '\\')
               AND (?3 IS NULL OR m.member_id > ?3)
             ORDER BY m.member_id LIMIT ?4"
        );
        // Audited: the only text spliced in is the constant SELECT_MEMBERS.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(query.map(escape_like))
            .bind(after)
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut *conn)
            .await?;
        let mut members = rows
            .iter()
            .map(member_record)
            .collect::<Result<Vec<_>, _>>()?;
        let next = page_end(&mut members, limit, |m| m.member.to_string());
        let ids: Vec<&str> = members.iter().map(|m| m.member.as_str()).collect();
        let mut badges = read_badges_of(&mut conn, site, &ids).await?;
        for member in &mut members {
            member.badges = badges.remove(member.member.as_str()).unwrap_or_default();
        }
        Ok((members, next))
    }

    /// One member with their badges and check-in days; `None` when the site has no such member.
    pub async fn member_detail(
        &self,
        site: &SiteId,
        member: &MemberId,
    ) -> Result<Option<MemberDetailRecord>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!("{SELECT_MEMBERS} WHERE m.site_id = ? AND m.member_id = ?");
        // Audited: the only text spliced in is the constant SELECT_MEMBERS.
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mut record = member_record(&row)?;
        let earned = read_member_badges(&mut tx, site, member).await?;
        let days = read_days(&mut tx, site, member).await?;
        let frozen = read_frozen(&mut tx, site, member).await?;
        tx.rollback().await?;
        record.badges = earned.iter().map(|badge| badge.id.clone()).collect();
        Ok(Some(MemberDetailRecord {
            member: record,
            earned,
            days,
            frozen,
        }))
    }

    /// Up to `limit` of a member's ledger entries older than the entry `before` (from the newest
    /// when `None`), newest first; `None` when the site has no such member.
    pub async fn member_ledger(
        &self,
        site: &SiteId,
        member: &MemberId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Option<LedgerPage>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !member_exists(&mut tx, site, member).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT id, source, amount, key, detail, at FROM ledger
             WHERE site_id = ?1 AND member_id = ?2 AND (?3 IS NULL OR id < ?3)
             ORDER BY id DESC LIMIT ?4",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        tx.rollback().await?;
        let mut entries = rows
            .iter()
            .map(ledger_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let next_before = page_end(&mut entries, limit, |entry| entry.id);
        Ok(Some(LedgerPage {
            entries,
            next_before,
        }))
    }

    /// The owner's adjustment of a member's points, audited as `actor`'s in the same
    /// transaction: a ledger entry with source `admin`, the reason as its detail, exactly the
    /// amount asked (no daily cap applies to an owner's correction), refused whole when a
    /// deduction exceeds the balance. Badges the new points earn are awarded with it.
    pub async fn adjust_points(
        &self,
        site: &SiteId,
        adjustment: Adjustment<'_>,
        now: Timestamp,
        rules: &Rules,
        actor: Option<&Actor>,
    ) -> Result<PointsAdjustment, StoreError> {
        let Adjustment {
            member,
            amount,
            reason,
            key,
            today,
        } = adjustment;
        let uncapped = Rules {
            points: PointsRules {
                daily_caps: BTreeMap::new(),
                ..rules.points.clone()
            },
            ..rules.clone()
        };
        write_transaction!(self, |conn| {
            if !member_exists(conn, site, member).await? {
                return Ok(Finish::Rollback(PointsAdjustment::MemberNotFound));
            }
            let entry = EntryToAppend {
                site,
                member,
                source: Source::Admin,
                amount,
                key,
                detail: Some(reason.to_owned()),
                today,
                now,
            };
            let appended = match append_entry(conn, entry, &uncapped).await? {
                Ok(appended) if !appended.duplicate => appended,
                Ok(_) => {
                    return Err(StoreError::Corrupt(format!(
                        "adjustment key '{key}' was used before"
                    )));
                }
                Err(LedgerError::InsufficientPoints { balance, .. }) => {
                    return Ok(Finish::Rollback(PointsAdjustment::InsufficientPoints {
                        balance,
                    }));
                }
                Err(LedgerError::Overflow) => {
                    return Ok(Finish::Rollback(PointsAdjustment::Overflow));
                }
            };
            let row = sqlx::query(
                "SELECT id, source, amount, key, detail, at FROM ledger
                 WHERE site_id = ? AND member_id = ? AND key = ?",
            )
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
            let written = ledger_entry(&row)?;
            award_badges(conn, site, member, today, now, rules).await?;
            let detail = serde_json::json!({
                "member": member.as_str(),
                "amount": amount,
                "reason": reason,
                "entry": written.id,
                "points": appended.balance,
            });
            audit_in(conn, site, actor, AuditAction::PointsAdjust, detail, now).await?;
            Ok(Finish::Commit(PointsAdjustment::Done {
                points: appended.balance,
                entry: written,
            }))
        })
    }
}

async fn member_exists(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<bool, StoreError> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM members WHERE site_id = ? AND member_id = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(exists.is_some())
}

/// A row of [`SELECT_MEMBERS`], its badges still to be read.
fn member_record(row: &SqliteRow) -> Result<MemberRecord, StoreError> {
    let member: String = row.try_get("member_id")?;
    let first_seen: String = row.try_get("first_seen")?;
    let last_seen: String = row.try_get("last_seen")?;
    Ok(MemberRecord {
        member: MemberId::parse(&member).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: row.try_get("name")?,
        points: row.try_get("points")?,
        first_seen: parse_timestamp(&first_seen)?,
        last_seen: parse_timestamp(&last_seen)?,
        badges: Vec::new(),
    })
}

/// A ledger row (`id, source, amount, key, detail, at`) as the owner sees it: the detail is
/// shown as the reason of the owner's own entries only (other sources keep internal notes
/// there, such as a check-in's milestone).
fn ledger_entry(row: &SqliteRow) -> Result<OwnerLedgerEntry, StoreError> {
    let source: String = row.try_get("source")?;
    let source = Source::parse(&source)
        .ok_or_else(|| StoreError::Corrupt(format!("ledger source '{source}'")))?;
    let detail: Option<String> = row.try_get("detail")?;
    let at: String = row.try_get("at")?;
    Ok(OwnerLedgerEntry {
        id: row.try_get("id")?,
        source,
        amount: row.try_get("amount")?,
        at: parse_timestamp(&at)?,
        key: row.try_get("key")?,
        reason: detail.filter(|_| source == Source::Admin),
    })
}
