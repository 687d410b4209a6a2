//! The page's one event stream, `GET /api/v1/sites/{site}/stream?channels=…`: every channel a
//! page names arrives on one connection, each change on its own channel only, `me` only for the
//! member the token names, and bad requests are refused with their error codes before any
//! stream opens.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::polls::{EventReader, Who, change_token, create as create_poll, vote};
use crate::rewards::{create as create_reward, redeem};
use engage_server::Config;

use crate::{Answer, TestServer};

const STREAM: &str = "/api/v1/sites/forum/stream";

/// Every channel of the demo page, with `amy`'s token for `me`.
fn everything(server: &TestServer) -> String {
    format!(
        "{STREAM}?channels=leaderboard,poll:feature,lottery:wheel,rewards,me&token={}",
        server.token("amy")
    )
}

/// A server whose streams tell changes apart quickly, with a poll, a wheel (stock 3, 5 points a
/// spin), a reward (stock 5, 10 points) and two members with 100 points each.
async fn set_up() -> TestServer {
    let server = TestServer::with_config(Config {
        tally_event_interval: Duration::from_millis(20),
        leaderboard_event_interval: Duration::from_millis(20),
        ..Config::default()
    })
    .await;
    create_poll(&server, json!({})).await;
    server.open_wheel(5, 3).await;
    create_reward(&server, "stickers", json!({"price": 10, "stock": 5})).await;
    server.award("amy", 100, "gift").await;
    server.award("ben", 100, "gift").await;
    server
}

/// Reads events until every name in `expected` has arrived; the names that arrived.
async fn until_all(events: &mut EventReader, expected: &[&str]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while !expected.iter().all(|name| seen.contains(*name)) {
        let (name, data) = events.next().await.expect("the stream is open");
        change_token(&data);
        seen.insert(name);
    }
    seen
}

/// The names of the events that arrive within a short while.
async fn arriving_soon(events: &mut EventReader) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while let Ok(Some((name, _))) =
        tokio::time::timeout(Duration::from_millis(400), events.next()).await
    {
        seen.insert(name);
    }
    seen
}

#[tokio::test]
async fn one_stream_carries_every_channel_and_each_change_on_its_own() {
    let server = set_up().await;
    let mut events = EventReader::open_path(&server, &everything(&server)).await;
    let all = [
        "leaderboard",
        "poll:feature",
        "lottery:wheel",
        "rewards",
        "me",
    ];
    // One event per channel at once: whatever changed before is unknown to the page.
    assert_eq!(until_all(&mut events, &all).await.len(), all.len());
    assert_eq!(arriving_soon(&mut events).await, BTreeSet::new());

    // An anonymous visitor's vote is news for the poll only (it awards no member points).
    let voted = vote(
        &server,
        "feature",
        Who::Visitor("visitor-0123456789abcdefghij"),
        &["dark-mode"],
    )
    .await;
    assert_eq!(voted.status, StatusCode::OK, "{:?}", voted.body);
    assert_eq!(
        arriving_soon(&mut events).await,
        BTreeSet::from(["poll:feature".to_owned()])
    );

    // Ben's spin changes the wheel's stock and the site's ledger, not amy's balance.
    let spun = server.spin_wheel("ben").await;
    assert_eq!(spun.status, StatusCode::OK, "{:?}", spun.body);
    assert_eq!(
        arriving_soon(&mut events).await,
        BTreeSet::from(["leaderboard".to_owned(), "lottery:wheel".to_owned()])
    );

    // Amy's redemption takes stock and spends her points.
    let redeemed = redeem(&server, "amy", "stickers").await;
    assert_eq!(redeemed.status, StatusCode::CREATED, "{:?}", redeemed.body);
    assert_eq!(
        arriving_soon(&mut events).await,
        BTreeSet::from([
            "leaderboard".to_owned(),
            "me".to_owned(),
            "rewards".to_owned()
        ])
    );

    server.store.watch.leaderboards.close();
    server.store.watch.members.close();
    server.store.watch.lotteries.close();
    server.store.watch.rewards.close();
    server.state.tallies.close();
    assert!(events.next().await.is_none(), "shutdown ends the stream");
}

#[tokio::test]
async fn a_stream_of_one_channel_hears_only_that_channel() {
    let server = set_up().await;
    let mut events =
        EventReader::open_path(&server, &format!("{STREAM}?channels=lottery:wheel")).await;
    assert_eq!(
        arriving_soon(&mut events).await,
        BTreeSet::from(["lottery:wheel".to_owned()])
    );
    server.award("amy", 5, "more").await;
    assert_eq!(arriving_soon(&mut events).await, BTreeSet::new());
    server.spin_wheel("amy").await;
    assert_eq!(
        arriving_soon(&mut events).await,
        BTreeSet::from(["lottery:wheel".to_owned()])
    );
}

async fn open(server: &TestServer, query: &str) -> Answer {
    server
        .call(Method::GET, &format!("{STREAM}{query}"), None, None)
        .await
}

#[tokio::test]
async fn bad_stream_requests_are_refused_with_their_codes() {
    let server = set_up().await;
    let too_many = (0..33)
        .map(|n| format!("poll:poll-{n:02}"))
        .collect::<Vec<_>>()
        .join(",");
    let cases = [
        ("", StatusCode::BAD_REQUEST, "invalid_query"),
        ("?channels=", StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "?channels=weather",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        ("?channels=poll:", StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "?channels=leaderboard&colour=red",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            &format!("?channels={too_many}"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        ("?channels=me", StatusCode::UNAUTHORIZED, "missing_token"),
        (
            "?channels=me&token=not-a-token",
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        (
            "?channels=poll:nope",
            StatusCode::NOT_FOUND,
            "poll_not_found",
        ),
        (
            "?channels=leaderboard,lottery:nope",
            StatusCode::NOT_FOUND,
            "lottery_not_found",
        ),
    ];
    for (query, status, code) in cases {
        let answer = open(&server, query).await;
        assert_eq!(answer.status, status, "{query}: {:?}", answer.body);
        assert_eq!(answer.code(), code, "{query}");
    }
    let other = server
        .call(
            Method::GET,
            "/api/v1/sites/nowhere/stream?channels=leaderboard",
            None,
            None,
        )
        .await;
    assert_eq!(other.code(), "site_not_found");
    // A token of another site does not open this site's `me`.
    let foreign = server.token_with(
        crate::OTHER_SECRET,
        "amy",
        crate::OTHER_SITE,
        server.now().as_second(),
        server.now().as_second() + 600,
    );
    let answer = open(&server, &format!("?channels=me&token={foreign}")).await;
    assert_eq!(answer.code(), "token_site_mismatch");
    // Nothing stays open after a refusal.
    assert_eq!(server.state.streams.open_streams(), 0);
}

#[test]
fn the_token_parameter_never_reaches_the_log() {
    let uri: axum::http::Uri =
        "/api/v1/sites/forum/stream?channels=me,leaderboard&token=eyJ.secret.sig"
            .parse()
            .unwrap();
    assert_eq!(
        engage_server::routes::redacted_uri(&uri),
        "/api/v1/sites/forum/stream?channels=me,leaderboard&token=[redacted]"
    );
}
