use axum::http::StatusCode;
use engage_server::store::CountedTable;
use serde_json::json;

use crate::{API_KEY, TestServer};

const EVENTS: &str = "/api/v1/sites/forum/events";

#[tokio::test]
async fn host_events_award_once_per_key() {
    let server = TestServer::new().await;
    let first = server.award("carol", 15, "post-1").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(
        first.body,
        json!({"awarded": 15, "points": 15, "duplicate": false, "badges": []})
    );
    let second = server.award("carol", 5, "post-2").await;
    assert_eq!(
        second.body,
        json!({"awarded": 5, "points": 20, "duplicate": false, "badges": []})
    );
    // Regression (issue 5): a retry answers what the first call answered, not the balance now.
    let repeat = server.award("carol", 15, "post-1").await;
    assert_eq!(
        repeat.body,
        json!({"awarded": 15, "points": 15, "duplicate": true, "badges": []})
    );
    let me = server
        .get("/api/v1/sites/forum/me", &server.token("carol"))
        .await;
    assert_eq!(me.body["points"], 20);
    assert_eq!(me.body["ledger"][0]["key"], "event:post-2");
    assert_eq!(me.body["ledger"][0]["source"], "host_event");
    assert_eq!(server.count(CountedTable::Ledger).await, 2);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn host_events_take_their_points_from_the_rules() {
    let server = TestServer::new().await;
    server
        .install_rules("[points.events]\ncomment = 5\nanswer = 20\n")
        .await;
    let event = |kind: &str, key: &str| {
        json!({"member": "carol", "kind": kind, "idempotency_key": key}).to_string()
    };
    let comment = server
        .call_with_key(EVENTS, API_KEY, &event("comment", "c1"))
        .await;
    assert_eq!(comment.body["awarded"], 5, "{:?}", comment.body);
    let answer = server
        .call_with_key(EVENTS, API_KEY, &event("answer", "a1"))
        .await;
    assert_eq!(answer.body["awarded"], 20);
    // A kind the rules do not name gives nothing; points in the request win over the rules.
    let other = server
        .call_with_key(EVENTS, API_KEY, &event("like", "l1"))
        .await;
    assert_eq!(other.body["awarded"], 0);
    let explicit =
        json!({"member": "carol", "kind": "comment", "idempotency_key": "c2", "points": 1});
    let explicit = server
        .call_with_key(EVENTS, API_KEY, &explicit.to_string())
        .await;
    assert_eq!(
        (
            explicit.body["awarded"].clone(),
            explicit.body["points"].clone()
        ),
        (json!(1), json!(26))
    );
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn a_daily_cap_holds_under_fifty_concurrent_host_events() {
    let server = std::sync::Arc::new(TestServer::new().await);
    server
        .install_rules("[points.daily_caps]\nhost_event = 100\n")
        .await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            server.award("carol", 7, &format!("burst-{i}")).await
        }));
    }
    let mut awarded = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        awarded += answer.body["awarded"].as_i64().unwrap();
    }
    assert_eq!(awarded, 100);
    let me = server
        .get("/api/v1/sites/forum/me", &server.token("carol"))
        .await;
    assert_eq!(me.body["points"], 100);
    assert_eq!(server.count(CountedTable::HostEvents).await, 50);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn host_events_need_the_site_key_and_a_valid_body() {
    let server = TestServer::new().await;
    let body =
        json!({"member": "carol", "kind": "post", "idempotency_key": "k", "points": 1}).to_string();
    let cases = [
        (
            None,
            body.clone(),
            StatusCode::UNAUTHORIZED,
            "missing_api_key",
        ),
        (
            Some("ek_wrong"),
            body.clone(),
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
        ),
        (
            Some(API_KEY),
            json!({"member": "carol", "kind": "post", "idempotency_key": "k", "points": -5})
                .to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Some(API_KEY),
            json!({"member": "carol", "kind": "Not A Slug", "idempotency_key": "k"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Some(API_KEY),
            json!({"member": "", "kind": "post", "idempotency_key": "k"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            Some(API_KEY),
            json!({"member": "carol", "kind": "post", "idempotency_key": ""}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (key, body, status, code) in cases {
        let answer = match key {
            Some(key) => server.call_with_key(EVENTS, key, &body).await,
            None => {
                server
                    .call(axum::http::Method::POST, EVENTS, None, Some(&body))
                    .await
            }
        };
        assert_eq!(answer.status, status, "{key:?} {body}");
        assert_eq!(answer.code(), code, "{key:?} {body}");
    }
    server.assert_nothing_stored().await;
    // The other site's key does not work here.
    let other = server
        .call_with_key(EVENTS, &format!("{API_KEY}_other"), &body)
        .await;
    assert_eq!(other.code(), "invalid_api_key");
    assert_eq!(server.count(CountedTable::Ledger).await, 0);
}
