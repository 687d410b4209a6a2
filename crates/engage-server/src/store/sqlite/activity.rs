//! Activity for the analytics in SQLite: `member_days` (one row per member and site-local day
//! on which they were seen or acted) and `member_first_days` (each member's first such day).
//!
//! - *Acted*: [`note_acted`] runs inside the transaction of every action — check-in, make-up,
//!   vote, spin, giveaway entry, a member's feedback that is not spam, host event — so the
//!   activity commits or rolls back with the action. The rewards shop's redemption calls it
//!   with [`Kind::Rewards`] the same way.
//! - *Seen*: [`Store::note_seen`] runs after a request on a member token was answered. It writes
//!   at most once per member and day: the process remembers the member-days it found written
//!   ([`SeenDays`]), and a member-day it does not remember is read before it is written, so even
//!   a restarted server or a second replica only reads.
//!
//! Both writes are `INSERT … ON CONFLICT DO NOTHING` on the row's primary key, then an update
//! only of what is missing: concurrent requests of one member on one day leave one row, and
//! the first-day row moves only when a member's new row is earlier than their first day.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use engage_core::analytics::{Kind, Kinds};
use engage_core::jiff::civil::Date;
use engage_core::{MemberId, SiteId};
use sqlx::sqlite::SqliteConnection;

use super::{Finish, Store, StoreError, WRITTEN, retry_busy};

/// How many member-days [`SeenDays`] remembers per day before it forgets that day's (it then
/// reads before writing again, which is still no write).
const SEEN_DAYS_PER_DAY: usize = 1_000_000;

/// The member-days this process found or made `seen`, for the newest two days it was asked
/// about (sites in different zones are on different days), so repeated requests of a member on
/// one day neither read nor write.
#[derive(Debug, Default)]
pub struct SeenDays {
    days: Mutex<HashMap<Date, HashSet<(SiteId, MemberId)>>>,
}

impl SeenDays {
    fn contains(&self, site: &SiteId, member: &MemberId, day: Date) -> bool {
        let days = self
            .days
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        days.get(&day)
            .is_some_and(|seen| seen.contains(&(site.clone(), member.clone())))
    }

    fn remember(&self, site: &SiteId, member: &MemberId, day: Date) {
        let mut days = self
            .days
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let std::collections::hash_map::Entry::Vacant(entry) = days.entry(day) {
            entry.insert(HashSet::new());
            // Keep the newest two days: a site ahead of UTC is on tomorrow already.
            let mut known: Vec<Date> = days.keys().copied().collect();
            known.sort_unstable();
            for old in known.iter().rev().skip(2) {
                days.remove(old);
            }
        }
        if let Some(seen) = days.get_mut(&day) {
            if seen.len() >= SEEN_DAYS_PER_DAY {
                seen.clear();
            }
            seen.insert((site.clone(), member.clone()));
        }
    }
}

impl Store {
    /// Records that `member` was seen on the site-local `day` (a request on their token was
    /// answered). True when it wrote; at most once per member and day.
    pub async fn note_seen(
        &self,
        site: &SiteId,
        member: &MemberId,
        day: Date,
    ) -> Result<bool, StoreError> {
        if self.seen.contains(site, member, day) {
            return Ok(false);
        }
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT seen FROM member_days WHERE site_id = ? AND day = ? AND member_id = ?",
        )
        .bind(site.as_str())
        .bind(day.to_string())
        .bind(member.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let wrote = if stored == Some(1) {
            false
        } else {
            write_transaction!(self, |conn| {
                let wrote = note_day(conn, site, member, day, Kinds::NONE, true).await?;
                Ok(Finish::Commit(wrote))
            })?
        };
        self.seen.remember(site, member, day);
        Ok(wrote)
    }
}

/// Records, inside an action's transaction, that `member` did `kind` on the site-local `day`;
/// `seen` when the action came with the member's token (not a host backend's event).
pub(super) async fn note_acted(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    day: Date,
    kind: Kind,
    seen: bool,
) -> Result<(), StoreError> {
    note_day(conn, site, member, day, Kinds::of(kind), seen).await?;
    Ok(())
}

/// Adds `acted` (and `seen`) to the member's row of `day`, creating it and moving their first
/// day if it is new. True when it changed something.
pub(super) async fn note_day(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    day: Date,
    acted: Kinds,
    seen: bool,
) -> Result<bool, StoreError> {
    let day_text = day.to_string();
    let inserted = sqlx::query(
        "INSERT INTO member_days (site_id, day, member_id, seen, acted) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, day, member_id) DO NOTHING",
    )
    .bind(site.as_str())
    .bind(&day_text)
    .bind(member.as_str())
    .bind(i64::from(seen))
    .bind(i64::from(acted.bits()))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query(
            "INSERT INTO member_first_days (site_id, member_id, first_day) VALUES (?, ?, ?)
             ON CONFLICT (site_id, member_id) DO UPDATE SET first_day = excluded.first_day
             WHERE excluded.first_day < member_first_days.first_day",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .bind(&day_text)
        .execute(&mut *conn)
        .await?;
        return Ok(true);
    }
    let updated = sqlx::query(
        "UPDATE member_days SET acted = acted | ?1, seen = MAX(seen, ?2)
         WHERE site_id = ?3 AND day = ?4 AND member_id = ?5
         AND (acted & ?1 != ?1 OR seen < ?2)",
    )
    .bind(i64::from(acted.bits()))
    .bind(i64::from(seen))
    .bind(site.as_str())
    .bind(&day_text)
    .bind(member.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(updated == 1)
}
