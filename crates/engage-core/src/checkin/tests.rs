use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;
use crate::rules::{CheckinRules, MakeupRules, Milestone};

fn days(list: &[Date]) -> BTreeSet<Date> {
    list.iter().copied().collect()
}

fn nov(day: i8) -> Date {
    date(2026, 11, day)
}

#[test]
fn streaks() {
    let check = |checked: &[Date], today: Date, current: u32, longest: u32| {
        let set = days(checked);
        assert_eq!(
            current_streak(&set, today),
            current,
            "current for {checked:?} on {today}"
        );
        assert_eq!(longest_streak(&set), longest, "longest for {checked:?}");
    };
    check(&[], nov(21), 0, 0);
    check(&[nov(21)], nov(21), 1, 1);
    // Today still open: yesterday's run is alive.
    check(&[nov(19), nov(20)], nov(21), 2, 2);
    // A whole day missed: the run is broken.
    check(&[nov(18), nov(19)], nov(21), 0, 2);
    check(
        &[nov(1), nov(2), nov(3), nov(10), nov(20), nov(21)],
        nov(21),
        2,
        3,
    );
    // Across a month and a year boundary.
    check(
        &[date(2026, 12, 31), date(2027, 1, 1)],
        date(2027, 1, 1),
        2,
        2,
    );
    check(
        &[date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)],
        date(2024, 3, 1),
        3,
        3,
    );
}

fn rules() -> CheckinRules {
    CheckinRules {
        points: 10,
        milestones: vec![
            Milestone { day: 7, bonus: 50 },
            Milestone {
                day: 30,
                bonus: 200,
            },
        ],
        makeup: MakeupRules {
            enabled: true,
            window_days: 3,
            cost: 20,
            max_per_month: Some(2),
        },
    }
}

#[test]
fn awards_and_milestones() {
    let check = |streak, base, bonus, milestone| {
        assert_eq!(
            checkin_award(&rules(), streak),
            CheckinAward {
                base,
                bonus,
                milestone
            }
        );
    };
    check(1, 10, 0, None);
    check(6, 10, 0, None);
    check(7, 10, 50, Some(7));
    check(8, 10, 0, None);
    check(30, 10, 200, Some(30));
    assert_eq!(checkin_award(&rules(), 7).total(), 60);
    assert_eq!(next_milestone(&rules(), 0).map(|m| m.day), Some(7));
    assert_eq!(next_milestone(&rules(), 7).map(|m| m.day), Some(30));
    assert_eq!(next_milestone(&rules(), 30), None);
}

#[test]
fn makeup_rules() {
    let checked = days(&[nov(17), nov(19), nov(21)]);
    let check = |day: Date, used: u32, balance: i64, expect: Result<i64, MakeupError>| {
        assert_eq!(
            makeup_cost(&rules(), &checked, nov(21), day, used, balance),
            expect,
            "{day}"
        );
    };
    check(nov(20), 0, 100, Ok(20));
    check(nov(18), 0, 100, Ok(20));
    check(nov(18), 0, 20, Ok(20));
    check(
        nov(19),
        0,
        100,
        Err(MakeupError::AlreadyCheckedIn { day: nov(19) }),
    );
    check(nov(21), 0, 100, Err(MakeupError::NotPast { day: nov(21) }));
    check(nov(22), 0, 100, Err(MakeupError::NotPast { day: nov(22) }));
    check(
        nov(17),
        0,
        100,
        Err(MakeupError::OutsideWindow {
            day: nov(17),
            window_days: 3,
        }),
    );
    check(
        nov(16),
        0,
        100,
        Err(MakeupError::OutsideWindow {
            day: nov(16),
            window_days: 3,
        }),
    );
    check(
        nov(20),
        2,
        100,
        Err(MakeupError::MonthlyLimit { max_per_month: 2 }),
    );
    check(
        nov(20),
        0,
        19,
        Err(MakeupError::InsufficientPoints {
            cost: 20,
            balance: 19,
        }),
    );

    let mut off = rules();
    off.makeup.enabled = false;
    assert_eq!(
        makeup_cost(&off, &checked, nov(21), nov(20), 0, 100),
        Err(MakeupError::Disabled)
    );
    assert_eq!(makeup_offer(&off, &checked, nov(21), 0), None);
}

#[test]
fn makeup_offer_lists_missed_days_in_the_window() {
    let checked = days(&[nov(17), nov(19), nov(21)]);
    let offer = makeup_offer(&rules(), &checked, nov(21), 1).unwrap();
    assert_eq!(offer.missed, vec![nov(18), nov(20)]);
    assert_eq!(offer.cost, 20);
    assert_eq!(offer.left_this_month, Some(1));
}

#[test]
fn a_makeup_repairs_the_streak() {
    let mut checked = days(&[nov(18), nov(19), nov(21)]);
    assert_eq!(current_streak(&checked, nov(21)), 1);
    makeup_cost(&rules(), &checked, nov(21), nov(20), 0, 100).unwrap();
    checked.insert(nov(20));
    assert_eq!(current_streak(&checked, nov(21)), 4);
}

#[test]
fn days_in_a_month() {
    let checked = days(&[date(2026, 10, 31), nov(1), nov(30), date(2026, 12, 1)]);
    let month = crate::calendar::YearMonth {
        year: 2026,
        month: 11,
    };
    assert_eq!(days_in_month(&checked, month), vec![nov(1), nov(30)]);
}

fn arb_days() -> impl Strategy<Value = BTreeSet<Date>> {
    prop::collection::btree_set(0i64..120, 0..80).prop_map(|offsets| {
        offsets
            .into_iter()
            .map(|o| nov(1).checked_add(o.days()).unwrap())
            .collect()
    })
}

proptest! {
    #[test]
    fn streak_properties(set in arb_days(), offset in 0i64..130) {
        let today = nov(1).checked_add(offset.days()).unwrap();
        let current = current_streak(&set, today);
        let longest = longest_streak(&set);
        prop_assert!(current <= longest);
        prop_assert!(longest as usize <= set.len());
        prop_assert_eq!(longest == 0, set.is_empty());
        // Every day of the current streak is checked in.
        let end = if set.contains(&today) { today } else { today.yesterday().unwrap() };
        for back in 0..current {
            prop_assert!(set.contains(&end.checked_sub(i64::from(back).days()).unwrap()));
        }
        // And the day before it is not.
        if current > 0 {
            prop_assert!(!set.contains(&end.checked_sub(i64::from(current).days()).unwrap()));
        }
    }

    #[test]
    fn checking_in_today_never_shortens_a_streak(set in arb_days(), offset in 0i64..130) {
        let today = nov(1).checked_add(offset.days()).unwrap();
        let before = current_streak(&set, today);
        let mut after_set = set.clone();
        after_set.insert(today);
        let after = current_streak(&after_set, today);
        prop_assert!(after >= before);
        prop_assert!(after >= 1);
        prop_assert!(longest_streak(&after_set) >= longest_streak(&set));
    }
}
