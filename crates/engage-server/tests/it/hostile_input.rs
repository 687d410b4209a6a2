//! Hostile input over HTTP: arbitrary bytes, arbitrary text and valid bodies with one value
//! swapped for anything, sent to every route that reads a JSON body (with the credentials the
//! route wants, so the body is really read), and arbitrary member tokens and site secrets at
//! the token verifier. A body is answered 2xx only if it is a JSON object; anything else is a
//! 4xx with `{"error": {"code", "message"}}`; never a 5xx, never a panic.
//!
//! The `fuzz/` crate runs the same entry points under libFuzzer for minutes; this runs in CI.

use axum::body::Body;
use axum::http::{Method, Request, header};
use engage_core::jiff::Timestamp;
use engage_server::auth::VISITOR_HEADER;
use engage_server::routes::demo::seed_demo;
use engage_server::token::{
    MemberClaims, mint_member_token, unverified_claims, verify_member_token,
};
use engage_server::{AppState, router};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::demo::demo_state;
use engage_server::store::CountedTable;

use crate::{API_KEY, SECRET, TestServer};

/// Who a route wants, so that it gets as far as reading the body.
#[derive(Debug, Clone, Copy)]
enum Caller {
    Member,
    ApiKey,
    Visitor,
    Anyone,
}

/// A route that reads a JSON body, with a body it accepts.
#[derive(Debug, Clone)]
struct JsonRoute {
    method: Method,
    path: String,
    caller: Caller,
    valid: Value,
}

/// A server with a poll `feature`, one feedback item, and the demo routes (on the same store).
struct Target {
    server: TestServer,
    demo: AppState,
    routes: Vec<JsonRoute>,
}

async fn target() -> Target {
    let server = TestServer::new().await;
    let poll = json!({"id": "feature", "question": "Which?", "anonymous": true, "multiple": true,
                      "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]});
    let created = server
        .call_with_key(
            "/api/v1/admin/sites/forum/polls",
            API_KEY,
            &poll.to_string(),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let feedback = r#"{"text": "The button is hidden"}"#;
    let sent = server
        .post(
            "/api/v1/sites/forum/feedback",
            &server.token("alice"),
            Some(feedback),
        )
        .await;
    assert_eq!(sent.status, 201, "{:?}", sent.body);
    let item = sent.body["id"].as_i64().unwrap();
    seed_demo(&server.store, &[], server.now()).await.unwrap();
    let demo = demo_state(&server, server.now());
    for reward in [
        json!({"id": "mug", "name": "Mug", "price": 5, "stock": 10}),
        json!({"id": "coupon", "name": "Coupon", "price": 5, "kind": "code"}),
    ] {
        let created = server
            .call_with_key(
                "/api/v1/admin/sites/forum/rewards",
                API_KEY,
                &reward.to_string(),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
    }
    server.award("alice", 50, "gift").await;
    let redeemed = server
        .post(
            "/api/v1/sites/forum/rewards/mug/redemptions",
            &server.token("alice"),
            None,
        )
        .await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    let redemption = redeemed.body["redemption"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let route = |method: Method, path: &str, caller, valid| JsonRoute {
        method,
        path: path.to_owned(),
        caller,
        valid,
    };
    let admin = "/api/v1/admin/sites/forum";
    let site = "/api/v1/sites/forum";
    let routes = vec![
        route(
            Method::POST,
            &format!("{site}/checkin/makeup"),
            Caller::Member,
            json!({"date": "2026-11-19"}),
        ),
        route(
            Method::POST,
            &format!("{site}/events"),
            Caller::ApiKey,
            json!({"member": "bob", "kind": "post_created", "idempotency_key": "k1", "points": 3, "name": "Bob"}),
        ),
        route(
            Method::POST,
            &format!("{site}/polls/feature/votes"),
            Caller::Visitor,
            json!({"choices": ["a"]}),
        ),
        route(
            Method::POST,
            &format!("{site}/feedback"),
            Caller::Visitor,
            json!({"text": "Hi", "rating": 5, "contact": "me@example.com",
                     "page_url": "https://forum.example.com/", "context": {"lang": "en"}}),
        ),
        route(
            Method::POST,
            &format!("{admin}/polls"),
            Caller::ApiKey,
            json!({"id": "second", "question": "Q?", "closes_at": "2026-12-01T00:00:00Z", "results": "after_vote",
                     "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}], "ip_limit": 5}),
        ),
        route(
            Method::PATCH,
            &format!("{admin}/polls/feature"),
            Caller::ApiKey,
            json!({"question": "Which one?", "closes_at": null, "max_choices": 2}),
        ),
        route(
            Method::POST,
            &format!("{admin}/lotteries"),
            Caller::ApiKey,
            json!({"id": "wheel", "mode": "wheel", "cost": 10, "daily_spins": 3, "no_prize_weight": 1,
                     "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 5, "image": "/mug.png"}],
                     "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00+08:00"}),
        ),
        route(
            Method::PUT,
            &format!("{admin}/webhook"),
            Caller::ApiKey,
            json!({"url": "https://hooks.example.com/engage", "rotate_secret": true}),
        ),
        route(
            Method::PATCH,
            &format!("{admin}/feedback/{item}"),
            Caller::ApiKey,
            json!({"status": "done"}),
        ),
        route(
            Method::POST,
            &format!("{admin}/feedback/{item}/replies"),
            Caller::ApiKey,
            json!({"text": "Thanks"}),
        ),
        route(
            Method::POST,
            &format!("{admin}/rewards"),
            Caller::ApiKey,
            json!({"id": "stickers", "name": "Stickers", "description": "Five", "price": 5,
                     "stock": 3, "per_member": 1, "kind": "item", "image_url": "/s.png",
                     "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z"}),
        ),
        route(
            Method::PATCH,
            &format!("{admin}/rewards/mug"),
            Caller::ApiKey,
            json!({"price": 6, "description": null, "stock": 4, "archived": false}),
        ),
        route(
            Method::POST,
            &format!("{admin}/rewards/coupon/codes"),
            Caller::ApiKey,
            json!({"codes": ["A-1", "B-2"]}),
        ),
        route(
            Method::PATCH,
            &format!("{admin}/redemptions/{redemption}"),
            Caller::ApiKey,
            json!({"status": "fulfilled"}),
        ),
        route(
            Method::POST,
            &format!("{site}/rewards/mug/redemptions"),
            Caller::Member,
            json!({"idempotency_key": "click-1"}),
        ),
        route(
            Method::POST,
            "/api/v1/demo/token",
            Caller::Anyone,
            json!({"member": "alice"}),
        ),
    ];
    Target {
        server,
        demo,
        routes,
    }
}

impl Target {
    /// `body` to `route`, with the credentials it wants.
    fn request(&self, route: &JsonRoute, body: &[u8]) -> Request<Body> {
        let request = Request::builder()
            .method(route.method.clone())
            .uri(&route.path)
            .header(header::CONTENT_TYPE, "application/json");
        let request = match route.caller {
            Caller::Member => {
                let bearer = format!("Bearer {}", self.server.token("carol"));
                request.header(header::AUTHORIZATION, bearer)
            }
            Caller::ApiKey => request.header(header::AUTHORIZATION, format!("Bearer {API_KEY}")),
            Caller::Visitor => request.header(VISITOR_HEADER, "v-0123456789abcdefghijkl"),
            Caller::Anyone => request,
        };
        request.body(Body::from(body.to_vec())).unwrap()
    }

    /// Sends `body` to `route` and checks the answer: never 5xx; 2xx only for a JSON object;
    /// otherwise a 4xx with the error shape.
    async fn check(&self, route: &JsonRoute, body: &[u8]) -> Result<(), TestCaseError> {
        let state = match route.caller {
            Caller::Anyone => self.demo.clone(),
            _ => self.server.state.clone(),
        };
        let request = self.request(route, body);
        let response = router(state).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let shown = String::from_utf8_lossy(&bytes);
        let sent = String::from_utf8_lossy(body);
        prop_assert!(
            !status.is_server_error(),
            "{status} from {} {}: {shown}\nfor {sent:?}",
            route.method,
            route.path
        );
        if status.is_success() {
            let is_object = matches!(serde_json::from_slice::<Value>(body), Ok(Value::Object(_)));
            prop_assert!(
                is_object,
                "{status} from {} for a body that is no JSON object: {sent:?}",
                route.path
            );
            return Ok(());
        }
        prop_assert!(
            status.is_client_error(),
            "{status} from {}: {shown}",
            route.path
        );
        let answer: Value = serde_json::from_slice(&bytes).map_err(|e| {
            TestCaseError::fail(format!(
                "{status} from {} is not JSON ({e}): {shown}",
                route.path
            ))
        })?;
        let error = &answer["error"];
        let has_shape = error["code"].as_str().is_some_and(|c| !c.is_empty())
            && error["message"].as_str().is_some_and(|m| !m.is_empty());
        prop_assert!(
            has_shape,
            "{status} from {} without the error shape: {answer}",
            route.path
        );
        Ok(())
    }
}

/// A valid body of a route with the value at one place (a field, or an element of a list)
/// replaced by any JSON value, or a field added or removed.
fn one_value_swapped(valid: Value) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,24}".prop_map(Value::String),
        Just(Value::String("x".repeat(5000))),
        Just(json!("2026-02-30T00:00:00Z")),
    ];
    let any_value = leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    });
    let fields: Vec<String> = valid.as_object().unwrap().keys().cloned().collect();
    (prop::sample::select(fields), any_value, 0..3u8).prop_map(move |(field, value, how)| {
        let mut body = valid.clone();
        let object = body.as_object_mut().unwrap();
        match how {
            0 => {
                object.insert(field, value);
            }
            1 => {
                object.remove(&field);
            }
            _ => {
                object.insert("unexpected".into(), value);
            }
        }
        body
    })
}

/// Runs `cases` cases of `strategy`, each sent to every JSON route.
fn run_against_every_route<S>(cases: u32, strategy: impl Fn(&JsonRoute) -> S)
where
    S: Strategy,
    S::Value: AsRef<[u8]>,
{
    let runtime = runtime();
    let target = runtime.block_on(target());
    for route in &target.routes {
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let result = runner.run(&strategy(route), |body| {
            runtime.block_on(target.check(route, body.as_ref()))
        });
        if let Err(failure) = result {
            panic!("{} {}: {failure}", route.method, route.path);
        }
    }
    runtime.block_on(target.server.assert_ledger_balanced());
}

#[test]
fn json_routes_answer_arbitrary_bytes_with_a_client_error() {
    run_against_every_route(24, |_| prop::collection::vec(any::<u8>(), 0..256));
}

#[test]
fn json_routes_answer_arbitrary_text_with_a_client_error() {
    run_against_every_route(24, |_| ".{0,128}".prop_map(String::into_bytes));
}

#[test]
fn json_routes_answer_a_swapped_value_without_a_server_error() {
    run_against_every_route(40, |route| {
        one_value_swapped(route.valid.clone()).prop_map(|body| body.to_string().into_bytes())
    });
}

#[test]
fn json_routes_answer_malformed_shapes_with_a_client_error() {
    // Nested deeper than serde_json reads (128 levels), yet under the 16 KiB body limit.
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(2_500), close.repeat(2_500));
    let mut bodies: Vec<Vec<u8>> = [
        String::new(),
        "null".into(),
        "[]".into(),
        "\"text\"".into(),
        "{".into(),
        "{\"a\":1,}".into(),
        "\u{feff}{}".into(),
        "{\"text\": \"\\ud800\"}".into(),
        "{\"date\": \"2026-11-19\"".into(),
        format!("{{\"text\": 1{}}}", "0".repeat(400)),
        format!("{{\"choices\": [{}\"a\"]}}", "\"a\",".repeat(3_000)),
        deep("[", "]"),
        deep("{\"a\":", "}"),
        "x".repeat(17 * 1024),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    bodies.push(vec![0xff, 0xfe, b'{', b'}']);
    bodies.push(b"{\"text\": \"\xc3\x28\"}".to_vec());
    let runtime = runtime();
    let target = runtime.block_on(target());
    for route in &target.routes {
        for body in &bodies {
            if let Err(failure) = runtime.block_on(target.check(route, body)) {
                panic!("{} {}: {failure}", route.method, route.path);
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Regression: serde's derived structs read a JSON array as their fields in order, so `[]`
/// passed as an empty poll edit (200) and `[["a"]]` as a vote. A body must be an object.
#[tokio::test]
async fn a_json_array_is_not_a_request_body() {
    let target = target().await;
    let votes_before = target.server.count(CountedTable::PollVotes).await;
    let cases = [
        ("/sites/forum/polls/feature/votes", r#"[["a"]]"#),
        ("/admin/sites/forum/polls/feature", "[]"),
        ("/admin/sites/forum/polls/feature", r#"["Renamed?"]"#),
        ("/checkin/makeup", r#"["2026-11-19"]"#),
    ];
    for (path, body) in cases {
        let route = target
            .routes
            .iter()
            .find(|r| r.path.ends_with(path))
            .unwrap();
        let answer = target
            .server
            .send(target.request(route, body.as_bytes()))
            .await;
        assert_eq!(
            answer.status, 422,
            "{} {body}: {:?}",
            route.path, answer.body
        );
        assert_eq!(answer.code(), "invalid_body");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("a JSON object")
        );
    }
    assert_eq!(
        target.server.count(CountedTable::PollVotes).await,
        votes_before
    );
    let poll = target
        .server
        .get(
            "/api/v1/sites/forum/polls/feature",
            &target.server.token("dave"),
        )
        .await;
    assert_eq!(poll.body["question"], "Which?");
}

/// A valid token's claims, then arbitrary tokens, secrets and clocks: the verifier answers
/// an error for anything but a genuine, current token.
#[test]
fn token_verifier_refuses_arbitrary_tokens() {
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    let claims = MemberClaims {
        sub: "alice".into(),
        name: "Alice".into(),
        site: "forum".into(),
        iat: now.as_second() - 10,
        exp: now.as_second() + 3600,
    };
    let genuine = mint_member_token(SECRET, &claims);
    assert_eq!(
        verify_member_token(SECRET, &genuine, now),
        Ok(claims.clone())
    );
    let segment = "[A-Za-z0-9_-]{0,60}";
    let token = prop_oneof![
        ".{0,200}",
        (segment, segment, segment).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
        // The genuine token with one character replaced.
        (any::<prop::sample::Index>(), any::<char>()).prop_filter_map(
            "unchanged",
            move |(at, with)| {
                let mut chars: Vec<char> = genuine.chars().collect();
                let at = at.index(chars.len());
                (chars[at] != with).then(|| {
                    chars[at] = with;
                    chars.into_iter().collect::<String>()
                })
            }
        ),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(
        &(token, ".{0,40}", any::<i64>()),
        |(token, secret, second)| {
            let now = Timestamp::from_second(second.rem_euclid(253_402_207_200)).unwrap();
            let _ = unverified_claims(&token);
            for secret in [SECRET, secret.as_str()] {
                let verified = verify_member_token(secret, &token, now);
                prop_assert!(
                    verified.is_err(),
                    "accepted {token:?} with {secret:?} at {now}: {verified:?}"
                );
            }
            Ok(())
        },
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
