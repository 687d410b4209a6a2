//! The owner's numbers (PRODUCT.md, "Analytics"), as pure functions over a site's activity.
//!
//! The server stores one [`Activity`] per member and site-local day on which the member was
//! *seen* (a request on their member token, an imported visit) or *acted* (checked in, made up
//! a day, voted, spun, entered a giveaway, sent feedback, redeemed, or a host event was recorded
//! for them), with the [`Kinds`] of action. Everything here reads those rows and a few per-day
//! sums; nothing reads a clock: the range and the days come in as arguments, already in the
//! site's time zone. Weeks start on Monday.
//!
//! Choices where the contract is silent, as PostHog and Mixpanel make them:
//! - A range is at most [`MAX_RANGE_DAYS`] days, `from` ≤ `to`; without one the console asks
//!   for the [`DEFAULT_RANGE_DAYS`] days ending today ([`default_range`]).
//! - Retention counts activity up to `to` only: the last week of a cohort row may still be in
//!   progress (the console marks it), and a range that ends in the past shows the numbers as
//!   they were on `to`.
//! - `nps` weeks and the totals count answers within the range only, so the first and last
//!   week may be partial and the weeks always add up to the range.
//! - `stickiness` is the mean of the days' DAU/MAU; `checkin_rate` is check-ins over the sum of
//!   the days' DAU (member-days), both 0 where there is nothing to divide by.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::api::analytics::{
    AnalyticsDay, AnalyticsView, Cohort, NpsWeek, Participation, PeriodTotals, Retention,
};
use crate::calendar::{date_of_day_number, day_number};

/// The longest range the analytics answer covers, in days (a leap year).
pub const MAX_RANGE_DAYS: i64 = 366;
/// The range shown when none is asked for: the 30 days ending today.
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// `wau` counts the 7 days ending each day, `mau` the 30.
pub const WAU_DAYS: i64 = 7;
pub const MAU_DAYS: i64 = 30;

/// A kind of action. [`Kind::Rewards`] is recorded by a redemption in the rewards shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A check-in or a make-up.
    Checkin,
    Poll,
    /// A spin or a giveaway entry.
    Lottery,
    Feedback,
    HostEvent,
    Rewards,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Checkin,
        Kind::Poll,
        Kind::Lottery,
        Kind::Feedback,
        Kind::HostEvent,
        Kind::Rewards,
    ];

    /// Its bit in a [`Kinds`] mask (stored as is: never renumber).
    pub const fn bit(self) -> u8 {
        match self {
            Kind::Checkin => 1,
            Kind::Poll => 1 << 1,
            Kind::Lottery => 1 << 2,
            Kind::Feedback => 1 << 3,
            Kind::HostEvent => 1 << 4,
            Kind::Rewards => 1 << 5,
        }
    }
}

/// A set of [`Kind`]s, as the `acted` mask of a stored activity row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Kinds(u8);

impl Kinds {
    pub const NONE: Kinds = Kinds(0);

    /// The set of a stored mask; bits that name no kind are dropped.
    pub fn from_bits(bits: i64) -> Kinds {
        let all = Kind::ALL.iter().fold(0_u8, |mask, kind| mask | kind.bit());
        Kinds((bits & i64::from(all)) as u8)
    }

    pub const fn of(kind: Kind) -> Kinds {
        Kinds(kind.bit())
    }

    pub const fn bits(self) -> u8 {
        self.0
    }

    pub const fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    #[must_use]
    pub const fn with(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }
}

/// One member on one site-local day: seen or acting (a row exists), and the kinds of action.
/// `member` is any number the caller gives each member (the store numbers them per query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    pub member: u32,
    pub day: Date,
    pub acted: Kinds,
}

/// Everything the numbers of `from..=to` are computed from, for the days
/// [`facts_start`]`(from, to)..=to`: activity rows (at most one per member and day), the first
/// seen-or-acting day of every member whose first day is in those days (others may be
/// included: they are ignored), and per-day sums.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteFacts {
    pub activity: Vec<Activity>,
    pub first_days: Vec<(u32, Date)>,
    /// Check-in rows per day (make-ups on the day made up for).
    pub checkins: BTreeMap<Date, u64>,
    /// Per day, the sum of positive and the absolute sum of negative ledger amounts.
    pub points: BTreeMap<Date, (i64, i64)>,
    /// NPS answers (0–10) by the day they were sent.
    pub nps: Vec<(Date, u8)>,
}

/// Why a range was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// Occurs when `to` is before `from`.
    #[error("'to' ({to}) is before 'from' ({from})")]
    Reversed { from: Date, to: Date },
    /// Occurs when the range holds more than [`MAX_RANGE_DAYS`] days.
    #[error("the range holds {days} days; at most {MAX_RANGE_DAYS} are allowed")]
    TooLong { days: i64 },
}

/// Checks a range and returns its length in days.
pub fn check_range(from: Date, to: Date) -> Result<i64, RangeError> {
    let days = day_number(to) - day_number(from) + 1;
    if days < 1 {
        return Err(RangeError::Reversed { from, to });
    }
    if days > MAX_RANGE_DAYS {
        return Err(RangeError::TooLong { days });
    }
    Ok(days)
}

/// The [`DEFAULT_RANGE_DAYS`] days ending `today`.
pub fn default_range(today: Date) -> (Date, Date) {
    (add_days(today, 1 - DEFAULT_RANGE_DAYS), today)
}

/// The range of the same length that ends the day before `from`.
pub fn previous_range(from: Date, to: Date) -> (Date, Date) {
    let days = day_number(to) - day_number(from) + 1;
    (add_days(from, -days), add_days(from, -1))
}

/// The first day whose facts the numbers of `from..=to` need: the previous range's first day,
/// less the days before it that its first `mau` looks back on.
pub fn facts_start(from: Date, to: Date) -> Date {
    add_days(previous_range(from, to).0, 1 - MAU_DAYS)
}

/// The Monday of `day`'s week.
pub fn week_start(day: Date) -> Date {
    date_of_day_number(monday_number(day_number(day)))
}

/// `day + days`, clamped to the dates jiff supports.
pub fn add_days(day: Date, days: i64) -> Date {
    date_of_day_number(day_number(day) + days)
}

/// 1970-01-01 was a Thursday: 3 days after a Monday.
fn monday_number(number: i64) -> i64 {
    number - (number + 3).rem_euclid(7)
}

/// The net promoter score of some answers: % of 9–10 minus % of 0–6, rounded to an integer
/// (halves away from zero); `None` without answers. (The feedback inbox's `nps_score` keeps one
/// decimal; rounding that again could round a half twice, so this rounds the exact ratio.)
pub fn nps_percent(promoters: u64, passives: u64, detractors: u64) -> Option<i32> {
    let total = i128::from(promoters) + i128::from(passives) + i128::from(detractors);
    if total == 0 {
        return None;
    }
    let numerator = (i128::from(promoters) - i128::from(detractors)) * 100;
    let rounded = (numerator.abs() * 2 + total) / (2 * total);
    Some((numerator.signum() * rounded) as i32)
}

/// NPS of a list of answers (values above 10 are ignored).
fn nps_of<'a>(answers: impl Iterator<Item = &'a u8>) -> (u64, Option<i32>) {
    let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
    for &answer in answers {
        match answer {
            9 | 10 => promoters += 1,
            7 | 8 => passives += 1,
            0..=6 => detractors += 1,
            _ => {}
        }
    }
    let responses = promoters + passives + detractors;
    (responses, nps_percent(promoters, passives, detractors))
}

/// Activity numbered by day from a base, sorted by day: what every metric walks.
struct Indexed {
    /// The day number of index 0.
    base: i64,
    /// Number of days from `base` to the last day asked for, inclusive.
    len: usize,
    /// (day index, member, kinds), ascending by day index.
    rows: Vec<(usize, u32, Kinds)>,
    members: usize,
}

impl Indexed {
    fn new(facts: &SiteFacts, start: Date, to: Date) -> Indexed {
        let base = day_number(start);
        let last = day_number(to);
        let len = usize::try_from(last - base + 1).unwrap_or(0);
        let mut rows: Vec<(usize, u32, Kinds)> = facts
            .activity
            .iter()
            .filter_map(|row| {
                let number = day_number(row.day);
                (base..=last).contains(&number).then(|| {
                    (
                        usize::try_from(number - base).unwrap_or(0),
                        row.member,
                        row.acted,
                    )
                })
            })
            .collect();
        if !rows.is_sorted_by_key(|row| row.0) {
            rows.sort_by_key(|row| row.0);
        }
        let members = member_slots(facts);
        Indexed {
            base,
            len,
            rows,
            members,
        }
    }

    fn index(&self, day: Date) -> Option<usize> {
        usize::try_from(day_number(day) - self.base)
            .ok()
            .filter(|&i| i < self.len)
    }

    fn date(&self, index: usize) -> Date {
        date_of_day_number(self.base + index as i64)
    }

    /// Per day index, the members with a row in the `window` days ending that day: each row
    /// covers `window` days from its own; a member's rows, taken in day order, add the part of
    /// that cover not already counted, so overlapping covers count the member once.
    fn distinct_in_window(&self, window: i64) -> Vec<u64> {
        let window = usize::try_from(window).unwrap_or(1);
        let mut last_end = vec![0_usize; self.members];
        let mut delta = vec![0_i64; self.len + window + 1];
        for &(day, member, _) in &self.rows {
            let end = day + window;
            let start = day.max(last_end[member as usize]);
            if start < end {
                delta[start] += 1;
                delta[end] -= 1;
            }
            last_end[member as usize] = end;
        }
        let mut running = 0_i64;
        delta[..self.len]
            .iter()
            .map(|d| {
                running += d;
                u64::try_from(running).unwrap_or(0)
            })
            .collect()
    }
}

/// The day rows of `from..=to` (with `facts` covering at least `from - 29..=to`).
pub fn day_rows(facts: &SiteFacts, from: Date, to: Date) -> Vec<AnalyticsDay> {
    let start = add_days(from, 1 - MAU_DAYS);
    let indexed = Indexed::new(facts, start, to);
    day_rows_of(&indexed, facts, from, to)
}

fn day_rows_of(indexed: &Indexed, facts: &SiteFacts, from: Date, to: Date) -> Vec<AnalyticsDay> {
    let wau = indexed.distinct_in_window(WAU_DAYS);
    let mau = indexed.distinct_in_window(MAU_DAYS);
    let mut dau = vec![0_u64; indexed.len];
    let mut engaged = vec![0_u64; indexed.len];
    for &(day, _, acted) in &indexed.rows {
        dau[day] += 1;
        if !acted.is_empty() {
            engaged[day] += 1;
        }
    }
    let mut new_members = vec![0_u64; indexed.len];
    for (_, first) in &facts.first_days {
        if let Some(i) = indexed.index(*first) {
            new_members[i] += 1;
        }
    }
    let (Some(first), Some(last)) = (indexed.index(from), indexed.index(to)) else {
        return Vec::new();
    };
    (first..=last)
        .map(|i| {
            let date = indexed.date(i);
            let (points_issued, points_spent) = facts.points.get(&date).copied().unwrap_or((0, 0));
            AnalyticsDay {
                date,
                dau: dau[i],
                wau: wau[i],
                mau: mau[i],
                engaged: engaged[i],
                new_members: new_members[i],
                checkins: facts.checkins.get(&date).copied().unwrap_or(0),
                points_issued,
                points_spent,
            }
        })
        .collect()
}

/// Distinct members per kind of action within `from..=to`.
pub fn participation(facts: &SiteFacts, from: Date, to: Date) -> Participation {
    let mut acted = vec![Kinds::NONE; member_slots(facts)];
    for row in facts
        .activity
        .iter()
        .filter(|row| (from..=to).contains(&row.day))
    {
        let kinds = &mut acted[row.member as usize];
        *kinds = kinds.with(row.acted);
    }
    let count = |kind| acted.iter().filter(|k| k.contains(kind)).count() as u64;
    Participation {
        checkin: count(Kind::Checkin),
        poll: count(Kind::Poll),
        lottery: count(Kind::Lottery),
        feedback: count(Kind::Feedback),
        host_event: count(Kind::HostEvent),
        rewards: count(Kind::Rewards),
    }
}

/// One more than the highest member number: members index plain vectors.
fn member_slots(facts: &SiteFacts) -> usize {
    facts
        .activity
        .iter()
        .map(|row| row.member)
        .chain(facts.first_days.iter().map(|(member, _)| *member))
        .max()
        .map_or(0, |max| max as usize + 1)
}

/// Weekly cohorts of members' first seen-or-acting day, for cohort weeks that start within
/// `from..=to`; `retained[k]` counts the cohort's members with activity in the k-th week after,
/// up to `to`, for every week that has begun by `to`.
pub fn retention(facts: &SiteFacts, from: Date, to: Date) -> Retention {
    let (from_number, to_number) = (day_number(from), day_number(to));
    // Cohort weeks: Mondays in the range.
    let first_monday = monday_number(from_number + 6);
    let mut cohorts: BTreeMap<i64, (u64, Vec<u64>)> = BTreeMap::new();
    let mut monday = first_monday;
    while monday <= to_number {
        let weeks = ((to_number - monday) / 7 + 1) as usize;
        cohorts.insert(monday, (0, vec![0; weeks]));
        monday += 7;
    }
    let slots = member_slots(facts);
    let mut cohort_of: Vec<Option<i64>> = vec![None; slots];
    for &(member, first) in &facts.first_days {
        let first = day_number(first);
        if first > to_number {
            continue;
        }
        let week = monday_number(first);
        if let Some((size, _)) = cohorts.get_mut(&week)
            && cohort_of[member as usize].replace(week).is_none()
        {
            *size += 1;
        }
    }
    // The weeks after its cohort's (at most 53 in a range) each member was counted in.
    let mut counted = vec![0_u64; slots];
    for row in &facts.activity {
        let Some(week) = cohort_of[row.member as usize] else {
            continue;
        };
        let number = day_number(row.day);
        if number < week || number > to_number {
            continue;
        }
        let k = (monday_number(number) - week) / 7;
        // Week 0 is the cohort's own: every member is in it by definition.
        let bit = 1_u64 << (k.clamp(0, 63) as u32);
        if k >= 1 && counted[row.member as usize] & bit == 0 {
            counted[row.member as usize] |= bit;
            if let Some((_, retained)) = cohorts.get_mut(&week) {
                retained[k as usize] += 1;
            }
        }
    }
    Retention {
        cohorts: cohorts
            .into_iter()
            .map(|(week, (size, mut retained))| {
                retained[0] = size;
                Cohort {
                    week: date_of_day_number(week),
                    size,
                    retained,
                }
            })
            .collect(),
    }
}

/// One NPS row per Monday-started week overlapping `from..=to`, counting answers in the range.
pub fn nps_weeks(facts: &SiteFacts, from: Date, to: Date) -> Vec<NpsWeek> {
    nps_weeks_of(&facts.nps, from, to)
}

fn nps_weeks_of(nps: &[(Date, u8)], from: Date, to: Date) -> Vec<NpsWeek> {
    let mut weeks: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    let mut monday = monday_number(day_number(from));
    while monday <= day_number(to) {
        weeks.insert(monday, Vec::new());
        monday += 7;
    }
    for &(day, answer) in nps.iter().filter(|(day, _)| (from..=to).contains(day)) {
        if let Some(answers) = weeks.get_mut(&monday_number(day_number(day))) {
            answers.push(answer);
        }
    }
    weeks
        .into_iter()
        .map(|(week, answers)| {
            let (responses, score) = nps_of(answers.iter());
            NpsWeek {
                week: date_of_day_number(week),
                responses,
                score,
            }
        })
        .collect()
}

/// The totals of `from..=to`: its day rows summed and averaged, and distinct members over it.
pub fn period_totals(
    facts: &SiteFacts,
    days: &[AnalyticsDay],
    from: Date,
    to: Date,
) -> PeriodTotals {
    totals_of(days, members_of(facts, from, to), &facts.nps, from, to)
}

/// The distinct members of `from..=to` over the activity rows.
fn members_of(facts: &SiteFacts, from: Date, to: Date) -> Members {
    // Per member: None (not seen), Some(false) (seen only), Some(true) (acted).
    let mut active: Vec<Option<bool>> = vec![None; member_slots(facts)];
    for row in facts
        .activity
        .iter()
        .filter(|r| (from..=to).contains(&r.day))
    {
        let slot = &mut active[row.member as usize];
        *slot = Some(slot.unwrap_or(false) | !row.acted.is_empty());
    }
    Members {
        active: active.iter().filter(|slot| slot.is_some()).count() as u64,
        engaged: active.iter().filter(|&&slot| slot == Some(true)).count() as u64,
    }
}

/// Distinct members of a range: seen or acting, and acting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Members {
    active: u64,
    engaged: u64,
}

/// The totals of `from..=to` from its day rows, its distinct members and the NPS answers.
fn totals_of(
    days: &[AnalyticsDay],
    members: Members,
    nps: &[(Date, u8)],
    from: Date,
    to: Date,
) -> PeriodTotals {
    let (responses, nps) = nps_of(
        nps.iter()
            .filter(|(day, _)| (from..=to).contains(day))
            .map(|(_, answer)| answer),
    );
    let dau_sum: u64 = days.iter().map(|d| d.dau).sum();
    let checkins: u64 = days.iter().map(|d| d.checkins).sum();
    let ratios: Vec<f64> = days
        .iter()
        .filter(|d| d.mau > 0)
        .map(|d| d.dau as f64 / d.mau as f64)
        .collect();
    PeriodTotals {
        from,
        to,
        active: members.active,
        avg_dau: round4(mean(dau_sum as f64, days.len())),
        stickiness: round4(mean(ratios.iter().sum(), ratios.len())),
        checkin_rate: round4(if dau_sum == 0 {
            0.0
        } else {
            checkins as f64 / dau_sum as f64
        }),
        engaged: members.engaged,
        new_members: days.iter().map(|d| d.new_members).sum(),
        checkins,
        points_issued: days.iter().map(|d| d.points_issued).sum(),
        points_spent: days.iter().map(|d| d.points_spent).sum(),
        nps,
        nps_responses: responses,
    }
}

fn mean(sum: f64, count: usize) -> f64 {
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Four decimals: enough for a percentage with two, and stable in JSON.
fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// The whole answer for `from..=to` from facts covering [`facts_start`]`(from, to)..=to`,
/// totals of the previous range included. The lists the server reads directly (points by
/// source, top badges, polls, lotteries) are left empty for it to fill.
pub fn analytics_view(facts: &SiteFacts, from: Date, to: Date) -> AnalyticsView {
    let indexed = Indexed::new(facts, facts_start(from, to), to);
    let (previous_from, previous_to) = previous_range(from, to);
    assemble(
        Parts {
            days: day_rows_of(&indexed, facts, from, to),
            previous_days: day_rows_of(&indexed, facts, previous_from, previous_to),
            members: members_of(facts, from, to),
            previous_members: members_of(facts, previous_from, previous_to),
            participation: participation(facts, from, to),
            retention: retention(facts, from, to),
        },
        &facts.nps,
        from,
        to,
    )
}

/// What an answer is assembled from, however it was computed.
struct Parts {
    days: Vec<AnalyticsDay>,
    previous_days: Vec<AnalyticsDay>,
    members: Members,
    previous_members: Members,
    participation: Participation,
    retention: Retention,
}

fn assemble(parts: Parts, nps: &[(Date, u8)], from: Date, to: Date) -> AnalyticsView {
    let (previous_from, previous_to) = previous_range(from, to);
    AnalyticsView {
        from,
        to,
        participation: parts.participation,
        retention: parts.retention,
        nps: nps_weeks_of(nps, from, to),
        totals: Some(totals_of(&parts.days, parts.members, nps, from, to)),
        previous: Some(totals_of(
            &parts.previous_days,
            parts.previous_members,
            nps,
            previous_from,
            previous_to,
        )),
        days: parts.days,
        points_by_source: Vec::new(),
        top_badges: Vec::new(),
        polls: Vec::new(),
        lotteries: Vec::new(),
    }
}

pub mod aggregates;

#[cfg(test)]
mod tests;
