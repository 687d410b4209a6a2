//! The owner's members (issue 10): search by id prefix or name, one member in full, the
//! ledger a page at a time, and points adjustments — source `admin`, a required reason, seen
//! by the member in `/me`, never below zero even when deductions race.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::audit::{audit_actions, expect, owner};
use crate::{Answer, TestServer};

const MEMBERS: &str = "/api/v1/admin/sites/forum/members";

/// Gives `member` points through a host event that also names them.
async fn award_named(server: &TestServer, member: &str, name: &str, points: i64, key: &str) {
    let body = json!({
        "member": member, "name": name, "kind": "bonus", "idempotency_key": key, "points": points
    });
    let answer = server
        .call_with_key(
            "/api/v1/sites/forum/events",
            crate::API_KEY,
            &body.to_string(),
        )
        .await;
    expect(&answer, StatusCode::OK);
}

async fn adjust(server: &TestServer, member: &str, body: Value) -> Answer {
    let path = format!("{MEMBERS}/{member}/adjustments");
    owner(server, Method::POST, &path, Some(body)).await
}

async fn get(server: &TestServer, path: &str) -> Answer {
    owner(server, Method::GET, path, None).await
}

fn member_ids(answer: &Answer) -> Vec<String> {
    expect(answer, StatusCode::OK)["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn members_are_found_by_id_prefix_or_name() {
    let server = TestServer::new().await;
    for (member, name, points) in [
        ("alice", "Alice Liddell", 120),
        ("alina", "Alina", 10),
        ("bob", "Bob 小明", 600),
        ("carol", "Carol", 5),
        ("dave", "100% Dave", 1),
    ] {
        award_named(&server, member, name, points, &format!("seed-{member}")).await;
    }
    award_named(&server, "elsewhere", "Alice", 5, "seed").await;
    award_named(&server, "x-42", "Xavier", 5, "seed").await;
    let search = |q: &str| format!("{MEMBERS}?q={q}");
    assert_eq!(
        member_ids(&get(&server, MEMBERS).await),
        [
            "alice",
            "alina",
            "bob",
            "carol",
            "dave",
            "elsewhere",
            "x-42"
        ]
    );
    assert_eq!(
        member_ids(&get(&server, &search("ali")).await),
        ["alice", "alina", "elsewhere"]
    );
    assert_eq!(
        member_ids(&get(&server, &search("ALI")).await),
        ["alice", "alina", "elsewhere"]
    );
    assert_eq!(
        member_ids(&get(&server, &search("%E5%B0%8F%E6%98%8E")).await),
        ["bob"]
    );
    assert_eq!(
        member_ids(&get(&server, &search("liddell")).await),
        ["alice"]
    );
    // LIKE's wildcards are matched literally.
    assert_eq!(member_ids(&get(&server, &search("100%25")).await), ["dave"]);
    assert_eq!(
        member_ids(&get(&server, &search("_")).await),
        Vec::<String>::new()
    );
    // Only a prefix of the id matches, any part of the name.
    assert_eq!(member_ids(&get(&server, &search("x-4")).await), ["x-42"]);
    assert_eq!(
        member_ids(&get(&server, &search("42")).await),
        Vec::<String>::new()
    );
    assert_eq!(
        member_ids(&get(&server, &search("lice")).await),
        ["alice", "elsewhere"]
    );

    let first = get(&server, &format!("{MEMBERS}?limit=2")).await;
    assert_eq!(member_ids(&first), ["alice", "alina"]);
    assert_eq!(first.body["next"], "alina");
    let alice = &first.body["members"][0];
    assert_eq!(alice["name"], "Alice Liddell");
    assert_eq!(alice["points"], 120);
    assert_eq!(alice["level"], 2);
    assert_eq!(alice["title"], "Regular");
    assert_eq!(alice["last_seen"], "2026-11-20T02:00:00Z");
    let second = get(&server, &format!("{MEMBERS}?limit=2&after=alina")).await;
    assert_eq!(member_ids(&second), ["bob", "carol"]);
    assert_eq!(second.body["members"][0]["title"], "Active member");
    let last = get(&server, &format!("{MEMBERS}?limit=2&after=carol")).await;
    assert_eq!(member_ids(&last), ["dave", "elsewhere"]);
    let end = get(&server, &format!("{MEMBERS}?limit=2&after=elsewhere")).await;
    assert_eq!(member_ids(&end), ["x-42"]);
    assert_eq!(end.body["next"], Value::Null);
}

#[tokio::test]
async fn a_member_is_shown_in_full() {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[[badges]]\nid = \"regular\"\nname = \"Regular\"\ntitle = \"Early bird\"\n\
             criteria = { checkins = 2 }\n",
        )
        .await;
    for day in [
        "2026-11-18T02:00:00Z",
        "2026-11-19T02:00:00Z",
        "2026-11-20T02:00:00Z",
    ] {
        server.set_now(day);
        expect(&server.check_in("alice").await, StatusCode::OK);
    }
    let detail = get(&server, &format!("{MEMBERS}/alice")).await;
    let body = expect(&detail, StatusCode::OK);
    assert_eq!(body["member"], "alice");
    assert_eq!(body["name"], "Name of alice");
    assert_eq!(body["points"], 30);
    assert_eq!(body["level"], 1);
    assert_eq!(body["title"], "Early bird");
    assert_eq!(body["streak"], 3);
    assert_eq!(body["longest_streak"], 3);
    assert_eq!(body["badges"][0]["id"], "regular");
    assert_eq!(body["badges"][0]["name"], "Regular");
    assert_eq!(body["badges"][0]["earned_at"], "2026-11-19T02:00:00Z");
    assert_eq!(body["first_seen"], "2026-11-18T02:00:00Z");
    assert_eq!(body["last_seen"], "2026-11-20T02:00:00Z");
    // The streak is today's: two days later it has ended.
    server.set_now("2026-11-22T02:00:00Z");
    let later = get(&server, &format!("{MEMBERS}/alice")).await;
    assert_eq!(later.body["streak"], 0);
    assert_eq!(later.body["longest_streak"], 3);

    let missing = get(&server, &format!("{MEMBERS}/nobody")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "member_not_found");
    // A member of another site is not this site's.
    let other = get(&server, "/api/v1/admin/sites/other/members/alice").await;
    assert_eq!(other.code(), "invalid_api_key");
}

#[tokio::test]
async fn the_ledger_is_paged_newest_first() {
    let server = TestServer::new().await;
    for i in 1..=5 {
        expect(
            &server.award("alice", i, &format!("k{i}")).await,
            StatusCode::OK,
        );
    }
    let adjusted = adjust(
        &server,
        "alice",
        json!({"amount": 7, "reason": "Thanks, 谢谢"}),
    )
    .await;
    expect(&adjusted, StatusCode::OK);
    let mut amounts = Vec::new();
    let mut path = format!("{MEMBERS}/alice/ledger?limit=2");
    let mut pages = 0;
    loop {
        let page = get(&server, &path).await;
        let body = expect(&page, StatusCode::OK).clone();
        pages += 1;
        for entry in body["entries"].as_array().unwrap() {
            amounts.push(entry["amount"].as_i64().unwrap());
            if entry["source"] == "admin" {
                assert_eq!(entry["reason"], "Thanks, 谢谢");
                assert!(entry["key"].as_str().unwrap().starts_with("admin:"));
            } else {
                assert_eq!(entry["source"], "host_event");
                assert!(entry.get("reason").is_none(), "{entry}");
            }
        }
        match body["next_before"].as_i64() {
            Some(before) => path = format!("{MEMBERS}/alice/ledger?limit=2&before={before}"),
            None => break,
        }
    }
    assert_eq!(amounts, [7, 5, 4, 3, 2, 1]);
    assert_eq!(pages, 3);
    for (query, code) in [
        ("?limit=0", "invalid_query"),
        ("?limit=201", "invalid_query"),
        ("?before=-1", "invalid_query"),
        ("?before=x", "invalid_query"),
        ("?since=1", "invalid_query"),
    ] {
        let answer = get(&server, &format!("{MEMBERS}/alice/ledger{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.code(), code, "{query}");
    }
    let missing = get(&server, &format!("{MEMBERS}/nobody/ledger")).await;
    assert_eq!(missing.code(), "member_not_found");
}

#[tokio::test]
async fn an_adjustment_is_an_admin_entry_the_member_sees_in_their_ledger() {
    let server = TestServer::new().await;
    expect(&server.award("alice", 100, "welcome").await, StatusCode::OK);
    let taken = adjust(
        &server,
        "alice",
        json!({"amount": -30, "reason": "  Refund of a duplicate award  "}),
    )
    .await;
    let body = expect(&taken, StatusCode::OK);
    assert_eq!(body["points"], 70);
    let entry = &body["entry"];
    assert_eq!(entry["source"], "admin");
    assert_eq!(entry["amount"], -30);
    assert_eq!(entry["reason"], "Refund of a duplicate award");
    assert_eq!(entry["at"], "2026-11-20T02:00:00Z");
    let key = entry["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("admin:") && key.len() > 20, "{key}");

    let given = adjust(
        &server,
        "alice",
        json!({"amount": 50, "reason": "Helpful answer"}),
    )
    .await;
    assert_eq!(expect(&given, StatusCode::OK)["points"], 120);
    assert_ne!(given.body["entry"]["key"], key.as_str());

    let me = server
        .get("/api/v1/sites/forum/me", &server.token("alice"))
        .await;
    let me = expect(&me, StatusCode::OK);
    assert_eq!(me["points"], 120);
    let ledger: Vec<(String, i64)> = me["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_owned(),
                e["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ledger,
        [
            ("admin".to_owned(), 50),
            ("admin".to_owned(), -30),
            ("host_event".to_owned(), 100)
        ]
    );
    assert_eq!(me["ledger"][1]["key"], key.as_str());
    // Points given count as earned for the leaderboard; points taken do not lower it.
    assert_eq!(me["earned"], 150);
    server.assert_ledger_balanced().await;
    assert_eq!(
        audit_actions(&server).await,
        ["points_adjust", "points_adjust"]
    );
}

#[tokio::test]
async fn a_daily_cap_does_not_cut_an_owners_adjustment() {
    let server = TestServer::new().await;
    server
        .install_rules("[points.daily_caps]\nadmin = 5\n")
        .await;
    expect(&server.award("alice", 1, "hello").await, StatusCode::OK);
    let given = adjust(
        &server,
        "alice",
        json!({"amount": 40, "reason": "Contest prize"}),
    )
    .await;
    assert_eq!(expect(&given, StatusCode::OK)["entry"]["amount"], 40);
    assert_eq!(given.body["points"], 41);
}

#[tokio::test]
async fn refused_adjustments_store_nothing() {
    let server = TestServer::new().await;
    expect(&server.award("alice", 10, "welcome").await, StatusCode::OK);
    let long = "x".repeat(201);
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        (
            "alice",
            json!({"amount": -11, "reason": "Too much"}).to_string(),
            StatusCode::CONFLICT,
            "insufficient_points",
        ),
        (
            "alice",
            json!({"amount": 0, "reason": "Nothing"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 1_000_001, "reason": "Too generous"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": -1_000_001, "reason": "Too harsh"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 5, "reason": ""}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 5, "reason": "   "}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 5, "reason": long}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 5}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": "5", "reason": "Text"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 1.5, "reason": "Half"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            json!({"amount": 5, "reason": "Hi", "source": "checkin"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "alice",
            "{\"amount\": 5,".to_owned(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "nobody",
            json!({"amount": 5, "reason": "Welcome"}).to_string(),
            StatusCode::NOT_FOUND,
            "member_not_found",
        ),
    ];
    for (member, body, status, code) in cases {
        let answer = server
            .call_with_key(
                &format!("{MEMBERS}/{member}/adjustments"),
                crate::API_KEY,
                &body,
            )
            .await;
        assert_eq!(answer.status, status, "{body}: {:?}", answer.body);
        assert_eq!(answer.code(), code, "{body}");
    }
    let exact_reason = adjust(
        &server,
        "alice",
        json!({"amount": -10, "reason": "x".repeat(200)}),
    );
    assert_eq!(expect(&exact_reason.await, StatusCode::OK)["points"], 0);
    let none_left = adjust(&server, "alice", json!({"amount": -1, "reason": "More"})).await;
    assert_eq!(none_left.code(), "insufficient_points");
    assert!(
        none_left.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("has 0 points"),
        "{:?}",
        none_left.body
    );
    let unauthorised = server
        .call(
            Method::POST,
            &format!("{MEMBERS}/alice/adjustments"),
            None,
            Some(&json!({"amount": 5, "reason": "Hi"}).to_string()),
        )
        .await;
    assert_eq!(unauthorised.code(), "missing_api_key");
    assert_eq!(server.count(CountedTable::Ledger).await, 2);
    assert_eq!(audit_actions(&server).await, ["points_adjust"]);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn concurrent_deductions_never_go_below_zero() {
    let server = Arc::new(TestServer::new().await);
    expect(&server.award("alice", 100, "welcome").await, StatusCode::OK);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let server = server.clone();
            tokio::spawn(async move {
                adjust(
                    &server,
                    "alice",
                    json!({"amount": -30, "reason": format!("Take {i}")}),
                )
                .await
            })
        })
        .collect();
    let mut taken = 0;
    let mut refused = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::OK => taken += 1,
            StatusCode::CONFLICT => {
                assert_eq!(answer.code(), "insufficient_points");
                refused += 1;
            }
            other => panic!("unexpected {other}: {:?}", answer.body),
        }
    }
    assert_eq!((taken, refused), (3, 17));
    let detail = get(&server, &format!("{MEMBERS}/alice")).await;
    assert_eq!(expect(&detail, StatusCode::OK)["points"], 10);
    assert_eq!(server.count(CountedTable::Ledger).await, 4);
    assert_eq!(server.count(CountedTable::AuditLog).await, 3);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn bad_member_queries_are_refused() {
    let server = TestServer::new().await;
    let long = "a".repeat(129);
    for query in [
        "?limit=0".to_owned(),
        "?limit=101".to_owned(),
        "?limit=ten".to_owned(),
        format!("?q={long}"),
        format!("?after={long}"),
        "?page=2".to_owned(),
    ] {
        let answer = get(&server, &format!("{MEMBERS}{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.code(), "invalid_query", "{query}");
    }
    let blank = get(&server, &format!("{MEMBERS}?q=%20%20&after=")).await;
    assert_eq!(member_ids(&blank), Vec::<String>::new());
    let no_key = server.call(Method::GET, MEMBERS, None, None).await;
    assert_eq!(no_key.code(), "missing_api_key");
}
