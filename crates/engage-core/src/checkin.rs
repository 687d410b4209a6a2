//! Daily check-in (签到): streaks, points for a check-in, and make-up check-ins (补签).

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::api::{MakeupOffer, MilestoneView};
use crate::calendar::{YearMonth, previous_day};
use crate::rules::CheckinRules;

/// Whether `day` keeps a run going: checked in, or covered by a streak freeze.
fn in_run(days: &BTreeSet<Date>, frozen: &BTreeSet<Date>, day: Date) -> bool {
    days.contains(&day) || frozen.contains(&day)
}

/// The streak of the run of consecutive days ending on `day`, each checked in or frozen:
/// the checked-in days of that run. A frozen day keeps the run going but adds nothing to it,
/// so a run of 2, a frozen day and a check-in is a streak of 3. 0 when `day` itself is neither.
pub fn streak_ending_on(days: &BTreeSet<Date>, frozen: &BTreeSet<Date>, day: Date) -> u32 {
    let mut streak = 0;
    let mut cursor = Some(day);
    while let Some(d) = cursor.filter(|d| in_run(days, frozen, *d)) {
        streak += u32::from(days.contains(&d));
        cursor = previous_day(d);
    }
    streak
}

/// The member's current streak (连续签到) as of `today`: the run ending today, or, while today
/// is still open, the run ending yesterday — a streak breaks only when a whole day is missed
/// and no freeze covered it.
pub fn current_streak(days: &BTreeSet<Date>, frozen: &BTreeSet<Date>, today: Date) -> u32 {
    if days.contains(&today) {
        return streak_ending_on(days, frozen, today);
    }
    previous_day(today).map_or(0, |yesterday| streak_ending_on(days, frozen, yesterday))
}

/// The longest streak ever: the most checked-in days in one run of consecutive days, each
/// checked in or frozen.
pub fn longest_streak(days: &BTreeSet<Date>, frozen: &BTreeSet<Date>) -> u32 {
    let mut longest = 0;
    let mut run = 0;
    let mut last: Option<Date> = None;
    for &day in days.union(frozen) {
        let continues = last.and_then(crate::calendar::next_day) == Some(day);
        if !continues {
            run = 0;
        }
        run += u32::from(days.contains(&day));
        longest = longest.max(run);
        last = Some(day);
    }
    longest
}

/// The days a check-in on `today` freezes (streak freezes, bought in the rewards shop): the
/// days missed since the member's last checked-in or frozen day, one freeze each, when the
/// `held` freezes cover every one of them; otherwise none — no freeze is used and the streak
/// starts again. Nothing is frozen on a first check-in, when nothing was missed, or when
/// `today` is checked in already.
pub fn freezes_for_checkin(
    days: &BTreeSet<Date>,
    frozen: &BTreeSet<Date>,
    held: u32,
    today: Date,
) -> Vec<Date> {
    if days.contains(&today) {
        return Vec::new();
    }
    let last = days
        .range(..today)
        .next_back()
        .into_iter()
        .chain(frozen.range(..today).next_back())
        .max()
        .copied();
    let Some(last) = last else {
        return Vec::new();
    };
    let gap = crate::calendar::day_number(today) - crate::calendar::day_number(last) - 1;
    if gap <= 0 || gap > i64::from(held) {
        return Vec::new();
    }
    let mut missed = Vec::new();
    let mut cursor = crate::calendar::next_day(last);
    while let Some(day) = cursor.filter(|d| *d < today) {
        missed.push(day);
        cursor = crate::calendar::next_day(day);
    }
    missed
}

/// Points for one check-in: the base and, when the new streak lands on a milestone, its bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinAward {
    pub base: i64,
    pub bonus: i64,
    /// The milestone day reached, if any.
    pub milestone: Option<u32>,
}

impl CheckinAward {
    pub fn total(self) -> i64 {
        self.base + self.bonus
    }
}

/// The award for a check-in that makes the streak `streak_after` days long.
pub fn checkin_award(rules: &CheckinRules, streak_after: u32) -> CheckinAward {
    let milestone = rules.milestones.iter().find(|m| m.day == streak_after);
    CheckinAward {
        base: rules.points,
        bonus: milestone.map_or(0, |m| m.bonus),
        milestone: milestone.map(|m| m.day),
    }
}

/// The first milestone still ahead of a streak of `streak` days.
pub fn next_milestone(rules: &CheckinRules, streak: u32) -> Option<MilestoneView> {
    rules
        .milestones
        .iter()
        .filter(|m| m.day > streak)
        .min_by_key(|m| m.day)
        .map(|m| MilestoneView {
            day: m.day,
            bonus: m.bonus,
        })
}

/// Why a make-up check-in is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MakeupError {
    /// Occurs when the site's rules turn make-ups off.
    #[error("make-up check-ins are turned off for this site")]
    Disabled,
    /// Occurs when the day is today or later: today is a normal check-in.
    #[error("{day} is not a past day; check in normally today")]
    NotPast { day: Date },
    /// Occurs when the day is further back than the window allows.
    #[error("{day} is more than {window_days} days ago and can no longer be made up")]
    OutsideWindow { day: Date, window_days: u32 },
    /// Occurs when the day is before the member's first check-in: a day before one started
    /// was not missed, and make-ups must not buy a streak from nothing.
    #[error("{day} is before the first check-in and was not missed")]
    BeforeFirstCheckin { day: Date },
    /// Occurs when the member already checked in on that day.
    #[error("{day} is already checked in")]
    AlreadyCheckedIn { day: Date },
    /// Occurs when a streak freeze covered that day: it was not missed.
    #[error("{day} is covered by a streak freeze")]
    Frozen { day: Date },
    /// Occurs when the month's make-up allowance is used up.
    #[error("no make-ups left this month (at most {max_per_month})")]
    MonthlyLimit { max_per_month: u32 },
    /// Occurs when the balance cannot pay the cost.
    #[error("a make-up costs {cost} points and the balance is {balance}")]
    InsufficientPoints { cost: i64, balance: i64 },
}

/// Checks whether `day` can be made up on `today` and returns its cost in points.
///
/// `makeups_this_month` counts make-ups already done in `today`'s month; `frozen` are the days
/// streak freezes covered, which were not missed.
#[allow(clippy::too_many_arguments)]
pub fn makeup_cost(
    rules: &CheckinRules,
    days: &BTreeSet<Date>,
    frozen: &BTreeSet<Date>,
    today: Date,
    day: Date,
    makeups_this_month: u32,
    balance: i64,
) -> Result<i64, MakeupError> {
    let makeup = &rules.makeup;
    if !makeup.enabled || makeup.window_days == 0 {
        return Err(MakeupError::Disabled);
    }
    if day >= today {
        return Err(MakeupError::NotPast { day });
    }
    if !in_window(today, day, makeup.window_days) {
        return Err(MakeupError::OutsideWindow {
            day,
            window_days: makeup.window_days,
        });
    }
    if days.contains(&day) {
        return Err(MakeupError::AlreadyCheckedIn { day });
    }
    if frozen.contains(&day) {
        return Err(MakeupError::Frozen { day });
    }
    if days.first().is_none_or(|first| day < *first) {
        return Err(MakeupError::BeforeFirstCheckin { day });
    }
    if let Some(max) = makeup.max_per_month
        && makeups_this_month >= max
    {
        return Err(MakeupError::MonthlyLimit { max_per_month: max });
    }
    if balance < makeup.cost {
        return Err(MakeupError::InsufficientPoints {
            cost: makeup.cost,
            balance,
        });
    }
    Ok(makeup.cost)
}

fn in_window(today: Date, day: Date, window_days: u32) -> bool {
    let age = crate::calendar::day_number(today) - crate::calendar::day_number(day);
    age >= 1 && age <= i64::from(window_days)
}

/// What the widget offers: the missed days (neither checked in nor frozen) that could be made
/// up today, if make-ups are on.
pub fn makeup_offer(
    rules: &CheckinRules,
    days: &BTreeSet<Date>,
    frozen: &BTreeSet<Date>,
    today: Date,
    makeups_this_month: u32,
) -> Option<MakeupOffer> {
    let makeup = &rules.makeup;
    if !makeup.enabled || makeup.window_days == 0 {
        return None;
    }
    let mut missed = Vec::new();
    let mut cursor = previous_day(today);
    let first = days.first().copied();
    while let Some(day) = cursor.filter(|d| in_window(today, *d, makeup.window_days)) {
        if first.is_some_and(|first| day > first) && !in_run(days, frozen, day) {
            missed.push(day);
        }
        cursor = previous_day(day);
    }
    missed.reverse();
    Some(MakeupOffer {
        window_days: makeup.window_days,
        cost: makeup.cost,
        missed,
        left_this_month: makeup
            .max_per_month
            .map(|max| max.saturating_sub(makeups_this_month)),
    })
}

/// The check-in days that fall in `month`, ascending.
pub fn days_in_month(days: &BTreeSet<Date>, month: YearMonth) -> Vec<Date> {
    days.range(month.first_day()..=month.last_day())
        .copied()
        .collect()
}

#[cfg(test)]
mod tests;
