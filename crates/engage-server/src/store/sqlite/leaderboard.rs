//! The leaderboard in SQLite. `period_points` holds, per site, period and member, the points
//! earned in that period; [`add_earned`] updates the member's four rows (day, week, month, all)
//! in the transaction of every positive ledger entry. Reading is then index work on
//! `period_points_ranking (site_id, period, start, points DESC, reached)`: the top N is a
//! range scan, a rank is one plus a `COUNT(*)` of the rows with more points, and the neighbours
//! are two short scans either side of the member.

use std::cmp::Ordering;

use engage_core::api::leaderboard::Period;
use engage_core::jiff::civil::Date;
use engage_core::leaderboard::{competition_ranks, period_key};
use engage_core::{MemberId, SiteId};
use sqlx::sqlite::SqliteConnection;

use super::{Store, StoreError, badges::read_badges_of};

/// Rows either side of the viewing member.
const NEIGHBOURS: i64 = 2;

/// One ranked member as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedRow {
    pub rank: u32,
    pub member: String,
    pub name: String,
    /// Points earned in the period.
    pub points: i64,
    /// The member's balance, for their level's title.
    pub balance: i64,
    /// Badge ids, newest first.
    pub badges: Vec<String>,
}

/// A period's ranking as read for one viewer.
#[derive(Debug, Clone, Default)]
pub struct LeaderboardRead {
    pub top: Vec<RankedRow>,
    /// The viewer's own row (points 0 and ranked after everyone who earned points when they
    /// earned none), and their neighbours above and below, in ranking order.
    pub me: Option<(RankedRow, Vec<RankedRow>)>,
}

impl Store {
    /// The top `limit` of the `period` containing the site-local `today`, and `viewer`'s place;
    /// read from one snapshot.
    pub async fn leaderboard(
        &self,
        site: &SiteId,
        period: Period,
        today: Date,
        limit: u32,
        viewer: Option<&MemberId>,
    ) -> Result<LeaderboardRead, StoreError> {
        let start = period_key(period, today);
        let mut tx = self.pool.begin().await?;
        let conn: &mut SqliteConnection = &mut tx;
        let mut top = read_rows(
            conn,
            site,
            period,
            &start,
            "",
            "ORDER BY p.points DESC, p.reached ASC",
            &[],
            i64::from(limit),
        )
        .await?;
        let points: Vec<i64> = top.iter().map(|row| row.points).collect();
        for (row, rank) in top.iter_mut().zip(competition_ranks(&points)) {
            row.rank = rank;
        }
        let me = match viewer {
            None => None,
            Some(member) => Some(read_me(conn, site, period, &start, member).await?),
        };
        let mut me = me;
        let mut members: Vec<String> = top.iter().map(|row| row.member.clone()).collect();
        if let Some((mine, neighbours)) = &me {
            members.push(mine.member.clone());
            members.extend(neighbours.iter().map(|row| row.member.clone()));
        }
        let members: Vec<&str> = members.iter().map(String::as_str).collect();
        let badges = read_badges_of(conn, site, &members).await?;
        let rows = top.iter_mut().chain(
            me.iter_mut()
                .flat_map(|(mine, neighbours)| std::iter::once(mine).chain(neighbours.iter_mut())),
        );
        for row in rows {
            row.badges = badges.get(&row.member).cloned().unwrap_or_default();
        }
        tx.rollback().await?;
        Ok(LeaderboardRead { top, me })
    }
}

/// Reads ranked rows (rank left 0) of one period with an extra `filter` and `order`.
#[allow(clippy::too_many_arguments)]
async fn read_rows(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    filter: &'static str,
    order: &'static str,
    filter_values: &[i64],
    limit: i64,
) -> Result<Vec<RankedRow>, StoreError> {
    let sql = format!(
        "SELECT p.member_id, COALESCE(m.name, p.member_id), p.points, COALESCE(b.points, 0)
         FROM period_points p
         LEFT JOIN members m ON m.site_id = p.site_id AND m.member_id = p.member_id
         LEFT JOIN balances b ON b.site_id = p.site_id AND b.member_id = p.member_id
         WHERE p.site_id = ? AND p.period = ? AND p.start = ? {filter} {order} LIMIT ?"
    );
    // Audited: the only text spliced in is one of the constant clauses of this module.
    let mut query = sqlx::query_as::<_, (String, String, i64, i64)>(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(period.as_str())
        .bind(start);
    for value in filter_values {
        query = query.bind(*value);
    }
    let rows = query.bind(limit).fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(member, name, points, balance)| RankedRow {
            rank: 0,
            member,
            name,
            points,
            balance,
            badges: Vec::new(),
        })
        .collect())
}

/// 1 + the members of the period with more than `points`.
async fn rank_of(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    points: i64,
) -> Result<u32, StoreError> {
    let above = count_between(conn, site, period, start, points, i64::MAX).await?;
    Ok(above.saturating_add(1))
}

/// The members of the period with more than `low` and at most `high` points.
async fn count_between(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    low: i64,
    high: i64,
) -> Result<u32, StoreError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM period_points
         WHERE site_id = ? AND period = ? AND start = ? AND points > ? AND points <= ?",
    )
    .bind(site.as_str())
    .bind(period.as_str())
    .bind(start)
    .bind(low)
    .bind(high)
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// The member's rank and points in a period; `None` when they earned nothing in it.
pub(super) async fn member_rank(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    member: &MemberId,
) -> Result<Option<(u32, i64)>, StoreError> {
    let points: Option<i64> = sqlx::query_scalar(
        "SELECT points FROM period_points
         WHERE site_id = ? AND period = ? AND start = ? AND member_id = ?",
    )
    .bind(site.as_str())
    .bind(period.as_str())
    .bind(start)
    .bind(member.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match points {
        None => Ok(None),
        Some(points) => Ok(Some((
            rank_of(conn, site, period, start, points).await?,
            points,
        ))),
    }
}

/// The viewer's own row and their neighbours.
async fn read_me(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    member: &MemberId,
) -> Result<(RankedRow, Vec<RankedRow>), StoreError> {
    let mine: Option<(i64, i64)> = sqlx::query_as(
        "SELECT points, reached FROM period_points
         WHERE site_id = ? AND period = ? AND start = ? AND member_id = ?",
    )
    .bind(site.as_str())
    .bind(period.as_str())
    .bind(start)
    .bind(member.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let (name, balance): (Option<String>, i64) = sqlx::query_as(
        "SELECT (SELECT name FROM members WHERE site_id = ?1 AND member_id = ?2),
                COALESCE((SELECT points FROM balances WHERE site_id = ?1 AND member_id = ?2), 0)",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .fetch_one(&mut *conn)
    .await?;
    let points = mine.map_or(0, |(points, _)| points);
    let (mut above, below) = match mine {
        Some((points, reached)) => {
            let above = read_rows(
                conn,
                site,
                period,
                start,
                "AND p.points >= ? AND (p.points > ? OR p.reached < ?)",
                "ORDER BY p.points ASC, p.reached DESC",
                &[points, points, reached],
                NEIGHBOURS,
            )
            .await?;
            let below = read_rows(
                conn,
                site,
                period,
                start,
                "AND p.points <= ? AND (p.points < ? OR p.reached > ?)",
                "ORDER BY p.points DESC, p.reached ASC",
                &[points, points, reached],
                NEIGHBOURS,
            )
            .await?;
            (above, below)
        }
        // Everyone who earned something ranks above a member who earned nothing.
        None => {
            let above = read_rows(
                conn,
                site,
                period,
                start,
                "",
                "ORDER BY p.points ASC, p.reached DESC",
                &[],
                NEIGHBOURS,
            )
            .await?;
            (above, Vec::new())
        }
    };
    above.reverse();
    let rank = rank_of(conn, site, period, start, points).await?;
    let mut neighbours = above;
    neighbours.extend(below);
    // A neighbour's rank follows from the viewer's by counting only the rows between them,
    // a short index range, rather than everything above the neighbour again.
    for row in &mut neighbours {
        row.rank = match row.points.cmp(&points) {
            Ordering::Equal => rank,
            Ordering::Greater => {
                let between = count_between(conn, site, period, start, points, row.points).await?;
                rank.saturating_sub(between)
            }
            Ordering::Less => {
                let between = count_between(conn, site, period, start, row.points, points).await?;
                rank.saturating_add(between)
            }
        };
    }
    let mine = RankedRow {
        rank,
        member: member.to_string(),
        name: name.unwrap_or_else(|| member.to_string()),
        points,
        balance,
        badges: Vec::new(),
    };
    Ok((mine, neighbours))
}

/// Adds a positive ledger entry's `amount`, made on the site-local `today`, to the member's
/// day, week, month and all-time points; `entry_id` becomes the moment they reached them.
pub(super) async fn add_earned(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    today: Date,
    amount: i64,
    entry_id: i64,
) -> Result<(), StoreError> {
    for period in Period::ALL {
        sqlx::query(
            "INSERT INTO period_points (site_id, period, start, member_id, points, reached)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (site_id, period, start, member_id)
             DO UPDATE SET points = points + excluded.points, reached = excluded.reached",
        )
        .bind(site.as_str())
        .bind(period.as_str())
        .bind(period_key(period, today))
        .bind(member.as_str())
        .bind(amount)
        .bind(entry_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Points the member earned in all.
pub(super) async fn read_earned(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<i64, StoreError> {
    let earned: Option<i64> = sqlx::query_scalar(
        "SELECT points FROM period_points
         WHERE site_id = ? AND period = 'all' AND start = '' AND member_id = ?",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(earned.unwrap_or(0))
}
