use std::collections::BTreeMap;

use jiff::civil::date;
use proptest::prelude::*;

use super::*;
use crate::analytics::{Activity, SiteFacts, add_days, analytics_view};

/// Raw rows `(member, day offset, kinds bits)` spread over `span` days from 2025-01-01, with
/// per-day check-ins, points and NPS answers.
type Raw = (
    BTreeMap<(u32, i64), u8>,
    BTreeMap<i64, u64>,
    BTreeMap<i64, (i64, i64)>,
    Vec<(i64, u8)>,
);

fn raw(members: u32, span: i64) -> impl Strategy<Value = Raw> {
    (
        prop::collection::btree_map((0..members, 0..span), 0_u8..64, 0..160),
        prop::collection::btree_map(0..span, 0_u64..5, 0..20),
        prop::collection::btree_map(0..span, (0_i64..50, 0_i64..50), 0..20),
        prop::collection::vec((0..span, 0_u8..11), 0..20),
    )
}

fn base() -> Date {
    date(2025, 1, 1)
}

fn facts_of(raw: &Raw) -> SiteFacts {
    let (rows, checkins, points, nps) = raw;
    let mut first: BTreeMap<u32, Date> = BTreeMap::new();
    let activity = rows
        .iter()
        .map(|(&(member, offset), &bits)| {
            let day = add_days(base(), offset);
            let entry = first.entry(member).or_insert(day);
            *entry = (*entry).min(day);
            Activity {
                member,
                day,
                acted: Kinds::from_bits(i64::from(bits)),
            }
        })
        .collect();
    SiteFacts {
        activity,
        first_days: first.into_iter().collect(),
        checkins: checkins
            .iter()
            .map(|(&o, &n)| (add_days(base(), o), n))
            .collect(),
        points: points
            .iter()
            .map(|(&o, &p)| (add_days(base(), o), p))
            .collect(),
        nps: nps.iter().map(|&(o, a)| (add_days(base(), o), a)).collect(),
    }
}

/// Each member's days, in the order the raw rows list them.
fn member_days(facts: &SiteFacts) -> BTreeMap<u32, Vec<MemberDay>> {
    let mut out: BTreeMap<u32, Vec<MemberDay>> = BTreeMap::new();
    for row in &facts.activity {
        out.entry(row.member).or_default().push(MemberDay {
            day: row.day,
            acted: row.acted,
        });
    }
    out
}

fn summed(facts: &SiteFacts) -> Contribution {
    let mut totals = Contribution::new();
    for days in member_days(facts).values() {
        add(&mut totals, &contribution(days), 1);
    }
    totals
}

fn aggregated_view(
    facts: &SiteFacts,
    totals: &Contribution,
    from: Date,
    to: Date,
) -> AnalyticsView {
    let aggregates =
        SiteAggregates::from_totals(totals, &facts.checkins, &facts.points, &facts.nps, from, to);
    view(&aggregates, from, to)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The aggregates answer exactly what the definitions answer over the member-days.
    #[test]
    fn aggregates_give_the_definitions(
        raw in raw(10, 140),
        from_offset in 0_i64..160,
        len in 1_i64..140,
    ) {
        let facts = facts_of(&raw);
        let from = add_days(base(), from_offset);
        let to = add_days(from, len - 1);
        prop_assert_eq!(aggregated_view(&facts, &summed(&facts), from, to), analytics_view(&facts, from, to));
    }

    /// Also over more than two years, where previous days fall beyond `REACH_DAYS` and ranges
    /// are as long as allowed.
    #[test]
    fn aggregates_hold_over_long_spans(
        raw in raw(6, 900),
        from_offset in 0_i64..900,
        len in 300_i64..=MAX_RANGE_DAYS,
    ) {
        let facts = facts_of(&raw);
        let from = add_days(base(), from_offset);
        let to = add_days(from, len - 1);
        prop_assert_eq!(aggregated_view(&facts, &summed(&facts), from, to), analytics_view(&facts, from, to));
    }

    /// Adding a member's days one at a time, in any order (history imported out of order),
    /// through `delta` leaves the contribution of all of them; adding a day again adds nothing.
    #[test]
    fn deltas_in_any_order_sum_to_the_contribution(
        days in prop::collection::vec((0_i64..800, 0_u8..64), 0..40),
    ) {
        let days: Vec<MemberDay> = days
            .into_iter()
            .map(|(offset, bits)| MemberDay { day: add_days(base(), offset), acted: Kinds::from_bits(i64::from(bits)) })
            .collect();
        let mut applied = Contribution::new();
        let mut so_far: Vec<MemberDay> = Vec::new();
        for day in &days {
            let mut next = so_far.clone();
            next.push(*day);
            add(&mut applied, &delta(&so_far, &next), 1);
            so_far = next;
        }
        prop_assert_eq!(&applied, &contribution(&days));
        let mut again = so_far.clone();
        again.extend(days.iter().copied());
        prop_assert!(delta(&so_far, &again).is_empty());
    }
}

#[test]
fn a_member_far_from_utc_days_is_counted_once_per_window() {
    // Two days a week apart, then one 400 days later: WAU of the second day is 1 and the third
    // day's reach row has no previous day (too far back to matter).
    let d = |o| add_days(base(), o);
    let days = [
        MemberDay {
            day: d(0),
            acted: Kinds::NONE,
        },
        MemberDay {
            day: d(7),
            acted: Kinds::of(Kind::Checkin),
        },
        MemberDay {
            day: d(407),
            acted: Kinds::of(Kind::Checkin),
        },
    ];
    let totals = contribution(&days);
    assert_eq!(totals.get(&Key::Return { day: d(7), gap: 7 }), Some(&1));
    assert_eq!(
        totals.get(&Key::Return {
            day: d(407),
            gap: RETURN_CAP
        }),
        Some(&1)
    );
    assert_eq!(
        totals.get(&Key::Reach {
            track: Track::Kind(Kind::Checkin),
            day: d(407),
            prev: None
        }),
        Some(&1)
    );
    assert_eq!(totals.get(&Key::NewMembers(d(0))), Some(&1));
    assert_eq!(
        totals.get(&Key::Cohort {
            week: week_start(d(0)),
            day: d(7)
        }),
        Some(&1)
    );
    for track in Track::ALL {
        assert_eq!(Track::from_code(i64::from(track.code())), Some(track));
    }
}

#[test]
fn a_previous_day_a_whole_range_before_is_outside_it() {
    // Days 365 apart: within a range of 366 days ending on the later one, the earlier starts
    // the range, so the member counts once; one day later, it is outside and still once.
    let d = |o| add_days(base(), o);
    let facts = SiteFacts {
        activity: [0, 365]
            .into_iter()
            .map(|o| Activity {
                member: 0,
                day: d(o),
                acted: Kinds::of(Kind::Poll),
            })
            .collect(),
        first_days: vec![(0, d(0))],
        ..SiteFacts::default()
    };
    let totals = summed(&facts);
    for (from, to) in [(d(0), d(365)), (d(1), d(366)), (d(-1), d(364))] {
        assert_eq!(
            aggregated_view(&facts, &totals, from, to),
            analytics_view(&facts, from, to),
            "{from}..={to}"
        );
    }
    assert_eq!(distinct(&totals, d(0), d(365)).any, 1);
}
