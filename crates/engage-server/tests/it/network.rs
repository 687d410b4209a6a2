//! The server on the open internet: client addresses behind trusted proxies, IPv6 /64 keys,
//! bounded limiter memory, API-key limits for host backends, preflights through the limiter,
//! bounds on live streams, connections and header reads, and secrets kept out of logs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use engage_server::client_addr::{ProxyConfig, ProxyHeader, parse_trusted_proxy};
use engage_server::serve::{ConnectionLimits, serve};
use engage_server::streams::StreamLimits;
use engage_server::{Config, LimitConfig, router};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

use crate::{API_KEY, ORIGIN, TestServer, per_minute as n};

const CHECKIN: &str = "/api/v1/sites/forum/checkin";
const STREAM: &str = "/api/v1/sites/forum/leaderboard/events";

/// A GET of `path` arriving from `peer` with extra headers.
fn from_peer(path: &str, peer: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder.body(Body::empty()).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

async fn status_of(server: &TestServer, request: Request<Body>) -> StatusCode {
    router(server.state.clone())
        .oneshot(request)
        .await
        .unwrap()
        .status()
}

fn ip_limit(per_minute: u32) -> LimitConfig {
    LimitConfig {
        ip_requests_per_minute: n(per_minute),
        ip_burst: n(per_minute),
        ..LimitConfig::generous()
    }
}

fn behind_proxy(limits: LimitConfig) -> Config {
    Config {
        limits,
        proxy: ProxyConfig {
            trusted: vec![parse_trusted_proxy("127.0.0.1").unwrap()],
            header: ProxyHeader::XForwardedFor,
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_allowance() {
    let server = TestServer::with_config(behind_proxy(ip_limit(2))).await;
    let via_proxy =
        |client: &str| from_peer(CHECKIN, "127.0.0.1:40000", &[("x-forwarded-for", client)]);
    for _ in 0..2 {
        assert_eq!(
            status_of(&server, via_proxy("198.51.100.1")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        status_of(&server, via_proxy("198.51.100.1")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another member of the world, through the same proxy, is not refused.
    assert_eq!(
        status_of(&server, via_proxy("198.51.100.2")).await,
        StatusCode::UNAUTHORIZED
    );
    // A client cannot pose as someone else by prepending a hop.
    assert_eq!(
        status_of(&server, via_proxy("198.51.100.2, 198.51.100.1")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn forwarding_headers_from_untrusted_peers_are_ignored() {
    let server = TestServer::with_config(behind_proxy(ip_limit(2))).await;
    let direct = |claimed: &str| {
        from_peer(
            CHECKIN,
            "203.0.113.5:40000",
            &[("x-forwarded-for", claimed)],
        )
    };
    assert_eq!(
        status_of(&server, direct("198.51.100.1")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&server, direct("198.51.100.2")).await,
        StatusCode::UNAUTHORIZED
    );
    // Whatever it claims, the peer is one client with one allowance.
    assert_eq!(
        status_of(&server, direct("198.51.100.3")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn ipv6_clients_share_the_allowance_of_their_64() {
    let server = TestServer::with_limits(ip_limit(2)).await;
    assert_eq!(
        status_of(&server, from_peer(CHECKIN, "[2001:db8:0:1::1]:1", &[])).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&server, from_peer(CHECKIN, "[2001:db8:0:1::ffff]:1", &[])).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&server, from_peer(CHECKIN, "[2001:db8:0:1:abcd::9]:1", &[])).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        status_of(&server, from_peer(CHECKIN, "[2001:db8:0:2::1]:1", &[])).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_flood_of_distinct_addresses_does_not_grow_the_limiter_without_bound() {
    let server = TestServer::with_limits(LimitConfig {
        max_tracked_keys: 50,
        ..ip_limit(600)
    })
    .await;
    let app = router(server.state.clone());
    for i in 0..500u32 {
        let peer = format!("10.{}.{}.{}:1", i / 65536, (i / 256) % 256, i % 256);
        let answer = app
            .clone()
            .oneshot(from_peer(CHECKIN, &peer, &[]))
            .await
            .unwrap();
        assert_ne!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert!(
        server.state.limits.tracked_addresses() <= 50,
        "{} addresses remembered",
        server.state.limits.tracked_addresses()
    );
}

#[tokio::test]
async fn a_host_backend_is_limited_per_api_key_not_per_address() {
    // Browsers from this address get 3 requests a minute; the backend's key gets its own.
    let server = TestServer::with_limits(ip_limit(3)).await;
    let server = Arc::new(server);
    let mut threads = Vec::new();
    for thread in 0..16 {
        let server = server.clone();
        threads.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for event in 0..10 {
                let answer = server
                    .award("carol", 1, &format!("t{thread}-e{event}"))
                    .await;
                statuses.push(answer.status);
            }
            statuses
        }));
    }
    for thread in threads {
        for status in thread.await.unwrap() {
            assert_eq!(status, StatusCode::OK);
        }
    }
    server.assert_ledger_balanced().await;
    // A made-up key is not a host backend: it counts toward the address's allowance.
    for _ in 0..3 {
        let refused = server
            .call_with_key("/api/v1/sites/forum/events", "ek_made_up", "{}")
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    let limited = server
        .call_with_key("/api/v1/sites/forum/events", "ek_made_up", "{}")
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_api_key_limit_applies_to_the_key() {
    let server = TestServer::with_limits(LimitConfig {
        api_key_requests_per_second: n(1),
        api_key_burst: n(3),
        ..LimitConfig::generous()
    })
    .await;
    for key in 0..3 {
        let answer = server.award("carol", 1, &format!("k{key}")).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let refused = server.award("carol", 1, "k4").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "rate_limited");
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    // The other site's key has its own allowance.
    let other = server
        .call_with_key(
            "/api/v1/sites/other/events",
            &format!("{API_KEY}_other"),
            r#"{"member":"carol","kind":"bonus","idempotency_key":"x","points":1}"#,
        )
        .await;
    assert_eq!(other.status, StatusCode::OK, "{:?}", other.body);
}

fn preflight(site: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(format!("/api/v1/sites/{site}/checkin"))
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn preflights_count_toward_the_address_limit_and_refusals_stay_readable() {
    let server = TestServer::with_limits(ip_limit(2)).await;
    let app = router(server.state.clone());
    for _ in 0..2 {
        let answer = app.clone().oneshot(preflight("forum")).await.unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    let refused = app.clone().oneshot(preflight("forum")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // The site's own pages can read the refusal and its Retry-After.
    assert_eq!(
        refused.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        ORIGIN
    );
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    let exposed = refused.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");
}

#[tokio::test]
async fn requests_naming_missing_sites_are_not_cached_as_origins() {
    let server = TestServer::new().await;
    let app = router(server.state.clone());
    for i in 0..20 {
        let answer = app
            .clone()
            .oneshot(preflight(&format!("no-such-site-{i}")))
            .await
            .unwrap();
        assert!(
            !answer
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        );
    }
    assert_eq!(server.state.cached_origin_sites(), 0);
    let answer = app.clone().oneshot(preflight("forum")).await.unwrap();
    assert_eq!(
        answer.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        ORIGIN
    );
    assert_eq!(server.state.cached_origin_sites(), 1);
}

fn stream_limits(per_ip: usize, total: usize, lifetime: Duration) -> Config {
    Config {
        limits: LimitConfig::generous(),
        streams: StreamLimits {
            per_ip,
            total,
            max_lifetime: lifetime,
        },
        ..Config::default()
    }
}

#[tokio::test]
async fn open_streams_are_capped_per_address_and_in_all() {
    let server = TestServer::with_config(stream_limits(2, 3, Duration::from_secs(600))).await;
    let app = router(server.state.clone());
    let open = |peer: &str| app.clone().oneshot(from_peer(STREAM, peer, &[]));
    let first = open("198.51.100.1:1").await.unwrap();
    let second = open("198.51.100.1:2").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let third = open("198.51.100.1:3").await.unwrap();
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key(header::RETRY_AFTER));
    let body = third.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("too_many_streams"));
    // Another address still gets one, until the server holds its total.
    let other = open("198.51.100.2:1").await.unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    let busy = open("198.51.100.3:1").await.unwrap();
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(busy.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(server.state.streams.open_streams(), 3);
    // A stream that ends gives its place back.
    drop(first);
    assert_eq!(server.state.streams.open_streams(), 2);
    let again = open("198.51.100.1:4").await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    drop((second, other, again));
    assert_eq!(server.state.streams.open_streams(), 0);
}

#[tokio::test]
async fn the_page_stream_counts_toward_the_same_caps() {
    let server = TestServer::with_config(stream_limits(2, 10, Duration::from_secs(600))).await;
    let app = router(server.state.clone());
    let page = "/api/v1/sites/forum/stream?channels=leaderboard,rewards";
    let open = |path: &'static str, peer: &str| app.clone().oneshot(from_peer(path, peer, &[]));
    let widget = open(STREAM, "198.51.100.1:1").await.unwrap();
    let whole_page = open(page, "198.51.100.1:2").await.unwrap();
    assert_eq!(widget.status(), StatusCode::OK);
    assert_eq!(whole_page.status(), StatusCode::OK);
    let refused = open(page, "198.51.100.1:3").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(server.state.streams.open_streams(), 2);
    drop((widget, whole_page));
    assert_eq!(server.state.streams.open_streams(), 0);
}

#[tokio::test]
async fn refused_stream_requests_give_their_place_back() {
    let server = TestServer::with_config(stream_limits(1, 10, Duration::from_secs(600))).await;
    let app = router(server.state.clone());
    let missing = app
        .clone()
        .oneshot(from_peer(
            "/api/v1/sites/forum/polls/nope/events",
            "198.51.100.1:1",
            &[],
        ))
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.state.streams.open_streams(), 0);
    let stream = app
        .clone()
        .oneshot(from_peer(STREAM, "198.51.100.1:2", &[]))
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stream_ends_at_its_lifetime() {
    let server = TestServer::with_config(stream_limits(4, 10, Duration::from_millis(200))).await;
    let response = router(server.state.clone())
        .oneshot(from_peer(STREAM, "198.51.100.1:1", &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body().into_data_stream();
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        let mut events = String::new();
        while let Some(chunk) = body.next().await {
            events.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        }
        events
    })
    .await
    .expect("the stream ends by itself");
    assert!(ended.contains("event: leaderboard"), "{ended}");
    drop(body);
    assert_eq!(server.state.streams.open_streams(), 0);
}

/// A real server on a loopback port; the returned sender stops it.
async fn real_server(
    config: Config,
    connections: ConnectionLimits,
) -> (TestServer, SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let server = TestServer::with_config(config).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(server.state.clone());
    tokio::spawn(serve(listener, app, connections, async move {
        let _ = stopped.await;
    }));
    (server, addr, stop)
}

async fn raw_request(addr: SocketAddr, path: &str) -> TcpStream {
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: engage\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    socket
}

/// Reads until the end of the response head.
async fn read_head(socket: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if socket.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_one_address_holds_hundreds_of_streams() {
    let (_server, addr, stop) = real_server(
        stream_limits(50, 10_000, Duration::from_secs(600)),
        ConnectionLimits::default(),
    )
    .await;
    let mut sockets = Vec::new();
    let mut admitted = 0;
    let mut refused = 0;
    for _ in 0..300 {
        let mut socket = raw_request(addr, STREAM).await;
        let head = read_head(&mut socket).await;
        if head.starts_with("HTTP/1.1 200") {
            admitted += 1;
        } else if head.starts_with("HTTP/1.1 429") {
            refused += 1;
        }
        sockets.push(socket);
    }
    assert_eq!((admitted, refused), (50, 250));
    let mut health = raw_request(addr, "/healthz").await;
    let head = read_head(&mut health).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (_server, addr, stop) = real_server(
        Config::default(),
        ConnectionLimits {
            header_read_timeout: Duration::from_millis(300),
            ..ConnectionLimits::default()
        },
    )
    .await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: e")
        .await
        .unwrap();
    let mut rest = Vec::new();
    // The server closes the connection (perhaps after a 408); a hang fails the timeout.
    tokio::time::timeout(Duration::from_secs(30), socket.read_to_end(&mut rest))
        .await
        .expect("the server hangs up")
        .ok();
    assert!(
        rest.is_empty() || String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_wait_for_a_free_one() {
    let (_server, addr, stop) = real_server(
        Config::default(),
        ConnectionLimits {
            max_connections: 2,
            ..ConnectionLimits::default()
        },
    )
    .await;
    let mut first = raw_request(addr, "/healthz").await;
    assert!(read_head(&mut first).await.starts_with("HTTP/1.1 200"));
    let mut second = raw_request(addr, "/healthz").await;
    assert!(read_head(&mut second).await.starts_with("HTTP/1.1 200"));
    // Both stay open (keep-alive); a third is accepted only once one of them closes.
    let mut third = raw_request(addr, "/healthz").await;
    drop(first);
    let head = tokio::time::timeout(Duration::from_secs(30), read_head(&mut third))
        .await
        .expect("served once a connection is free");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    drop(second);
    stop.send(()).unwrap();
}

#[test]
fn member_tokens_in_urls_never_reach_the_log() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_engage-server");
    let added = Command::new(bin)
        .args([
            "site", "add", "--db", db, "--id", "forum", "--origin", ORIGIN, "--json",
        ])
        .output()
        .unwrap();
    assert!(added.status.success());
    let site: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let now = engage_core::jiff::Timestamp::now().as_second();
    let token = engage_server::token::mint_member_token(
        site["secret"].as_str().unwrap(),
        &engage_server::token::MemberClaims {
            sub: "alice".into(),
            name: "Alice".into(),
            site: "forum".into(),
            iat: now,
            exp: now + 600,
        },
    );
    let mut server = Command::new(bin)
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        assert_ne!(
            log.read_line(&mut line).unwrap(),
            0,
            "the server exited: {seen}"
        );
        seen.push_str(&line);
        if let Some(at) = line.split("listening on http://").nth(1) {
            break at.trim().to_owned();
        }
    };
    let mut socket = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        socket,
        "GET /embed/checkin?site=forum&member-token={token}&lang=en HTTP/1.1\r\n\
         Host: engage\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The response is logged when it is sent, so its line follows.
    loop {
        let mut line = String::new();
        assert_ne!(
            log.read_line(&mut line).unwrap(),
            0,
            "the server exited: {seen}"
        );
        seen.push_str(&line);
        if line.contains("/embed/checkin") && line.contains("finished processing request") {
            break;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(seen.contains("member-token=[redacted]"), "{seen}");
    assert!(!seen.contains(&token), "{seen}");
    assert!(!seen.contains(token.split('.').nth(2).unwrap()), "{seen}");
}
