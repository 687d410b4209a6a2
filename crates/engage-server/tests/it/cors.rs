use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, header};

use crate::{ORIGIN, TestServer};

const PATH: &str = "/api/v1/sites/forum/checkin";

fn allow_origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn listed_origins_only() {
    let server = TestServer::new().await;
    let token = server.token("alice");
    let cases = [
        (ORIGIN, Some(ORIGIN)),
        ("https://evil.example.com", None),
        // `other`'s origin is not listed for `forum`.
        ("https://other.example.com", None),
    ];
    for (origin, expect) in cases {
        let request = Request::get(PATH)
            .header(header::ORIGIN, origin)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let answer = server.send(request).await;
        assert_eq!(allow_origin(&answer.headers), expect, "GET from {origin}");

        let preflight = Request::builder()
            .method(Method::OPTIONS)
            .uri(PATH)
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap();
        let answer = server.send(preflight).await;
        assert!(answer.status.is_success(), "preflight from {origin}");
        assert_eq!(
            allow_origin(&answer.headers),
            expect,
            "preflight from {origin}"
        );
        if expect.is_some() {
            let methods = answer.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
                .to_str()
                .unwrap();
            assert!(methods.contains("POST"), "{methods}");
            let headers = answer.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
                .to_str()
                .unwrap();
            assert!(headers.contains("authorization"), "{headers}");
            assert!(answer.headers.contains_key(header::ACCESS_CONTROL_MAX_AGE));
        }
    }
}

#[tokio::test]
async fn error_answers_carry_cors_headers_too() {
    let server = TestServer::new().await;
    let request = Request::post(PATH)
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    let answer = server.send(request).await;
    assert_eq!(answer.code(), "missing_token");
    assert_eq!(allow_origin(&answer.headers), Some(ORIGIN));
}
