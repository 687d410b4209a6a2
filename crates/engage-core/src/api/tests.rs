//! Request bodies: every optional field sent as `null` reads exactly as if it were left out
//! (issue 9: `"winners": null` on a wheel was refused).

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::feedback::SendFeedback;
use super::lottery::{CreateLottery, LotteryMode};
use super::{CreatePoll, ResultsVisibility, UpdatePoll};

/// `required` plus every field of `optional` set to `null` reads as `required` alone.
fn check<T: DeserializeOwned + PartialEq + std::fmt::Debug>(required: Value, optional: &[&str]) {
    let absent: T = serde_json::from_value(required.clone()).expect("the required fields read");
    let mut nulls = required;
    for field in optional {
        nulls[*field] = Value::Null;
    }
    let read: T = serde_json::from_value(nulls.clone())
        .unwrap_or_else(|e| panic!("{nulls} was refused: {e}"));
    assert_eq!(read, absent, "{nulls}");
}

fn poll_options() -> Value {
    json!([{"id": "a", "label": "A"}, {"id": "b", "label": "B"}])
}

#[test]
fn create_poll_reads_null_as_absent() {
    check::<CreatePoll>(
        json!({"id": "p", "question": "Q?", "options": poll_options()}),
        &[
            "multiple",
            "max_choices",
            "closes_at",
            "results",
            "anonymous",
            "allow_change",
            "points",
            "ip_limit",
        ],
    );
    let read: CreatePoll = serde_json::from_value(json!({
        "id": "p", "question": "Q?", "options": poll_options(), "results": null, "points": null
    }))
    .unwrap();
    assert_eq!(read.results, ResultsVisibility::Always);
    assert_eq!(read.points, 0);
}

#[test]
fn create_lottery_reads_null_as_absent() {
    let times = json!({
        "id": "w", "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z"
    });
    let optional = [
        "mode",
        "prizes",
        "no_prize_weight",
        "cost",
        "daily_spins",
        "winners",
    ];
    check::<CreateLottery>(times.clone(), &optional);
    let read: CreateLottery = serde_json::from_value(json!({
        "id": "w", "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z",
        "mode": null, "winners": null, "daily_spins": null,
        "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 1, "image": null}]
    }))
    .unwrap();
    assert_eq!(read.mode, LotteryMode::Wheel);
    assert_eq!((read.winners, read.daily_spins), (1, 1));
    assert_eq!(read.prizes[0].image, None);
    // A count that is given is still read as given.
    let given: CreateLottery = serde_json::from_value(json!({
        "id": "w", "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z",
        "mode": "giveaway", "winners": 3, "daily_spins": 2
    }))
    .unwrap();
    assert_eq!(
        (given.mode, given.winners, given.daily_spins),
        (LotteryMode::Giveaway, 3, 2)
    );
}

#[test]
fn send_feedback_reads_null_as_absent() {
    check::<SendFeedback>(
        json!({"text": "Nice"}),
        &[
            "rating", "nps", "category", "contact", "page_url", "context",
        ],
    );
}

#[test]
fn update_poll_reads_null_as_unchanged_except_closes_at() {
    let optional = [
        "question",
        "options",
        "multiple",
        "max_choices",
        "results",
        "anonymous",
        "allow_change",
        "points",
        "ip_limit",
        "closed",
    ];
    check::<UpdatePoll>(json!({}), &optional);
    let cleared: UpdatePoll = serde_json::from_value(json!({"closes_at": null})).unwrap();
    assert_eq!(cleared.closes_at, Some(None), "null removes the close time");
    let absent: UpdatePoll = serde_json::from_value(json!({})).unwrap();
    assert_eq!(absent.closes_at, None, "absent leaves it");
}

#[test]
fn a_wrong_type_is_still_refused() {
    for body in [
        json!({"id": "p", "question": "Q?", "options": poll_options(), "multiple": "yes"}),
        json!({"id": "p", "question": "Q?", "options": poll_options(), "points": "5"}),
    ] {
        assert!(
            serde_json::from_value::<CreatePoll>(body.clone()).is_err(),
            "{body}"
        );
    }
    let wheel = json!({
        "id": "w", "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z",
        "winners": -1
    });
    assert!(serde_json::from_value::<CreateLottery>(wheel).is_err());
}
