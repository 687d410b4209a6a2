use proptest::prelude::*;

use super::*;
use crate::rules::{RulesFormat, parse_rules};

fn rules(text: &str) -> Rules {
    parse_rules(text, RulesFormat::Toml).unwrap()
}

/// Parses `text` and compares the error's display (or "ok") with `expect`.
fn check(text: &str, expect: &str) {
    let got = match parse_rules(text, RulesFormat::sniff(text)) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "for document:\n{text}");
}

const DOCUMENT: &str = r#"
[[badges]]
id = "first-checkin"
name = "First check-in"
criteria = { first_checkin = true }

[[badges]]
id = "week-streak"
name = "7-day streak"
title = "Regular"
criteria = { all = [ { streak = 7 } ] }

[[badges]]
id = "all-rounder"
name = "All-rounder"
description = "Voted, sent feedback and commented"
title = "All-rounder"
criteria = { all = [ { votes = 1 }, { feedback = 1 }, { any = [ { event = { kind = "comment", count = 3 } }, { points = 500 } ] } ] }

[[badges]]
id = "weekly-top-3"
name = "Top 3 of the week"
criteria = { rank = { top = 3, period = "week" } }

[[badges]]
id = "big-spender"
name = "Big spender"
criteria = { spent = 100 }
"#;

#[test]
fn badges_in_the_rules_document() {
    let rules = rules(DOCUMENT);
    assert_eq!(rules.badges.len(), 5);
    assert_eq!(rules.badges[1].title.as_deref(), Some("Regular"));
    assert_eq!(
        rules.badges[1].criteria,
        Criterion::All(vec![Criterion::Streak(7)])
    );
    assert_eq!(
        rules.badges[3].criteria,
        Criterion::Rank {
            top: 3,
            period: Period::Week
        }
    );
    let needs = stats_needed(&rules.badges);
    assert!(needs.checkins && needs.votes && needs.feedback && needs.points);
    assert_eq!(needs.events, BTreeSet::from(["comment".to_owned()]));
    assert_eq!(needs.ranks, BTreeSet::from([Period::Week]));
    // The same document as JSON parses to the same rules.
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(parse_rules(&json, RulesFormat::Json).unwrap(), rules);
}

#[test]
fn which_badges_a_member_has_earned() {
    let rules = rules(DOCUMENT);
    let check = |stats: MemberStats, expect: &[&str]| {
        let earned = badges_earned(&rules, &stats);
        let earned: Vec<&str> = earned.iter().map(BadgeId::as_str).collect();
        assert_eq!(earned, expect, "{stats:?}");
    };
    check(MemberStats::default(), &[]);
    check(
        MemberStats {
            checkins: 1,
            longest_streak: 1,
            ..MemberStats::default()
        },
        &["first-checkin"],
    );
    check(
        MemberStats {
            checkins: 9,
            longest_streak: 7,
            ..MemberStats::default()
        },
        &["first-checkin", "week-streak"],
    );
    let mut all_rounder = MemberStats {
        votes: 1,
        feedback: 1,
        earned: 499,
        ..MemberStats::default()
    };
    check(all_rounder.clone(), &[]);
    all_rounder.events.insert("comment".into(), 3);
    check(all_rounder.clone(), &["all-rounder"]);
    all_rounder.events.clear();
    all_rounder.earned = 500;
    check(all_rounder, &["all-rounder"]);
    let ranked = |rank| MemberStats {
        ranks: BTreeMap::from([(Period::Week, rank)]),
        ..MemberStats::default()
    };
    check(ranked(3), &["weekly-top-3"]);
    check(ranked(4), &[]);
    check(
        MemberStats {
            ranks: BTreeMap::from([(Period::Day, 1)]),
            spent: 100,
            ..MemberStats::default()
        },
        &["big-spender"],
    );
}

#[test]
fn the_title_is_the_newest_badge_title_else_the_level() {
    let rules = rules(DOCUMENT);
    assert_eq!(member_title(&rules, 0, &[]), "Newcomer");
    assert_eq!(member_title(&rules, 150, &["first-checkin"]), "Regular");
    assert_eq!(
        member_title(&rules, 0, &["first-checkin", "all-rounder", "week-streak"]),
        "All-rounder"
    );
    // A badge the rules no longer define grants nothing.
    assert_eq!(
        member_title(&rules, 600, &["retired-badge"]),
        "Active member"
    );
}

#[test]
fn badge_errors_name_the_field_and_line() {
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { all = [\n  { streak = 7 },\n  { streek = 3 },\n] }\n",
        "error in rules: unknown badge criterion 'streek' at field 'badges[0].criteria.all[1].streek' on line 6",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\n\n[badges.criteria]\nstreek = 3\n",
        "error in rules: unknown badge criterion 'streek' at field 'badges[0].criteria.streek' on line 6",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { streak = 0 }\n",
        "error in rules: 0 is out of range (1..=3650) at field 'badges[0].criteria.streak' on line 4",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { any = [] }\n",
        "error in rules: an 'all' or 'any' criterion needs at least one criterion at field 'badges[0].criteria.any' on line 4",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { votes = 1 }\n[[badges]]\nid = \"a\"\nname = \"B\"\ncriteria = { votes = 2 }\n",
        "error in rules: badge 'a' is listed more than once at field 'badges[1].id' on line 6",
    );
    check(
        "[[badges]]\nid = \"Week!\"\nname = \"A\"\ncriteria = { votes = 1 }\n",
        "error in rules: badge id 'Week!' may only contain lowercase letters, digits, '-' and '_', starting with a letter or digit at field 'badges[0].id' on line 2",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \" \"\ncriteria = { votes = 1 }\n",
        "error in rules: a name must have 1 to 64 characters and not be blank at field 'badges[0].name' on line 3",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ntitle = \"\"\ncriteria = { votes = 1 }\n",
        "error in rules: a title must have 1 to 64 characters at field 'badges[0].title' on line 4",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { event = { kind = \"Comment\", count = 1 } }\n",
        "error in rules: event kind 'Comment' may only contain lowercase letters, digits, '-' and '_', starting with a letter or digit at field 'badges[0].criteria.event.kind' on line 4",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { rank = { top = 0, period = \"week\" } }\n",
        "error in rules: 0 is out of range (1..=1000) at field 'badges[0].criteria.rank.top' on line 4",
    );
    // Malformed shapes are reported by the parser, with their line.
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { streak = 7, votes = 1 }\n",
        "error in rules: a badge criterion is a table with exactly one key, such as { streak = 7 } or { all = [ … ] } on line 4",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { rank = { top = 3, period = \"year\" } }\n",
        "error in rules: badge criterion 'rank': unknown variant `year`, expected one of `day`, `week`, `month`, `all` on line 4",
    );
    check(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { streak = \"seven\" }\n",
        "error in rules: badge criterion 'streak' takes a whole number on line 4",
    );
    let err = parse_rules(
        "[[badges]]\nid = \"a\"\nname = \"A\"\ncriteria = { votes = 1 }\ncolour = \"red\"\n",
        RulesFormat::Toml,
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    // JSON documents name the field (lines are not tracked after parsing JSON).
    check(
        r#"{"badges": [{"id": "a", "name": "A", "criteria": {"any": [{"streek": 3}]}}]}"#,
        "error in rules: unknown badge criterion 'streek' at field 'badges[0].criteria.any[0].streek'",
    );
}

#[test]
fn event_points_in_the_rules() {
    let rules = rules("[points.events]\ncomment = 5\nanswer-accepted = 20\n");
    assert_eq!(rules.event_points("comment"), Some(5));
    assert_eq!(rules.event_points("post"), None);
    check(
        "[points.events]\ncomment = -5\n",
        "error in rules: -5 is out of range (0..=1000000) at field 'points.events.comment' on line 2",
    );
    check(
        "[points.events]\n\"Big Comment\" = 5\n",
        "error in rules: event kind 'Big Comment' may only contain lowercase letters, digits, '-' and '_', starting with a letter or digit at field 'points.events.Big Comment' on line 2",
    );
}

fn criterion() -> impl Strategy<Value = Criterion> {
    let leaf = prop_oneof![
        Just(Criterion::FirstCheckin),
        (1u32..10).prop_map(Criterion::Streak),
        (1u32..10).prop_map(Criterion::Checkins),
        (1i64..100).prop_map(Criterion::Points),
        (1i64..100).prop_map(Criterion::Spent),
        (1u32..5).prop_map(Criterion::Votes),
        (1u32..5).prop_map(Criterion::Feedback),
        (1u32..5, prop::sample::select(Period::ALL.to_vec()))
            .prop_map(|(top, period)| Criterion::Rank { top, period }),
        (prop::sample::select(vec!["comment", "post"]), 1u32..5).prop_map(|(kind, count)| {
            Criterion::Event {
                kind: kind.into(),
                count,
            }
        }),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Criterion::All),
            prop::collection::vec(inner, 1..4).prop_map(Criterion::Any),
        ]
    })
}

fn stats() -> impl Strategy<Value = MemberStats> {
    (
        (0u32..12, 0u32..12, 0i64..120, 0i64..120),
        (0u32..6, 0u32..6, 0u32..6, 0u32..6),
        prop::collection::btree_map(prop::sample::select(Period::ALL.to_vec()), 1u32..8, 0..4),
    )
        .prop_map(
            |((checkins, streak, earned, spent), (votes, feedback, comments, posts), ranks)| {
                MemberStats {
                    checkins,
                    longest_streak: streak.min(checkins),
                    earned,
                    spent,
                    votes,
                    feedback,
                    redeemed: comments,
                    events: BTreeMap::from([("comment".into(), comments), ("post".into(), posts)]),
                    ranks,
                }
            },
        )
}

/// `more` has every number of `less` or better (a rank is better when lower, or newly present).
fn at_least(less: &MemberStats, more: &MemberStats) -> MemberStats {
    let mut out = more.clone();
    out.checkins = out.checkins.max(less.checkins);
    out.longest_streak = out.longest_streak.max(less.longest_streak);
    out.earned = out.earned.max(less.earned);
    out.spent = out.spent.max(less.spent);
    out.votes = out.votes.max(less.votes);
    out.feedback = out.feedback.max(less.feedback);
    for (kind, count) in &less.events {
        let entry = out.events.entry(kind.clone()).or_default();
        *entry = (*entry).max(*count);
    }
    for (period, rank) in &less.ranks {
        let entry = out.ranks.entry(*period).or_insert(*rank);
        *entry = (*entry).min(*rank);
    }
    out
}

proptest! {
    #[test]
    fn criteria_are_monotone(criterion in criterion(), less in stats(), more in stats()) {
        let more = at_least(&less, &more);
        if criterion.holds(&less) {
            prop_assert!(criterion.holds(&more), "{criterion:?} held for {less:?} but not {more:?}");
        }
    }

    #[test]
    fn all_and_any_combine_like_and_and_or(a in criterion(), b in criterion(), stats in stats()) {
        let all = Criterion::All(vec![a.clone(), b.clone()]);
        let any = Criterion::Any(vec![a.clone(), b.clone()]);
        prop_assert_eq!(all.holds(&stats), a.holds(&stats) && b.holds(&stats));
        prop_assert_eq!(any.holds(&stats), a.holds(&stats) || b.holds(&stats));
        prop_assert_eq!(Criterion::All(vec![a.clone()]).holds(&stats), a.holds(&stats));
    }

    #[test]
    fn criteria_round_trip_through_the_document(criteria in prop::collection::vec(criterion(), 1..5)) {
        let rules = Rules {
            badges: criteria
                .into_iter()
                .enumerate()
                .map(|(i, criteria)| BadgeRule {
                    id: format!("badge-{i}"),
                    name: format!("Badge {i}"),
                    description: None,
                    title: None,
                    criteria,
                })
                .collect(),
            ..Rules::default()
        };
        let json = serde_json::to_string(&rules).unwrap();
        prop_assert_eq!(parse_rules(&json, RulesFormat::Json).unwrap(), rules);
    }

    #[test]
    fn earned_badges_are_those_whose_criteria_hold(criteria in prop::collection::vec(criterion(), 0..6), stats in stats()) {
        let rules = Rules {
            badges: criteria
                .iter()
                .enumerate()
                .map(|(i, criteria)| BadgeRule {
                    id: format!("b{i}"),
                    name: format!("B{i}"),
                    description: None,
                    title: None,
                    criteria: criteria.clone(),
                })
                .collect(),
            ..Rules::default()
        };
        let earned = badges_earned(&rules, &stats);
        let expected: Vec<String> = criteria
            .iter()
            .enumerate()
            .filter(|(_, c)| c.holds(&stats))
            .map(|(i, _)| format!("b{i}"))
            .collect();
        let earned: Vec<String> = earned.iter().map(|id| id.as_str().to_owned()).collect();
        prop_assert_eq!(earned, expected);
    }
}

#[test]
fn redeemed_counts_redemptions() {
    let criterion: Criterion =
        serde_json::from_value(serde_json::json!({ "redeemed": 2 })).unwrap();
    assert_eq!(criterion, Criterion::Redeemed(2));
    assert_eq!(
        serde_json::to_value(&criterion).unwrap(),
        serde_json::json!({ "redeemed": 2 })
    );
    let mut stats = MemberStats {
        redeemed: 1,
        ..MemberStats::default()
    };
    assert!(!criterion.holds(&stats));
    stats.redeemed = 2;
    assert!(criterion.holds(&stats));
    let badge = BadgeRule {
        id: "shopper".into(),
        name: "Shopper".into(),
        description: None,
        title: None,
        criteria: criterion,
    };
    assert!(stats_needed([&badge]).redemptions);
}
