//! Signed webhooks (issue 5): events written to the outbox with their fact, delivered by the
//! worker to a real HTTP receiver on 127.0.0.1 (so these servers run with
//! `allow_private_webhooks`), signed as the README documents, retried on failure with the
//! configured backoff, and logged for the owner. What may not be reached is in
//! `webhook_safety.rs`.

use std::process::Command;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use engage_server::store::CountedTable;
use engage_server::webhooks::{DeliverySettings, Resolver, spawn_delivery_worker};
use engage_server::{Config, LimitConfig};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::{API_KEY, TestServer};

const WEBHOOK: &str = "/api/v1/admin/sites/forum/webhook";

/// A received request: its headers and raw body.
pub type Received = (HeaderMap, Bytes);

/// Starts a receiver on 127.0.0.1:0 that answers `status` and passes on what it receives.
pub async fn receiver(status: StatusCode) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (sender, received) = mpsc::unbounded_channel::<Received>();
    let app = Router::new()
        .route(
            "/hook",
            post(
                move |State(sender): State<mpsc::UnboundedSender<Received>>,
                      headers: HeaderMap,
                      body: Bytes| async move {
                    let _ = sender.send((headers, body));
                    status
                },
            ),
        )
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), received)
}

/// A test server whose webhook worker retries after `delays` and may deliver to 127.0.0.1.
pub async fn server_with_worker(delays: &[u64]) -> TestServer {
    let server = TestServer::with_config(delivering(DeliverySettings {
        retry_delays: delays.iter().map(|ms| Duration::from_millis(*ms)).collect(),
        timeout: Duration::from_secs(5),
        allow_private_webhooks: true,
        ..DeliverySettings::default()
    }))
    .await;
    spawn_delivery_worker(server.store.clone(), server.state.config.webhooks.clone());
    server
}

/// A configuration with generous limits and these delivery settings.
pub fn delivering(webhooks: DeliverySettings) -> Config {
    Config {
        limits: LimitConfig::generous(),
        webhooks,
        ..Config::default()
    }
}

pub async fn put_webhook(server: &TestServer, body: Value) -> crate::Answer {
    put_site_webhook(server, crate::SITE, API_KEY, body).await
}

/// Sets the webhook of `site` with its API key.
pub async fn put_site_webhook(
    server: &TestServer,
    site: &str,
    key: &str,
    body: Value,
) -> crate::Answer {
    let request = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/admin/sites/{site}/webhook"))
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    server.send(request).await
}

async fn admin_get(server: &TestServer, path: &str) -> crate::Answer {
    server.get(path, API_KEY).await
}

/// The README's recipe: hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret.
fn expected_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

pub async fn next(received: &mut mpsc::UnboundedReceiver<Received>) -> (HeaderMap, Value, Bytes) {
    let (headers, body) = tokio::time::timeout(Duration::from_secs(20), received.recv())
        .await
        .expect("a delivery within the wait")
        .unwrap();
    let json = serde_json::from_slice(&body).unwrap();
    (headers, json, body)
}

#[tokio::test]
async fn a_check_in_is_delivered_signed() {
    let server = server_with_worker(&[10, 10]).await;
    server
        .install_rules(
            "[[badges]]\nid = \"first\"\nname = \"First\"\ntitle = \"Rookie\"\n\
             criteria = { first_checkin = true }\n",
        )
        .await;
    let (url, mut received) = receiver(StatusCode::OK).await;
    let set = put_webhook(&server, json!({ "url": url })).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let secret = set.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(set.body["events"], json!(["checkin", "badge", "prize"]));

    let checked = server.check_in("alice").await;
    assert_eq!(checked.body["badges"], json!(["first"]));
    let mut events = Vec::new();
    for _ in 0..2 {
        let (headers, json, raw) = next(&mut received).await;
        let timestamp = headers["engage-timestamp"].to_str().unwrap();
        let age =
            engage_core::jiff::Timestamp::now().as_second() - timestamp.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "{timestamp}");
        assert_eq!(
            headers["engage-signature"].to_str().unwrap(),
            expected_signature(&secret, timestamp, &raw)
        );
        assert!(readme_recipes_accept(
            &secret,
            timestamp,
            &raw,
            headers["engage-signature"].to_str().unwrap()
        ));
        assert!(!readme_recipes_accept(
            &secret,
            timestamp,
            b"{\"forged\":1}",
            headers["engage-signature"].to_str().unwrap()
        ));
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["engage-event-id"].to_str().unwrap(), json["id"]);
        events.push(json);
    }
    events.sort_by_key(|e| e["type"].as_str().unwrap().to_owned());
    let [badge, checkin] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(checkin["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(checkin["type"], "checkin");
    assert_eq!(checkin["site"], "forum");
    assert_eq!(checkin["created_at"], "2026-11-20T02:00:00Z");
    assert_eq!(
        checkin["data"],
        json!({"member": "alice", "name": "Name of alice", "date": "2026-11-20", "streak": 1,
               "awarded": 10, "points": 10, "badges": ["first"]})
    );
    assert_eq!(badge["type"], "badge");
    assert_eq!(
        badge["data"],
        json!({"member": "alice", "name": "Name of alice",
               "badge": {"id": "first", "name": "First", "title": "Rookie"},
               "earned_at": "2026-11-20T02:00:00Z"})
    );
    // A repeat check-in is no new fact: no new event.
    server.check_in("alice").await;
    assert_eq!(server.count(CountedTable::WebhookOutbox).await, 2);
    let log = wait_for_log(&server, |log| {
        log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["last_status_code"], 200);
    assert_eq!(log[0]["last_failure"], Value::Null);
    assert_eq!(log[0]["last_error"], Value::Null);
}

/// Runs the README's Python and Node verification recipes, as written there, on a delivery;
/// true when both accept it (they must agree).
fn readme_recipes_accept(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let body = String::from_utf8(body.to_vec()).unwrap();
    let python = format!(
        "{}\nimport sys\nsys.exit(0 if verify({secret:?}, {{'Engage-Timestamp': {timestamp:?}, \
         'Engage-Signature': {signature:?}}}, {body:?}.encode()) else 1)\n",
        crate::readme_block("python", "def verify")
    );
    let node = format!(
        "{}\nprocess.exit(verify({secret:?}, {{'engage-timestamp': {timestamp:?}, \
         'engage-signature': {signature:?}}}, Buffer.from({body:?})) ? 0 : 1);\n",
        crate::readme_block("js", "export function verify")
    );
    let python = Command::new("python3")
        .args(["-c", &python])
        .status()
        .unwrap();
    let node = Command::new("node")
        .args(["--input-type=module", "-e", &node])
        .status()
        .unwrap();
    assert_eq!(python.success(), node.success(), "the recipes disagree");
    python.success()
}

/// Polls the delivery log until `done` holds for it.
pub async fn wait_for_log(server: &TestServer, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    wait_for_site_log(server, crate::SITE, API_KEY, done).await
}

/// Polls the delivery log of `site` until `done` holds for it.
pub async fn wait_for_site_log(
    server: &TestServer,
    site: &str,
    key: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let path = format!("/api/v1/admin/sites/{site}/webhook/deliveries");
    for _ in 0..500 {
        let answer = server.get(&path, key).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        let log = answer.body["deliveries"].as_array().unwrap().clone();
        if !log.is_empty() && done(&log) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the delivery log never settled");
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_then_the_event_fails() {
    let server = server_with_worker(&[20, 40]).await;
    let (url, mut received) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    put_webhook(&server, json!({ "url": url })).await;
    server.check_in("bob").await;
    let log = wait_for_log(&server, |log| log[0]["status"] == "failed").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["type"], "checkin");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["last_status_code"], 500);
    assert_eq!(log[0]["last_failure"], "http_status");
    assert_eq!(log[0]["last_error"], "the receiver answered HTTP 500");
    assert_eq!(log[0]["next_attempt_at"], Value::Null);
    // The same event, three times, with the same id.
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(next(&mut received).await.1["id"].clone());
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(received.try_recv().is_err());
}

#[tokio::test]
async fn an_unreachable_receiver_is_logged_and_retried() {
    let server = server_with_worker(&[60_000]).await;
    // Nothing listens on this port once the listener is dropped.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    put_webhook(
        &server,
        json!({ "url": format!("http://127.0.0.1:{port}/hook") }),
    )
    .await;
    server.check_in("bob").await;
    let log = wait_for_log(&server, |log| log[0]["attempts"] == 1).await;
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["last_status_code"], Value::Null);
    assert_eq!(log[0]["last_failure"], "connect");
    assert_eq!(log[0]["last_error"], "could not connect to the receiver");
    assert!(log[0]["next_attempt_at"].is_string());
}

#[tokio::test]
async fn a_won_prize_is_an_event_and_refusals_are_not() {
    let server = server_with_worker(&[10]).await;
    let (url, mut received) = receiver(StatusCode::NO_CONTENT).await;
    put_webhook(&server, json!({ "url": url })).await;
    server.open_wheel(10, 1).await;
    let broke = server.spin_wheel("cat").await;
    assert_eq!(broke.code(), "insufficient_points");
    assert_eq!(server.count(CountedTable::WebhookOutbox).await, 0);
    server.award("cat", 10, "gift").await;
    let won = server.spin_wheel("cat").await;
    assert_eq!(won.body["prize"]["id"], "mug", "{:?}", won.body);
    let (_, event, _) = next(&mut received).await;
    assert_eq!(event["type"], "prize");
    assert_eq!(
        event["data"],
        json!({"member": "cat", "name": "Name of cat", "lottery": "wheel", "spin": 1,
               "prize": {"id": "mug", "name": "Mug"}})
    );
    wait_for_log(&server, |log| {
        log[0]["status"] == "delivered" && log[0]["last_status_code"] == 204
    })
    .await;
}

#[tokio::test]
async fn the_owner_sets_reads_and_rotates_the_webhook() {
    // hooks.example.com resolves to a public address here, without asking the network.
    let public = Resolver::from_fn(|_| Ok(vec!["93.184.215.14".parse().unwrap()]));
    let server = TestServer::with_config(delivering(DeliverySettings {
        resolver: public,
        ..DeliverySettings::default()
    }))
    .await;
    let none = admin_get(&server, WEBHOOK).await;
    assert_eq!(
        (none.status, none.code()),
        (StatusCode::NOT_FOUND, "webhook_not_found")
    );
    // No webhook: facts write no events.
    server.check_in("dan").await;
    assert_eq!(server.count(CountedTable::WebhookOutbox).await, 0);
    for bad in ["ftp://example.com/hook", "not a url", ""] {
        let answer = put_webhook(&server, json!({ "url": bad })).await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            "{bad}"
        );
    }
    let first = put_webhook(&server, json!({"url": "https://hooks.example.com/a"})).await;
    let moved = put_webhook(&server, json!({"url": "https://hooks.example.com/b"})).await;
    assert_eq!(moved.body["secret"], first.body["secret"]);
    assert_eq!(moved.body["url"], "https://hooks.example.com/b");
    let rotated = put_webhook(
        &server,
        json!({"url": "https://hooks.example.com/b", "rotate_secret": true}),
    )
    .await;
    assert_ne!(rotated.body["secret"], first.body["secret"]);
    assert_eq!(admin_get(&server, WEBHOOK).await.body, rotated.body);
    let wrong = server.get(WEBHOOK, "ek_wrong").await;
    assert_eq!(wrong.code(), "invalid_api_key");
}

#[test]
fn the_command_line_sets_the_webhook() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_engage-server"))
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let added = run(&[
        "site",
        "add",
        "--db",
        db,
        "--id",
        "forum",
        "--origin",
        "https://forum.example.com",
    ]);
    assert!(added.status.success());
    let webhook = |url: &str, extra: &[&str]| {
        let args = [
            "site", "webhook", "--db", db, "--site", "forum", "--url", url,
        ];
        run(&[&args[..], extra].concat())
    };
    let output = webhook("https://forum.example.com/hooks", &["--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["site"], "forum");
    assert_eq!(report["url"], "https://forum.example.com/hooks");
    assert!(report["secret"].as_str().unwrap().starts_with("whsec_"));
    let bad = webhook("mailto:x", &[]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must be an http:// or https:// URL"));
    // Into the server's own network only with the flag.
    let refused = webhook("http://10.1.2.3/hook", &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("10.1.2.3, a private-network address")
            && stderr.contains("--allow-private-webhooks"),
        "{stderr}"
    );
    let allowed = webhook(
        "http://10.1.2.3/hook",
        &["--allow-private-webhooks", "--json"],
    );
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    let report: Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(report["url"], "http://10.1.2.3/hook");
}
