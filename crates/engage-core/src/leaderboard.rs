//! The leaderboard's rules (积分榜): which site-local days a period covers, and competition
//! ranking. The server keeps per-period sums of earned points and asks these functions which
//! period a ledger entry counts toward and how to rank what it reads.

use jiff::civil::Date;

use crate::api::leaderboard::Period;
use crate::calendar::YearMonth;

/// The first and last site-local day of the `period` that contains `day`; `None` for all time.
pub fn period_bounds(period: Period, day: Date) -> Option<(Date, Date)> {
    match period {
        Period::Day => Some((day, day)),
        Period::Week => {
            let offset = i64::from(day.weekday().to_monday_zero_offset());
            let monday = day.checked_sub(jiff::Span::new().days(offset)).ok()?;
            let sunday = monday.checked_add(jiff::Span::new().days(6)).ok()?;
            Some((monday, sunday))
        }
        Period::Month => {
            let month = YearMonth::of(day);
            Some((month.first_day(), month.last_day()))
        }
        Period::All => None,
    }
}

/// The key under which the period containing `day` is stored: its first day as `YYYY-MM-DD`,
/// or the empty string for all time.
pub fn period_key(period: Period, day: Date) -> String {
    period_bounds(period, day)
        .map(|(first, _)| crate::ymd::format(first))
        .unwrap_or_default()
}

/// Competition ranks (1, 2, 2, 4) of scores listed best first: each rank is one more than the
/// number of scores strictly greater.
pub fn competition_ranks(points_best_first: &[i64]) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(points_best_first.len());
    let mut rank = 1;
    for (i, points) in points_best_first.iter().enumerate() {
        if i > 0 && points_best_first[i - 1] != *points {
            rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        ranks.push(rank);
    }
    ranks
}

#[cfg(test)]
mod tests;
