use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::jiff::Timestamp;
use engage_server::routes::demo::seed_demo;
use engage_server::{AppState, Config, LimitConfig, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::TestServer;

async fn call(
    state: &AppState,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = router(state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn demo_members_get_real_tokens() {
    let server = TestServer::new().await;
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    seed_demo(&server.store, &["http://127.0.0.1:9999".into()], now)
        .await
        .unwrap();
    // Seeding twice changes nothing.
    seed_demo(&server.store, &[], now).await.unwrap();
    let state = AppState::new(
        server.store.clone(),
        Config {
            demo: true,
            limits: LimitConfig::generous(),
            ..Config::default()
        },
    )
    .with_clock(Arc::new(move || now));

    let (status, members) = call(&state, Method::GET, "/api/v1/demo/members", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        members,
        json!([
            {"member": "alice", "name": "Alice"},
            {"member": "bob", "name": "Bob"},
            {"member": "xiaoming", "name": "小明"},
            {"member": "mei", "name": "美美"},
        ])
    );
    let (status, token) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(json!({"member": "xiaoming"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["site"], "demo");
    assert_eq!(token["member"], "xiaoming");
    assert_eq!(token["name"], "小明");
    assert_eq!(token["expires_at"], "2026-11-20T03:00:00Z");
    let token = token["token"].as_str().unwrap();
    let (status, checked) = call(
        &state,
        Method::POST,
        "/api/v1/sites/demo/checkin",
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(checked["awarded"], 10);
    assert_eq!(checked["date"], "2026-11-20");

    let (status, unknown) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(json!({"member": "mallory"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unknown["error"]["code"], "member_not_found");
    assert!(state.origin_allowed("demo", "http://127.0.0.1:9999").await);
    assert!(state.origin_allowed("demo", "http://localhost:8080").await);
}

#[tokio::test]
async fn demo_routes_do_not_exist_without_demo_mode() {
    let server = TestServer::new().await;
    for (method, path) in [
        (Method::GET, "/api/v1/demo/members"),
        (Method::POST, "/api/v1/demo/token"),
    ] {
        let answer = server
            .call(method, path, None, Some(r#"{"member":"alice"}"#))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.code(), "not_found");
    }
}
