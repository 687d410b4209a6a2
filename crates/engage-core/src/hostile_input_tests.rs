//! Hostile input at the core's entry points: arbitrary strings and bytes, and valid documents
//! with one value swapped for anything, read by `parse_rules` and as every request body of
//! `api` and then checked as the server checks them. Each must answer an error (or a value
//! that meets its checks), never panic. The `fuzz/` crate runs the same entry points under
//! libFuzzer for minutes; this runs in CI in well under a second.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::api::feedback::{SendFeedback, SendReply, UpdateFeedback};
use crate::api::lottery::{CreateLottery, LotteryProof};
use crate::api::{CreatePoll, MakeupRequest, UpdatePoll, VoteRequest};
use crate::checkin::makeup_cost;
use crate::feedback::{FeedbackRules, check_feedback, check_reply};
use crate::jiff::Timestamp;
use crate::jiff::civil::date;
use crate::lottery::{validate_lottery, verify_proof};
use crate::poll::{Tally, VoteAttempt, Voter, apply_update, check_vote, validate_poll};
use crate::rules::{Rules, RulesFormat, parse_rules};
use crate::{MemberId, VisitorId};

/// Reads `text` as a rules document in `format`: a refusal names a line inside the document,
/// if any, and says something.
fn check_rules(text: &str, format: RulesFormat) -> Result<(), TestCaseError> {
    if let Err(error) = parse_rules(text, format) {
        let lines = text.split('\n').count();
        prop_assert!(
            error.line.is_none_or(|line| (1..=lines).contains(&line)),
            "{error}"
        );
        prop_assert!(!error.kind.to_string().is_empty());
    }
    Ok(())
}

/// Reads `data` as every request body and runs the check the server runs on each; what a
/// check refuses must say why.
fn check_bodies(data: &[u8]) -> Result<(), TestCaseError> {
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    let refused = |message: String| -> Result<(), TestCaseError> {
        prop_assert!(!message.is_empty());
        Ok(())
    };
    if let Ok(request) = serde_json::from_slice::<MakeupRequest>(data) {
        let days = BTreeSet::from([date(2026, 11, 1)]);
        let rules = Rules::default().checkin;
        if let Err(e) = makeup_cost(
            &rules,
            &days,
            &BTreeSet::new(),
            date(2026, 11, 20),
            request.date,
            0,
            100,
        ) {
            refused(e.to_string())?;
        }
    }
    if let Ok(definition) = serde_json::from_slice::<crate::api::rewards::CreateReward>(data) {
        match crate::rewards::validate_reward(definition) {
            Ok(reward) => prop_assert!(reward.price >= 1),
            Err(e) => refused(e.to_string())?,
        }
    }
    if let Ok(codes) = serde_json::from_slice::<crate::api::rewards::AddCodes>(data) {
        let numbered = codes
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (i + 1, c.as_str()));
        if let Err(e) = crate::rewards::clean_codes(numbered) {
            refused(e.to_string())?;
        }
    }
    let text = String::from_utf8_lossy(data);
    let lines = crate::rewards::codes_from_text(&text);
    let _ = crate::rewards::clean_codes(lines.iter().map(|(l, c)| (*l, c.as_str())));
    if let Ok(definition) = serde_json::from_slice::<CreatePoll>(data) {
        match validate_poll(definition) {
            Ok(poll) => prop_assert!(poll.max_choices >= 1),
            Err(e) => refused(e.to_string())?,
        }
    }
    let poll = validate_poll(serde_json::from_value(fixture_poll()).unwrap()).unwrap();
    if let Ok(update) = serde_json::from_slice::<UpdatePoll>(data)
        && let Err(e) = apply_update(&poll, update, &Tally::default(), now)
    {
        refused(e.to_string())?;
    }
    if let Ok(vote) = serde_json::from_slice::<VoteRequest>(data) {
        let visitor = Voter::Visitor(VisitorId::parse("v-0123456789abcdefghijkl").unwrap());
        for voter in [None, Some(&visitor)] {
            let attempt = VoteAttempt {
                voter,
                choices: &vote.choices,
                previous: None,
                anonymous_votes_from_ip: 0,
            };
            if let Err(e) = check_vote(&poll, attempt, now) {
                refused(e.to_string())?;
            }
        }
    }
    if let Ok(definition) = serde_json::from_slice::<CreateLottery>(data)
        && let Err(e) = validate_lottery(definition)
    {
        refused(e.to_string())?;
    }
    if let Ok(request) = serde_json::from_slice::<SendFeedback>(data) {
        let member = Voter::Member(MemberId::parse("alice").unwrap());
        if let Err(e) = check_feedback(&FeedbackRules::default(), Some(member), request) {
            refused(e.to_string())?;
        }
    }
    let _ = serde_json::from_slice::<UpdateFeedback>(data);
    if let Ok(reply) = serde_json::from_slice::<SendReply>(data)
        && let Err(e) = check_reply(&reply.text)
    {
        refused(e.to_string())?;
    }
    if let Ok(proof) = serde_json::from_slice::<LotteryProof>(data) {
        let report = verify_proof(&proof);
        prop_assert!(report.spins_checked <= proof.spins.len());
    }
    Ok(())
}

fn fixture_poll() -> Value {
    json!({"id": "feature", "question": "Which?", "multiple": true, "anonymous": true,
           "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]})
}

/// One valid example of each body, and of a rules document in JSON.
fn valid_documents() -> Vec<Value> {
    vec![
        json!({"date": "2026-11-19"}),
        fixture_poll(),
        json!({"question": "New?", "closes_at": "2026-12-01T00:00:00+08:00", "closed": true}),
        json!({"choices": ["a", "b"]}),
        json!({"id": "wheel", "mode": "wheel", "cost": 10, "daily_spins": 3,
               "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 5, "image": "/m.png"}],
               "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00.5Z"}),
        json!({"text": "Nice", "rating": 5, "contact": "me@example.com",
               "page_url": "https://forum.example.com/t/1", "context": {"lang": "en"}}),
        json!({"status": "in_progress"}),
        json!({"text": "Thanks"}),
        json!({"lottery": "wheel", "seed": "07".repeat(32), "seed_hash": "00", "no_prize_weight": 1,
               "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 1}],
               "spins": [{"seq": 1, "member": "alice", "spin": 1, "prize": "mug"}]}),
        json!({"checkin": {"points": 5, "milestones": [{"day": 3, "bonus": 10}],
                           "makeup": {"enabled": true, "window_days": 3, "cost": 50}},
               "levels": [{"min_points": 0, "title": "New"}],
               "feedback": {"categories": [{"id": "bug", "label": "Bug"}], "blocked_words": ["x"]},
               "badges": [{"id": "b", "name": "B", "criteria": {"all": [{"streak": 3}]}}]}),
    ]
}

/// Any JSON value, nested a few levels: what a hostile caller may put in any field.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        prop::sample::select(vec![
            "",
            "2026-02-30",
            "2026-11-19T24:00:00Z",
            "9999-12-31T23:59:60-23:59",
            "0000-01-01T00:00:00+23:59",
            "2026-11-19T00:00:00.1234567890Z",
            "a\u{0}b",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,12}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A valid document with the value at one path (a field, or an element of a list) replaced.
fn one_value_swapped() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(valid_documents()),
        any::<prop::sample::Index>(),
        any_json(),
    )
        .prop_map(|(mut document, at, replacement)| {
            let mut slots = Vec::new();
            collect_slots(&document, &mut String::new(), &mut slots);
            if let Some(pointer) = slots.get(at.index(slots.len().max(1))) {
                *document.pointer_mut(pointer).unwrap() = replacement;
            }
            document
        })
}

/// The JSON pointers of every value below the root.
fn collect_slots(value: &Value, prefix: &mut String, slots: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (key, child) in children {
        let length = prefix.len();
        prefix.push('/');
        prefix.push_str(&key);
        slots.push(prefix.clone());
        collect_slots(child, prefix, slots);
        prefix.truncate(length);
    }
}

/// Text made of the tokens rules documents are made of, so that cases get past the first byte.
fn rules_like_text() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "[checkin]",
        "[checkin.makeup]",
        "[points.daily_caps]",
        "[points.events]",
        "[[levels]]",
        "[feedback]",
        "[[badges]]",
        "points",
        "milestones",
        "day",
        "bonus",
        "window_days",
        "cost",
        "max_per_month",
        "min_points",
        "title",
        "categories",
        "blocked_words",
        "criteria",
        "id",
        "name",
        "label",
        "streak",
        "all",
        "any",
        "rank",
        "event",
        "=",
        " ",
        "\n",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\"",
        "'",
        "\"\"\"",
        "0",
        "-1",
        "99999999999999999999",
        "1e3",
        "true",
        "nan",
        "\"a\"",
        "\"\"",
        "é",
        "\r",
    ];
    prop::collection::vec(prop::sample::select(TOKENS), 0..48).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rules_parser_answers_arbitrary_text_without_panicking(text in ".{0,200}") {
        check_rules(&text, RulesFormat::Toml)?;
        check_rules(&text, RulesFormat::Json)?;
    }

    #[test]
    fn rules_parser_answers_rules_like_text_without_panicking(text in rules_like_text()) {
        check_rules(&text, RulesFormat::Toml)?;
    }

    #[test]
    fn rules_parser_answers_a_swapped_value_without_panicking(document in one_value_swapped()) {
        check_rules(&document.to_string(), RulesFormat::Json)?;
    }

    #[test]
    fn request_bodies_answer_arbitrary_bytes_without_panicking(data in prop::collection::vec(any::<u8>(), 0..200)) {
        check_bodies(&data)?;
    }

    #[test]
    fn request_bodies_answer_a_swapped_value_without_panicking(document in one_value_swapped()) {
        check_bodies(document.to_string().as_bytes())?;
    }
}
