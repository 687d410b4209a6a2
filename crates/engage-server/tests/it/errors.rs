use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::TestServer;

const MAKEUP: &str = "/api/v1/sites/forum/checkin/makeup";

/// Refused bodies: each has its status and stable code, and nothing is stored.
#[tokio::test]
async fn refused_bodies() {
    let server = TestServer::new().await;
    let token = server.token("alice");
    let huge = format!(r#"{{"date":"{}"}}"#, "x".repeat(20 * 1024));
    let cases: [(&str, &str, StatusCode, &str); 7] = [
        (
            "{\"date\":",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "",
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            r#"{"date": 20261119}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            r#"{"date": "2026-02-30"}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            r#"{"day": "2026-11-19"}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            r#"{"date": "2026-11-19"}"#,
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            &huge,
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let request = Request::post(MAKEUP)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        let answer = server.send(request).await;
        assert_eq!(answer.status, status, "{body:.40} {content_type}");
        assert_eq!(answer.code(), code, "{body:.40}");
    }
    server.assert_nothing_stored().await;
}

#[tokio::test]
async fn unknown_sites_routes_and_methods() {
    let server = TestServer::new().await;
    let token = server.token("alice");
    let cases = [
        (
            Method::GET,
            "/api/v1/sites/nope/checkin",
            StatusCode::NOT_FOUND,
            "site_not_found",
        ),
        (
            Method::POST,
            "/api/v1/sites/nope/checkin",
            StatusCode::NOT_FOUND,
            "site_not_found",
        ),
        (
            Method::GET,
            "/api/v1/sites/NOT%20A%20SLUG/me",
            StatusCode::NOT_FOUND,
            "site_not_found",
        ),
        (
            Method::GET,
            "/api/v1/nothing/here",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/api/v2/sites/forum/checkin",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::DELETE,
            "/api/v1/sites/forum/checkin",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            Method::GET,
            "/api/v1/sites/forum/events",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (method, path, status, code) in cases {
        let answer = server.call(method.clone(), path, Some(&token), None).await;
        assert_eq!(answer.status, status, "{method} {path}");
        assert_eq!(answer.code(), code, "{method} {path}");
    }
    server.assert_nothing_stored().await;
}

#[tokio::test]
async fn health_and_openapi() {
    let server = TestServer::new().await;
    let health = server
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    let openapi = server
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(openapi.status, StatusCode::OK);
    assert!(openapi.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = openapi.body["paths"].as_object().unwrap();
    for path in [
        "/api/v1/sites/{site}/checkin",
        "/api/v1/sites/{site}/checkin/makeup",
        "/api/v1/sites/{site}/me",
        "/api/v1/sites/{site}/events",
        "/api/v1/sites/{site}/polls/{poll}",
        "/api/v1/sites/{site}/polls/{poll}/votes",
        "/api/v1/sites/{site}/polls/{poll}/events",
        "/api/v1/admin/sites/{site}/polls",
        "/api/v1/admin/sites/{site}/polls/{poll}",
        "/api/v1/sites/{site}/feedback",
        "/api/v1/sites/{site}/feedback/form",
        "/api/v1/sites/{site}/feedback/mine",
        "/api/v1/admin/sites/{site}/feedback",
        "/api/v1/admin/sites/{site}/feedback/stats",
        "/api/v1/admin/sites/{site}/feedback/{feedback}",
        "/api/v1/admin/sites/{site}/feedback/{feedback}/replies",
        "/api/v1/sites/{site}/leaderboard",
        "/api/v1/sites/{site}/leaderboard/events",
        "/api/v1/admin/sites/{site}/webhook",
        "/api/v1/admin/sites/{site}/webhook/deliveries",
        "/api/v1/demo/members",
        "/api/v1/demo/token",
        "/healthz",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
}

#[tokio::test]
async fn json_answers_are_compressed_when_asked() {
    let server = TestServer::new().await;
    let request = Request::get("/api/v1/openapi.json")
        .header(header::ACCEPT_ENCODING, "br")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(engage_server::router(server.state.clone()), request)
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
}
