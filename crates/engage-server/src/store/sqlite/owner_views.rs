//! The owner's views of polls and lotteries in SQLite: every poll of a site with its tally,
//! every lottery with its stock and spin count, and a lottery's spins log a page at a time.

use engage_core::api::console::{SpinLog, SpinLogEntry};
use engage_core::api::lottery::PrizeRef;
use engage_core::{LotteryId, PollId, SiteId};

use super::audit::page_end;
use super::lotteries::read_lottery;
use super::{Store, StoreError, parse_timestamp, read_poll_record};
use crate::store::{LotteryRecord, PollRecord};

impl Store {
    /// Every poll of a site with its tally, newest first, read from one snapshot.
    pub async fn owner_polls(&self, site: &SiteId) -> Result<Vec<PollRecord>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT poll_id FROM polls WHERE site_id = ? ORDER BY created_at DESC, poll_id",
        )
        .bind(site.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut polls = Vec::with_capacity(ids.len());
        for id in ids {
            let id = PollId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(record) = read_poll_record(&mut tx, site, &id, None).await? {
                polls.push(record);
            }
        }
        tx.rollback().await?;
        Ok(polls)
    }

    /// Every lottery of a site with its number of spins, newest first, read from one snapshot.
    pub async fn owner_lotteries(
        &self,
        site: &SiteId,
    ) -> Result<Vec<(LotteryRecord, u64)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT l.lottery_id, (SELECT COUNT(*) FROM lottery_spins s
                                   WHERE s.site_id = l.site_id AND s.lottery_id = l.lottery_id)
             FROM lotteries l WHERE l.site_id = ? ORDER BY l.created_at DESC, l.lottery_id",
        )
        .bind(site.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut lotteries = Vec::with_capacity(rows.len());
        for (id, spins) in rows {
            let id = LotteryId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(record) = read_lottery(&mut tx, site, &id).await? {
                lotteries.push((record, u64::try_from(spins).unwrap_or(0)));
            }
        }
        tx.rollback().await?;
        Ok(lotteries)
    }

    /// How many spins a lottery has recorded.
    pub async fn lottery_spin_count(
        &self,
        site: &SiteId,
        lottery: &LotteryId,
    ) -> Result<u64, StoreError> {
        let spins: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM lottery_spins WHERE site_id = ? AND lottery_id = ?",
        )
        .bind(site.as_str())
        .bind(lottery.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(spins).unwrap_or(0))
    }

    /// Up to `limit` spins of a lottery recorded before the spin `before` (from the newest when
    /// `None`), newest first, with members' names and prizes' names.
    pub async fn spin_log(
        &self,
        site: &SiteId,
        lottery: &LotteryId,
        before: Option<u64>,
        limit: u32,
    ) -> Result<SpinLog, StoreError> {
        type Row = (
            i64,
            String,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.seq, s.member_id, m.name, s.spin, s.prize_id, p.name, s.at
             FROM lottery_spins s
             LEFT JOIN members m ON m.site_id = s.site_id AND m.member_id = s.member_id
             LEFT JOIN lottery_prizes p ON p.site_id = s.site_id AND p.lottery_id = s.lottery_id
               AND p.prize_id = s.prize_id
             WHERE s.site_id = ?1 AND s.lottery_id = ?2 AND (?3 IS NULL OR s.seq < ?3)
             ORDER BY s.seq DESC LIMIT ?4",
        )
        .bind(site.as_str())
        .bind(lottery.as_str())
        .bind(before.map(|seq| i64::try_from(seq).unwrap_or(i64::MAX)))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("lottery '{lottery}': {what}"));
        let mut spins = rows
            .into_iter()
            .map(|(seq, member, name, spin, prize, prize_name, at)| {
                Ok(SpinLogEntry {
                    seq: u64::try_from(seq).map_err(|_| corrupt("seq"))?,
                    name: name.unwrap_or_else(|| member.clone()),
                    member,
                    spin: u32::try_from(spin).map_err(|_| corrupt("spin"))?,
                    prize: prize.map(|id| PrizeRef {
                        name: prize_name.unwrap_or_else(|| id.clone()),
                        id,
                    }),
                    at: parse_timestamp(&at)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let next_before = page_end(&mut spins, limit, |spin| spin.seq);
        Ok(SpinLog { spins, next_before })
    }
}
