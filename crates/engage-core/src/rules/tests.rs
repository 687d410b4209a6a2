use super::*;

/// Parses `text` and compares the error's display (or "ok") with `expect`.
fn check(text: &str, expect: &str) {
    let got = match parse_rules(text, RulesFormat::sniff(text)) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "for document:\n{text}");
}

#[test]
fn an_empty_document_means_the_defaults() {
    assert_eq!(
        parse_rules("", RulesFormat::Toml).unwrap(),
        Rules::default()
    );
    assert_eq!(
        parse_rules("{}", RulesFormat::Json).unwrap(),
        Rules::default()
    );
}

#[test]
fn a_full_toml_document() {
    let text = r#"
[checkin]
points = 5
milestones = [{ day = 3, bonus = 10 }, { day = 10, bonus = 100 }]

[checkin.makeup]
enabled = true
window_days = 3
cost = 50

[points.daily_caps]
checkin = 100
host_event = 500

[[levels]]
min_points = 0
title = "新手"

[[levels]]
min_points = 100
title = "活跃成员"
"#;
    let rules = parse_rules(text, RulesFormat::Toml).unwrap();
    assert_eq!(rules.checkin.points, 5);
    assert_eq!(
        rules.checkin.milestones[1],
        Milestone {
            day: 10,
            bonus: 100
        }
    );
    assert_eq!(rules.checkin.makeup.window_days, 3);
    assert_eq!(rules.checkin.makeup.max_per_month, None);
    assert_eq!(rules.daily_cap(Source::HostEvent), Some(500));
    assert_eq!(rules.daily_cap(Source::Vote), None);
    assert_eq!(rules.levels[1].title, "活跃成员");
}

#[test]
fn errors_name_the_field_and_line() {
    check(
        "[checkin]\npoints = -1\n",
        "error in rules: -1 is out of range (0..=1000000) at field 'checkin.points' on line 2",
    );
    check(
        "[checkin]\npoints = 1\nmilestones = [\n  { day = 7, bonus = 5 },\n  { day = 0, bonus = 5 },\n]\n",
        "error in rules: 0 is out of range (1..=3650) at field 'checkin.milestones[1].day' on line 5",
    );
    check(
        "[checkin]\nmilestones = [{ day = 7, bonus = 5 }, { day = 7, bonus = 9 }]\n",
        "error in rules: streak day 7 has more than one milestone at field 'checkin.milestones[1].day' on line 2",
    );
    check(
        "[[levels]]\nmin_points = 10\ntitle = \"a\"\n",
        "error in rules: the first level must start at 0 points, not 10 at field 'levels[0].min_points' on line 2",
    );
    check(
        "[[levels]]\nmin_points = 0\ntitle = \"a\"\n[[levels]]\nmin_points = 0\ntitle = \"b\"\n",
        "error in rules: levels must be in ascending order of min_points (0 does not exceed the previous) at field 'levels[1].min_points' on line 5",
    );
    check(
        "levels = []\n",
        "error in rules: at least one level is needed at field 'levels' on line 1",
    );
    check(
        "[[levels]]\nmin_points = 0\ntitle = \"  \"\n",
        "error in rules: a title must have 1 to 64 characters at field 'levels[0].title' on line 3",
    );
    check(
        "[points.daily_caps]\ncheckin = -5\n",
        "error in rules: -5 is out of range (0..=1000000) at field 'points.daily_caps.checkin' on line 2",
    );
}

#[test]
fn syntax_and_unknown_fields_are_reported_with_lines() {
    let err = parse_rules("[checkin]\nstreek = 3\n", RulesFormat::Toml).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().contains("unknown field `streek`"), "{err}");

    let err = parse_rules("[checkin]\npoints = \"ten\"\n", RulesFormat::Toml).unwrap_err();
    assert_eq!(err.line, Some(2));

    let err = parse_rules("[points.daily_caps]\nbonus = 3\n", RulesFormat::Toml).unwrap_err();
    assert!(err.to_string().contains("bonus"), "{err}");

    let err = parse_rules("[checkin\n", RulesFormat::Toml).unwrap_err();
    assert_eq!(err.line, Some(1));
}

#[test]
fn json_documents() {
    let rules = parse_rules(
        r#"{"checkin": {"points": 3, "makeup": {"enabled": false}}}"#,
        RulesFormat::Json,
    )
    .unwrap();
    assert_eq!(rules.checkin.points, 3);
    assert!(!rules.checkin.makeup.enabled);
    check(
        "{\n  \"checkin\": {\"points\": 2000000}\n}",
        "error in rules: 2000000 is out of range (0..=1000000) at field 'checkin.points'",
    );
    let err = parse_rules("{\n \"checkin\": {\"pionts\": 1}\n}", RulesFormat::Json).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().contains("unknown field `pionts`"), "{err}");
}

#[test]
fn rules_round_trip_through_json() {
    let rules = Rules::default();
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(parse_rules(&json, RulesFormat::Json).unwrap(), rules);
}

#[test]
fn the_feedback_section() {
    let defaults = parse_rules("", RulesFormat::Toml).unwrap().feedback;
    assert!(defaults.anonymous);
    assert_eq!(defaults.scale, crate::api::feedback::FeedbackScale::Stars);
    assert_eq!((defaults.max_length, defaults.max_links), (2000, 2));
    assert_eq!(defaults.points, 0);
    let text = r#"
[feedback]
anonymous = false
scale = "nps"
categories = [{ id = "bug", label = "Bug" }, { id = "idea", label = "Idea · 想法" }]
max_length = 500
max_links = 0
blocked_words = ["casino", "免费"]
points = 5
"#;
    let rules = parse_rules(text, RulesFormat::Toml).unwrap();
    assert_eq!(
        rules.feedback.scale,
        crate::api::feedback::FeedbackScale::Nps
    );
    assert_eq!(rules.feedback.categories[1].label, "Idea · 想法");
    assert_eq!(rules.feedback.blocked_words.len(), 2);
    // The rest keeps its defaults.
    assert_eq!(rules.checkin, Rules::default().checkin);
}

#[test]
fn feedback_errors_name_the_field_and_line() {
    check(
        "[feedback]\nmax_length = 0\n",
        "error in rules: 0 is out of range (1..=4000) at field 'feedback.max_length' on line 2",
    );
    check(
        "[feedback]\npoints = -5\n",
        "error in rules: -5 is out of range (0..=1000000) at field 'feedback.points' on line 2",
    );
    check(
        "[feedback]\ncategories = [\n  { id = \"bug\", label = \"Bug\" },\n  { id = \"Bug!\", label = \"Bug\" },\n]\n",
        "error in rules: category id 'Bug!' may only contain lowercase letters, digits, '-' and '_', starting with a letter or digit at field 'feedback.categories[1].id' on line 4",
    );
    check(
        "[feedback]\ncategories = [{ id = \"bug\", label = \"A\" }, { id = \"bug\", label = \"B\" }]\n",
        "error in rules: category 'bug' is listed more than once at field 'feedback.categories[1].id' on line 2",
    );
    check(
        "[feedback]\ncategories = [\n  { id = \"bug\", label = \"  \" },\n]\n",
        "error in rules: a label must have 1 to 64 characters and not be blank at field 'feedback.categories[0].label' on line 3",
    );
    check(
        "[feedback]\nblocked_words = [\"spam\", \"\"]\n",
        "error in rules: a blocked word must have 1 to 64 characters and not be blank at field 'feedback.blocked_words[1]' on line 2",
    );
    check(
        "[feedback]\nscale = \"smileys\"\n",
        "error in rules: unknown variant `smileys`, expected `stars` or `nps` on line 2",
    );
    let err = parse_rules("[feedback]\nanonymus = true\n", RulesFormat::Toml).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(
        err.to_string().contains("unknown field `anonymus`"),
        "{err}"
    );
}

#[test]
fn the_default_document_is_the_default_rules() {
    assert_eq!(
        parse_rules(DEFAULT_RULES_TOML, RulesFormat::Toml).unwrap(),
        Rules::default()
    );
}
