//! The owner's analytics over live activity: seen and acted recorded as PRODUCT.md defines them,
//! at most once per member and day whatever the concurrency, and the route's numbers, ranges
//! and errors; the `analytics` CSV export.

use axum::http::{Method, StatusCode};
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::polls::{Who, send};
use crate::{API_KEY, TestServer};

const ANALYTICS: &str = "/api/v1/admin/sites/forum/analytics";

const RULES: &str = r#"
[feedback]
points = 0
scale = "nps"
"#;

async fn analytics(server: &TestServer, query: &str) -> Value {
    let answer = server.get(&format!("{ANALYTICS}{query}"), API_KEY).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

/// The day row of `date` as `[dau, wau, mau, engaged, new_members, checkins]`.
fn day_numbers(view: &Value, date: &str) -> [u64; 6] {
    let day = view["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|day| day["date"] == date)
        .unwrap_or_else(|| panic!("no day {date} in {view}"));
    ["dau", "wau", "mau", "engaged", "new_members", "checkins"]
        .map(|field| day[field].as_u64().unwrap())
}

async fn create_poll(server: &TestServer) {
    let poll = json!({
        "id": "colour", "question": "Which colour?",
        "options": [{"id": "red", "label": "Red"}, {"id": "blue", "label": "Blue"}],
        "multiple": false, "max_choices": 1, "closes_at": null, "results": "always",
        "anonymous": false, "allow_change": true, "points": 2,
    });
    let created = server
        .call_with_key(
            "/api/v1/admin/sites/forum/polls",
            API_KEY,
            &poll.to_string(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
}

/// Live activity on two site-local days (forum is in Asia/Shanghai, UTC+8), and every number
/// of the answer as the definitions give it.
#[tokio::test]
async fn live_activity_gives_the_defined_numbers() {
    let server = TestServer::new().await;
    server.install_rules(RULES).await;
    create_poll(&server).await;
    // 2026-11-20, 10:00 in Shanghai (a Friday).
    server.set_now("2026-11-20T02:00:00Z");
    let alice = server.token("alice");
    for _ in 0..3 {
        let read = server.get("/api/v1/sites/forum/me", &alice).await;
        assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    }
    let bob = server.check_in("bob").await;
    assert_eq!(bob.status, StatusCode::OK, "{:?}", bob.body);
    let bob_awarded = bob.body["awarded"].as_i64().unwrap();
    let voted = send(
        &server,
        Method::POST,
        "/api/v1/sites/forum/polls/colour/votes",
        Who::Member("carol"),
        None,
        Some(json!({"choices": ["red"]})),
    )
    .await;
    assert_eq!(voted.status, StatusCode::OK, "{:?}", voted.body);
    let event = server.award("dave", 7, "welcome").await;
    assert_eq!(event.status, StatusCode::OK, "{:?}", event.body);
    for (who, nps) in [
        (Who::Member("erin"), 10),
        (Who::Visitor("visitor-01-abcdefghijkl"), 3),
    ] {
        let sent = send(
            &server,
            Method::POST,
            "/api/v1/sites/forum/feedback",
            who,
            None,
            Some(json!({"nps": nps, "text": "ok"})),
        )
        .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    }
    // A request refused with an error is not "seen".
    let refused = send(
        &server,
        Method::POST,
        "/api/v1/sites/forum/polls/nothing/votes",
        Who::Member("frank"),
        None,
        Some(json!({"choices": ["red"]})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(server.count(CountedTable::MemberDays).await, 5);

    // The next day, 2026-11-21 00:30 in Shanghai: alice checks in, bob is only seen.
    server.set_now("2026-11-20T16:30:00Z");
    let alice_in = server.check_in("alice").await;
    let alice_awarded = alice_in.body["awarded"].as_i64().unwrap();
    let bob = server.token("bob");
    server.get("/api/v1/sites/forum/checkin", &bob).await;

    let view = analytics(&server, "?from=2026-11-20&to=2026-11-21").await;
    assert_eq!(view["from"], "2026-11-20");
    assert_eq!(view["to"], "2026-11-21");
    // alice (seen), bob (check-in), carol (vote), dave (host event), erin (feedback).
    assert_eq!(day_numbers(&view, "2026-11-20"), [5, 5, 5, 4, 5, 1]);
    assert_eq!(day_numbers(&view, "2026-11-21"), [2, 5, 5, 1, 0, 1]);
    let day0 = &view["days"][0];
    assert_eq!(
        day0["points_issued"].as_i64().unwrap(),
        bob_awarded + 2 + 7,
        "{day0}"
    );
    assert_eq!(
        view["days"][1]["points_issued"].as_i64().unwrap(),
        alice_awarded
    );
    assert_eq!(
        view["participation"],
        json!({"checkin": 2, "poll": 1, "lottery": 0, "feedback": 1, "host_event": 1, "rewards": 0})
    );
    // One promoter and one detractor (the visitor's answer counts too).
    assert_eq!(
        view["nps"],
        json!([{"week": "2026-11-16", "responses": 2, "score": 0}])
    );
    // No Monday in the range: no cohort.
    assert_eq!(view["retention"]["cohorts"], json!([]));
    let totals = &view["totals"];
    assert_eq!(totals["active"], 5);
    assert_eq!(totals["engaged"], 5, "bob and alice acted too");
    assert_eq!(totals["new_members"], 5);
    assert_eq!(totals["checkins"], 2);
    assert_eq!(totals["avg_dau"], 3.5);
    assert_eq!(totals["checkin_rate"], 0.2857);
    assert_eq!(view["previous"]["from"], "2026-11-18");
    assert_eq!(view["previous"]["active"], 0);
    let sources: Vec<&str> = view["points_by_source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"host_event") && sources.contains(&"vote"),
        "{sources:?}"
    );
    assert_eq!(
        view["polls"],
        json!([{"id": "colour", "label": "Which colour?", "members": 1}])
    );

    // Retention: nobody of the first week returns; gina, new on Monday 11-23, does.
    server.set_now("2026-11-23T02:00:00Z");
    server
        .get("/api/v1/sites/forum/me", &server.token("gina"))
        .await;
    server.set_now("2026-11-30T02:00:00Z");
    server
        .get("/api/v1/sites/forum/me", &server.token("gina"))
        .await;
    let view = analytics(&server, "?from=2026-11-16&to=2026-11-30").await;
    assert_eq!(
        view["retention"]["cohorts"],
        json!([
            {"week": "2026-11-16", "size": 5, "retained": [5, 0, 0]},
            {"week": "2026-11-23", "size": 1, "retained": [1, 1]},
            {"week": "2026-11-30", "size": 0, "retained": [0]},
        ])
    );
}

/// Days end at the site's midnight, not UTC's.
#[tokio::test]
async fn days_end_at_the_sites_midnight() {
    let server = TestServer::new().await;
    // 23:59:59 and 00:00:00 in Shanghai.
    server.set_now("2026-11-20T15:59:59Z");
    server
        .get("/api/v1/sites/forum/me", &server.token("alice"))
        .await;
    server.set_now("2026-11-20T16:00:00Z");
    server
        .get("/api/v1/sites/forum/me", &server.token("bob"))
        .await;
    let view = analytics(&server, "?from=2026-11-20&to=2026-11-21").await;
    assert_eq!(day_numbers(&view, "2026-11-20"), [1, 1, 1, 0, 1, 0]);
    assert_eq!(day_numbers(&view, "2026-11-21"), [1, 2, 2, 0, 1, 0]);
}

#[tokio::test]
async fn ranges_default_and_are_checked() {
    let server = TestServer::new().await;
    // Today is 2026-11-20 in Shanghai.
    let view = analytics(&server, "").await;
    assert_eq!(view["from"], "2026-10-22");
    assert_eq!(view["to"], "2026-11-20");
    assert_eq!(view["days"].as_array().unwrap().len(), 30);
    assert_eq!(view["previous"]["to"], "2026-10-21");
    let year = analytics(&server, "?from=2024-01-01&to=2024-12-31").await;
    assert_eq!(year["days"].as_array().unwrap().len(), 366);
    for (query, status, code) in [
        ("?from=2026-13-01", StatusCode::BAD_REQUEST, "invalid_query"),
        ("?to=yesterday", StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "?from=2026-11-20&to=2026-11-19",
            StatusCode::UNPROCESSABLE_ENTITY,
            "range_reversed",
        ),
        (
            "?from=2024-01-01&to=2025-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "range_too_long",
        ),
        (
            "?from=2020-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "range_too_long",
        ),
    ] {
        let answer = server.get(&format!("{ANALYTICS}{query}"), API_KEY).await;
        assert_eq!(answer.status, status, "{query}: {:?}", answer.body);
        assert_eq!(answer.code(), code, "{query}");
        assert!(
            answer.body["error"]["message"].as_str().unwrap().len() > 10,
            "{query}"
        );
    }
    let anonymous = server.call(Method::GET, ANALYTICS, None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let other = server.get(ANALYTICS, "ek_forum_test_key_other").await;
    assert_eq!(other.code(), "invalid_api_key");
}

/// Many reads and check-ins of one member at once leave one activity row and count once.
#[tokio::test]
async fn racing_requests_never_double_count_activity() {
    let server = TestServer::new().await;
    let token = server.token("alice");
    let mut tasks = Vec::new();
    for i in 0..24 {
        let state = server.state.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let (method, path) = match i % 3 {
                0 => (Method::POST, "/api/v1/sites/forum/checkin"),
                1 => (Method::GET, "/api/v1/sites/forum/checkin"),
                _ => (Method::GET, "/api/v1/sites/forum/me"),
            };
            let request = axum::http::Request::builder()
                .method(method)
                .uri(path)
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let response = tower::ServiceExt::oneshot(engage_server::router(state), request)
                .await
                .unwrap();
            response.status()
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap().is_success());
    }
    assert_eq!(server.count(CountedTable::MemberDays).await, 1);
    assert_eq!(server.count(CountedTable::MemberFirstDays).await, 1);
    let view = analytics(&server, "?from=2026-11-20&to=2026-11-20").await;
    assert_eq!(day_numbers(&view, "2026-11-20"), [1, 1, 1, 1, 1, 1]);
    assert_eq!(view["participation"]["checkin"], 1);
    server.assert_ledger_balanced().await;
}

/// Reads of a member already seen today write nothing: the next day is a new row.
#[tokio::test]
async fn seen_is_written_once_a_day() {
    let server = TestServer::new().await;
    let id = engage_core::SiteId::parse("forum").unwrap();
    let alice = engage_core::MemberId::parse("alice").unwrap();
    let today = "2026-11-20".parse().unwrap();
    assert!(server.store.note_seen(&id, &alice, today).await.unwrap());
    assert!(!server.store.note_seen(&id, &alice, today).await.unwrap());
    // A second store on the same file (another process) finds the row and writes nothing.
    let path = server._dir.path().join("engage.sqlite");
    let other = engage_server::Store::open(path.to_str().unwrap())
        .await
        .unwrap();
    assert!(!other.note_seen(&id, &alice, today).await.unwrap());
    let tomorrow = "2026-11-21".parse().unwrap();
    assert!(other.note_seen(&id, &alice, tomorrow).await.unwrap());
    assert_eq!(server.count(CountedTable::MemberDays).await, 2);
    // A host event alone is not "seen": a request later that day marks it.
    server.award("bob", 1, "k1").await;
    let bob = engage_core::MemberId::parse("bob").unwrap();
    assert!(server.store.note_seen(&id, &bob, today).await.unwrap());
    assert_eq!(server.count(CountedTable::MemberDays).await, 3);
}

#[tokio::test]
async fn the_days_export_as_csv() {
    let server = TestServer::new().await;
    server.check_in("alice").await;
    let request = axum::http::Request::get(
        "/api/v1/admin/sites/forum/export/analytics.csv?from=2026-11-19&to=2026-11-20",
    )
    .header("authorization", format!("Bearer {API_KEY}"))
    .body(axum::body::Body::empty())
    .unwrap();
    let answer = server.send(request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let text = answer.body.as_str().unwrap().to_owned();
    let awarded =
        analytics(&server, "?from=2026-11-20&to=2026-11-20").await["days"][0]["points_issued"]
            .as_i64()
            .unwrap();
    assert_eq!(
        text,
        format!(
            "\u{feff}date,dau,wau,mau,engaged,new_members,checkins,points_issued,points_spent\r\n\
             2026-11-19,0,0,0,0,0,0,0,0\r\n\
             2026-11-20,1,1,1,1,1,1,{awarded},0\r\n"
        )
    );
    let reversed = server
        .get(
            "/api/v1/admin/sites/forum/export/analytics.csv?from=2026-11-20&to=2026-11-19",
            API_KEY,
        )
        .await;
    assert_eq!(reversed.code(), "range_reversed");
}
