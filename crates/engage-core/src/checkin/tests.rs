use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;
use crate::rules::{CheckinRules, MakeupRules, Milestone};

fn days(list: &[Date]) -> BTreeSet<Date> {
    list.iter().copied().collect()
}

/// No frozen days.
fn none() -> BTreeSet<Date> {
    BTreeSet::new()
}

fn nov(day: i8) -> Date {
    date(2026, 11, day)
}

#[test]
fn streaks() {
    let check = |checked: &[Date], today: Date, current: u32, longest: u32| {
        let set = days(checked);
        assert_eq!(
            current_streak(&set, &none(), today),
            current,
            "current for {checked:?} on {today}"
        );
        assert_eq!(
            longest_streak(&set, &none()),
            longest,
            "longest for {checked:?}"
        );
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
            makeup_cost(&rules(), &checked, &none(), nov(21), day, used, balance),
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
        makeup_cost(&off, &checked, &none(), nov(21), nov(20), 0, 100),
        Err(MakeupError::Disabled)
    );
    assert_eq!(makeup_offer(&off, &checked, &none(), nov(21), 0), None);
}

#[test]
fn makeup_offer_lists_missed_days_in_the_window() {
    let checked = days(&[nov(17), nov(19), nov(21)]);
    let offer = makeup_offer(&rules(), &checked, &none(), nov(21), 1).unwrap();
    assert_eq!(offer.missed, vec![nov(18), nov(20)]);
    assert_eq!(offer.cost, 20);
    assert_eq!(offer.left_this_month, Some(1));
}

#[test]
fn a_makeup_repairs_the_streak() {
    let mut checked = days(&[nov(18), nov(19), nov(21)]);
    assert_eq!(current_streak(&checked, &none(), nov(21)), 1);
    makeup_cost(&rules(), &checked, &none(), nov(21), nov(20), 0, 100).unwrap();
    checked.insert(nov(20));
    assert_eq!(current_streak(&checked, &none(), nov(21)), 4);
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
        let current = current_streak(&set, &none(), today);
        let longest = longest_streak(&set, &none());
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
        let before = current_streak(&set, &none(), today);
        let mut after_set = set.clone();
        after_set.insert(today);
        let after = current_streak(&after_set, &none(), today);
        prop_assert!(after >= before);
        prop_assert!(after >= 1);
        prop_assert!(longest_streak(&after_set, &none()) >= longest_streak(&set, &none()));
    }
}

#[test]
fn a_frozen_day_keeps_the_streak_without_adding_to_it() {
    // PRODUCT.md: a run of 2, a frozen day, then a check-in gives a streak of 3.
    let checked = days(&[nov(1), nov(2), nov(4)]);
    let frozen = days(&[nov(3)]);
    assert_eq!(current_streak(&checked, &frozen, nov(4)), 3);
    assert_eq!(longest_streak(&checked, &frozen), 3);
    assert_eq!(streak_ending_on(&checked, &frozen, nov(3)), 2);
    // Without the freeze the run is broken.
    assert_eq!(current_streak(&checked, &none(), nov(4)), 1);
    assert_eq!(longest_streak(&checked, &none()), 2);
    // While today is open, the run ending yesterday is alive through a frozen day.
    assert_eq!(current_streak(&days(&[nov(1), nov(2)]), &frozen, nov(4)), 2);
}

#[test]
fn freezes_cover_the_whole_gap_or_nothing() {
    let check = |checked: &[Date], frozen: &[Date], held: u32, today: Date, expect: &[Date]| {
        assert_eq!(
            freezes_for_checkin(&days(checked), &days(frozen), held, today),
            expect.to_vec(),
            "{checked:?} frozen {frozen:?}, {held} held, on {today}"
        );
    };
    // Nothing missed, or a first check-in: no freeze used.
    check(&[nov(1), nov(2)], &[], 3, nov(3), &[]);
    check(&[], &[], 3, nov(3), &[]);
    // One missed day, one freeze each.
    check(&[nov(1), nov(2)], &[], 1, nov(4), &[nov(3)]);
    check(&[nov(1), nov(2)], &[], 3, nov(5), &[nov(3), nov(4)]);
    // Not enough to cover the gap: none used, the streak restarts.
    check(&[nov(1), nov(2)], &[], 1, nov(5), &[]);
    check(&[nov(1)], &[], 0, nov(3), &[]);
    // Already checked in today: nothing more.
    check(&[nov(1), nov(3)], &[nov(2)], 5, nov(3), &[]);
    // The gap counts from the last frozen day when it is later.
    check(&[nov(1)], &[nov(2)], 1, nov(4), &[nov(3)]);
    // Across a month boundary.
    check(&[date(2026, 10, 30)], &[], 2, nov(1), &[date(2026, 10, 31)]);
}

#[test]
fn a_frozen_day_cannot_be_made_up_and_is_not_offered() {
    let checked = days(&[nov(18), nov(19), nov(21)]);
    let frozen = days(&[nov(20)]);
    assert_eq!(
        makeup_cost(&rules(), &checked, &frozen, nov(21), nov(20), 0, 100),
        Err(MakeupError::Frozen { day: nov(20) })
    );
    let offer = makeup_offer(&rules(), &checked, &frozen, nov(21), 0).unwrap();
    assert!(!offer.missed.contains(&nov(20)), "{:?}", offer.missed);
}

fn arb_frozen_history() -> impl Strategy<Value = (BTreeSet<Date>, BTreeSet<Date>)> {
    // Each of 90 days: 0 missed, 1 checked in, 2 frozen.
    prop::collection::vec(0u8..3, 90).prop_map(|marks| {
        let mut checked = BTreeSet::new();
        let mut frozen = BTreeSet::new();
        for (offset, mark) in (0i64..).zip(marks) {
            let day = nov(1).checked_add(offset.days()).unwrap();
            match mark {
                1 => {
                    checked.insert(day);
                }
                2 => {
                    frozen.insert(day);
                }
                _ => {}
            }
        }
        (checked, frozen)
    })
}

proptest! {
    /// Checking in, day after day, with freezes used as `freezes_for_checkin` says: the freezes
    /// used equal the frozen days, never more than were held, only on missed days, and a gap
    /// is frozen whole or not at all.
    #[test]
    fn freezes_are_spent_one_a_missed_day(
        marks in prop::collection::vec(prop::bool::ANY, 1..60),
        bought in prop::collection::vec(0u32..3, 60),
    ) {
        let mut checked = BTreeSet::new();
        let mut frozen = BTreeSet::new();
        let mut held = 0u32;
        let mut bought_total = 0u32;
        for (offset, (&checks_in, &buys)) in (0i64..).zip(marks.iter().zip(&bought)) {
            let today = nov(1).checked_add(offset.days()).unwrap();
            held += buys;
            bought_total += buys;
            if !checks_in {
                continue;
            }
            let before = current_streak(&checked, &frozen, today);
            let used = freezes_for_checkin(&checked, &frozen, held, today);
            prop_assert!(used.len() as u32 <= held);
            for day in &used {
                prop_assert!(*day < today);
                prop_assert!(!checked.contains(day) && !frozen.contains(day));
            }
            held -= used.len() as u32;
            frozen.extend(used.iter().copied());
            checked.insert(today);
            let after = current_streak(&checked, &frozen, today);
            // A streak is the checked-in days of its run: frozen days add nothing.
            prop_assert!(after <= checked.len() as u32);
            if used.is_empty() {
                // Either nothing was missed (the streak grows by one) or it restarts at 1.
                prop_assert!(after == before + 1 || after == 1, "{} then {}", before, after);
            } else {
                // The gap was covered: the run goes on, one longer.
                let yesterday = today.yesterday().unwrap();
                prop_assert!(frozen.contains(&yesterday));
                prop_assert_eq!(after, streak_ending_on(&checked, &frozen, yesterday) + 1);
            }
        }
        prop_assert_eq!(held + frozen.len() as u32, bought_total);
    }

    /// Frozen days never shorten a streak, and never make one longer than its checked-in days.
    #[test]
    fn frozen_days_only_join_runs((checked, frozen) in arb_frozen_history(), offset in 0i64..95) {
        let today = nov(1).checked_add(offset.days()).unwrap();
        let with = current_streak(&checked, &frozen, today);
        let without = current_streak(&checked, &none(), today);
        prop_assert!(with >= without);
        prop_assert!(longest_streak(&checked, &frozen) >= longest_streak(&checked, &none()));
        prop_assert!(longest_streak(&checked, &frozen) as usize <= checked.len());
        prop_assert!(with <= longest_streak(&checked, &frozen));
    }
}
