//! Reading the facts of the owner's analytics from SQLite, all from one snapshot: the activity
//! rows of a range of days (`member_days`, along its primary key), members' first days, and the
//! per-day sums of check-ins, ledger amounts and NPS answers, each an index range read. The
//! numbers themselves are `engage_core::analytics`'s.

use std::collections::{BTreeMap, HashMap};

use engage_core::SiteId;
use engage_core::analytics::{Activity, Kinds, SiteFacts};
use engage_core::api::analytics::{ItemParticipation, PointsBySource};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use super::{Store, StoreError, parse_day};

/// What the analytics answer is computed from.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsFacts {
    /// For the days `start..=to`.
    pub facts: SiteFacts,
    /// For the days `from..=to`.
    pub points_by_source: Vec<PointsBySource>,
    /// Badge ids and how often they were earned from `from_at` until `until_at`, most first.
    pub top_badges: Vec<(String, u64)>,
    pub polls: Vec<ItemParticipation>,
    pub lotteries: Vec<ItemParticipation>,
}

/// The days and instants one analytics answer reads.
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsSpan {
    /// The first day whose facts the numbers need (`engage_core::analytics::facts_start`).
    pub start: Date,
    pub from: Date,
    pub to: Date,
    /// The instant `from` begins and the instant after `to` ends, in the site's zone.
    pub from_at: Timestamp,
    pub until_at: Timestamp,
}

/// How many badges the answer lists.
const TOP_BADGES: i64 = 10;

impl Store {
    /// Reads the facts of a site's analytics for `span`.
    pub async fn analytics_facts(
        &self,
        site: &SiteId,
        span: AnalyticsSpan,
    ) -> Result<AnalyticsFacts, StoreError> {
        let mut tx = self.pool.begin().await?;
        let facts = read_facts(&mut tx, site, span).await?;
        tx.rollback().await?;
        Ok(facts)
    }
}

async fn read_facts(
    conn: &mut SqliteConnection,
    site: &SiteId,
    span: AnalyticsSpan,
) -> Result<AnalyticsFacts, StoreError> {
    let (start, from, to) = (
        span.start.to_string(),
        span.from.to_string(),
        span.to.to_string(),
    );
    // Members are numbered in the order met; days are parsed once each.
    let mut numbers: HashMap<Box<str>, u32> = HashMap::new();
    let mut number_of = |member: &str| -> u32 {
        if let Some(&n) = numbers.get(member) {
            return n;
        }
        let n = u32::try_from(numbers.len()).unwrap_or(u32::MAX);
        numbers.insert(member.into(), n);
        n
    };
    let mut days: HashMap<Box<str>, Date> = HashMap::new();
    let mut day_of = |text: &str| -> Result<Date, StoreError> {
        if let Some(&day) = days.get(text) {
            return Ok(day);
        }
        let day = parse_day(text)?;
        days.insert(text.into(), day);
        Ok(day)
    };
    let mut facts = SiteFacts::default();
    {
        let mut rows = sqlx::query(
            "SELECT day, member_id, acted FROM member_days
             WHERE site_id = ? AND day BETWEEN ? AND ? ORDER BY day",
        )
        .bind(site.as_str())
        .bind(&start)
        .bind(&to)
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let day = day_of(row.try_get::<&str, _>(0)?)?;
            let member = number_of(row.try_get::<&str, _>(1)?);
            facts.activity.push(Activity {
                member,
                day,
                acted: Kinds::from_bits(row.try_get(2)?),
            });
        }
    }
    {
        let mut rows = sqlx::query(
            "SELECT member_id, first_day FROM member_first_days
             WHERE site_id = ? AND first_day BETWEEN ? AND ?",
        )
        .bind(site.as_str())
        .bind(&start)
        .bind(&to)
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let member = number_of(row.try_get::<&str, _>(0)?);
            let day = day_of(row.try_get::<&str, _>(1)?)?;
            facts.first_days.push((member, day));
        }
    }
    let checkins: Vec<(String, i64)> = sqlx::query_as(
        "SELECT day, COUNT(*) FROM checkins WHERE site_id = ? AND day BETWEEN ? AND ?
         GROUP BY day",
    )
    .bind(site.as_str())
    .bind(&start)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?;
    for (day, count) in checkins {
        facts
            .checkins
            .insert(day_of(&day)?, u64::try_from(count).unwrap_or(0));
    }
    let points: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT day, source, COALESCE(SUM(amount) FILTER (WHERE amount > 0), 0),
                COALESCE(-SUM(amount) FILTER (WHERE amount < 0), 0)
         FROM ledger WHERE site_id = ? AND day BETWEEN ? AND ? GROUP BY day, source",
    )
    .bind(site.as_str())
    .bind(&start)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_source: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (day, source, issued, spent) in points {
        let date = day_of(&day)?;
        let sums = facts.points.entry(date).or_default();
        sums.0 += issued;
        sums.1 += spent;
        if (span.from..=span.to).contains(&date) {
            let sums = by_source.entry(source).or_default();
            sums.0 += issued;
            sums.1 += spent;
        }
    }
    let nps: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT day, nps, COUNT(*) FROM feedback
         WHERE site_id = ? AND day BETWEEN ? AND ? AND nps IS NOT NULL AND status != 'spam'
         GROUP BY day, nps",
    )
    .bind(site.as_str())
    .bind(&start)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?;
    for (day, answer, count) in nps {
        let date = day_of(&day)?;
        let answer = u8::try_from(answer).unwrap_or(u8::MAX);
        for _ in 0..count {
            facts.nps.push((date, answer));
        }
    }
    let (from_at, until_at) = (span.from_at.to_string(), span.until_at.to_string());
    let top_badges: Vec<(String, i64)> = sqlx::query_as(
        "SELECT badge_id, COUNT(*) AS earned FROM member_badges
         WHERE site_id = ? AND earned_at >= ? AND earned_at < ?
         GROUP BY badge_id ORDER BY earned DESC, badge_id LIMIT ?",
    )
    .bind(site.as_str())
    .bind(&from_at)
    .bind(&until_at)
    .bind(TOP_BADGES)
    .fetch_all(&mut *conn)
    .await?;
    let polls = items(
        sqlx::query(
            "SELECT b.poll_id, p.question, COUNT(*) FROM poll_ballots b
             JOIN polls p ON p.site_id = b.site_id AND p.poll_id = b.poll_id
             WHERE b.site_id = ? AND b.voted_at >= ? AND b.voted_at < ?
             AND b.voter_kind = 'member'
             GROUP BY b.poll_id ORDER BY COUNT(*) DESC, b.poll_id",
        )
        .bind(site.as_str())
        .bind(&from_at)
        .bind(&until_at)
        .fetch_all(&mut *conn)
        .await?,
    )?;
    let lotteries = items(
        sqlx::query(
            "SELECT lottery_id, lottery_id, COUNT(DISTINCT member_id) FROM (
                 SELECT lottery_id, member_id FROM lottery_spins
                 WHERE site_id = ?1 AND day BETWEEN ?2 AND ?3
                 UNION ALL
                 SELECT lottery_id, member_id FROM lottery_entries
                 WHERE site_id = ?1 AND at >= ?4 AND at < ?5)
             GROUP BY lottery_id ORDER BY COUNT(DISTINCT member_id) DESC, lottery_id",
        )
        .bind(site.as_str())
        .bind(&from)
        .bind(&to)
        .bind(&from_at)
        .bind(&until_at)
        .fetch_all(&mut *conn)
        .await?,
    )?;
    Ok(AnalyticsFacts {
        facts,
        points_by_source: by_source
            .into_iter()
            .filter(|(_, (issued, spent))| *issued != 0 || *spent != 0)
            .map(|(source, (issued, spent))| PointsBySource {
                source,
                issued,
                spent,
            })
            .collect(),
        top_badges: top_badges
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
            .collect(),
        polls,
        lotteries,
    })
}

/// `(id, label, members)` rows as [`ItemParticipation`]s.
fn items(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<ItemParticipation>, StoreError> {
    rows.iter()
        .map(|row| {
            let members: i64 = row.try_get(2)?;
            Ok(ItemParticipation {
                id: row.try_get(0)?,
                label: row.try_get(1)?,
                members: u64::try_from(members).unwrap_or(0),
            })
        })
        .collect()
}
