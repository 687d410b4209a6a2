use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::jiff::Timestamp;
use engage_server::routes::demo::seed_demo;
use engage_server::{AppState, Config, LimitConfig, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::TestServer;

pub(crate) async fn call(
    state: &AppState,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = router(state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The server in demo mode at a fixed `now`.
pub(crate) fn demo_state(server: &TestServer, now: Timestamp) -> AppState {
    AppState::new(
        server.store.clone(),
        Config {
            demo: true,
            limits: LimitConfig::generous(),
            ..Config::default()
        },
    )
    .with_clock(Arc::new(move || now))
}

#[tokio::test]
async fn demo_members_get_real_tokens() {
    let server = TestServer::new().await;
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    seed_demo(&server.store, &["http://127.0.0.1:9999".into()], now)
        .await
        .unwrap();
    // Seeding twice changes nothing.
    seed_demo(&server.store, &[], now).await.unwrap();
    let state = demo_state(&server, now);

    let (status, members) = call(&state, Method::GET, "/api/v1/demo/members", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        members,
        json!([
            {"member": "alice", "name": "Alice"},
            {"member": "bob", "name": "Bob"},
            {"member": "xiaoming", "name": "小明"},
            {"member": "mei", "name": "美美"},
            {"member": "lin", "name": "Lin 林"},
        ])
    );
    let (status, token) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(json!({"member": "xiaoming"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["site"], "demo");
    assert_eq!(token["member"], "xiaoming");
    assert_eq!(token["name"], "小明");
    assert_eq!(token["expires_at"], "2026-11-20T03:00:00Z");
    let token = token["token"].as_str().unwrap();
    let (status, checked) = call(
        &state,
        Method::POST,
        "/api/v1/sites/demo/checkin",
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(checked["awarded"], 10);
    assert_eq!(checked["date"], "2026-11-20");

    let (status, unknown) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(json!({"member": "mallory"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unknown["error"]["code"], "member_not_found");
    assert!(state.origin_allowed("demo", "http://127.0.0.1:9999").await);
    assert!(state.origin_allowed("demo", "http://localhost:8080").await);
}

#[tokio::test]
async fn demo_routes_do_not_exist_without_demo_mode() {
    let server = TestServer::new().await;
    for (method, path) in [
        (Method::GET, "/api/v1/demo/members"),
        (Method::POST, "/api/v1/demo/token"),
    ] {
        let answer = server
            .call(method, path, None, Some(r#"{"member":"alice"}"#))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.code(), "not_found");
    }
}

#[tokio::test]
async fn the_demo_site_ships_two_polls() {
    let server = TestServer::new().await;
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    let state = demo_state(&server, now);
    let (status, feature) = call(
        &state,
        Method::GET,
        "/api/v1/sites/demo/polls/favourite-feature",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{feature}");
    assert_eq!(feature["question"], "Which feature should we build next?");
    assert_eq!(feature["options"].as_array().unwrap().len(), 4);
    assert_eq!(feature["multiple"], false);
    assert_eq!(feature["results"], "always");
    assert_eq!(feature["anonymous"], true);
    assert_eq!(feature["allow_change"], true);
    assert_eq!(feature["points_per_vote"], 5);
    let (_, meetup) = call(
        &state,
        Method::GET,
        "/api/v1/sites/demo/polls/meetup-day",
        None,
        None,
    )
    .await;
    assert_eq!(
        meetup["question"],
        "Which days suit you for the monthly meetup?"
    );
    assert_eq!(meetup["multiple"], true);
    assert_eq!(meetup["max_choices"], 2);
    assert_eq!(meetup["results"], "after_vote");
    assert_eq!(meetup["anonymous"], false);
    assert_eq!(meetup["allow_change"], false);
    assert_eq!(meetup["options"][0]["label"], "Monday");

    // A member votes; seeding again keeps the poll and its votes.
    let (_, token) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(json!({"member": "mei"})),
    )
    .await;
    let token = token["token"].as_str().unwrap();
    let (status, voted) = call(
        &state,
        Method::POST,
        "/api/v1/sites/demo/polls/meetup-day/votes",
        Some(token),
        Some(json!({"choices": ["friday", "monday"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(voted["awarded"], 5);
    assert_eq!(voted["my_choices"], json!(["monday", "friday"]));
    seed_demo(&server.store, &[], now).await.unwrap();
    let demo = engage_core::SiteId::parse("demo").unwrap();
    let polls = server
        .store
        .count_rows(engage_server::store::CountedTable::Polls, &demo)
        .await
        .unwrap();
    assert_eq!(polls, 2);
    let (_, after) = call(
        &state,
        Method::GET,
        "/api/v1/sites/demo/polls/meetup-day",
        Some(token),
        None,
    )
    .await;
    assert_eq!(after["total_votes"], 1);
}

/// The demo wheel is open from the first run with its seed hash published; Lin starts with 100
/// points (once, however often the demo is seeded) and can spin; the others start at 0.
#[tokio::test]
async fn the_demo_site_ships_an_open_wheel() {
    let server = TestServer::new().await;
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    let state = demo_state(&server, now);
    let (status, wheel) = call(
        &state,
        Method::GET,
        "/api/v1/sites/demo/lotteries/spring-wheel",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{wheel}");
    assert_eq!(wheel["status"], "open");
    assert_eq!(wheel["cost"], 10);
    assert_eq!(wheel["daily_spins"], 5);
    assert_eq!(wheel["no_prize_weight"], 49);
    assert_eq!(wheel["closes_at"], "2026-12-20T02:00:00Z");
    assert_eq!(wheel["prizes"][3]["name"], "Grand prize: keyboard");
    assert_eq!(wheel["seed_hash"].as_str().unwrap().len(), 64);
    let token = |member: &'static str| {
        let state = state.clone();
        async move {
            let (_, token) = call(
                &state,
                Method::POST,
                "/api/v1/demo/token",
                None,
                Some(json!({"member": member})),
            )
            .await;
            token["token"].as_str().unwrap().to_owned()
        }
    };
    let lin = token("lin").await;
    let (status, spun) = call(
        &state,
        Method::POST,
        "/api/v1/sites/demo/lotteries/spring-wheel/spins",
        Some(&lin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{spun}");
    assert_eq!(spun["points"], 90);
    let alice = token("alice").await;
    let (_, me) = call(
        &state,
        Method::GET,
        "/api/v1/sites/demo/me",
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(me["points"], 0);
}

#[tokio::test]
async fn the_demo_site_ships_a_small_shop() {
    let server = TestServer::new().await;
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    let state = demo_state(&server, now);
    let (status, shop) = call(
        &state,
        Method::GET,
        "/api/v1/sites/demo/rewards",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{shop}");
    let kinds: Vec<(&str, &str)> = shop["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("sticker-pack", "item"),
            ("coffee-coupon", "code"),
            ("streak-freeze", "streak_freeze")
        ]
    );
    // Seeded twice, the pool holds its 20 codes once.
    assert_eq!(shop["rewards"][1]["stock_left"], 20);
    let (_, token) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(json!({"member": "lin"})),
    )
    .await;
    let lin = token["token"].as_str().unwrap().to_owned();
    let (status, redeemed) = call(
        &state,
        Method::POST,
        "/api/v1/sites/demo/rewards/coffee-coupon/redemptions",
        Some(&lin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{redeemed}");
    assert_eq!(redeemed["redemption"]["code"], "ENGAGE-DEMO-01");
    assert_eq!(redeemed["points"], 50);
    // 50 points spent: the redemption counts for `spent` badges too.
    assert_eq!(redeemed["badges"], json!(["big-spender", "first-reward"]));
}
