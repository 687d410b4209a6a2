//! Cheap reads (issue 9): a member's reads write nothing unless their name changed or their
//! `last_seen` is stale, and a closed lottery's proof is built once and revalidated by `ETag`.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use engage_core::api::lottery::LotteryProof;
use engage_core::lottery::verify_proof;
use engage_server::router;
use http_body_util::BodyExt;
use serde_json::json;
use sqlx::SqliteConnection;
use tower::ServiceExt;

use super::{create_poll, database_connection, token_named};
use crate::{API_KEY, TestServer};

/// SQLite's count of commits by other connections, read on `watcher`: unchanged means that
/// nothing was written to the file in between.
async fn data_version(watcher: &mut SqliteConnection) -> i64 {
    sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(watcher)
        .await
        .unwrap()
}

/// Every GET a member's widgets make, with `token`.
async fn read_everything(server: &TestServer, token: &str) {
    for path in [
        "/api/v1/sites/forum/me",
        "/api/v1/sites/forum/checkin",
        "/api/v1/sites/forum/checkin?month=2026-10",
        "/api/v1/sites/forum/leaderboard",
        "/api/v1/sites/forum/leaderboard?period=all",
        "/api/v1/sites/forum/polls/feature",
        "/api/v1/sites/forum/lotteries/wheel",
        "/api/v1/sites/forum/feedback/mine",
    ] {
        let answer = server.get(path, token).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {:?}", answer.body);
    }
}

/// Repeated reads by one member write nothing to the database file; a changed name is
/// written at once, and `last_seen` once it is an hour old.
#[tokio::test]
async fn repeated_reads_by_a_member_write_nothing() {
    let server = TestServer::new().await;
    let poll = json!({
        "id": "feature", "question": "Next?",
        "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    });
    create_poll(&server, poll).await;
    server.open_wheel(0, 5).await;
    let mut watcher = database_connection(&server).await;

    // The first read stores the new member.
    let token = token_named(&server, "alice", "Alice");
    let before = data_version(&mut watcher).await;
    read_everything(&server, &token).await;
    let first = data_version(&mut watcher).await;
    assert_ne!(first, before, "a new member is stored");
    // Again and again, minutes apart: no write at all. (SQLite itself skips a row rewritten
    // with identical bytes, so the clock moves on: every read used to write a new last_seen.)
    for at in ["02:00:00", "02:01:00", "02:17:30", "02:45:00"] {
        server.set_now(&format!("2026-11-20T{at}Z"));
        read_everything(&server, &token_named(&server, "alice", "Alice")).await;
    }
    assert_eq!(
        data_version(&mut watcher).await,
        first,
        "repeated reads wrote"
    );

    // A new name is written by the next read, and shown.
    let renamed = token_named(&server, "alice", "Alice Liddell");
    let me = server.get("/api/v1/sites/forum/me", &renamed).await;
    assert_eq!(me.body["name"], "Alice Liddell");
    let after_rename = data_version(&mut watcher).await;
    assert_ne!(after_rename, first, "the new name was written");
    server.set_now("2026-11-20T02:50:00Z");
    read_everything(&server, &token_named(&server, "alice", "Alice Liddell")).await;
    assert_eq!(data_version(&mut watcher).await, after_rename);

    // `last_seen` (written with the name, at 02:45) is refreshed only once it is an hour old.
    server.set_now("2026-11-20T03:44:59Z");
    read_everything(&server, &token_named(&server, "alice", "Alice Liddell")).await;
    assert_eq!(data_version(&mut watcher).await, after_rename, "59 minutes");
    server.set_now("2026-11-20T03:45:00Z");
    let token = token_named(&server, "alice", "Alice Liddell");
    server.get("/api/v1/sites/forum/me", &token).await;
    let refreshed = data_version(&mut watcher).await;
    assert_ne!(refreshed, after_rename, "an hour: last_seen is written");
    read_everything(&server, &token).await;
    assert_eq!(data_version(&mut watcher).await, refreshed);
}

/// The raw answer: status, headers and body bytes.
async fn raw_get(
    server: &TestServer,
    path: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(tag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    let response = router(server.state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

/// A closed lottery's proof is built once and stored: served byte for byte with a strong
/// `ETag`, 304 on revalidation, and no longer read from the spins (deleting them afterwards
/// changes nothing served).
#[tokio::test]
async fn a_closed_lottery_proof_is_built_once_and_revalidated_by_etag() {
    let server = TestServer::new().await;
    server.open_wheel(0, 10).await;
    for member in ["ann", "ben", "cat", "dan"] {
        let spun = server.spin_wheel(member).await;
        assert_eq!(spun.status, StatusCode::OK, "{:?}", spun.body);
    }
    let proof_path = "/api/v1/sites/forum/lotteries/wheel/proof";
    let (status, headers, _) = raw_get(&server, proof_path, Some("*")).await;
    assert_eq!(status, StatusCode::CONFLICT, "not closed yet");
    assert!(headers.get(header::ETAG).is_none());

    let closed = server
        .call_with_key(
            "/api/v1/admin/sites/forum/lotteries/wheel/close",
            API_KEY,
            "{}",
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    let (status, headers, first) = raw_get(&server, proof_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    assert!(
        etag.len() == 34 && etag.starts_with('"') && etag.ends_with('"'),
        "a strong tag: {etag}"
    );
    let published: LotteryProof = serde_json::from_slice(&first).unwrap();
    assert_eq!(published.spins.len(), 4);
    assert!(verify_proof(&published).passed());

    // Served as stored: even with the spins gone from the database.
    let mut other = database_connection(&server).await;
    sqlx::query("DELETE FROM lottery_spins")
        .execute(&mut other)
        .await
        .unwrap();
    let (status, headers, again) = raw_get(&server, proof_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first, "byte-identical");
    assert_eq!(headers[header::ETAG], etag.as_str());

    // Revalidation.
    let weak = format!("W/{etag}");
    let listed = format!("\"0123\", {etag}");
    for tag in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
        let (status, headers, body) = raw_get(&server, proof_path, Some(tag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{tag}");
        assert!(body.is_empty(), "{tag}");
        assert_eq!(headers[header::ETAG], etag.as_str(), "{tag}");
    }
    let (status, _, body) = raw_get(&server, proof_path, Some("\"someone-else\"")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, first);
}

/// Issue 9: a lottery closed by its close time (the first read closes it) gets its proof built
/// and kept the same way.
#[tokio::test]
async fn a_lottery_closed_by_time_keeps_one_proof() {
    let server = TestServer::new().await;
    server.open_wheel(0, 3).await;
    server.spin_wheel("ann").await;
    server.set_now("2026-12-02T00:00:00Z");
    let proof_path = "/api/v1/sites/forum/lotteries/wheel/proof";
    let (status, headers, first) = raw_get(&server, proof_path, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&first)
    );
    let published: LotteryProof = serde_json::from_slice(&first).unwrap();
    assert!(verify_proof(&published).passed());
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, _, second) = raw_get(&server, proof_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second, first);
    let (status, _, _) = raw_get(&server, proof_path, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}
