use axum::http::{StatusCode, header};
use engage_server::LimitConfig;
use engage_server::store::CountedTable;

use crate::{TestServer, per_minute as n};

#[tokio::test]
async fn member_writes_are_limited() {
    let server = TestServer::with_limits(LimitConfig {
        member_writes_per_minute: n(2),
        member_write_burst: n(2),
        ..LimitConfig::generous()
    })
    .await;
    let token = server.token("alice");
    for _ in 0..2 {
        let answer = server
            .post("/api/v1/sites/forum/checkin", &token, None)
            .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let refused = server
        .post("/api/v1/sites/forum/checkin", &token, None)
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "rate_limited");
    let retry_after: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    // Reads are not writes, and another member has their own allowance.
    let read = server.get("/api/v1/sites/forum/checkin", &token).await;
    assert_eq!(read.status, StatusCode::OK);
    let bob = server.check_in("bob").await;
    assert_eq!(bob.status, StatusCode::OK);
    assert_eq!(server.count(CountedTable::Checkins).await, 2);
}

#[tokio::test]
async fn requests_per_ip_are_limited() {
    let server = TestServer::with_limits(LimitConfig {
        ip_requests_per_minute: n(3),
        ip_burst: n(3),
        ..LimitConfig::generous()
    })
    .await;
    let token = server.token("alice");
    for _ in 0..3 {
        let answer = server.get("/api/v1/sites/forum/checkin", &token).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let refused = server.get("/api/v1/sites/forum/me", &token).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "rate_limited");
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
}
