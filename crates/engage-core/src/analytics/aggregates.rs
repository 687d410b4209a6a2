//! Per-day aggregates of a site's activity: the numbers of [`super::analytics_view`] from a few
//! additive rows per day instead of every member-day, so the answer for a year reads a few
//! thousand rows.
//!
//! A member's *contribution* to the aggregates is a pure function of that member's sorted active
//! days and their kinds ([`contribution`]); the site's aggregates are the sum of its members'.
//! When a write changes a member's days, the difference of the contributions before and after
//! ([`delta`]) is what to add: exact whatever order history arrives in, and nothing for a
//! re-import that changes no day. The keys ([`Key`]):
//! - [`Key::Dau`], [`Key::Engaged`], [`Key::NewMembers`]: one per member-day (acting; the first).
//! - [`Key::Return`]: each member-day with the gap to the member's previous active day, exact up
//!   to [`MAU_DAYS`], [`RETURN_CAP`] beyond or without one. The members of the `w` days ending
//!   `d` are those of the days `t` in that window whose previous day lies before it (gap greater
//!   than `t - (d - w + 1)`), so WAU and MAU are sums of these rows ([`window_counts`]).
//! - [`Key::Reach`]: per [`Track`] (any day, acting days, each kind), each member-day with the
//!   member's previous day on that track, or none when that is [`REACH_DAYS`] or more before.
//!   The distinct members of a range `a..=b` of at most [`MAX_RANGE_DAYS`] days are the rows of
//!   days in the range whose previous day is before `a` ([`distinct`]): totals and participation.
//! - [`Key::Cohort`]: per Monday week after (and including) the member's first week, the first
//!   day they were active in it, under their cohort's week: retention up to any `to`, also in
//!   the middle of a week ([`retention_of`]).

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::{
    Kind, Kinds, MAU_DAYS, MAX_RANGE_DAYS, Members, Parts, WAU_DAYS, assemble, monday_number,
    previous_range, week_start,
};
use crate::api::analytics::{AnalyticsDay, AnalyticsView, Cohort, Participation, Retention};
use crate::calendar::{date_of_day_number, day_number};

/// A previous day this many days or more before is stored as none in [`Key::Reach`]: it is
/// before the start of every range of at most [`MAX_RANGE_DAYS`] days that holds the later day.
pub const REACH_DAYS: i64 = MAX_RANGE_DAYS;
/// The [`Key::Return`] gap of a member-day whose previous day is more than [`MAU_DAYS`] before
/// (or that has none).
pub const RETURN_CAP: u8 = MAU_DAYS as u8 + 1;

/// Which of a member's days a distinct count looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Track {
    /// Every day seen or acting.
    Any,
    /// Days with any action.
    Acted,
    /// Days with this kind of action.
    Kind(Kind),
}

impl Track {
    pub const ALL: [Track; 8] = [
        Track::Any,
        Track::Acted,
        Track::Kind(Kind::Checkin),
        Track::Kind(Kind::Poll),
        Track::Kind(Kind::Lottery),
        Track::Kind(Kind::Feedback),
        Track::Kind(Kind::HostEvent),
        Track::Kind(Kind::Rewards),
    ];

    /// Its stored number (never renumber): 0 any, 1 acted, 2 + the kind's position.
    pub fn code(self) -> u8 {
        match self {
            Track::Any => 0,
            Track::Acted => 1,
            Track::Kind(kind) => 2 + Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u8,
        }
    }

    /// The track of a stored number.
    pub fn from_code(code: i64) -> Option<Track> {
        Track::ALL
            .into_iter()
            .find(|track| i64::from(track.code()) == code)
    }

    /// Whether a day with these kinds is on the track.
    pub fn includes(self, acted: Kinds) -> bool {
        match self {
            Track::Any => true,
            Track::Acted => !acted.is_empty(),
            Track::Kind(kind) => acted.contains(kind),
        }
    }
}

/// One aggregate row's key; its value is a count of member-days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Dau(Date),
    Engaged(Date),
    NewMembers(Date),
    /// `gap` 1 to [`MAU_DAYS`] days since the previous active day, else [`RETURN_CAP`].
    Return {
        day: Date,
        gap: u8,
    },
    Reach {
        track: Track,
        day: Date,
        prev: Option<Date>,
    },
    /// `day` is a member's first active day of its week; `week` the Monday of their first day.
    Cohort {
        week: Date,
        day: Date,
    },
}

/// Counts per key (zeros left out).
pub type Contribution = BTreeMap<Key, i64>;

/// One of a member's active days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberDay {
    pub day: Date,
    pub acted: Kinds,
}

/// What one member's days add to the site's aggregates. The days may come in any order; two
/// rows of one day count as one with both rows' kinds.
pub fn contribution(days: &[MemberDay]) -> Contribution {
    let mut sorted: Vec<MemberDay> = days.to_vec();
    sorted.sort_by_key(|d| d.day);
    sorted.dedup_by(|later, earlier| {
        let same = later.day == earlier.day;
        if same {
            earlier.acted = earlier.acted.with(later.acted);
        }
        same
    });
    let mut out = Contribution::new();
    let Some(first) = sorted.first() else {
        return out;
    };
    let cohort = week_start(first.day);
    *out.entry(Key::NewMembers(first.day)).or_default() += 1;
    let mut last_on: [Option<i64>; 8] = [None; 8];
    let mut last_week: Option<i64> = None;
    for member_day in &sorted {
        let (day, number) = (member_day.day, day_number(member_day.day));
        *out.entry(Key::Dau(day)).or_default() += 1;
        if !member_day.acted.is_empty() {
            *out.entry(Key::Engaged(day)).or_default() += 1;
        }
        let gap = last_on[0].map_or(i64::from(RETURN_CAP), |prev| number - prev);
        let gap = gap.min(i64::from(RETURN_CAP)) as u8;
        *out.entry(Key::Return { day, gap }).or_default() += 1;
        for (slot, track) in Track::ALL.into_iter().enumerate() {
            if !track.includes(member_day.acted) {
                continue;
            }
            let prev = last_on[slot]
                .filter(|prev| number - prev < REACH_DAYS)
                .map(date_of_day_number);
            *out.entry(Key::Reach { track, day, prev }).or_default() += 1;
            last_on[slot] = Some(number);
        }
        let week = monday_number(number);
        if last_week != Some(week) {
            *out.entry(Key::Cohort { week: cohort, day }).or_default() += 1;
            last_week = Some(week);
        }
    }
    out
}

/// What to add to the aggregates when a member's days change from `before` to `after`.
pub fn delta(before: &[MemberDay], after: &[MemberDay]) -> Contribution {
    let mut out = contribution(after);
    add(&mut out, &contribution(before), -1);
    out
}

/// Adds `sign` × `other` into `into`, dropping keys that reach zero.
pub fn add(into: &mut Contribution, other: &Contribution, sign: i64) {
    for (key, value) in other {
        let entry = into.entry(*key).or_default();
        *entry += sign * value;
        if *entry == 0 {
            into.remove(key);
        }
    }
}

/// Distinct members of `from..=to` on each track.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distinct {
    pub any: u64,
    pub acted: u64,
    pub participation: Participation,
}

impl Distinct {
    /// Adds `members` to a track's count.
    pub fn add(&mut self, track: Track, members: u64) {
        let p = &mut self.participation;
        let slot = match track {
            Track::Any => &mut self.any,
            Track::Acted => &mut self.acted,
            Track::Kind(Kind::Checkin) => &mut p.checkin,
            Track::Kind(Kind::Poll) => &mut p.poll,
            Track::Kind(Kind::Lottery) => &mut p.lottery,
            Track::Kind(Kind::Feedback) => &mut p.feedback,
            Track::Kind(Kind::HostEvent) => &mut p.host_event,
            Track::Kind(Kind::Rewards) => &mut p.rewards,
        };
        *slot += members;
    }
}

/// Whether a [`Key::Reach`] row of `day` with previous day `prev` counts a member of the
/// range starting `from` (for a `day` within a range of at most [`MAX_RANGE_DAYS`] days).
pub fn reaches(day: Date, prev: Option<Date>, from: Date, to: Date) -> bool {
    (from..=to).contains(&day) && prev.is_none_or(|prev| prev < from)
}

/// Distinct members of `from..=to` from the aggregates' [`Key::Reach`] rows (what the store
/// sums in SQL the same way).
pub fn distinct(totals: &Contribution, from: Date, to: Date) -> Distinct {
    let mut out = Distinct::default();
    for (key, &members) in totals {
        if let Key::Reach { track, day, prev } = *key
            && reaches(day, prev, from, to)
        {
            out.add(track, u64::try_from(members).unwrap_or(0));
        }
    }
    out
}

/// A day's additive numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub dau: u64,
    pub engaged: u64,
    pub new_members: u64,
    pub checkins: u64,
    pub points_issued: i64,
    pub points_spent: i64,
}

/// What the answer for `from..=to` is computed from: the rows of the days
/// [`super::facts_start`]`(from, to)..=to` (days, returns) and of the cohorts starting within
/// `from..=to`, and the distinct members of the range and of the previous range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteAggregates {
    pub days: BTreeMap<Date, DayCounts>,
    /// Member-days per day and [`Key::Return`] gap (index 1 to [`RETURN_CAP`]).
    pub returns: BTreeMap<Date, [u64; RETURN_CAP as usize + 1]>,
    /// `(cohort week, day, members)` of [`Key::Cohort`] rows.
    pub cohorts: Vec<(Date, Date, u64)>,
    pub range: Distinct,
    pub previous: Distinct,
    /// NPS answers (0–10) by the day they were sent.
    pub nps: Vec<(Date, u8)>,
}

impl SiteAggregates {
    /// The aggregates of `from..=to` out of summed contributions (with check-ins, points and
    /// NPS answers, which are not activity): what the store reads, built in memory.
    pub fn from_totals(
        totals: &Contribution,
        checkins: &BTreeMap<Date, u64>,
        points: &BTreeMap<Date, (i64, i64)>,
        nps: &[(Date, u8)],
        from: Date,
        to: Date,
    ) -> SiteAggregates {
        let start = super::facts_start(from, to);
        let (previous_from, previous_to) = previous_range(from, to);
        let mut out = SiteAggregates {
            range: distinct(totals, from, to),
            previous: distinct(totals, previous_from, previous_to),
            nps: nps.to_vec(),
            ..SiteAggregates::default()
        };
        let within = |day: &Date| (start..=to).contains(day);
        for (key, &n) in totals {
            let count = u64::try_from(n).unwrap_or(0);
            match *key {
                Key::Dau(day) if within(&day) => out.days.entry(day).or_default().dau += count,
                Key::Engaged(day) if within(&day) => {
                    out.days.entry(day).or_default().engaged += count;
                }
                Key::NewMembers(day) if within(&day) => {
                    out.days.entry(day).or_default().new_members += count;
                }
                Key::Return { day, gap } if within(&day) => {
                    out.returns.entry(day).or_default()[usize::from(gap)] += count;
                }
                Key::Cohort { week, day } if week >= from && day <= to => {
                    out.cohorts.push((week, day, count));
                }
                _ => {}
            }
        }
        for (day, &n) in checkins.iter().filter(|(day, _)| within(day)) {
            out.days.entry(*day).or_default().checkins += n;
        }
        for (day, &(issued, spent)) in points.iter().filter(|(day, _)| within(day)) {
            let counts = out.days.entry(*day).or_default();
            counts.points_issued += issued;
            counts.points_spent += spent;
        }
        out
    }
}

/// Per day of `from..=to`, the members with activity in the `window` days ending that day,
/// from the [`Key::Return`] rows of `from - window + 1..=to`.
pub fn window_counts(
    returns: &BTreeMap<Date, [u64; RETURN_CAP as usize + 1]>,
    from: Date,
    to: Date,
    window: i64,
) -> Vec<u64> {
    let (first, last) = (day_number(from), day_number(to));
    (first..=last)
        .map(|d| {
            let start = d - window + 1;
            (start..=d)
                .map(|t| {
                    let Some(gaps) = returns.get(&date_of_day_number(t)) else {
                        return 0;
                    };
                    // A member-day counts when its previous day is before the window.
                    let beyond = (t - start + 1).clamp(1, i64::from(RETURN_CAP)) as usize;
                    gaps[beyond..].iter().sum::<u64>()
                })
                .sum()
        })
        .collect()
}

/// The day rows of `from..=to` from the aggregates.
pub fn day_rows_of(aggregates: &SiteAggregates, from: Date, to: Date) -> Vec<AnalyticsDay> {
    let wau = window_counts(&aggregates.returns, from, to, WAU_DAYS);
    let mau = window_counts(&aggregates.returns, from, to, MAU_DAYS);
    (day_number(from)..=day_number(to))
        .enumerate()
        .map(|(i, number)| {
            let date = date_of_day_number(number);
            let counts = aggregates.days.get(&date).copied().unwrap_or_default();
            AnalyticsDay {
                date,
                dau: counts.dau,
                wau: wau[i],
                mau: mau[i],
                engaged: counts.engaged,
                new_members: counts.new_members,
                checkins: counts.checkins,
                points_issued: counts.points_issued,
                points_spent: counts.points_spent,
            }
        })
        .collect()
}

/// Weekly cohorts starting within `from..=to` from [`Key::Cohort`] rows, counting activity up
/// to `to` (as [`super::retention`] does over member-days).
pub fn retention_of(cohort_rows: &[(Date, Date, u64)], from: Date, to: Date) -> Retention {
    let to_number = day_number(to);
    let mut cohorts: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
    let mut monday = monday_number(day_number(from) + 6);
    while monday <= to_number {
        cohorts.insert(monday, vec![0; ((to_number - monday) / 7 + 1) as usize]);
        monday += 7;
    }
    for &(week, day, members) in cohort_rows {
        let (week, number) = (day_number(week), day_number(day));
        if number > to_number || number < week {
            continue;
        }
        if let Some(retained) = cohorts.get_mut(&week) {
            let k = ((monday_number(number) - week) / 7) as usize;
            if let Some(slot) = retained.get_mut(k) {
                *slot += members;
            }
        }
    }
    Retention {
        cohorts: cohorts
            .into_iter()
            .map(|(week, retained)| Cohort {
                week: date_of_day_number(week),
                size: retained[0],
                retained,
            })
            .collect(),
    }
}

/// The whole answer for `from..=to` from the aggregates; like [`super::analytics_view`], the
/// lists the server reads directly are left empty.
pub fn view(aggregates: &SiteAggregates, from: Date, to: Date) -> AnalyticsView {
    let (previous_from, previous_to) = previous_range(from, to);
    let members = |d: &Distinct| Members {
        active: d.any,
        engaged: d.acted,
    };
    assemble(
        Parts {
            days: day_rows_of(aggregates, from, to),
            previous_days: day_rows_of(aggregates, previous_from, previous_to),
            members: members(&aggregates.range),
            previous_members: members(&aggregates.previous),
            participation: aggregates.range.participation.clone(),
            retention: retention_of(&aggregates.cohorts, from, to),
        },
        &aggregates.nps,
        from,
        to,
    )
}

#[cfg(test)]
mod tests;
