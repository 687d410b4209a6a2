//! Seeding a site with many members and ledger entries for `cargo xtask bench`
//! (`engage-server bench-seed`). Not a path the server takes: it writes set-based SQL in one
//! transaction, then derives balances and the leaderboard's `period_points` from the ledger the
//! same way migration 0005 does, and the rank histogram from those as migration 0006 does, so the
//! result is what real traffic would have left.

use engage_core::SiteId;
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;

use sqlx::sqlite::SqliteConnection;

use super::{Finish, Store, StoreError, WRITTEN, retry_busy};

impl Store {
    /// Adds members `m0`…`m{members-1}` and `entries` host-event ledger entries spread over
    /// them and over the `days` site-local days ending `today`; rebuilds the site's balances
    /// and leaderboard. Returns how many ledger rows the site has.
    pub async fn bench_seed(
        &self,
        site: &SiteId,
        members: u32,
        entries: u32,
        days: u32,
        today: Date,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let stamp = now.to_string();
        write_transaction!(self, |conn| {
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
                 INSERT INTO members (site_id, member_id, name, first_seen, last_seen)
                 SELECT ?1, 'm' || i, 'Member ' || i, ?3, ?3 FROM n WHERE ?2 > 0
                 ON CONFLICT (site_id, member_id) DO NOTHING",
            )
            .bind(site.as_str())
            .bind(i64::from(members))
            .bind(&stamp)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < ?2)
                 INSERT INTO ledger (site_id, member_id, source, amount, key, detail, day, at)
                 SELECT ?1, 'm' || (j % ?3), 'host_event', 1 + (j * 7919) % 50,
                        'bench:' || j, 'bench', date(?4, '-' || (j % ?5) || ' days'), ?6
                 FROM n WHERE ?2 > 0 AND ?3 > 0
                 ON CONFLICT (site_id, member_id, key) DO NOTHING",
            )
            .bind(site.as_str())
            .bind(i64::from(entries))
            .bind(i64::from(members))
            .bind(today.to_string())
            .bind(i64::from(days.max(1)))
            .bind(&stamp)
            .execute(&mut *conn)
            .await?;
            for sql in [
                "DELETE FROM balances WHERE site_id = ?1",
                "INSERT INTO balances (site_id, member_id, points)
                 SELECT site_id, member_id, SUM(amount) FROM ledger WHERE site_id = ?1
                 GROUP BY member_id",
                "DELETE FROM period_points WHERE site_id = ?1",
                "INSERT INTO period_points (site_id, period, start, member_id, points, reached)
                 SELECT site_id, 'all', '', member_id, SUM(amount), MAX(id) FROM ledger
                 WHERE site_id = ?1 AND amount > 0 AND source <> 'redemption' GROUP BY member_id",
                "INSERT INTO period_points (site_id, period, start, member_id, points, reached)
                 SELECT site_id, 'day', day, member_id, SUM(amount), MAX(id) FROM ledger
                 WHERE site_id = ?1 AND amount > 0 AND source <> 'redemption' GROUP BY day, member_id",
                "INSERT INTO period_points (site_id, period, start, member_id, points, reached)
                 SELECT site_id, 'week', date(day, '-6 days', 'weekday 1'), member_id, SUM(amount),
                 MAX(id) FROM ledger WHERE site_id = ?1 AND amount > 0 AND source <> 'redemption'
                 GROUP BY date(day, '-6 days', 'weekday 1'), member_id",
                "INSERT INTO period_points (site_id, period, start, member_id, points, reached)
                 SELECT site_id, 'month', substr(day, 1, 7) || '-01', member_id, SUM(amount),
                 MAX(id) FROM ledger WHERE site_id = ?1 AND amount > 0 AND source <> 'redemption'
                 GROUP BY substr(day, 1, 7), member_id",
                "DELETE FROM period_rank_histogram WHERE site_id = ?1",
                "INSERT INTO period_rank_histogram (site_id, period, start, points, members)
                 SELECT site_id, period, start, points, COUNT(*) FROM period_points
                 WHERE site_id = ?1 GROUP BY period, start, points",
            ] {
                sqlx::query(sql)
                    .bind(site.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
            let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE site_id = ?")
                .bind(site.as_str())
                .fetch_one(&mut *conn)
                .await?;
            Ok(Finish::Commit(rows))
        })
    }
}
