//! The leaderboard in SQLite. `period_points` holds, per site, period and member, the points
//! earned in that period, and `period_rank_histogram`, per site, period and points, how many
//! members earned exactly that many; [`add_earned`] updates both in the transaction of every
//! positive ledger entry, one statement for the member's four sums (day, week, month, all), one
//! decrement of their old points' histogram rows and one increment of their new ones. Reading is
//! then index work: the top N is a range scan of
//! `period_points_ranking (site_id, period, start, points DESC, reached)`, the neighbours are exact
//! seeks of it either side of the member's (points, reached), and a rank is one plus a `SUM` of
//! the histogram rows with more points — distinct point values, far fewer than members.

use engage_core::api::leaderboard::Period;
use engage_core::jiff::civil::Date;
use engage_core::leaderboard::{competition_ranks, period_key};
use engage_core::{MemberId, SiteId};
use sqlx::Row;
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
            "ORDER BY p.points DESC, p.reached ASC",
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

/// Where ranked rows come from: a period's sums with the member's name and balance.
const RANKED_ROWS: &str = "FROM period_points p
         LEFT JOIN members m ON m.site_id = p.site_id AND m.member_id = p.member_id
         LEFT JOIN balances b ON b.site_id = p.site_id AND b.member_id = p.member_id";

/// (member, name, points, balance) rows as [`RankedRow`]s, rank and badges left to fill in.
fn unranked(rows: Vec<(String, String, i64, i64)>) -> Vec<RankedRow> {
    rows.into_iter()
        .map(|(member, name, points, balance)| RankedRow {
            rank: 0,
            member,
            name,
            points,
            balance,
            badges: Vec::new(),
        })
        .collect()
}

/// Reads the first `limit` ranked rows (rank left 0) of one period in `order`.
async fn read_rows(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    order: &'static str,
    limit: i64,
) -> Result<Vec<RankedRow>, StoreError> {
    let sql = format!(
        "SELECT p.member_id, COALESCE(m.name, p.member_id), p.points, COALESCE(b.points, 0)
         {RANKED_ROWS}
         WHERE p.site_id = ? AND p.period = ? AND p.start = ? {order} LIMIT ?"
    );
    // Audited: the only text spliced in is one of the constant clauses of this module.
    let query = sqlx::query_as::<_, (String, String, i64, i64)>(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(period.as_str())
        .bind(start);
    let rows = query.bind(limit).fetch_all(&mut *conn).await?;
    Ok(unranked(rows))
}

/// Which side of the viewer a neighbour is on.
#[derive(Debug, Clone, Copy)]
enum Side {
    Above,
    Below,
}

/// Up to [`NEIGHBOURS`] rows (rank left 0) next to the member at `(points, reached)` on one
/// side, nearest first. Each half of the query is an exact seek of `period_points_ranking`:
/// the member's own tie group on that side of their `reached`, then the nearest other points,
/// so a large tie group is never scanned.
async fn read_neighbours(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    (points, reached): (i64, i64),
    side: Side,
) -> Result<Vec<RankedRow>, StoreError> {
    let (tie, beyond, order) = match side {
        Side::Above => (
            "p.points = ?4 AND p.reached < ?5 ORDER BY p.reached DESC",
            "p.points > ?4 ORDER BY p.points ASC, p.reached DESC",
            "points ASC, reached DESC",
        ),
        Side::Below => (
            "p.points = ?4 AND p.reached > ?5 ORDER BY p.reached ASC",
            "p.points < ?4 ORDER BY p.points DESC, p.reached ASC",
            "points DESC, reached ASC",
        ),
    };
    let select = format!(
        "SELECT p.member_id AS member, COALESCE(m.name, p.member_id) AS name,
                         p.points AS points, COALESCE(b.points, 0) AS balance,
                         p.reached AS reached
                  {RANKED_ROWS}
                  WHERE p.site_id = ?1 AND p.period = ?2 AND p.start = ?3"
    );
    let sql = format!(
        "SELECT member, name, points, balance FROM (
             SELECT * FROM ({select} AND {tie} LIMIT ?6)
             UNION ALL
             SELECT * FROM ({select} AND {beyond} LIMIT ?6))
         ORDER BY {order} LIMIT ?6"
    );
    // Audited: the only text spliced in is constant clauses of this function.
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(period.as_str())
        .bind(start)
        .bind(points)
        .bind(reached)
        .bind(NEIGHBOURS)
        .fetch_all(&mut *conn)
        .await?;
    Ok(unranked(rows))
}

/// 1 + the members of the period with more than `points`.
async fn rank_of(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    points: i64,
) -> Result<u32, StoreError> {
    let above: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(members), 0) FROM period_rank_histogram
         WHERE site_id = ? AND period = ? AND start = ? AND points > ?",
    )
    .bind(site.as_str())
    .bind(period.as_str())
    .bind(start)
    .bind(points)
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(above).unwrap_or(u32::MAX).saturating_add(1))
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

/// The competition rank of each of `points` (all within `low..=high`), from one read of the
/// histogram: its rows from `low` to `high`, and the sum of those above `high`.
async fn ranks_of(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    points: &[i64],
) -> Result<Vec<u32>, StoreError> {
    let (Some(&low), Some(&high)) = (points.iter().min(), points.iter().max()) else {
        return Ok(Vec::new());
    };
    // The rows with NULL points carry the sum above `high`.
    let slice: Vec<(Option<i64>, i64)> = sqlx::query_as(
        "SELECT points, members FROM period_rank_histogram
         WHERE site_id = ?1 AND period = ?2 AND start = ?3 AND points >= ?4 AND points <= ?5
         UNION ALL
         SELECT NULL, COALESCE(SUM(members), 0) FROM period_rank_histogram
         WHERE site_id = ?1 AND period = ?2 AND start = ?3 AND points > ?5",
    )
    .bind(site.as_str())
    .bind(period.as_str())
    .bind(start)
    .bind(low)
    .bind(high)
    .fetch_all(&mut *conn)
    .await?;
    Ok(points
        .iter()
        .map(|&mine| {
            let above: i64 = slice
                .iter()
                .filter(|(at, _)| at.is_none_or(|at| at > mine))
                .map(|&(_, members)| members)
                .sum();
            u32::try_from(above).unwrap_or(u32::MAX).saturating_add(1)
        })
        .collect())
}

/// The viewer's own row and their neighbours.
async fn read_me(
    conn: &mut SqliteConnection,
    site: &SiteId,
    period: Period,
    start: &str,
    member: &MemberId,
) -> Result<(RankedRow, Vec<RankedRow>), StoreError> {
    let (name, balance, points, reached): (Option<String>, i64, Option<i64>, Option<i64>) =
        sqlx::query_as(
            "SELECT (SELECT name FROM members WHERE site_id = ?1 AND member_id = ?2),
                    COALESCE((SELECT points FROM balances
                              WHERE site_id = ?1 AND member_id = ?2), 0),
                    p.points, p.reached
             FROM (SELECT 1) LEFT JOIN period_points p
             ON p.site_id = ?1 AND p.period = ?3 AND p.start = ?4 AND p.member_id = ?2",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .bind(period.as_str())
        .bind(start)
        .fetch_one(&mut *conn)
        .await?;
    let mine = points.zip(reached);
    let points = mine.map_or(0, |(points, _)| points);
    let (mut above, below) = match mine {
        Some((points, reached)) => (
            read_neighbours(conn, site, period, start, (points, reached), Side::Above).await?,
            read_neighbours(conn, site, period, start, (points, reached), Side::Below).await?,
        ),
        // Everyone who earned something ranks above a member who earned nothing.
        None => {
            let above = read_rows(
                conn,
                site,
                period,
                start,
                "ORDER BY p.points ASC, p.reached DESC",
                NEIGHBOURS,
            )
            .await?;
            (above, Vec::new())
        }
    };
    above.reverse();
    let mut neighbours = above;
    neighbours.extend(below);
    // The viewer's points and their neighbours' are adjacent in the ranking, so one short slice
    // of the histogram ranks them all.
    let mut points_of: Vec<i64> = neighbours.iter().map(|row| row.points).collect();
    points_of.push(points);
    let mut ranks = ranks_of(conn, site, period, start, &points_of).await?;
    let rank = ranks.pop().unwrap_or(1);
    for (row, rank) in neighbours.iter_mut().zip(ranks) {
        row.rank = rank;
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

/// The `period_rank_histogram` rows of the four periods (day, week, month, all, as in
/// [`Period::ALL`]) at the given points; a period whose points are 0 matches no row.
/// Each term names the whole primary key, so SQLite seeks the four rows (a multi-index OR)
/// rather than scanning the site's histogram.
const HISTOGRAM_ROWS: &str = "(
        (site_id = ?1 AND period = 'day' AND start = ?2 AND points = ?6)
     OR (site_id = ?1 AND period = 'week' AND start = ?3 AND points = ?7)
     OR (site_id = ?1 AND period = 'month' AND start = ?4 AND points = ?8)
     OR (site_id = ?1 AND period = 'all' AND start = ?5 AND points = ?9))";

/// Adds a positive ledger entry's `amount`, made on the site-local `today`, to the member's
/// day, week, month and all-time points; `entry_id` becomes the moment they reached them. The
/// rank histogram moves the member from their old points to their new ones in each period.
pub(super) async fn add_earned(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    today: Date,
    amount: i64,
    entry_id: i64,
) -> Result<(), StoreError> {
    let starts = Period::ALL.map(|period| period_key(period, today));
    let sums: Vec<(String, i64)> = sqlx::query_as(
        "INSERT INTO period_points (site_id, period, start, member_id, points, reached)
         VALUES (?1, 'day', ?2, ?6, ?7, ?8), (?1, 'week', ?3, ?6, ?7, ?8),
                (?1, 'month', ?4, ?6, ?7, ?8), (?1, 'all', ?5, ?6, ?7, ?8)
         ON CONFLICT (site_id, period, start, member_id)
         DO UPDATE SET points = points + excluded.points, reached = excluded.reached
         RETURNING period, points",
    )
    .bind(site.as_str())
    .bind(&starts[0])
    .bind(&starts[1])
    .bind(&starts[2])
    .bind(&starts[3])
    .bind(member.as_str())
    .bind(amount)
    .bind(entry_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut new = [0_i64; 4];
    for (period, points) in sums {
        if let Some(i) = Period::ALL.iter().position(|p| p.as_str() == period) {
            new[i] = points;
        }
    }
    // 0 where the member had no row yet: it matches no histogram row.
    let old = new.map(|points| points - amount);
    // Audited: the only text spliced in is this module's constant `HISTOGRAM_ROWS`.
    let histogram = |sql: String, points: [i64; 4]| {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site.as_str());
        for start in &starts {
            query = query.bind(start.as_str());
        }
        for points in points {
            query = query.bind(points);
        }
        query
    };
    if old.iter().any(|&points| points > 0) {
        let left = histogram(
            format!(
                "UPDATE period_rank_histogram SET members = members - 1 WHERE {HISTOGRAM_ROWS}
                 RETURNING members"
            ),
            old,
        )
        .fetch_all(&mut *conn)
        .await?;
        if left.iter().any(|row| row.get::<i64, _>(0) == 0) {
            histogram(
                format!("DELETE FROM period_rank_histogram WHERE members = 0 AND {HISTOGRAM_ROWS}"),
                old,
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    histogram(
        "INSERT INTO period_rank_histogram (site_id, period, start, points, members)
         VALUES (?1, 'day', ?2, ?6, 1), (?1, 'week', ?3, ?7, 1),
                (?1, 'month', ?4, ?8, 1), (?1, 'all', ?5, ?9, 1)
         ON CONFLICT (site_id, period, start, points) DO UPDATE SET members = members + 1"
            .to_owned(),
        new,
    )
    .execute(&mut *conn)
    .await?;
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
