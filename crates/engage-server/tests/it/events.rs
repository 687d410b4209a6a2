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
        json!({"awarded": 15, "points": 15, "duplicate": false})
    );
    let repeat = server.award("carol", 15, "post-1").await;
    assert_eq!(
        repeat.body,
        json!({"awarded": 0, "points": 15, "duplicate": true})
    );
    let second = server.award("carol", 5, "post-2").await;
    assert_eq!(
        second.body,
        json!({"awarded": 5, "points": 20, "duplicate": false})
    );
    let me = server
        .get("/api/v1/sites/forum/me", &server.token("carol"))
        .await;
    assert_eq!(me.body["ledger"][0]["key"], "event:post-2");
    assert_eq!(me.body["ledger"][0]["source"], "host_event");
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
