//! Owner accounts and console sessions: signing in and out, a session that outlives the
//! server, sliding expiry, throttled failures, the `Origin` check on session mutations, the
//! cookie's flags over http and behind an https proxy, the owner's language, the one-time setup
//! link, and `engage-server owner add`.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::SiteId;
use engage_server::cli::setup_link_if_no_owner;
use engage_server::client_addr::{ProxyConfig, parse_trusted_proxy};
use engage_server::client_scheme::PublicUrl;
use engage_server::owners::{ConsoleConfig, hash_password};
use engage_server::store::{NewOwner, Owner};
use engage_server::token::sha256_hex;
use engage_server::{AppState, Config, LimitConfig, Store};
use serde_json::{Value, json};

use crate::{Answer, TestServer};

/// The host the tests' requests are sent to, and the origin of the server's own pages there.
pub const HOST: &str = "engage.example.com";
pub const OWN_ORIGIN: &str = "http://engage.example.com";
pub const PASSWORD: &str = "correct horse battery staple";
pub const ADA: &str = "ada@example.com";
const SESSION_SECONDS: u64 = 14 * 24 * 60 * 60;

/// Creates an owner with [`PASSWORD`], granted `sites`.
pub async fn add_owner(server: &TestServer, email: &str, admin: bool, sites: &[&str]) -> Owner {
    let password_hash = hash_password(PASSWORD.into()).await.unwrap();
    let sites: Vec<SiteId> = sites.iter().map(|s| SiteId::parse(s).unwrap()).collect();
    server
        .store
        .create_owner(
            NewOwner {
                email,
                password_hash: &password_hash,
                admin,
                sites: &sites,
            },
            server.now(),
        )
        .await
        .unwrap()
}

/// A server where Ada, granted `forum`, is signed in; and her session cookie.
pub async fn ada_signed_in() -> (TestServer, String) {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let cookie = signed_in(&server, ADA).await;
    (server, cookie)
}

/// A request to `HOST`, with the session cookie (`name=value`) and `Origin` when given.
pub fn console_request(
    method: Method,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    json: Option<&Value>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    if let Some(origin) = origin {
        builder = builder.header(header::ORIGIN, origin);
    }
    match json {
        Some(json) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

/// The request, as if it came over a connection from `peer`.
pub fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

/// `POST /api/v1/console/session` with `Origin` when given.
pub fn sign_in_request(origin: Option<&str>, email: &str, password: &str) -> Request<Body> {
    let body = json!({"email": email, "password": password});
    console_request(
        Method::POST,
        "/api/v1/console/session",
        None,
        origin,
        Some(&body),
    )
}

pub async fn sign_in(server: &TestServer, email: &str, password: &str) -> Answer {
    server
        .send(sign_in_request(Some(OWN_ORIGIN), email, password))
        .await
}

/// A server with these console settings (and limits no test meets).
async fn console_server(console: ConsoleConfig) -> TestServer {
    TestServer::with_config(Config {
        limits: LimitConfig::generous(),
        console,
        ..Config::default()
    })
    .await
}

/// The `name=value` of the answer's `Set-Cookie`.
pub fn cookie_pair(answer: &Answer) -> String {
    let set_cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .unwrap_or_else(|| panic!("no Set-Cookie in {:?}", answer.headers))
        .to_str()
        .unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Signs `email` in with [`PASSWORD`] and answers the session cookie (`name=value`).
pub async fn signed_in(server: &TestServer, email: &str) -> String {
    let answer = sign_in(server, email, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    cookie_pair(&answer)
}

/// A request in a session, from the server's own pages.
pub async fn in_session(
    server: &TestServer,
    cookie: &str,
    method: Method,
    path: &str,
    json: Option<&Value>,
) -> Answer {
    let request = console_request(method, path, Some(cookie), Some(OWN_ORIGIN), json);
    server.send(request).await
}

/// `GET /api/v1/console/session` in the session of `cookie`.
pub async fn read_session(server: &TestServer, cookie: &str) -> Answer {
    in_session(server, cookie, Method::GET, "/api/v1/console/session", None).await
}

/// The attributes of a `Set-Cookie`, after its `name=value`, in order.
fn cookie_attributes(answer: &Answer) -> Vec<String> {
    let set_cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    set_cookie
        .split(';')
        .skip(1)
        .map(|attribute| attribute.trim().to_owned())
        .collect()
}

fn sorted_cookie_attributes(answer: &Answer) -> Vec<String> {
    let mut attributes = cookie_attributes(answer);
    attributes.sort();
    attributes
}

/// What a new session's `Set-Cookie` says after `name=value`, sorted.
fn session_cookie_attributes(secure: bool) -> Vec<String> {
    let mut attributes = vec![
        "HttpOnly".to_owned(),
        format!("Max-Age={SESSION_SECONDS}"),
        "Path=/".to_owned(),
        "SameSite=Strict".to_owned(),
    ];
    if secure {
        attributes.push("Secure".to_owned());
    }
    attributes
}

fn token_hash(cookie: &str) -> String {
    sha256_hex(cookie.split_once('=').unwrap().1)
}

#[tokio::test]
async fn an_owner_signs_in_and_the_session_names_them() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    // Whatever the case and spaces of the email typed.
    let answer = sign_in(&server, "  Ada@Example.COM ", PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let owner = json!({
        "email": ADA, "admin": false, "lang": null,
        "sites": [{"id": "forum", "name": "forum"}],
    });
    assert_eq!(answer.body, json!({ "owner": owner }));
    let cookie = cookie_pair(&answer);
    let (name, token) = cookie.split_once('=').unwrap();
    assert_eq!(name, "engage_session");
    assert_eq!(token.len(), 43);
    assert_eq!(
        sorted_cookie_attributes(&answer),
        session_cookie_attributes(false)
    );
    // The database holds only the token's hash.
    assert!(
        server
            .store
            .session_exists(&sha256_hex(token))
            .await
            .unwrap()
    );
    assert!(!server.store.session_exists(token).await.unwrap());

    let session = "/api/v1/console/session";
    let read = in_session(&server, &cookie, Method::GET, session, None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, json!({ "owner": owner }));
    // The cookie is set again, so that its lifetime slides with the session's.
    assert_eq!(cookie_pair(&read), cookie);

    for cookie in [None, Some("engage_session=forged"), Some("other=1")] {
        let request = console_request(Method::GET, session, cookie, None, None);
        let answer = server.send(request).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{cookie:?}");
        assert_eq!(answer.code(), "not_signed_in", "{cookie:?}");
    }
}

#[tokio::test]
async fn a_failed_sign_in_does_not_tell_whether_the_email_exists() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let wrong_password = sign_in(&server, ADA, "not the password").await;
    let unknown_email = sign_in(&server, "bob@example.com", PASSWORD).await;
    let not_an_email = sign_in(&server, "bob", PASSWORD).await;
    for answer in [&wrong_password, &unknown_email, &not_an_email] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.code(), "invalid_credentials");
        assert!(answer.headers.get(header::SET_COOKIE).is_none());
    }
    assert_eq!(wrong_password.body, unknown_email.body);
    assert_eq!(wrong_password.body, not_an_email.body);
    // Bodies that are not sign-ins.
    for (body, code) in [
        (json!({"email": ADA}), "invalid_body"),
        (
            json!({"email": ADA, "password": PASSWORD, "remember": true}),
            "invalid_body",
        ),
    ] {
        let request = console_request(
            Method::POST,
            "/api/v1/console/session",
            None,
            None,
            Some(&body),
        );
        assert_eq!(server.send(request).await.code(), code, "{body}");
    }
}

/// A new `Store` and `AppState` on the database file of `server`: the server restarted.
async fn restarted(server: &TestServer) -> AppState {
    let db = server._dir.path().join("engage.sqlite");
    let store = Store::open(db.to_str().unwrap()).await.unwrap();
    let now = server.now();
    AppState::new(
        store,
        Config {
            limits: LimitConfig::generous(),
            ..Config::default()
        },
    )
    .with_clock(std::sync::Arc::new(move || now))
}

#[tokio::test]
async fn a_session_survives_a_restart_of_the_server() {
    let (server, cookie) = ada_signed_in().await;
    let state = restarted(&server).await;
    let request = console_request(
        Method::GET,
        "/api/v1/console/session",
        Some(&cookie),
        None,
        None,
    );
    let response = tower::ServiceExt::oneshot(engage_server::router(state), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn signing_out_deletes_the_session() {
    let (server, cookie) = ada_signed_in().await;
    let session = "/api/v1/console/session";
    // Not from the server's own pages: refused, and still signed in.
    let request = console_request(Method::DELETE, session, Some(&cookie), None, None);
    let refused = server.send(request).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "origin_refused");
    assert!(
        server
            .store
            .session_exists(&token_hash(&cookie))
            .await
            .unwrap()
    );

    let out = in_session(&server, &cookie, Method::DELETE, session, None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(cookie_pair(&out), "engage_session=");
    assert!(cookie_attributes(&out).contains(&"Max-Age=0".to_owned()));
    assert!(
        !server
            .store
            .session_exists(&token_hash(&cookie))
            .await
            .unwrap()
    );
    let after = in_session(&server, &cookie, Method::GET, session, None).await;
    assert_eq!(after.code(), "not_signed_in");
    // Signing out again, or without a session, ends nothing and answers the same.
    let again = in_session(&server, &cookie, Method::DELETE, session, None).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_session_ends_after_two_weeks_without_use() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    server.set_now("2026-11-01T00:00:00Z");
    let cookie = signed_in(&server, ADA).await;
    let session = "/api/v1/console/session";
    // Used every 13 days, it lives on.
    for day in ["2026-11-14T00:00:00Z", "2026-11-27T00:00:00Z"] {
        server.set_now(day);
        let answer = in_session(&server, &cookie, Method::GET, session, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{day}");
    }
    // Two weeks after its last use, it is over.
    server.set_now("2026-12-11T00:00:01Z");
    let answer = in_session(&server, &cookie, Method::GET, session, None).await;
    assert_eq!(answer.code(), "not_signed_in");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_email_and_per_address() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    add_owner(&server, "bob@example.com", false, &["forum"]).await;
    let attempt = |email: &str, password: &str, peer: &str| {
        let request = sign_in_request(None, email, password);
        server.send(from_peer(request, peer))
    };
    // Five wrong passwords for Ada, from five addresses.
    for n in 1..=5 {
        let answer = attempt(ADA, "wrong password", &format!("192.0.2.{n}")).await;
        assert_eq!(answer.code(), "invalid_credentials", "attempt {n}");
    }
    // Now even her right password is refused, before it is checked, from anywhere.
    let throttled = attempt(ADA, PASSWORD, "198.51.100.1").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.code(), "rate_limited");
    assert_eq!(throttled.headers[header::RETRY_AFTER], "900");
    assert!(throttled.headers.get(header::SET_COOKIE).is_none());
    // Bob is not held up by Ada's failures.
    assert_eq!(
        attempt("bob@example.com", PASSWORD, "192.0.2.1")
            .await
            .status,
        StatusCode::OK
    );
    // Fifteen minutes after the first failure, Ada may try again.
    server.set_now("2026-11-20T02:14:59Z");
    assert_eq!(
        attempt(ADA, PASSWORD, "198.51.100.1").await.code(),
        "rate_limited"
    );
    server.set_now("2026-11-20T02:15:00Z");
    assert_eq!(
        attempt(ADA, PASSWORD, "198.51.100.1").await.status,
        StatusCode::OK
    );

    // One address trying many emails is held up too, whichever email it tries next.
    for n in 1..=5 {
        let answer = attempt(&format!("guess{n}@example.com"), "x", "203.0.113.9").await;
        assert_eq!(answer.code(), "invalid_credentials", "guess {n}");
    }
    assert_eq!(
        attempt("bob@example.com", PASSWORD, "203.0.113.9")
            .await
            .code(),
        "rate_limited"
    );
    assert_eq!(
        attempt("bob@example.com", PASSWORD, "203.0.113.10")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_successful_sign_in_forgets_the_emails_failures() {
    let server = TestServer::new().await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let attempt = |password: &str, peer: String| {
        let request = sign_in_request(None, ADA, password);
        server.send(from_peer(request, &peer))
    };
    // Four failures, a success, four more failures (each from its own address, so that only
    // the email's count matters): without the success in between, the sixth would be refused.
    for round in 0..2 {
        for n in 1..=4 {
            let answer = attempt("wrong password", format!("192.0.2.{}", round * 10 + n)).await;
            assert_eq!(answer.code(), "invalid_credentials", "round {round}, {n}");
        }
        let answer = attempt(PASSWORD, format!("198.51.100.{round}")).await;
        assert_eq!(answer.status, StatusCode::OK, "round {round}");
    }
}

#[tokio::test]
async fn session_mutations_must_come_from_the_servers_own_pages() {
    let (server, cookie) = ada_signed_in().await;
    let lang = json!({"lang": "zh-CN"});
    let site = json!({"name": "Renamed"});
    let cases = [
        (Method::PATCH, "/api/v1/console/me", &lang),
        (Method::PATCH, "/api/v1/admin/sites/forum", &site),
    ];
    for (method, path, body) in cases.clone() {
        for origin in [
            None,
            Some("https://evil.example.com"),
            Some("https://engage.example.com"),
            Some("http://engage.example.com.evil.com"),
            Some("null"),
        ] {
            let request = console_request(method.clone(), path, Some(&cookie), origin, Some(body));
            let answer = server.send(request).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path} {origin:?}");
            assert_eq!(answer.code(), "origin_refused", "{path} {origin:?}");
        }
    }
    // Nothing changed.
    let session = read_session(&server, &cookie).await;
    assert_eq!(session.body["owner"]["lang"], Value::Null);
    assert_eq!(session.body["owner"]["sites"][0]["name"], "forum");
    // Reads need no Origin.
    let request = console_request(
        Method::GET,
        "/api/v1/admin/sites/forum",
        Some(&cookie),
        None,
        None,
    );
    assert_eq!(server.send(request).await.status, StatusCode::OK);
    // From the server's own pages, with the port written out or not, it is done.
    for (method, path, body) in cases {
        let request = console_request(
            method,
            path,
            Some(&cookie),
            Some("http://Engage.Example.com:80"),
            Some(body),
        );
        let answer = server.send(request).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {:?}", answer.body);
    }
    // The API key carries no ambient authority: no Origin needed.
    let renamed = server
        .send(
            Request::patch("/api/v1/admin/sites/forum")
                .header(header::AUTHORIZATION, format!("Bearer {}", crate::API_KEY))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"name": "By key"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    // A sign-in from another site's page is refused too (no signing a victim in to the
    // attacker's account); one without Origin (a script) is not.
    let request = sign_in_request(Some("https://evil.example.com"), ADA, PASSWORD);
    assert_eq!(server.send(request).await.code(), "origin_refused");
    let request = sign_in_request(None, ADA, PASSWORD);
    assert_eq!(server.send(request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn with_a_public_url_only_its_origin_is_the_servers_own() {
    let server = console_server(ConsoleConfig {
        public_url: Some(PublicUrl::parse("https://engage.example.com").unwrap()),
        ..ConsoleConfig::default()
    })
    .await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let answer = sign_in(&server, ADA, PASSWORD).await;
    // OWN_ORIGIN is http://: not this server's any more.
    assert_eq!(answer.code(), "origin_refused");
    let request = sign_in_request(Some("https://engage.example.com"), ADA, PASSWORD);
    let answer = server.send(request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = cookie_pair(&answer);
    assert!(cookie.starts_with("__Host-engage_session="), "{cookie}");
    assert!(cookie_attributes(&answer).contains(&"Secure".to_owned()));
    let lang = json!({"lang": "en"});
    let request = console_request(
        Method::PATCH,
        "/api/v1/console/me",
        Some(&cookie),
        Some("https://engage.example.com"),
        Some(&lang),
    );
    assert_eq!(server.send(request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_https_proxy_the_cookie_is_host_prefixed_and_secure() {
    let server = TestServer::with_config(Config {
        limits: LimitConfig::generous(),
        proxy: ProxyConfig {
            trusted: vec![parse_trusted_proxy("10.0.0.0/8").unwrap()],
            ..ProxyConfig::default()
        },
        ..Config::default()
    })
    .await;
    add_owner(&server, ADA, false, &["forum"]).await;
    let sign_in_from = |peer: &str| {
        let mut request = sign_in_request(None, ADA, PASSWORD);
        request
            .headers_mut()
            .insert("x-forwarded-proto", "https".parse().unwrap());
        server.send(from_peer(request, peer))
    };
    let proxied = sign_in_from("10.0.0.2").await;
    assert_eq!(proxied.status, StatusCode::OK);
    let cookie = cookie_pair(&proxied);
    assert!(cookie.starts_with("__Host-engage_session="), "{cookie}");
    assert_eq!(
        sorted_cookie_attributes(&proxied),
        session_cookie_attributes(true)
    );
    // A client that claims https itself is not believed.
    let direct = sign_in_from("203.0.113.5").await;
    assert!(cookie_pair(&direct).starts_with("engage_session="));
    assert!(!cookie_attributes(&direct).contains(&"Secure".to_owned()));

    // Behind https, only the __Host- cookie counts, and the own origin is https://.
    let in_https_session = |cookie: &str, origin: &str| {
        let lang = json!({"lang": "en"});
        let mut request = console_request(
            Method::PATCH,
            "/api/v1/console/me",
            Some(cookie),
            Some(origin),
            Some(&lang),
        );
        request
            .headers_mut()
            .insert("x-forwarded-proto", "https".parse().unwrap());
        server.send(from_peer(request, "10.0.0.2"))
    };
    let token = cookie.split_once('=').unwrap().1;
    let plain_name = format!("engage_session={token}");
    assert_eq!(
        in_https_session(&plain_name, "https://engage.example.com")
            .await
            .code(),
        "not_signed_in"
    );
    assert_eq!(
        in_https_session(&cookie, OWN_ORIGIN).await.code(),
        "origin_refused"
    );
    let done = in_https_session(&cookie, "https://engage.example.com").await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
}

#[tokio::test]
async fn an_owner_chooses_the_consoles_language() {
    let (server, cookie) = ada_signed_in().await;
    let me = "/api/v1/console/me";
    let check = |body: Value, lang: Value| {
        let cookie = cookie.clone();
        let server = &server;
        async move {
            let answer = in_session(server, &cookie, Method::PATCH, me, Some(&body)).await;
            assert_eq!(answer.status, StatusCode::OK, "{body}: {:?}", answer.body);
            assert_eq!(answer.body["owner"]["lang"], lang, "{body}");
            let session = read_session(server, &cookie).await;
            assert_eq!(session.body["owner"]["lang"], lang, "{body}");
        }
    };
    check(json!({"lang": "zh-CN"}), json!("zh-CN")).await;
    check(json!({}), json!("zh-CN")).await;
    check(json!({"lang": "en"}), json!("en")).await;
    check(json!({"lang": null}), Value::Null).await;
    for bad in [
        json!({"lang": "fr"}),
        json!({"lang": "EN"}),
        json!({"theme": "dark"}),
    ] {
        let answer = in_session(&server, &cookie, Method::PATCH, me, Some(&bad)).await;
        assert_eq!(answer.code(), "invalid_body", "{bad}");
    }
    let request = console_request(Method::PATCH, me, None, Some(OWN_ORIGIN), Some(&json!({})));
    assert_eq!(server.send(request).await.code(), "not_signed_in");
}

fn setup_token(link: &str) -> String {
    let (base, token) = link.split_once("?token=").unwrap();
    assert_eq!(base, "http://engage.example.com/console/setup");
    token.to_owned()
}

async fn set_up(server: &TestServer, token: &str, email: &str, password: &str) -> Answer {
    let body = json!({"token": token, "email": email, "password": password});
    let request = console_request(
        Method::POST,
        "/api/v1/console/setup",
        None,
        Some(OWN_ORIGIN),
        Some(&body),
    );
    server.send(request).await
}

#[tokio::test]
async fn the_setup_link_makes_the_first_admin_once() {
    let server = TestServer::new().await;
    let base = "http://engage.example.com";
    let first = setup_link_if_no_owner(&server.store, base, server.now())
        .await
        .unwrap();
    let link = setup_link_if_no_owner(&server.store, base, server.now())
        .await
        .unwrap();
    let old_token = setup_token(&first.unwrap());
    let token = setup_token(&link.unwrap());
    // Only the newest link works.
    assert_eq!(
        set_up(&server, &old_token, ADA, PASSWORD).await.code(),
        "invalid_setup_token"
    );
    // A bad email or password is refused without spending the token.
    assert_eq!(
        set_up(&server, &token, "ada", PASSWORD).await.code(),
        "invalid_email"
    );
    let short = set_up(&server, &token, ADA, "short").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.code(), "invalid_password");
    assert!(!server.store.has_owner().await.unwrap());

    let made = set_up(&server, &token, ADA, PASSWORD).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    assert_eq!(made.body["owner"]["email"], ADA);
    assert_eq!(made.body["owner"]["admin"], true);
    // An admin runs every site.
    assert_eq!(made.body["owner"]["sites"].as_array().unwrap().len(), 2);
    let cookie = cookie_pair(&made);
    let session = read_session(&server, &cookie).await;
    assert_eq!(session.status, StatusCode::OK);

    // Used: never again, not even for another email; and no new link while an owner exists.
    let again = set_up(&server, &token, "eve@example.com", PASSWORD).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(again.code(), "invalid_setup_token");
    assert_eq!(
        setup_link_if_no_owner(&server.store, base, server.now())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        sign_in(&server, "eve@example.com", PASSWORD).await.code(),
        "invalid_credentials"
    );
}

#[tokio::test]
async fn a_setup_link_expires_after_a_day() {
    let server = TestServer::new().await;
    server.set_now("2026-11-20T00:00:00Z");
    let link = setup_link_if_no_owner(&server.store, "http://engage.example.com", server.now())
        .await
        .unwrap()
        .unwrap();
    server.set_now("2026-11-21T00:00:00Z");
    let answer = set_up(&server, &setup_token(&link), ADA, PASSWORD).await;
    assert_eq!(answer.code(), "invalid_setup_token");
    assert_eq!(
        set_up(&server, "made-up", ADA, PASSWORD).await.code(),
        "invalid_setup_token"
    );
    assert!(!server.store.has_owner().await.unwrap());
}

/// Runs `serve` on `db` until it listens; answers the setup link it logged, if any.
fn serve_until_listening(db: &str) -> Option<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_engage-server"))
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut link = None;
    let mut listening = None;
    // A guard against a server that never starts, not a timing assertion.
    while let Ok(line) = received.recv_timeout(Duration::from_secs(60)) {
        if let Some(at) = line.find("http://") {
            let url = line[at..].split_whitespace().next().unwrap().to_owned();
            if url.contains("/console/setup?token=") {
                link = Some(url);
            } else if line.contains("listening on") {
                listening = Some(url);
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let listening = listening.expect("the server said where it listens");
    if let Some(link) = &link {
        assert!(
            link.starts_with(&format!("{listening}/console/setup?token=")),
            "{link}"
        );
    }
    link
}

#[tokio::test]
async fn serve_logs_a_setup_link_only_while_no_owner_exists() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let link = serve_until_listening(db).expect("a setup link while no owner exists");
    let token = link.split_once("?token=").unwrap().1;

    let store = Store::open(db).await.unwrap();
    let state = AppState::new(store.clone(), Config::default());
    let body = json!({"token": token, "email": ADA, "password": PASSWORD});
    let request = console_request(
        Method::POST,
        "/api/v1/console/setup",
        None,
        None,
        Some(&body),
    );
    let response = tower::ServiceExt::oneshot(engage_server::router(state), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(store.has_owner().await.unwrap());
    drop(store);

    assert_eq!(serve_until_listening(db), None);
}

/// Runs `engage-server` with `stdin` as its standard input.
fn engage_server_with_stdin(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_engage-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn owner_add_reads_the_password_from_stdin() {
    let server = TestServer::new().await;
    let db = server._dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let add = |email: &str, extra: &[&str], stdin: &str| {
        let mut args = vec![
            "owner",
            "add",
            "--db",
            db,
            "--email",
            email,
            "--password-stdin",
        ];
        args.extend_from_slice(extra);
        engage_server_with_stdin(&args, stdin)
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();

    let made = add(
        "Ada@Example.com",
        &["--site", "forum", "--json"],
        "correct horse battery staple\r\n",
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let report: Value = serde_json::from_slice(&made.stdout).unwrap();
    assert_eq!(
        report,
        json!({"id": report["id"], "email": ADA, "admin": false, "sites": ["forum"]})
    );
    assert!(report["id"].is_i64());
    // The line ending is not part of the password; the rest is.
    assert_eq!(sign_in(&server, ADA, PASSWORD).await.status, StatusCode::OK);

    let admin = add("root@example.com", &["--admin"], "another long password\n");
    assert!(admin.status.success(), "{}", text(&admin.stderr));
    assert!(text(&admin.stdout).contains("created owner 'root@example.com' (admin)"));

    let refusals: [(&str, &[&str], &str, &str); 5] = [
        ("eve@example.com", &[], "", "the password is empty"),
        ("eve@example.com", &[], "\n", "the password is empty"),
        (
            "eve@example.com",
            &[],
            "123456789\n",
            "at least 10 characters (it has 9)",
        ),
        (
            "eve@example.com",
            &["--site", "nope"],
            "long enough password\n",
            "site 'nope' does not exist",
        ),
        (
            "ADA@example.com",
            &[],
            "long enough password\n",
            "owner 'ada@example.com' already exists",
        ),
    ];
    for (email, extra, stdin, message) in refusals {
        let refused = add(email, extra, stdin);
        assert!(!refused.status.success(), "{email} {extra:?} {stdin:?}");
        assert!(
            text(&refused.stderr).contains(message),
            "{}",
            text(&refused.stderr)
        );
    }
    assert_eq!(
        sign_in(&server, "eve@example.com", "long enough password")
            .await
            .code(),
        "invalid_credentials"
    );
    // Never on the command line.
    let without_flag = Command::new(env!("CARGO_BIN_EXE_engage-server"))
        .args(["owner", "add", "--db", db, "--email", "eve@example.com"])
        .output()
        .unwrap();
    assert!(!without_flag.status.success());
    assert!(text(&without_flag.stderr).contains("--password-stdin"));
}

#[test]
fn the_readmes_owner_add_recipe_works_as_written() {
    let dir = tempfile::TempDir::new().unwrap();
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_engage-server"));
    let run = |script: &str| {
        let path = format!(
            "{}:{}",
            binary.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("sh")
            .args(["-c", script])
            .current_dir(dir.path())
            .env("PATH", path)
            .env("OWNER_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let site =
        run("engage-server site add --db engage.db --id my-site --origin https://www.example.com");
    assert!(
        site.status.success(),
        "{}",
        String::from_utf8_lossy(&site.stderr)
    );
    let recipe = crate::readme_block("sh", "engage-server owner add");
    let (command, expected) = recipe.split_once("\n# ").unwrap();
    let made = run(command);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let printed: Value = serde_json::from_slice(&made.stdout).unwrap();
    let expected: Value = serde_json::from_str(expected.trim()).unwrap();
    assert_eq!(printed, expected);
}
