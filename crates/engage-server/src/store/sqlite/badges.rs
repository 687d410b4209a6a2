//! Badges in SQLite. [`award_badges`] runs inside the transaction of every fact that may earn
//! one (a check-in, a make-up, a vote, a spin, a giveaway entry, feedback, a host event): it
//! reads the numbers the site's badge criteria look at, asks the core's `badges_earned`, and
//! inserts what is new into `member_badges`, whose primary key (site, member, badge) makes a
//! badge earned once whatever races. Each new badge also goes to the webhook outbox.

use std::collections::{BTreeSet, HashMap};

use engage_core::badges::{MemberStats, StatsNeeded, badge_rule, badges_earned, stats_needed};
use engage_core::checkin::longest_streak;
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::leaderboard::period_key;
use engage_core::rules::Rules;
use engage_core::{MemberId, SiteId};
use sqlx::sqlite::SqliteConnection;

use super::{StoreError, enqueue_event, leaderboard, parse_timestamp, read_days, read_frozen};
use crate::store::EarnedBadge;

/// Awards every badge of `rules` the member now meets and does not hold yet; returns their
/// ids in the rules' order. Call it after the fact is written, in the same transaction.
pub(super) async fn award_badges(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    today: Date,
    now: Timestamp,
    rules: &Rules,
) -> Result<Vec<String>, StoreError> {
    if rules.badges.is_empty() {
        return Ok(Vec::new());
    }
    let held: BTreeSet<String> = sqlx::query_scalar(
        "SELECT badge_id FROM member_badges WHERE site_id = ? AND member_id = ?",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let pending: Vec<_> = rules
        .badges
        .iter()
        .filter(|badge| !held.contains(&badge.id))
        .collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let needs = stats_needed(pending.iter().copied());
    let stats = read_stats(conn, site, member, today, &needs).await?;
    let earned: Vec<String> = badges_earned(rules, &stats)
        .into_iter()
        .map(|id| id.as_str().to_owned())
        .filter(|id| !held.contains(id))
        .collect();
    if earned.is_empty() {
        return Ok(earned);
    }
    let mut seq: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) FROM member_badges WHERE site_id = ? AND member_id = ?",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .fetch_one(&mut *conn)
    .await?;
    let name: String =
        sqlx::query_scalar("SELECT name FROM members WHERE site_id = ? AND member_id = ?")
            .bind(site.as_str())
            .bind(member.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or_else(|| member.to_string());
    let mut new = Vec::with_capacity(earned.len());
    for id in earned {
        seq += 1;
        let inserted = sqlx::query(
            "INSERT INTO member_badges (site_id, member_id, badge_id, earned_at, seq)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, member_id, badge_id) DO NOTHING",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .bind(&id)
        .bind(now.to_string())
        .bind(seq)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 1 {
            let rule = badge_rule(rules, &id);
            let badge = serde_json::json!({
                "member": member.as_str(),
                "name": name,
                "badge": {
                    "id": id,
                    "name": rule.map(|r| r.name.as_str()),
                    "title": rule.and_then(|r| r.title.as_deref()),
                },
                "earned_at": now.to_string(),
            });
            enqueue_event(conn, site, "badge", now, badge).await?;
            new.push(id);
        }
    }
    Ok(new)
}

/// The numbers `needs` asks for, as stored now.
async fn read_stats(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    today: Date,
    needs: &StatsNeeded,
) -> Result<MemberStats, StoreError> {
    let mut stats = MemberStats::default();
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    if needs.checkins {
        let days = read_days(conn, site, member).await?;
        stats.checkins = count(i64::try_from(days.len()).unwrap_or(i64::MAX));
        let frozen = read_frozen(conn, site, member).await?;
        stats.longest_streak = longest_streak(&days, &frozen);
    }
    if needs.points {
        stats.earned = leaderboard::read_earned(conn, site, member).await?;
        // A refund (a positive `redemption` entry) gives back what its redemption spent.
        stats.spent = sqlx::query_scalar(
            "SELECT COALESCE(-SUM(amount), 0) FROM ledger
             WHERE site_id = ? AND member_id = ? AND (amount < 0 OR source = 'redemption')",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .fetch_one(&mut *conn)
        .await?;
    }
    if needs.votes {
        let votes: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM poll_ballots
             WHERE site_id = ? AND voter_kind = 'member' AND voter_id = ?",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .fetch_one(&mut *conn)
        .await?;
        stats.votes = count(votes);
    }
    if needs.feedback {
        let feedback: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM feedback WHERE site_id = ? AND sender_kind = 'member'
             AND sender_id = ? AND status != 'spam'",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .fetch_one(&mut *conn)
        .await?;
        stats.feedback = count(feedback);
    }
    if needs.redemptions {
        let redeemed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM redemptions
             WHERE site_id = ? AND member_id = ? AND status <> 'cancelled'",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .fetch_one(&mut *conn)
        .await?;
        stats.redeemed = count(redeemed);
    }
    for kind in &needs.events {
        let events: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM host_events WHERE site_id = ? AND member_id = ? AND kind = ?",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .bind(kind)
        .fetch_one(&mut *conn)
        .await?;
        stats.events.insert(kind.clone(), count(events));
    }
    for &period in &needs.ranks {
        if let Some((rank, _)) =
            leaderboard::member_rank(conn, site, period, &period_key(period, today), member).await?
        {
            stats.ranks.insert(period, rank);
        }
    }
    Ok(stats)
}

/// A member's badges, newest first.
pub(super) async fn read_member_badges(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
) -> Result<Vec<EarnedBadge>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT badge_id, earned_at FROM member_badges WHERE site_id = ? AND member_id = ?
         ORDER BY seq DESC",
    )
    .bind(site.as_str())
    .bind(member.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, at)| {
            Ok(EarnedBadge {
                id,
                earned_at: parse_timestamp(&at)?,
            })
        })
        .collect()
}

/// The badge ids of several members, each newest first.
pub(super) async fn read_badges_of(
    conn: &mut SqliteConnection,
    site: &SiteId,
    members: &[&str],
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if members.is_empty() {
        return Ok(out);
    }
    let placeholders = vec!["?"; members.len()].join(", ");
    let sql = format!(
        "SELECT member_id, badge_id FROM member_badges
         WHERE site_id = ? AND member_id IN ({placeholders}) ORDER BY seq DESC"
    );
    // Audited: the only text spliced in is a list of `?` placeholders.
    let mut query =
        sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql)).bind(site.as_str());
    for member in members {
        query = query.bind(*member);
    }
    for (member, badge) in query.fetch_all(&mut *conn).await? {
        out.entry(member).or_default().push(badge);
    }
    Ok(out)
}
