use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::{Weekday, date};
use jiff::tz::TimeZone;
use proptest::prelude::*;

use super::*;
use crate::calendar::calendar_day;

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

/// Facts from `(member, day, kinds)` rows (kinds: letters c p l f h r, empty = seen only);
/// first days are each member's earliest row.
fn facts(rows: &[(u32, &str, &str)]) -> SiteFacts {
    let mut first: BTreeMap<u32, Date> = BTreeMap::new();
    let activity = rows
        .iter()
        .map(|&(member, d, kinds)| {
            let d = day(d);
            let entry = first.entry(member).or_insert(d);
            *entry = (*entry).min(d);
            Activity {
                member,
                day: d,
                acted: kinds_of(kinds),
            }
        })
        .collect();
    SiteFacts {
        activity,
        first_days: first.into_iter().collect(),
        ..SiteFacts::default()
    }
}

fn kinds_of(letters: &str) -> Kinds {
    letters.chars().fold(Kinds::NONE, |kinds, letter| {
        let kind = match letter {
            'c' => Kind::Checkin,
            'p' => Kind::Poll,
            'l' => Kind::Lottery,
            'f' => Kind::Feedback,
            'h' => Kind::HostEvent,
            'r' => Kind::Rewards,
            other => panic!("unknown kind letter {other}"),
        };
        kinds.with(Kinds::of(kind))
    })
}

/// `(date, dau, wau, mau, engaged, new_members)` of each day of `from..=to`.
fn check_days(facts: &SiteFacts, from: &str, to: &str, expect: &[(&str, u64, u64, u64, u64, u64)]) {
    let rows = day_rows(facts, day(from), day(to));
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.date, r.dau, r.wau, r.mau, r.engaged, r.new_members))
        .collect();
    let want: Vec<_> = expect
        .iter()
        .map(|&(d, a, b, c, e, n)| (day(d), a, b, c, e, n))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn daily_weekly_and_monthly_actives() {
    let facts = facts(&[
        (1, "2026-03-01", ""),
        (1, "2026-03-02", "c"),
        (2, "2026-03-02", "p"),
        (1, "2026-03-08", ""),
        (3, "2026-03-09", "cl"),
    ]);
    check_days(
        &facts,
        "2026-03-01",
        "2026-03-10",
        &[
            ("2026-03-01", 1, 1, 1, 0, 1),
            ("2026-03-02", 2, 2, 2, 2, 1),
            ("2026-03-03", 0, 2, 2, 0, 0),
            ("2026-03-04", 0, 2, 2, 0, 0),
            ("2026-03-05", 0, 2, 2, 0, 0),
            ("2026-03-06", 0, 2, 2, 0, 0),
            ("2026-03-07", 0, 2, 2, 0, 0),
            ("2026-03-08", 1, 2, 2, 0, 0),
            // Member 2's last day (03-02) leaves the 7-day window; member 3 is new.
            ("2026-03-09", 1, 2, 3, 1, 1),
            ("2026-03-10", 0, 2, 3, 0, 0),
        ],
    );
}

#[test]
fn the_windows_end_after_seven_and_thirty_days() {
    let facts = facts(&[(7, "2026-01-01", "h")]);
    let rows = day_rows(&facts, day("2026-01-01"), day("2026-02-05"));
    let wau: Vec<u64> = rows.iter().map(|r| r.wau).collect();
    let mau: Vec<u64> = rows.iter().map(|r| r.mau).collect();
    assert_eq!(wau.iter().filter(|&&n| n == 1).count(), 7);
    assert_eq!(wau[6], 1);
    assert_eq!(wau[7], 0);
    assert_eq!(mau.iter().filter(|&&n| n == 1).count(), 30);
    assert_eq!(mau[29], 1, "2026-01-30 is the 30th day ending with 01-01");
    assert_eq!(mau[30], 0);
}

#[test]
fn activity_before_the_range_counts_in_its_windows() {
    // Seen on 02-10 only: on 03-01 (19 days later) still in the MAU, not the WAU.
    let facts = facts(&[(1, "2026-02-10", "")]);
    check_days(
        &facts,
        "2026-03-01",
        "2026-03-01",
        &[("2026-03-01", 0, 0, 1, 0, 0)],
    );
}

#[test]
fn days_around_midnight_in_far_zones() {
    // Pacific/Kiritimati is UTC+14 all year; America/Adak is UTC-10 (UTC-9 in summer).
    let kiritimati = TimeZone::get("Pacific/Kiritimati").unwrap();
    let adak = TimeZone::get("America/Adak").unwrap();
    let at = |text: &str| text.parse::<Timestamp>().unwrap();
    let check = |zone: &TimeZone, instant: &str, expect: &str| {
        assert_eq!(calendar_day(at(instant), zone), day(expect), "{instant}");
    };
    check(&kiritimati, "2026-03-01T09:59:59Z", "2026-03-01");
    check(&kiritimati, "2026-03-01T10:00:00Z", "2026-03-02");
    check(&adak, "2026-01-15T09:59:59Z", "2026-01-14");
    check(&adak, "2026-01-15T10:00:00Z", "2026-01-15");
    // Summer time: UTC-9.
    check(&adak, "2026-07-15T08:59:59Z", "2026-07-14");
    check(&adak, "2026-07-15T09:00:00Z", "2026-07-15");

    // Two requests one second apart in UTC, on two site-local days and, in Kiritimati, in two
    // weeks: 2026-03-01 is a Sunday, 03-02 a Monday.
    let member_day = |member, instant: &str| Activity {
        member,
        day: calendar_day(at(instant), &kiritimati),
        acted: Kinds::NONE,
    };
    let facts = SiteFacts {
        activity: vec![
            member_day(1, "2026-03-01T09:59:59Z"),
            member_day(1, "2026-03-01T10:00:00Z"),
            member_day(2, "2026-03-01T10:00:00Z"),
        ],
        first_days: vec![(1, day("2026-03-01")), (2, day("2026-03-02"))],
        ..SiteFacts::default()
    };
    assert_eq!(day("2026-03-02").weekday(), Weekday::Monday);
    check_days(
        &facts,
        "2026-03-01",
        "2026-03-02",
        &[("2026-03-01", 1, 1, 1, 0, 1), ("2026-03-02", 2, 2, 2, 0, 1)],
    );
    // Member 1's cohort is the week of 02-23 (outside the range); member 2 starts 03-02's.
    let retention = retention(&facts, day("2026-02-23"), day("2026-03-02"));
    assert_eq!(
        retention.cohorts,
        vec![
            Cohort {
                week: day("2026-02-23"),
                size: 1,
                retained: vec![1, 1],
            },
            Cohort {
                week: day("2026-03-02"),
                size: 1,
                retained: vec![1],
            },
        ]
    );
}

#[test]
fn weeks_start_on_monday() {
    let check = |d: &str, monday: &str| assert_eq!(week_start(day(d)), day(monday), "{d}");
    check("2026-03-01", "2026-02-23");
    check("2026-03-02", "2026-03-02");
    check("2026-03-08", "2026-03-02");
    check("2027-01-01", "2026-12-28");
    check("1969-12-31", "1969-12-29");
    check("2024-02-29", "2024-02-26");
}

#[test]
fn retention_triangle() {
    // 2026-03-02 and 03-09 are Mondays.
    let facts = facts(&[
        (1, "2026-03-02", "c"),
        (2, "2026-03-04", ""),
        (3, "2026-03-08", "p"),
        (1, "2026-03-10", ""),
        (1, "2026-03-11", "c"),
        (3, "2026-03-17", ""),
        (4, "2026-03-09", ""),
        (4, "2026-03-16", "f"),
        (2, "2026-03-20", ""),
    ]);
    let got = retention(&facts, day("2026-03-01"), day("2026-03-18"));
    assert_eq!(
        got.cohorts,
        vec![
            Cohort {
                week: day("2026-03-02"),
                size: 3,
                // Member 2's 03-20 is after `to`.
                retained: vec![3, 1, 1],
            },
            Cohort {
                week: day("2026-03-09"),
                size: 1,
                retained: vec![1, 1],
            },
            Cohort {
                week: day("2026-03-16"),
                size: 0,
                retained: vec![0],
            },
        ]
    );
    // A range starting mid-week has no cohort for that week.
    let got = retention(&facts, day("2026-03-03"), day("2026-03-09"));
    assert_eq!(got.cohorts.len(), 1);
    assert_eq!(got.cohorts[0].week, day("2026-03-09"));
}

#[test]
fn participation_counts_distinct_members_per_kind() {
    let facts = facts(&[
        (1, "2026-03-01", "c"),
        (1, "2026-03-02", "cp"),
        (2, "2026-03-02", "l"),
        (3, "2026-03-02", ""),
        (4, "2026-02-28", "f"),
        (5, "2026-03-03", "hr"),
    ]);
    assert_eq!(
        participation(&facts, day("2026-03-01"), day("2026-03-03")),
        Participation {
            checkin: 1,
            poll: 1,
            lottery: 1,
            feedback: 0,
            host_event: 1,
            rewards: 1,
        }
    );
}

#[test]
fn net_promoter_score_rounds_the_exact_ratio() {
    let check = |p, n, d, expect| assert_eq!(nps_percent(p, n, d), expect, "{p} {n} {d}");
    check(0, 0, 0, None);
    check(1, 0, 0, Some(100));
    check(0, 0, 1, Some(-100));
    check(1, 1, 1, Some(0));
    check(2, 1, 0, Some(67));
    check(1, 2, 0, Some(33));
    // 12.5 and -12.5: halves away from zero.
    check(1, 7, 0, Some(13));
    check(0, 7, 1, Some(-13));
    // 1/6 = 16.67 → 17; feedback's one-decimal 16.7 agrees.
    check(1, 5, 0, Some(17));
    // 0.5 exactly: the one-decimal score would say 0.5 too, rounding it again gives 1 as well;
    // 1/3 of a point (0.333) rounds to 0.
    check(1, 198, 0, Some(1));
    check(1, 299, 0, Some(0));
}

#[test]
fn nps_per_week_within_the_range() {
    let facts = SiteFacts {
        nps: vec![
            (day("2026-03-01"), 10), // Sunday, before the range
            (day("2026-03-02"), 10),
            (day("2026-03-03"), 3),
            (day("2026-03-04"), 8),
            (day("2026-03-10"), 9),
        ],
        ..SiteFacts::default()
    };
    let weeks = nps_weeks(&facts, day("2026-03-02"), day("2026-03-16"));
    let got: Vec<_> = weeks
        .iter()
        .map(|w| (w.week, w.responses, w.score))
        .collect();
    assert_eq!(
        got,
        vec![
            (day("2026-03-02"), 3, Some(0)),
            (day("2026-03-09"), 1, Some(100)),
            (day("2026-03-16"), 0, None),
        ]
    );
}

#[test]
fn ranges() {
    assert_eq!(check_range(day("2026-03-01"), day("2026-03-01")), Ok(1));
    assert_eq!(check_range(day("2024-01-01"), day("2024-12-31")), Ok(366));
    assert_eq!(
        check_range(day("2024-01-01"), day("2025-01-01")),
        Err(RangeError::TooLong { days: 367 })
    );
    assert!(matches!(
        check_range(day("2026-03-02"), day("2026-03-01")),
        Err(RangeError::Reversed { .. })
    ));
    assert_eq!(
        default_range(day("2026-03-30")),
        (day("2026-03-01"), day("2026-03-30"))
    );
    assert_eq!(
        previous_range(day("2026-03-01"), day("2026-03-30")),
        (day("2026-01-30"), day("2026-02-28"))
    );
    assert_eq!(
        facts_start(day("2026-03-01"), day("2026-03-30")),
        day("2026-01-01")
    );
}

#[test]
fn the_view_and_its_totals() {
    let mut facts = facts(&[
        (1, "2026-02-27", "c"),
        (1, "2026-03-01", "c"),
        (2, "2026-03-01", ""),
        (2, "2026-03-02", "p"),
    ]);
    facts.checkins = [(day("2026-02-27"), 1), (day("2026-03-01"), 1)].into();
    facts.points = [(day("2026-03-01"), (10, 0)), (day("2026-03-02"), (5, 3))].into();
    facts.nps = vec![(day("2026-03-02"), 9), (day("2026-02-27"), 2)];
    let view = analytics_view(&facts, day("2026-03-01"), day("2026-03-02"));
    let totals = view.totals.unwrap();
    assert_eq!(
        (
            totals.active,
            totals.engaged,
            totals.new_members,
            totals.checkins
        ),
        (2, 2, 1, 1)
    );
    assert_eq!((totals.points_issued, totals.points_spent), (15, 3));
    assert_eq!((totals.nps, totals.nps_responses), (Some(100), 1));
    // dau 2 and 1 over mau 2 and 2.
    assert_eq!(totals.avg_dau, 1.5);
    assert_eq!(totals.stickiness, 0.75);
    assert_eq!(totals.checkin_rate, 0.3333);
    let previous = view.previous.unwrap();
    assert_eq!(
        (previous.from, previous.to),
        (day("2026-02-27"), day("2026-02-28"))
    );
    assert_eq!(
        (
            previous.active,
            previous.engaged,
            previous.new_members,
            previous.checkins
        ),
        (1, 1, 1, 1)
    );
    assert_eq!((previous.nps, previous.nps_responses), (Some(-100), 1));
    assert_eq!(view.days.len(), 2);
    assert_eq!(view.nps.len(), 2, "the weeks of 02-23 and 03-02");
}

#[test]
fn kinds_keep_their_bits() {
    assert_eq!(Kinds::from_bits(0b11_1111).bits(), 0b11_1111);
    assert_eq!(Kinds::from_bits(0b1100_0001).bits(), 1);
    assert!(Kinds::of(Kind::Rewards).contains(Kind::Rewards));
    assert!(!Kinds::of(Kind::Rewards).contains(Kind::Checkin));
}

#[test]
fn day_numbers_round_trip() {
    for number in [-800_000, -1, 0, 1, 59, 10_000, 20_513, 2_000_000] {
        assert_eq!(day_number(date_of_day_number(number)), number);
    }
    assert_eq!(date_of_day_number(0), date(1970, 1, 1));
}

/// Random activity: up to 12 members over 120 days from 2026-01-01, one row per member-day.
fn arbitrary_facts() -> impl Strategy<Value = SiteFacts> {
    prop::collection::btree_map((0_u32..12, 0_i64..120), 0_u8..64, 0..150).prop_map(|rows| {
        let base = day_number(date(2026, 1, 1));
        let mut first: BTreeMap<u32, Date> = BTreeMap::new();
        let activity = rows
            .into_iter()
            .map(|((member, offset), bits)| {
                let d = date_of_day_number(base + offset);
                let entry = first.entry(member).or_insert(d);
                *entry = (*entry).min(d);
                Activity {
                    member,
                    day: d,
                    acted: Kinds::from_bits(i64::from(bits)),
                }
            })
            .collect();
        SiteFacts {
            activity,
            first_days: first.into_iter().collect(),
            ..SiteFacts::default()
        }
    })
}

/// Members with a row in the `window` days ending `d`, counted the slow way.
fn naive_distinct(facts: &SiteFacts, d: Date, window: i64) -> u64 {
    let start = add_days(d, 1 - window);
    facts
        .activity
        .iter()
        .filter(|r| (start..=d).contains(&r.day))
        .map(|r| r.member)
        .collect::<BTreeSet<_>>()
        .len() as u64
}

proptest! {
    #[test]
    fn metrics_hold_their_invariants(
        facts in arbitrary_facts(),
        from_offset in 0_i64..100,
        len in 1_i64..60,
    ) {
        let from = add_days(date(2026, 1, 1), from_offset);
        let to = add_days(from, len - 1);
        let view = analytics_view(&facts, from, to);
        prop_assert_eq!(view.days.len() as i64, len);
        for row in &view.days {
            prop_assert!(row.wau >= row.dau);
            prop_assert!(row.mau >= row.wau);
            prop_assert!(row.dau >= row.engaged);
            prop_assert!(row.dau >= row.new_members);
            prop_assert_eq!(row.dau, naive_distinct(&facts, row.date, 1));
            prop_assert_eq!(row.wau, naive_distinct(&facts, row.date, WAU_DAYS));
            prop_assert_eq!(row.mau, naive_distinct(&facts, row.date, MAU_DAYS));
        }
        let totals = view.totals.unwrap();
        let max_dau = view.days.iter().map(|d| d.dau).max().unwrap_or(0);
        prop_assert!(totals.active >= max_dau);
        prop_assert!(totals.active >= totals.engaged);
        prop_assert!((0.0..=1.0).contains(&totals.stickiness));
        let p = &view.participation;
        for kind in [p.checkin, p.poll, p.lottery, p.feedback, p.host_event, p.rewards] {
            prop_assert!(kind <= totals.engaged);
        }
        for cohort in &view.retention.cohorts {
            prop_assert_eq!(cohort.retained.first().copied(), Some(cohort.size));
            prop_assert!(cohort.retained.iter().all(|&n| n <= cohort.size));
            prop_assert!(cohort.week >= from && cohort.week <= to);
            prop_assert_eq!(cohort.week.weekday(), Weekday::Monday);
            let weeks_begun = (day_number(to) - day_number(cohort.week)) / 7 + 1;
            prop_assert_eq!(cohort.retained.len() as i64, weeks_begun);
        }
        let cohort_sizes: u64 = view.retention.cohorts.iter().map(|c| c.size).sum();
        prop_assert!(cohort_sizes <= totals.new_members);
    }

    #[test]
    fn nps_is_a_percentage(p in 0_u64..500, n in 0_u64..500, d in 0_u64..500) {
        match nps_percent(p, n, d) {
            None => prop_assert_eq!(p + n + d, 0),
            Some(score) => {
                prop_assert!((-100..=100).contains(&score));
                let exact = (p as f64 - d as f64) * 100.0 / (p + n + d) as f64;
                prop_assert!((f64::from(score) - exact).abs() <= 0.5 + 1e-9);
            }
        }
    }
}
