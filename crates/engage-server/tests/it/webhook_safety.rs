//! Webhooks on the open internet (issue 9): URLs into the server's own network are refused when
//! set and, whatever a name resolves to later, never connected to at delivery; the delivery log
//! shows only coarse categories; redirects are not followed; and one site's dead endpoint
//! neither holds more than its own delivery slot nor delays other sites, whose events keep
//! their order.
//!
//! Names resolve through a test resolver (the seam the worker uses), but every connection made
//! is a real TCP connection to a real listener on 127.0.0.1.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::routing::post;
use engage_server::webhooks::{DeliverySettings, Resolver, spawn_delivery_worker};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::webhooks::{
    delivering, next, put_site_webhook, put_webhook, receiver, wait_for_log, wait_for_site_log,
};
use crate::{API_KEY, OTHER_SECRET, OTHER_SITE, SITE, TestServer};

const OTHER_KEY: &str = "ek_forum_test_key_other";
/// A public address (example.com's) that no test ever connects to.
const PUBLIC: &str = "93.184.215.14";

/// Names the test resolver knows; it can be changed while the server runs.
#[derive(Clone, Default)]
struct Names(Arc<Mutex<HashMap<String, Vec<IpAddr>>>>);

impl Names {
    fn set(&self, name: &str, addresses: &[&str]) {
        let addresses = addresses.iter().map(|a| a.parse().unwrap()).collect();
        self.0.lock().unwrap().insert(name.to_owned(), addresses);
    }

    fn resolver(&self) -> Resolver {
        let names = self.0.clone();
        Resolver::from_fn(move |name| {
            names.lock().unwrap().get(name).cloned().ok_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, format!("no such name {name}"))
            })
        })
    }
}

/// A server resolving through `names`, retrying after a minute (so a test sees one attempt),
/// waiting `timeout` for an answer; `allow_private` is `--allow-private-webhooks`.
async fn server(names: &Names, allow_private: bool, timeout: Duration) -> TestServer {
    TestServer::with_config(delivering(DeliverySettings {
        retry_delays: vec![Duration::from_secs(60)],
        timeout,
        allow_private_webhooks: allow_private,
        resolver: names.resolver(),
        ..DeliverySettings::default()
    }))
    .await
}

fn start_worker(server: &TestServer) {
    spawn_delivery_worker(server.store.clone(), server.state.config.webhooks.clone());
}

/// Checks `member` in on the `other` site.
async fn check_in_other(server: &TestServer, member: &str) {
    let now = server.now().as_second();
    let token = server.token_with(OTHER_SECRET, member, OTHER_SITE, now, now + 3600);
    let answer = server
        .post(&format!("/api/v1/sites/{OTHER_SITE}/checkin"), &token, None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
}

/// A listener that accepts connections and never answers; each accepted connection is passed
/// on (and so stays open as long as the test holds it).
async fn silent_listener() -> (u16, mpsc::UnboundedReceiver<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, accepted) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            if sender.send(stream).is_err() {
                break;
            }
        }
    });
    (port, accepted)
}

/// A listener that closes every connection as soon as it accepts it.
async fn hang_up_listener() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    port
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A receiver that answers `statuses` in turn, then 200, and passes on each event's id.
async fn scripted_receiver(statuses: Vec<StatusCode>) -> (String, mpsc::UnboundedReceiver<String>) {
    let (sender, ids) = mpsc::unbounded_channel::<String>();
    let served = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/hook",
            post(
                move |State(sender): State<mpsc::UnboundedSender<String>>, body: String| {
                    let turn = served.fetch_add(1, Ordering::SeqCst);
                    let status = statuses.get(turn).copied().unwrap_or(StatusCode::OK);
                    async move {
                        let event: Value = serde_json::from_str(&body).unwrap();
                        let _ = sender.send(event["id"].as_str().unwrap().to_owned());
                        status
                    }
                },
            ),
        )
        .with_state(sender);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), ids)
}

async fn webhook_of(server: &TestServer) -> crate::Answer {
    server
        .get(&format!("/api/v1/admin/sites/{SITE}/webhook"), API_KEY)
        .await
}

/// The log entry of the one event, once its first attempt is recorded.
async fn first_attempt(server: &TestServer) -> Value {
    let log = wait_for_log(server, |log| log[0]["attempts"] == 1).await;
    assert_eq!(log.len(), 1, "{log:?}");
    log[0].clone()
}

/// Asserts that a log entry says `failure` in its category and fixed words, and nothing an
/// error's text would (addresses, ports, OS messages).
fn assert_only_category(entry: &Value, failure: &str, words: &str, port: u16) {
    assert_eq!(entry["last_failure"], failure, "{entry}");
    assert_eq!(entry["last_error"], words, "{entry}");
    let text = entry.to_string().to_lowercase();
    for leak in [
        "127.0.0.1",
        &port.to_string(),
        "refused",
        "os error",
        "dns error",
        "tcp",
        "eof",
        "rustls",
        "hyper",
    ] {
        assert!(!text.contains(leak), "{leak:?} in {entry}");
    }
}

#[tokio::test]
async fn urls_into_the_network_are_refused_when_set() {
    let names = Names::default();
    names.set("intranet.test", &["10.1.1.1", "fd00::1", "127.0.0.1"]);
    names.set("metadata.test", &["169.254.169.254"]);
    names.set("mapped.test", &["::ffff:192.168.0.1"]);
    let server = server(&names, false, Duration::from_secs(5)).await;
    for url in [
        "http://127.0.0.1/hook",
        "https://127.0.0.1:8443/hook",
        "http://127.8.9.10/",
        "http://10.0.0.5/",
        "http://172.16.3.4/",
        "http://172.31.255.255/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.10.10/",
        "http://100.64.0.1/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
        "http://0/",
        "http://224.0.0.1/",
        "http://239.255.255.250:1900/",
        "http://255.255.255.255/",
        "http://192.0.2.1/",
        "http://198.51.100.1/",
        "http://203.0.113.1/",
        "http://198.18.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[::1]:8080/hook",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:a00:1::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[fd00:ec2::254]/",
        "http://[ff02::1]/",
        "http://[2001:db8::1]/",
        // The C resolver's other spellings of 127.0.0.1: decimal, hex, octal, short forms.
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://017700000001/",
        "http://127.1/",
        "http://127.0.1/",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://api.localhost:3000/hook",
        "https://intranet.test/hook",
        "https://metadata.test/",
        "https://mapped.test/",
    ] {
        let answer = put_webhook(&server, json!({ "url": url })).await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_forbidden"),
            "{url}: {:?}",
            answer.body
        );
        let message = answer.body["error"]["message"].as_str().unwrap();
        let metadata = message.contains("never go to a cloud's metadata service");
        assert!(
            metadata || message.contains("--allow-private-webhooks"),
            "{message}"
        );
        assert_eq!(
            webhook_of(&server).await.code(),
            "webhook_not_found",
            "{url}"
        );
    }
    let literal = put_webhook(&server, json!({ "url": "http://10.0.0.5/" })).await;
    assert!(
        literal.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("10.0.0.5, a private-network address"),
        "{:?}",
        literal.body
    );
}

#[tokio::test]
async fn public_and_unresolvable_urls_are_accepted() {
    let names = Names::default();
    names.set("public.test", &[PUBLIC]);
    // Partly forbidden: accepted, and the worker connects only to the public address.
    names.set("mixed.test", &["10.0.0.1", PUBLIC]);
    let server = server(&names, false, Duration::from_secs(5)).await;
    for url in [
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
        "https://[::ffff:8.8.8.8]/hook",
        "https://public.test/hook",
        "https://mixed.test/hook",
        // Not resolvable now (DNS may come later): the worker checks at delivery.
        "https://not-yet.test/hook",
    ] {
        let answer = put_webhook(&server, json!({ "url": url })).await;
        assert_eq!(answer.status, StatusCode::OK, "{url}: {:?}", answer.body);
        assert_eq!(answer.body["url"], url);
    }
}

#[tokio::test]
async fn the_flag_allows_private_addresses_but_never_cloud_metadata() {
    let names = Names::default();
    names.set("metadata.test", &["169.254.169.254"]);
    let server = server(&names, true, Duration::from_secs(5)).await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/",
        "http://[fd12::1]/",
    ] {
        let answer = put_webhook(&server, json!({ "url": url })).await;
        assert_eq!(answer.status, StatusCode::OK, "{url}: {:?}", answer.body);
    }
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://metadata.test/",
    ] {
        let answer = put_webhook(&server, json!({ "url": url })).await;
        assert_eq!(answer.code(), "webhook_url_forbidden", "{url}");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("cloud metadata") && !message.contains("--allow-private-webhooks"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_name_that_rebinds_to_loopback_is_never_connected_to() {
    let names = Names::default();
    names.set("rebind.test", &[PUBLIC]);
    let server = server(&names, false, Duration::from_secs(5)).await;
    start_worker(&server);
    // Something real listens where the name will point.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("http://rebind.test:{port}/hook");
    let set = put_webhook(&server, json!({ "url": url })).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);

    // Accepted while public; by delivery time the name points at this machine.
    names.set("rebind.test", &["127.0.0.1", "::ffff:127.0.0.1", "::1"]);
    server.check_in("alice").await;
    let entry = first_attempt(&server).await;
    assert_eq!(entry["status"], "pending");
    assert_only_category(
        &entry,
        "forbidden_address",
        "the host resolves only to addresses webhooks may not reach",
        port,
    );
    // The attempt is over and nothing ever connected.
    assert_eq!(
        listener.accept().map_err(|e| e.kind()).err(),
        Some(io::ErrorKind::WouldBlock)
    );
}

#[tokio::test]
async fn the_worker_connects_only_to_an_allowed_address_over_real_tcp() {
    let names = Names::default();
    let server = server(&names, true, Duration::from_secs(5)).await;
    start_worker(&server);
    let (url, mut received) = receiver(StatusCode::OK).await;
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    // The metadata address comes first and is skipped even with the flag.
    names.set("split.test", &["169.254.169.254", "127.0.0.1"]);
    let url = format!("http://split.test:{port}/hook");
    assert_eq!(
        put_webhook(&server, json!({ "url": url })).await.status,
        StatusCode::OK
    );
    server.check_in("alice").await;
    let (headers, event, _) = next(&mut received).await;
    assert_eq!(event["type"], "checkin");
    assert_eq!(headers[header::HOST], format!("split.test:{port}"));
    let log = wait_for_log(&server, |log| log[0]["status"] == "delivered").await;
    assert_eq!(log[0]["attempts"], 1);
}

#[tokio::test]
async fn the_delivery_log_shows_only_categories() {
    let closed = closed_port();
    let hang_up = hang_up_listener().await;
    let (silent, _held) = silent_listener().await;
    // Only the `timeout` case waits for the timeout, which is short there; the others end on
    // their own, however loaded the machine.
    let patient = Duration::from_secs(30);
    let impatient = Duration::from_millis(300);
    for (url, port, timeout, failure, words) in [
        (
            format!("http://127.0.0.1:{closed}/hook"),
            closed,
            patient,
            "connect",
            "could not connect to the receiver",
        ),
        (
            format!("http://127.0.0.1:{hang_up}/hook"),
            hang_up,
            patient,
            "protocol",
            "the connection ended before a complete HTTP answer",
        ),
        (
            format!("https://127.0.0.1:{hang_up}/hook"),
            hang_up,
            patient,
            "tls",
            "the TLS handshake with the receiver failed",
        ),
        (
            format!("http://127.0.0.1:{silent}/hook"),
            silent,
            impatient,
            "timeout",
            "the receiver did not answer in time",
        ),
        (
            "http://nowhere.test:4444/hook".to_owned(),
            4444,
            patient,
            "dns",
            "the host name did not resolve",
        ),
    ] {
        let server = server(&Names::default(), true, timeout).await;
        start_worker(&server);
        let set = put_webhook(&server, json!({ "url": url })).await;
        assert_eq!(set.status, StatusCode::OK, "{url}: {:?}", set.body);
        server.check_in("alice").await;
        let entry = first_attempt(&server).await;
        assert_eq!(entry["status"], "pending", "{url}");
        assert_eq!(entry["last_status_code"], Value::Null, "{url}");
        assert_only_category(&entry, failure, words, port);
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = server(&Names::default(), true, Duration::from_secs(5)).await;
    start_worker(&server);
    let (target, mut reached) = receiver(StatusCode::OK).await;
    let app = Router::new().route(
        "/hook",
        post(move || {
            let target = target.clone();
            async move { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]) }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = format!("http://{redirector}/hook");
    put_webhook(&server, json!({ "url": url })).await;
    server.check_in("alice").await;
    let entry = first_attempt(&server).await;
    assert_eq!(entry["last_status_code"], 307);
    assert_only_category(
        &entry,
        "http_status",
        "the receiver answered HTTP 307",
        redirector.port(),
    );
    // The attempt is recorded, so a followed redirect would have arrived by now.
    assert!(reached.try_recv().is_err());
}

#[tokio::test]
async fn a_dead_endpoint_holds_one_slot_and_does_not_delay_other_sites() {
    // Long enough that the dead endpoint's attempt cannot end during the test.
    let server = server(&Names::default(), true, Duration::from_secs(600)).await;
    start_worker(&server);
    let (dead, mut accepted) = silent_listener().await;
    let set = put_webhook(
        &server,
        json!({ "url": format!("http://127.0.0.1:{dead}/hook") }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK);
    let (alive, mut received) = receiver(StatusCode::OK).await;
    let set = put_site_webhook(&server, OTHER_SITE, OTHER_KEY, json!({ "url": alive })).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);

    for member in ["alice", "bob", "carol"] {
        server.check_in(member).await;
    }
    let hanging = tokio::time::timeout(Duration::from_secs(20), accepted.recv())
        .await
        .expect("the dead endpoint is reached")
        .unwrap();
    // While that request hangs, the other site's events arrive.
    for member in ["dan", "erin"] {
        check_in_other(&server, member).await;
        let (_, event, _) = next(&mut received).await;
        assert_eq!(event["site"], OTHER_SITE);
        assert_eq!(event["data"]["member"], member);
    }
    wait_for_site_log(&server, OTHER_SITE, OTHER_KEY, |log| {
        log.len() == 2 && log.iter().all(|entry| entry["status"] == "delivered")
    })
    .await;

    // The dead endpoint's request is still open: no attempt of its site has ended...
    let log = wait_for_log(&server, |log| log.len() == 3).await;
    assert!(
        log.iter()
            .all(|entry| entry["attempts"] == 0 && entry["status"] == "pending"),
        "{log:?}"
    );
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match hanging.try_read(&mut buffer) {
            Ok(0) => panic!("the worker closed the hanging request"),
            Ok(read) => request.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
            Err(error) => panic!("{error}"),
        }
    }
    assert!(request.starts_with(b"POST /hook"), "{request:?}");
    // ...and it is the only one: the site's other events wait behind it.
    assert!(accepted.try_recv().is_err());
}

#[tokio::test]
async fn a_failing_endpoint_postpones_its_site_as_a_group_in_order() {
    let server = server(&Names::default(), true, Duration::from_secs(5)).await;
    let (url, mut ids) = scripted_receiver(vec![StatusCode::SERVICE_UNAVAILABLE]).await;
    put_webhook(&server, json!({ "url": url })).await;
    for member in ["alice", "bob", "carol"] {
        server.check_in(member).await;
    }
    let created = wait_for_log(&server, |log| log.len() == 3).await;
    let events: Vec<String> = created
        .iter()
        .rev()
        .map(|entry| entry["id"].as_str().unwrap().to_owned())
        .collect();
    start_worker(&server);

    // The oldest fails and waits a minute; the others wait with it, untried.
    let log = wait_for_log(&server, |log| log[2]["attempts"] == 1).await;
    let oldest = &log[2];
    assert_eq!(oldest["id"], events[0].as_str());
    assert_eq!(oldest["last_failure"], "http_status");
    assert_eq!(oldest["last_status_code"], 503);
    for waiting in &log[..2] {
        assert_eq!(waiting["attempts"], 0, "{waiting}");
        assert_eq!(waiting["status"], "pending");
        assert_eq!(waiting["next_attempt_at"], oldest["next_attempt_at"]);
    }
    assert_eq!(ids.recv().await.unwrap(), events[0]);
    assert!(ids.try_recv().is_err());

    // Setting the URL again (the owner fixed the endpoint) makes the group due at once: the
    // events arrive oldest first, and only the first was tried twice.
    put_webhook(&server, json!({ "url": url })).await;
    for expected in &events {
        let id = tokio::time::timeout(Duration::from_secs(20), ids.recv())
            .await
            .expect("a delivery within the wait")
            .unwrap();
        assert_eq!(&id, expected);
    }
    let log = wait_for_log(&server, |log| {
        log.iter().all(|entry| entry["status"] == "delivered")
    })
    .await;
    let attempts: Vec<&Value> = log.iter().rev().map(|entry| &entry["attempts"]).collect();
    assert_eq!(attempts, [&json!(2), &json!(1), &json!(1)]);
    assert!(log.iter().all(|entry| entry["last_failure"].is_null()));
}
