//! Badges (issue 5): earned once in the transaction of the fact that earns them, whichever
//! widget or host event triggers it and however many triggers race; reported by the answer of
//! that fact; listed by `/me` with the badges still to earn; a badge's title beats the level's.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::{API_KEY, TestServer};

const RULES: &str = r#"
[feedback]
points = 5

[[badges]]
id = "first-checkin"
name = "First check-in"
description = "Checked in once"
criteria = { first_checkin = true }

[[badges]]
id = "two-day-streak"
name = "2-day streak"
title = "Regular visitor"
criteria = { streak = 2 }

[[badges]]
id = "first-vote"
name = "First vote"
criteria = { votes = 1 }

[[badges]]
id = "first-feedback"
name = "First feedback"
criteria = { feedback = 1 }

[[badges]]
id = "spender"
name = "Spender"
title = "High roller"
criteria = { spent = 10 }

[[badges]]
id = "commenter"
name = "Commenter"
criteria = { event = { kind = "comment", count = 2 } }

[[badges]]
id = "hundred"
name = "Hundred club"
criteria = { points = 100 }

[[badges]]
id = "all-rounder"
name = "All-rounder"
criteria = { all = [{ votes = 1 }, { any = [{ feedback = 1 }, { checkins = 3 }] }] }
"#;

async fn server() -> TestServer {
    let server = TestServer::new().await;
    server.install_rules(RULES).await;
    server
}

async fn event(server: &TestServer, member: &str, kind: &str, key: &str, points: i64) -> Value {
    let body = json!({"member": member, "kind": kind, "idempotency_key": key, "points": points});
    let answer = server
        .call_with_key("/api/v1/sites/forum/events", API_KEY, &body.to_string())
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

async fn me(server: &TestServer, member: &str) -> Value {
    let answer = server
        .get("/api/v1/sites/forum/me", &server.token(member))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn check_ins_earn_badges_reported_once_and_listed_by_me() {
    let server = server().await;
    let before = me(&server, "alice").await;
    assert_eq!(before["badges"], json!([]));
    assert_eq!(ids(&before["badges_available"]).len(), 8);
    assert_eq!(
        before["badges_available"][0]["description"],
        "Checked in once"
    );

    let first = server.check_in("alice").await;
    assert_eq!(first.body["badges"], json!(["first-checkin"]));
    let again = server.check_in("alice").await;
    assert_eq!(again.body["already"], true);
    assert_eq!(again.body["badges"], json!([]));

    server.set_now("2026-11-21T02:00:00Z");
    let second_day = server.check_in("alice").await;
    assert_eq!(second_day.body["badges"], json!(["two-day-streak"]));

    let me = me(&server, "alice").await;
    assert_eq!(ids(&me["badges"]), ["two-day-streak", "first-checkin"]);
    assert_eq!(me["badges"][0]["name"], "2-day streak");
    assert_eq!(me["badges"][0]["earned_at"], "2026-11-21T02:00:00Z");
    assert_eq!(me["badges"][0]["title"], "Regular visitor");
    // The badge's title, not the level's ("Newcomer" at 20 points).
    assert_eq!(me["title"], "Regular visitor");
    assert_eq!(me["earned"], 20);
    assert!(!ids(&me["badges_available"]).contains(&"first-checkin"));
    assert_eq!(server.count(CountedTable::MemberBadges).await, 2);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn every_kind_of_fact_reports_the_badges_it_earned() {
    let server = server().await;
    // A vote.
    let options = json!([{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]);
    let poll = json!({"id": "p", "question": "Which?", "options": options});
    let created = crate::polls::admin(
        &server,
        Method::POST,
        "/api/v1/admin/sites/forum/polls",
        poll,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let token = server.token("bob");
    let vote = server
        .post(
            "/api/v1/sites/forum/polls/p/votes",
            &token,
            Some(r#"{"choices": ["a"]}"#),
        )
        .await;
    assert_eq!(vote.status, StatusCode::OK, "{:?}", vote.body);
    assert_eq!(vote.body["badges"], json!(["first-vote"]));
    // Feedback (which also completes "all-rounder": a vote and feedback).
    let feedback = server
        .post(
            "/api/v1/sites/forum/feedback",
            &token,
            Some(r#"{"text": "Lovely site", "rating": 5}"#),
        )
        .await;
    assert_eq!(feedback.status, StatusCode::CREATED, "{:?}", feedback.body);
    assert_eq!(
        feedback.body["badges"],
        json!(["first-feedback", "all-rounder"])
    );
    // Host events: the second comment earns "commenter"; the retry answers the same.
    assert_eq!(
        event(&server, "bob", "comment", "c1", 10).await["badges"],
        json!([])
    );
    let second = event(&server, "bob", "comment", "c2", 10).await;
    assert_eq!(second["badges"], json!(["commenter"]));
    let retry = event(&server, "bob", "comment", "c2", 10).await;
    assert_eq!(
        retry,
        json!({"awarded": 10, "points": 25, "duplicate": true, "badges": ["commenter"]})
    );
    // A spin that costs 10 points.
    server.open_wheel(10, 5).await;
    let spin = server.spin_wheel("bob").await;
    assert_eq!(spin.status, StatusCode::OK, "{:?}", spin.body);
    assert_eq!(spin.body["badges"], json!(["spender"]));
    let me = me(&server, "bob").await;
    assert_eq!(me["title"], "High roller");
    assert_eq!(me["points"], 15);
    assert_eq!(me["earned"], 25);
    server.assert_ledger_balanced().await;
}

/// However many facts race for a member, each badge is stored and reported once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_triggers_award_a_badge_once() {
    let server = Arc::new(server().await);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            if i % 3 == 0 {
                server.check_in("carol").await.body
            } else {
                event(&server, "carol", "comment", &format!("k{i}"), 10).await
            }
        }));
    }
    let mut reported = Vec::new();
    for task in tasks {
        let body = task.await.unwrap();
        for badge in body["badges"].as_array().unwrap() {
            reported.push(badge.as_str().unwrap().to_owned());
        }
    }
    let unique: BTreeSet<&String> = reported.iter().collect();
    assert_eq!(unique.len(), reported.len(), "{reported:?}");
    assert_eq!(
        unique.into_iter().map(String::as_str).collect::<Vec<_>>(),
        ["commenter", "first-checkin", "hundred"]
    );
    assert_eq!(server.count(CountedTable::MemberBadges).await, 3);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn a_rank_badge_is_judged_when_the_points_arrive() {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[[badges]]\nid = \"top-of-the-day\"\nname = \"Top of the day\"\ntitle = \"Champion\"\n\
             criteria = { rank = { top = 1, period = \"day\" } }\n",
        )
        .await;
    assert_eq!(
        event(&server, "ann", "post", "a1", 30).await["badges"],
        json!(["top-of-the-day"])
    );
    // Second place earns nothing; overtaking does.
    assert_eq!(
        event(&server, "ben", "post", "b1", 20).await["badges"],
        json!([])
    );
    assert_eq!(
        event(&server, "ben", "post", "b2", 20).await["badges"],
        json!(["top-of-the-day"])
    );
    assert_eq!(me(&server, "ben").await["title"], "Champion");
}
