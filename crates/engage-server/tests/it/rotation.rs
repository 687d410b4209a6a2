//! Rotating a site's member-token secret and API key (`site rotate`, `Store::rotate_credential`):
//! during the overlap the old and the new value both work; after it, or at once with an overlap
//! of 0s, only the new one does; a second rotation inside an overlap retires the first old value.

use std::process::Output;
use std::time::Duration;

use axum::http::StatusCode;
use engage_core::SiteId;
use engage_core::jiff::{SignedDuration, Timestamp};
use engage_server::StoreError;
use engage_server::cli::parse_overlap;
use engage_server::store::{Credential, Rotated};
use serde_json::Value;

use crate::backup::db_of;
use crate::cli::{engage_server, text};
use crate::{API_KEY, SECRET, SITE, TestServer};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn forum() -> SiteId {
    SiteId::parse(SITE).unwrap()
}

async fn rotate(server: &TestServer, credential: Credential, overlap: Duration) -> Rotated {
    server
        .store
        .rotate_credential(&forum(), credential, overlap, server.now())
        .await
        .unwrap()
}

/// Moves the test clock by `by` from its current time.
fn advance(server: &TestServer, by: SignedDuration) {
    let later = server.now().checked_add(by).unwrap();
    server.set_now(&later.to_string());
}

/// The status and error code of a member request with a fresh token signed with `secret`.
async fn with_token_of(server: &TestServer, secret: &str) -> (StatusCode, String) {
    let now = server.now().as_second();
    let token = server.token_with(secret, "alice", SITE, now, now + 600);
    let answer = server.get("/api/v1/sites/forum/checkin", &token).await;
    (answer.status, answer.code().to_owned())
}

/// The status and error code of a host event sent with `key` (each call a new event).
async fn with_key(server: &TestServer, key: &str) -> (StatusCode, String) {
    let body = serde_json::json!({
        "member": "alice", "kind": "bonus", "points": 1,
        "idempotency_key": format!("k-{}-{key}", server.now()),
    });
    let answer = server
        .call_with_key("/api/v1/sites/forum/events", key, &body.to_string())
        .await;
    (answer.status, answer.code().to_owned())
}

fn accepted(outcome: &(StatusCode, String)) -> bool {
    outcome.0.is_success()
}

#[tokio::test]
async fn tokens_of_the_old_secret_work_during_the_overlap_and_fail_after() {
    let server = TestServer::new().await;
    let rotated = rotate(&server, Credential::Secret, DAY).await;
    assert_ne!(rotated.value, SECRET);
    assert_eq!(
        rotated.previous_until,
        server.now().checked_add(DAY).unwrap()
    );

    assert!(accepted(&with_token_of(&server, SECRET).await));
    assert!(accepted(&with_token_of(&server, &rotated.value).await));
    advance(
        &server,
        SignedDuration::from_hours(24) - SignedDuration::from_secs(1),
    );
    assert!(accepted(&with_token_of(&server, SECRET).await));

    advance(&server, SignedDuration::from_secs(1));
    assert_eq!(
        with_token_of(&server, SECRET).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );
    assert!(accepted(&with_token_of(&server, &rotated.value).await));
    // Never an unrelated secret, during the overlap or after.
    assert!(!accepted(&with_token_of(&server, "not-a-secret").await));
}

#[tokio::test]
async fn a_token_of_the_old_secret_still_expires() {
    let server = TestServer::new().await;
    rotate(&server, Credential::Secret, DAY).await;
    let now = server.now().as_second();
    let expired = server.token_with(SECRET, "alice", SITE, now - 7200, now - 3600);
    let answer = server.get("/api/v1/sites/forum/checkin", &expired).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.code(), "token_expired");
}

#[tokio::test]
async fn the_old_api_key_works_during_the_overlap_and_fails_after() {
    let server = TestServer::new().await;
    let rotated = rotate(&server, Credential::ApiKey, Duration::from_secs(90 * 60)).await;
    assert!(rotated.value.starts_with("ek_"));

    assert!(accepted(&with_key(&server, API_KEY).await));
    assert!(accepted(&with_key(&server, &rotated.value).await));
    advance(&server, SignedDuration::from_mins(90));
    assert_eq!(
        with_key(&server, API_KEY).await,
        (StatusCode::UNAUTHORIZED, "invalid_api_key".to_owned())
    );
    assert!(accepted(&with_key(&server, &rotated.value).await));
    // Rotating the API key left the member-token secret alone.
    assert!(accepted(&with_token_of(&server, SECRET).await));
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn an_overlap_of_zero_retires_the_old_value_at_once() {
    let server = TestServer::new().await;
    let secret = rotate(&server, Credential::Secret, Duration::ZERO).await;
    let key = rotate(&server, Credential::ApiKey, Duration::ZERO).await;
    assert_eq!(secret.previous_until, server.now());
    assert!(!accepted(&with_token_of(&server, SECRET).await));
    assert!(accepted(&with_token_of(&server, &secret.value).await));
    assert!(!accepted(&with_key(&server, API_KEY).await));
    assert!(accepted(&with_key(&server, &key.value).await));
}

#[tokio::test]
async fn a_second_rotation_inside_the_overlap_retires_the_first_old_value() {
    let server = TestServer::new().await;
    let first = rotate(&server, Credential::Secret, DAY).await;
    advance(&server, SignedDuration::from_hours(1));
    let second = rotate(&server, Credential::Secret, DAY).await;
    assert!(!accepted(&with_token_of(&server, SECRET).await));
    assert!(accepted(&with_token_of(&server, &first.value).await));
    assert!(accepted(&with_token_of(&server, &second.value).await));
    // The first rotation's value now retires a day after the second rotation.
    advance(
        &server,
        SignedDuration::from_hours(24) - SignedDuration::from_secs(1),
    );
    assert!(accepted(&with_token_of(&server, &first.value).await));
    advance(&server, SignedDuration::from_secs(1));
    assert!(!accepted(&with_token_of(&server, &first.value).await));

    let key_first = rotate(&server, Credential::ApiKey, DAY).await;
    let key_second = rotate(&server, Credential::ApiKey, DAY).await;
    assert!(!accepted(&with_key(&server, API_KEY).await));
    assert!(accepted(&with_key(&server, &key_first.value).await));
    assert!(accepted(&with_key(&server, &key_second.value).await));
}

#[tokio::test]
async fn rotating_an_unknown_site_is_refused() {
    let server = TestServer::new().await;
    let nope = SiteId::parse("nope").unwrap();
    let error = server
        .store
        .rotate_credential(&nope, Credential::Secret, DAY, server.now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::SiteNotFound(ref site) if *site == nope),
        "{error}"
    );
    // The known site kept its secret.
    assert!(accepted(&with_token_of(&server, SECRET).await));
}

#[test]
fn overlaps_are_friendly_durations() {
    let cases = [
        ("24h", Some(DAY)),
        ("90m", Some(Duration::from_secs(90 * 60))),
        ("0s", Some(Duration::ZERO)),
        ("1h 30m", Some(Duration::from_secs(90 * 60))),
        ("PT2H", Some(Duration::from_secs(2 * 60 * 60))),
        ("-1h", None),
        ("soon", None),
        ("", None),
        ("24", None),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_overlap(text).ok(), expected, "{text}");
    }
}

/// Runs `engage-server site rotate --db <db> <args>`.
fn rotate_command(db: &str, args: &[&str]) -> Output {
    engage_server(&[&["site", "rotate", "--db", db], args].concat())
}

/// `site rotate --json` through the real binary, on the database of a running server: the new
/// value under `secret` or `api_key` and when the old one stops working; the server accepts
/// the new value at once.
#[tokio::test]
async fn the_command_prints_the_new_value_and_when_the_old_one_stops() {
    let server = TestServer::new().await;
    let db = db_of(&server);
    for (flag, field, overlap, seconds) in [
        ("--secret", "secret", "24h", 24 * 3600),
        ("--api-key", "api_key", "90m", 90 * 60),
        ("--secret", "secret", "0s", 0),
    ] {
        let before = Timestamp::now();
        let output = rotate_command(
            &db,
            &["--site", "forum", flag, "--overlap", overlap, "--json"],
        );
        let after = Timestamp::now();
        assert!(output.status.success(), "{}", text(&output.stderr));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut keys: Vec<&str> = report
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut expected = vec!["previous_valid_until", "site", field];
        expected.sort_unstable();
        assert_eq!(keys, expected, "{report}");
        assert_eq!(report["site"], "forum");
        let until: Timestamp = report["previous_valid_until"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let overlap = SignedDuration::from_secs(seconds);
        assert!(
            before.checked_add(overlap).unwrap() <= until
                && until <= after.checked_add(overlap).unwrap(),
            "{flag} {overlap}: {until}"
        );
        let value = report[field].as_str().unwrap();
        let outcome = match field {
            "secret" => with_token_of(&server, value).await,
            _ => with_key(&server, value).await,
        };
        assert!(
            accepted(&outcome),
            "{flag}: the new value works: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn the_command_names_an_unknown_site_and_a_bad_overlap() {
    let server = TestServer::new().await;
    let db = db_of(&server);
    // (arguments, what stderr says)
    let cases: [(&[&str], &str); 5] = [
        (
            &["--site", "nope", "--secret"],
            "site 'nope' does not exist",
        ),
        (
            &["--site", "forum", "--secret", "--overlap=-1h"],
            "the overlap '-1h' is negative",
        ),
        (
            &["--site", "forum", "--api-key", "--overlap", "soon"],
            "'soon' is not a duration",
        ),
        (&["--site", "forum"], "--secret"),
        (
            &["--site", "forum", "--secret", "--api-key"],
            "cannot be used with",
        ),
    ];
    for (args, says) in cases {
        let output = rotate_command(&db, args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            text(&output.stderr).contains(says),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    // Nothing was rotated.
    assert!(accepted(&with_token_of(&server, SECRET).await));
    assert!(accepted(&with_key(&server, API_KEY).await));
}
