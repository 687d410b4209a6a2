use jiff::civil::{Weekday, date};
use proptest::prelude::*;

use super::*;

#[test]
fn periods_in_site_local_days() {
    let check = |period, day: Date, expect: Option<(Date, Date)>| {
        assert_eq!(period_bounds(period, day), expect, "{period} of {day}");
    };
    // 2026-11-20 is a Friday.
    let friday = date(2026, 11, 20);
    check(Period::Day, friday, Some((friday, friday)));
    check(
        Period::Week,
        friday,
        Some((date(2026, 11, 16), date(2026, 11, 22))),
    );
    check(
        Period::Week,
        date(2026, 11, 16),
        Some((date(2026, 11, 16), date(2026, 11, 22))),
    );
    check(
        Period::Week,
        date(2026, 11, 22),
        Some((date(2026, 11, 16), date(2026, 11, 22))),
    );
    // A week that spans the new year.
    check(
        Period::Week,
        date(2027, 1, 1),
        Some((date(2026, 12, 28), date(2027, 1, 3))),
    );
    check(
        Period::Month,
        date(2024, 2, 10),
        Some((date(2024, 2, 1), date(2024, 2, 29))),
    );
    check(Period::All, friday, None);
    assert_eq!(period_key(Period::Week, friday), "2026-11-16");
    assert_eq!(period_key(Period::All, friday), "");
}

#[test]
fn competition_ranking() {
    let check = |points: &[i64], expect: &[u32]| {
        assert_eq!(competition_ranks(points), expect, "{points:?}");
    };
    check(&[], &[]);
    check(&[5], &[1]);
    check(&[30, 20, 20, 10], &[1, 2, 2, 4]);
    check(&[7, 7, 7], &[1, 1, 1]);
    check(&[9, 8, 8, 8, 1, 1], &[1, 2, 2, 2, 5, 5]);
}

proptest! {
    #[test]
    fn a_rank_is_one_more_than_the_scores_above(mut points in prop::collection::vec(0i64..20, 0..40)) {
        points.sort_unstable_by(|a, b| b.cmp(a));
        let ranks = competition_ranks(&points);
        for (points_here, rank) in points.iter().zip(&ranks) {
            let above = points.iter().filter(|p| *p > points_here).count();
            prop_assert_eq!(*rank as usize, above + 1);
        }
    }

    #[test]
    fn every_day_lies_in_its_periods(days in 0i64..200_000) {
        let day = date(1900, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
        for period in [Period::Day, Period::Week, Period::Month] {
            let (first, last) = period_bounds(period, day).unwrap();
            prop_assert!(first <= day && day <= last);
            // The next period starts the day after this one ends.
            let next = last.tomorrow().unwrap();
            prop_assert_eq!(period_bounds(period, next).unwrap().0, next);
        }
        let (monday, sunday) = period_bounds(Period::Week, day).unwrap();
        prop_assert_eq!(monday.weekday(), Weekday::Monday);
        prop_assert_eq!(sunday.weekday(), Weekday::Sunday);
    }
}
