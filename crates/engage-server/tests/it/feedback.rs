//! Feedback (issue 6): sending as a member or visitor, refusals that store nothing, spam held
//! rather than dropped, rate limits, the owner's inbox, status, replies and numbers, text kept
//! byte for byte, and points awarded once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::jiff::Timestamp;
use engage_server::LimitConfig;
use engage_server::routes::demo::seed_demo;
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::demo::{call, demo_state};
use crate::polls::{Who, admin, send};
use crate::{API_KEY, Answer, TestServer, per_minute};

const FEEDBACK: &str = "/api/v1/sites/forum/feedback";
const MINE: &str = "/api/v1/sites/forum/feedback/mine";
const INBOX: &str = "/api/v1/admin/sites/forum/feedback";

/// Stars, two categories, 5 points, two blocked words.
const RULES: &str = r#"
[feedback]
points = 5
categories = [{ id = "bug", label = "Bug" }, { id = "idea", label = "Idea" }]
blocked_words = ["casino", "免费领取"]
"#;

async fn server_with_rules(rules: &str) -> TestServer {
    let server = TestServer::new().await;
    server.install_rules(rules).await;
    server
}

async fn give(server: &TestServer, who: Who<'_>, body: Value) -> Answer {
    send(server, Method::POST, FEEDBACK, who, None, Some(body)).await
}

async fn give_from(server: &TestServer, who: Who<'_>, ip: &str, body: Value) -> Answer {
    send(server, Method::POST, FEEDBACK, who, Some(ip), Some(body)).await
}

async fn mine(server: &TestServer, who: Who<'_>) -> Answer {
    send(server, Method::GET, MINE, who, None, None).await
}

/// A GET with the site's API key.
async fn owner_get(server: &TestServer, path: &str) -> Answer {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .body(Body::empty())
        .unwrap();
    server.send(request).await
}

/// The ids of an inbox answer, in order.
fn ids(answer: &Answer) -> Vec<i64> {
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

fn id_of(answer: &Answer) -> i64 {
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer.body["id"].as_i64().unwrap()
}

async fn assert_no_feedback(server: &TestServer) {
    for table in [
        CountedTable::Feedback,
        CountedTable::FeedbackReplies,
        CountedTable::Ledger,
        CountedTable::Members,
    ] {
        assert_eq!(server.count(table).await, 0, "{table:?}");
    }
}

#[tokio::test]
async fn a_member_sends_feedback_and_earns_points_once() {
    let server = server_with_rules(RULES).await;
    let alice = Who::Member("alice");
    let body = json!({
        "rating": 4, "category": "bug", "text": "Search is slow on mobile",
        "contact": "alice@example.com", "page_url": "https://forum.example.com/t/42",
        "context": {"widget": "feedback", "lang": "en", "width": 390},
    });
    let first = give(&server, alice, body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["status"], "new");
    assert_eq!(first.body["awarded"], 5);
    assert_eq!(first.body["points"], 5);
    let second = give(&server, alice, json!({"text": "Also: dark mode please"})).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body["awarded"], 0);
    assert_eq!(second.body["points"], 5);
    assert!(second.body["id"].as_i64() > first.body["id"].as_i64());
    assert_eq!(server.count(CountedTable::Feedback).await, 2);
    assert_eq!(server.count(CountedTable::Ledger).await, 1);

    let me = server
        .get("/api/v1/sites/forum/me", &server.token("alice"))
        .await;
    assert_eq!(me.body["ledger"][0]["source"], "feedback");
    assert_eq!(me.body["ledger"][0]["key"], "feedback:first");

    let listed = mine(&server, alice).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["text"], "Also: dark mode please");
    assert_eq!(items[1]["rating"], 4);
    assert_eq!(items[1]["category"], "bug");
    assert_eq!(items[1]["status"], "new");
    assert_eq!(items[1]["replies"], json!([]));
    assert_eq!(items[1]["created_at"], "2026-11-20T02:00:00Z");
    assert!(
        items[1].get("contact").is_none(),
        "the sender view is small"
    );
    // Nobody else sees it.
    let bob = mine(&server, Who::Member("bob")).await;
    assert_eq!(bob.body["items"], json!([]));

    let inbox = owner_get(&server, INBOX).await;
    let item = &inbox.body["items"][1];
    assert_eq!(item["member"], "alice");
    assert_eq!(item["name"], "Name of alice");
    assert_eq!(item["visitor"], Value::Null);
    assert_eq!(item["contact"], "alice@example.com");
    assert_eq!(item["page_url"], "https://forum.example.com/t/42");
    assert_eq!(
        item["context"],
        json!({"widget": "feedback", "lang": "en", "width": 390})
    );
    assert_eq!(item["day"], "2026-11-20");
    assert_eq!(item["spam_reason"], Value::Null);
}

#[tokio::test]
async fn the_form_says_what_to_draw() {
    let server = TestServer::new().await;
    let defaults = send(
        &server,
        Method::GET,
        "/api/v1/sites/forum/feedback/form",
        Who::Nobody,
        None,
        None,
    )
    .await;
    assert_eq!(defaults.status, StatusCode::OK);
    assert_eq!(
        defaults.body,
        json!({"scale": "stars", "categories": [], "max_length": 2000,
               "max_contact_length": 200, "anonymous": true, "points": 0})
    );
    server
        .install_rules("[feedback]\nscale = \"nps\"\nanonymous = false\nmax_length = 500\ncategories = [{ id = \"idea\", label = \"Idea · 想法\" }]\n")
        .await;
    let form = send(
        &server,
        Method::GET,
        "/api/v1/sites/forum/feedback/form",
        Who::Member("alice"),
        None,
        None,
    )
    .await;
    assert_eq!(form.body["scale"], "nps");
    assert_eq!(form.body["anonymous"], false);
    assert_eq!(form.body["max_length"], 500);
    assert_eq!(
        form.body["categories"],
        json!([{"id": "idea", "label": "Idea · 想法"}])
    );
    let unknown = server
        .call(Method::GET, "/api/v1/sites/nope/feedback/form", None, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "site_not_found");
}

#[tokio::test]
async fn visitors_send_feedback_where_the_owner_allows_it() {
    let server = server_with_rules(RULES).await;
    let visitor = Who::Visitor("visitor-01-abcdefghijkl");
    let sent = give(&server, visitor, json!({"rating": 5, "text": "Nice site"})).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(sent.body["status"], "new");
    assert!(sent.body.get("awarded").is_none(), "{:?}", sent.body);
    assert!(sent.body.get("points").is_none());
    let listed = mine(&server, visitor).await;
    assert_eq!(listed.body["items"][0]["text"], "Nice site");
    assert_eq!(
        mine(&server, Who::Visitor("visitor-02-abcdefghijkl"))
            .await
            .body["items"],
        json!([])
    );
    let no_id = mine(&server, Who::Nobody).await;
    assert_eq!(no_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_id.code(), "missing_visitor_id");
    let inbox = owner_get(&server, INBOX).await;
    assert_eq!(inbox.body["items"][0]["visitor"], "visitor-01-abcdefghijkl");
    assert_eq!(inbox.body["items"][0]["member"], Value::Null);
    // Visitors are not members and earn nothing.
    assert_eq!(server.count(CountedTable::Members).await, 0);
    assert_eq!(server.count(CountedTable::Ledger).await, 0);
}

/// Every refusal has its status and code, and stores nothing.
#[tokio::test]
async fn refused_feedback_stores_nothing() {
    let server = server_with_rules(RULES).await;
    let alice = Who::Member("alice");
    let anon = Who::Visitor("visitor-01-abcdefghijkl");
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let long = "字".repeat(2001);
    #[rustfmt::skip] // One case per line reads as a table.
    let cases: Vec<(Who, Value, StatusCode, &str, &str)> = vec![
        (alice, json!({"text": ""}), unprocessable, "invalid_feedback", "text"),
        (alice, json!({"text": " \n\t "}), unprocessable, "invalid_feedback", "text"),
        (alice, json!({"text": long}), unprocessable, "invalid_feedback", "text"),
        (alice, json!({"text": "x", "rating": 0}), unprocessable, "invalid_feedback", "rating"),
        (alice, json!({"text": "x", "rating": 6}), unprocessable, "invalid_feedback", "rating"),
        (alice, json!({"text": "x", "nps": 9}), unprocessable, "invalid_feedback", "nps"),
        (alice, json!({"text": "x", "category": "praise"}), unprocessable, "invalid_feedback", "category"),
        (alice, json!({"text": "x", "contact": "c".repeat(201)}), unprocessable, "invalid_feedback", "contact"),
        (alice, json!({"text": "x", "page_url": "javascript:alert(1)"}), unprocessable, "invalid_feedback", "page_url"),
        (alice, json!({"text": "x", "page_url": format!("https://e.com/{}", "a".repeat(2000))}), unprocessable, "invalid_feedback", "page_url"),
        (alice, json!({"text": "x", "context": {"blob": "b".repeat(2100)}}), unprocessable, "invalid_feedback", "context"),
        (alice, json!({"text": "x", "context": ["not", "an", "object"]}), unprocessable, "invalid_body", "context"),
        (alice, json!({"text": "x", "rating": "five"}), unprocessable, "invalid_body", "rating"),
        (alice, json!({"txt": "x"}), unprocessable, "invalid_body", "txt"),
        (anon, json!({"text": ""}), unprocessable, "invalid_feedback", "text"),
        (Who::Nobody, json!({"text": "x"}), StatusCode::BAD_REQUEST, "missing_visitor_id", "visitor id"),
        (Who::Visitor("short"), json!({"text": "x"}), StatusCode::BAD_REQUEST, "missing_visitor_id", "visitor id"),
    ];
    for (who, body, status, code, field) in cases {
        let answer = give(&server, who, body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {:?}", answer.body);
        assert_eq!(answer.code(), code, "{body}");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{body}: {message}");
    }
    let token = server.token("alice");
    let malformed = server
        .post(FEEDBACK, &token, Some(r#"{"text": "unfinished"#))
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "malformed_json");
    let huge = json!({ "text": "a".repeat(20_000) }).to_string();
    let too_large = server.post(FEEDBACK, &token, Some(&huge)).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.code(), "body_too_large");
    let not_json = server
        .send(
            Request::post(FEEDBACK)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("hello"))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.code(), "unsupported_media_type");
    let bad_token = server
        .post(FEEDBACK, "not-a-token", Some(r#"{"text": "x"}"#))
        .await;
    assert_eq!(bad_token.code(), "invalid_token");
    let unknown_site = server
        .call(
            Method::POST,
            "/api/v1/sites/nope/feedback",
            None,
            Some(r#"{"text": "x"}"#),
        )
        .await;
    assert_eq!(unknown_site.code(), "site_not_found");
    assert_no_feedback(&server).await;

    // Members only: visitors are refused, with or without an id.
    server
        .install_rules("[feedback]\nanonymous = false\n")
        .await;
    for who in [anon, Who::Nobody] {
        let refused = give(&server, who, json!({"text": "hello"})).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused.code(), "members_only");
    }
    assert_no_feedback(&server).await;
}

/// Too many links or a blocked word: stored as spam with the reason, answered like any
/// feedback, awarded nothing, and restorable by the owner.
#[tokio::test]
async fn suspect_feedback_is_held_as_spam_not_dropped() {
    let server = server_with_rules(RULES).await;
    let alice = Who::Member("alice");
    let links = give(
        &server,
        alice,
        json!({"text": "buy https://a.example https://b.example www.c.example"}),
    )
    .await;
    assert_eq!(links.status, StatusCode::CREATED);
    assert_eq!(links.body["status"], "new", "spammers are not told");
    assert_eq!(links.body["awarded"], 0, "spam earns nothing");
    let word = give(
        &server,
        Who::Visitor("visitor-01-abcdefghijkl"),
        json!({"text": "Best ＣＡＳＩＮＯ in town"}),
    )
    .await;
    assert_eq!(word.body["status"], "new");
    let chinese = give(
        &server,
        Who::Visitor("visitor-02-abcdefghijkl"),
        json!({"text": "点击免费领取"}),
    )
    .await;
    let fine = give(
        &server,
        alice,
        json!({"text": "Two links are fine: https://a.example www.b.example"}),
    )
    .await;
    assert_eq!(
        fine.body["awarded"], 5,
        "the first feedback that is not spam earns"
    );
    assert_eq!(server.count(CountedTable::Feedback).await, 4);

    let spam = owner_get(&server, &format!("{INBOX}?status=spam")).await;
    assert_eq!(ids(&spam), [id_of(&chinese), id_of(&word), id_of(&links)]);
    assert_eq!(
        spam.body["items"][2]["spam_reason"],
        "too many links (3, at most 2)"
    );
    assert_eq!(
        spam.body["items"][1]["spam_reason"],
        "blocked word 'casino'"
    );
    assert_eq!(
        spam.body["items"][0]["spam_reason"],
        "blocked word '免费领取'"
    );
    let new = owner_get(&server, &format!("{INBOX}?status=new")).await;
    assert_eq!(ids(&new), [id_of(&fine)]);
    // The sender still sees it as new.
    let alice_items = mine(&server, alice).await;
    assert_eq!(alice_items.body["items"][1]["status"], "new");

    let restored = admin(
        &server,
        Method::PATCH,
        &format!("{INBOX}/{}", id_of(&links)),
        json!({"status": "new"}),
    )
    .await;
    assert_eq!(restored.status, StatusCode::OK, "{:?}", restored.body);
    assert_eq!(restored.body["status"], "new");
    assert_eq!(
        ids(&owner_get(&server, &format!("{INBOX}?status=spam")).await),
        [id_of(&chinese), id_of(&word)]
    );
    // Restoring does not award after the fact.
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
}

#[tokio::test]
async fn feedback_is_rate_limited_per_sender_and_per_ip() {
    let server = TestServer::with_limits(LimitConfig {
        feedback_per_sender: per_minute(5),
        feedback_sender_period: Duration::from_secs(600),
        feedback_per_ip: per_minute(20),
        feedback_ip_period: Duration::from_secs(3600),
        ..LimitConfig::generous()
    })
    .await;
    let ip = "203.0.113.7";
    for i in 0..5 {
        let sent = give_from(
            &server,
            Who::Visitor("visitor-00-abcdefghijkl"),
            ip,
            json!({"text": format!("n{i}")}),
        )
        .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    }
    let refused = give_from(
        &server,
        Who::Visitor("visitor-00-abcdefghijkl"),
        ip,
        json!({"text": "six"}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "rate_limited");
    let retry_after = refused.headers[header::RETRY_AFTER].to_str().unwrap();
    assert!(
        matches!(retry_after.parse(), Ok(1_u64..=120)),
        "{retry_after}"
    );
    // Members have their own allowance, counted the same way.
    for i in 0..5 {
        let sent = give_from(
            &server,
            Who::Member("alice"),
            ip,
            json!({"text": format!("m{i}")}),
        )
        .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    }
    let member_refused = give_from(&server, Who::Member("alice"), ip, json!({"text": "m5"})).await;
    assert_eq!(member_refused.code(), "rate_limited");
    // Other senders on the same address share its 20 an hour.
    for visitor in ["visitor-01-abcdefghijkl", "visitor-02-abcdefghijkl"] {
        for i in 0..5 {
            let sent = give_from(
                &server,
                Who::Visitor(visitor),
                ip,
                json!({"text": format!("v{i}")}),
            )
            .await;
            assert_eq!(
                sent.status,
                StatusCode::CREATED,
                "{visitor} {i}: {:?}",
                sent.body
            );
        }
    }
    let ip_refused = give_from(
        &server,
        Who::Visitor("visitor-03-abcdefghijkl"),
        ip,
        json!({"text": "over"}),
    )
    .await;
    assert_eq!(ip_refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(ip_refused.headers.contains_key(header::RETRY_AFTER));
    // Another address is not affected; refused feedback was not stored.
    let elsewhere = give_from(
        &server,
        Who::Visitor("visitor-03-abcdefghijkl"),
        "198.51.100.1",
        json!({"text": "ok"}),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::CREATED);
    assert_eq!(server.count(CountedTable::Feedback).await, 21);
}

/// Sends feedback as `who` at `now` (RFC 3339) and returns its id.
async fn sent_at(server: &TestServer, now: &str, who: Who<'_>, body: Value) -> i64 {
    server.set_now(now);
    id_of(&give(server, who, body).await)
}

#[tokio::test]
async fn the_owner_filters_searches_and_pages_the_inbox() {
    let server = server_with_rules(RULES).await;
    let alice = Who::Member("alice");
    let bob = Who::Member("bob");
    // 2026-11-19T17:00Z is already 2026-11-20 in Shanghai.
    let a = sent_at(
        &server,
        "2026-11-18T03:00:00Z",
        alice,
        json!({"rating": 5, "category": "idea", "text": "Love the 100% uptime"}),
    )
    .await;
    let b = sent_at(
        &server,
        "2026-11-19T17:00:00Z",
        bob,
        json!({"rating": 2, "category": "bug", "text": "user_name field breaks"}),
    )
    .await;
    let c = sent_at(&server, "2026-11-20T02:00:00Z", alice, json!({"rating": 2, "category": "bug", "text": "username is too short", "contact": "Reach me: 100 percent"})).await;
    let d = sent_at(
        &server,
        "2026-11-21T02:00:00Z",
        Who::Visitor("visitor-01-abcdefghijkl"),
        json!({"text": "casino"}),
    )
    .await;

    let check = |query: &'static str, expect: Vec<i64>| {
        let server = &server;
        async move {
            let answer = owner_get(server, &format!("{INBOX}{query}")).await;
            assert_eq!(ids(&answer), expect, "{query}");
        }
    };
    check("", vec![d, c, b, a]).await;
    check("?status=&category=&q=", vec![d, c, b, a]).await;
    check("?category=bug", vec![c, b]).await;
    check("?rating=2", vec![c, b]).await;
    check("?rating=2&category=idea", vec![]).await;
    check("?status=spam", vec![d]).await;
    check("?from=2026-11-20", vec![d, c, b]).await;
    check("?from=2026-11-20&to=2026-11-20", vec![c, b]).await;
    check("?to=2026-11-19", vec![a]).await;
    // Text search: literal, case-insensitive for ASCII, in text and contact; % and _ are
    // not wildcards.
    check("?q=USERNAME", vec![c]).await;
    check("?q=user_name", vec![b]).await;
    check("?q=100%25", vec![a]).await;
    check("?q=100", vec![c, a]).await;
    check("?q=%25", vec![a]).await;
    check("?q=_", vec![b]).await;

    let first = owner_get(&server, &format!("{INBOX}?limit=3")).await;
    assert_eq!(ids(&first), [d, c, b]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = owner_get(&server, &format!("{INBOX}?limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&second), [a]);
    assert_eq!(second.body["next_cursor"], Value::Null);
    let filtered_page = owner_get(&server, &format!("{INBOX}?category=bug&limit=1")).await;
    assert_eq!(ids(&filtered_page), [c]);
    let cursor = filtered_page.body["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ids(&owner_get(
            &server,
            &format!("{INBOX}?category=bug&limit=1&cursor={cursor}")
        )
        .await),
        [b]
    );

    for bad in [
        "?status=open",
        "?rating=6",
        "?nps=11",
        "?from=2026-13-01",
        "?limit=0",
        "?limit=101",
        "?cursor=abc",
        "?colour=red",
    ] {
        let answer = owner_get(&server, &format!("{INBOX}{bad}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.code(), "invalid_query", "{bad}");
    }
    // The API key is needed, and it is the site's.
    let no_key = server.call(Method::GET, INBOX, None, None).await;
    assert_eq!(no_key.code(), "missing_api_key");
    let other_key = server
        .call(Method::GET, INBOX, Some("ek_forum_test_key_other"), None)
        .await;
    assert_eq!(other_key.code(), "invalid_api_key");
    let member_token = server.get(INBOX, &server.token("alice")).await;
    assert_eq!(member_token.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_owner_triages_and_replies_and_the_sender_sees_it() {
    let server = server_with_rules(RULES).await;
    let alice = Who::Member("alice");
    let visitor = Who::Visitor("visitor-01-abcdefghijkl");
    let alices = id_of(&give(&server, alice, json!({"text": "Where is the FAQ?"})).await);
    let visitors = id_of(&give(&server, visitor, json!({"text": "Typo on the home page"})).await);
    let item = format!("{INBOX}/{alices}");

    server.set_now("2026-11-20T03:00:00Z");
    let progress = admin(
        &server,
        Method::PATCH,
        &item,
        json!({"status": "in_progress"}),
    )
    .await;
    assert_eq!(progress.status, StatusCode::OK, "{:?}", progress.body);
    assert_eq!(progress.body["status"], "in_progress");
    assert_eq!(progress.body["updated_at"], "2026-11-20T03:00:00Z");
    let reply_text = "  It's under <Help> → FAQ.\nSee https://forum.example.com/faq  ";
    let reply = admin(
        &server,
        Method::POST,
        &format!("{item}/replies"),
        json!({"text": reply_text}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.body["text"], reply_text);
    assert_eq!(reply.body["created_at"], "2026-11-20T03:00:00Z");
    let done = admin(&server, Method::PATCH, &item, json!({"status": "done"})).await;
    assert_eq!(done.body["replies"][0]["text"], reply_text);
    let visitor_reply = admin(
        &server,
        Method::POST,
        &format!("{INBOX}/{visitors}/replies"),
        json!({"text": "Fixed, thanks!"}),
    )
    .await;
    assert_eq!(visitor_reply.status, StatusCode::CREATED);

    let seen = mine(&server, alice).await;
    assert_eq!(seen.body["items"][0]["status"], "done");
    assert_eq!(seen.body["items"][0]["replies"][0]["text"], reply_text);
    let visitor_seen = mine(&server, visitor).await;
    assert_eq!(
        visitor_seen.body["items"][0]["replies"][0]["text"],
        "Fixed, thanks!"
    );
    assert_eq!(
        owner_get(&server, &item).await.body["replies"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(server.count(CountedTable::FeedbackReplies).await, 2);

    // Refusals: unknown ids, other sites' feedback, bad bodies.
    let other_sites = admin(
        &server,
        Method::PATCH,
        &format!("/api/v1/admin/sites/other/feedback/{alices}"),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(
        other_sites.status,
        StatusCode::UNAUTHORIZED,
        "forum's key is not other's"
    );
    #[rustfmt::skip]
    let cases: [(Method, String, Value, StatusCode, &str); 8] = [
        (Method::PATCH, format!("{INBOX}/999"), json!({"status": "done"}), StatusCode::NOT_FOUND, "feedback_not_found"),
        (Method::PATCH, format!("{INBOX}/abc"), json!({"status": "done"}), StatusCode::NOT_FOUND, "feedback_not_found"),
        (Method::PATCH, format!("{INBOX}/0"), json!({"status": "done"}), StatusCode::NOT_FOUND, "feedback_not_found"),
        (Method::PATCH, item.clone(), json!({"status": "closed"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (Method::PATCH, item.clone(), json!({"status": "done", "note": "x"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (Method::POST, format!("{item}/replies"), json!({"text": "   "}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_reply"),
        (Method::POST, format!("{item}/replies"), json!({"text": "r".repeat(4001)}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_reply"),
        (Method::POST, format!("{INBOX}/999/replies"), json!({"text": "hi"}), StatusCode::NOT_FOUND, "feedback_not_found"),
    ];
    for (method, path, body, status, code) in cases {
        let answer = admin(&server, method.clone(), &path, body.clone()).await;
        assert_eq!(
            answer.status, status,
            "{method} {path} {body}: {:?}",
            answer.body
        );
        assert_eq!(answer.code(), code, "{method} {path} {body}");
    }
    assert_eq!(server.count(CountedTable::FeedbackReplies).await, 2);
    assert_eq!(owner_get(&server, &item).await.body["status"], "done");
}

#[tokio::test]
async fn feedback_of_one_site_is_invisible_to_another() {
    let server = server_with_rules(RULES).await;
    let id = id_of(&give(&server, Who::Member("alice"), json!({"text": "forum only"})).await);
    let other_key = "ek_forum_test_key_other";
    let request = Request::get(format!("/api/v1/admin/sites/other/feedback/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {other_key}"))
        .body(Body::empty())
        .unwrap();
    let answer = server.send(request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.code(), "feedback_not_found");
    let request = Request::get("/api/v1/admin/sites/other/feedback")
        .header(header::AUTHORIZATION, format!("Bearer {other_key}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(server.send(request).await.body["items"], json!([]));
}

#[tokio::test]
async fn numbers_over_site_local_days_and_weeks() {
    let server = server_with_rules("[feedback]\nscale = \"nps\"\n").await;
    let mut n = 0;
    let mut at = |now: &'static str, nps: i64| {
        n += 1;
        let visitor = format!("visitor-{n:02}-abcdefghijkl");
        let server = &server;
        async move {
            server.set_now(now);
            let sent = give(
                server,
                Who::Visitor(&visitor),
                json!({"nps": nps, "text": "score"}),
            )
            .await;
            assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
        }
    };
    // Monday 2026-11-16 in Shanghai.
    at("2026-11-16T01:00:00Z", 10).await;
    at("2026-11-16T02:00:00Z", 9).await;
    at("2026-11-16T03:00:00Z", 3).await;
    at("2026-11-16T04:00:00Z", 8).await;
    // 2026-11-22T17:00Z is Monday 2026-11-23 01:00 in Shanghai: the next week.
    at("2026-11-22T17:00:00Z", 0).await;
    at("2026-11-22T18:00:00Z", 10).await;
    // Spam is counted apart.
    server.set_now("2026-11-16T05:00:00Z");
    give(
        &server,
        Who::Visitor("visitor-99-abcdefghijkl"),
        json!({"nps": 0, "text": "casino https://a https://b https://c"}),
    )
    .await;

    server.set_now("2026-11-23T04:00:00Z");
    let path = format!("{INBOX}/stats?from=2026-11-16&to=2026-11-23");
    let daily = owner_get(&server, &path).await;
    assert_eq!(daily.status, StatusCode::OK, "{:?}", daily.body);
    assert_eq!(daily.body["bucket"], "day");
    assert_eq!(daily.body["buckets"].as_array().unwrap().len(), 8);
    let monday = &daily.body["buckets"][0];
    assert_eq!(monday["start"], "2026-11-16");
    assert_eq!(monday["count"], 4);
    assert_eq!(monday["spam"], 1);
    assert_eq!(
        (
            &monday["promoters"],
            &monday["passives"],
            &monday["detractors"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(monday["nps"], 25.0);
    assert_eq!(daily.body["buckets"][1]["nps"], Value::Null);
    assert_eq!(daily.body["buckets"][1]["count"], 0);
    assert_eq!(daily.body["buckets"][7]["nps"], 0.0);
    let totals = &daily.body["totals"];
    assert_eq!(totals["count"], 6);
    assert_eq!(totals["nps_responses"], 6);
    assert_eq!(totals["nps"], 16.7);
    assert_eq!(totals["rating_average"], Value::Null);

    let weekly = owner_get(&server, &format!("{path}&bucket=week")).await;
    let starts: Vec<&Value> = weekly.body["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["start"])
        .collect();
    assert_eq!(starts, [&json!("2026-11-16"), &json!("2026-11-23")]);
    assert_eq!(weekly.body["buckets"][1]["count"], 2);

    // By default: the 30 days up to today.
    let default = owner_get(&server, &format!("{INBOX}/stats")).await;
    assert_eq!(default.body["from"], "2026-10-25");
    assert_eq!(default.body["to"], "2026-11-23");
    assert_eq!(default.body["totals"]["count"], 6);

    for bad in [
        "?bucket=month",
        "?from=2026-11-20&to=2026-11-19",
        "?from=2020-01-01&to=2026-11-19",
        "?from=yesterday",
    ] {
        let answer = owner_get(&server, &format!("{INBOX}/stats{bad}")).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {:?}",
            answer.body
        );
        assert_eq!(answer.code(), "invalid_query", "{bad}");
    }
}

#[tokio::test]
async fn star_averages() {
    let server = server_with_rules(RULES).await;
    for (visitor, rating) in [
        ("visitor-01-abcdefghijkl", 5),
        ("visitor-02-abcdefghijkl", 4),
        ("visitor-03-abcdefghijkl", 4),
    ] {
        give(
            &server,
            Who::Visitor(visitor),
            json!({"rating": rating, "text": "stars"}),
        )
        .await;
    }
    give(
        &server,
        Who::Visitor("visitor-04-abcdefghijkl"),
        json!({"text": "no rating"}),
    )
    .await;
    let stats = owner_get(
        &server,
        &format!("{INBOX}/stats?from=2026-11-20&to=2026-11-20"),
    )
    .await;
    let totals = &stats.body["totals"];
    assert_eq!(totals["count"], 4);
    assert_eq!(totals["ratings"], 3);
    assert_eq!(totals["rating_average"], 4.33);
    assert_eq!(totals["nps"], Value::Null);
}

/// Script tags, `javascript:` links, event handlers and SVG payloads are stored and returned
/// byte for byte, as JSON strings; the server never answers feedback as HTML. (The widget's
/// end-to-end test checks that it renders them inert.)
#[tokio::test]
async fn hostile_text_is_kept_byte_for_byte_and_never_served_as_html() {
    let server = server_with_rules("[feedback]\nmax_links = 10\n").await;
    let corpus = [
        "<script>alert(document.cookie)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<svg onload=alert(1)><script>alert(2)</script></svg>",
        "<svg><foreignObject><iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe></foreignObject></svg>",
        "\"><body onload=alert('x')>",
        "</textarea><script>alert(1)</script>",
        "{{constructor.constructor('alert(1)')()}}",
        "  leading and trailing spaces, tabs\t and\r\nnewlines  \n",
        "&amp; &lt;b&gt; entities stay entities",
        "\u{202e}right-to-left override and zero\u{200b}width",
        "emoji 👍🏽 and 中文 and ｆｕｌｌ-width",
    ];
    let mut ids = Vec::new();
    for (i, text) in corpus.iter().enumerate() {
        let body = json!({
            "text": text,
            "contact": "<b onmouseover=alert(1)>me</b>",
            "page_url": format!("https://forum.example.com/t/{i}?q=<script>"),
            "context": {"note": text},
        });
        let sent = give(&server, Who::Member("alice"), body).await;
        ids.push(id_of(&sent));
    }
    let reply_text = "<script>alert('reply')</script>";
    admin(
        &server,
        Method::POST,
        &format!("{INBOX}/{}/replies", ids[0]),
        json!({"text": reply_text}),
    )
    .await;

    let inbox = owner_get(&server, &format!("{INBOX}?limit=100")).await;
    let items = inbox.body["items"].as_array().unwrap();
    let listed: Vec<&str> = items
        .iter()
        .rev()
        .map(|item| item["text"].as_str().unwrap())
        .collect();
    assert_eq!(listed, corpus);
    for item in items {
        assert_eq!(item["contact"], "<b onmouseover=alert(1)>me</b>");
        assert_eq!(item["context"]["note"], item["text"]);
        assert!(item["page_url"].as_str().unwrap().ends_with("?q=<script>"));
    }
    let mine_answer = mine(&server, Who::Member("alice")).await;
    let texts: Vec<&str> = mine_answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|item| item["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, corpus);
    assert_eq!(
        mine_answer.body["items"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["replies"][0]["text"],
        reply_text
    );
    let one = owner_get(&server, &format!("{INBOX}/{}", ids[3])).await;
    assert_eq!(one.body["text"], corpus[3]);

    // Every feedback route answers JSON, never HTML, whatever the client accepts.
    let token = server.token("alice");
    let paths = [
        (
            Method::GET,
            "/api/v1/sites/forum/feedback/form".to_owned(),
            None,
        ),
        (
            Method::GET,
            MINE.to_owned(),
            Some(format!("Bearer {token}")),
        ),
        (
            Method::GET,
            INBOX.to_owned(),
            Some(format!("Bearer {API_KEY}")),
        ),
        (
            Method::GET,
            format!("{INBOX}/{}", ids[0]),
            Some(format!("Bearer {API_KEY}")),
        ),
        (
            Method::GET,
            format!("{INBOX}/stats"),
            Some(format!("Bearer {API_KEY}")),
        ),
        (
            Method::GET,
            format!("{INBOX}/999"),
            Some(format!("Bearer {API_KEY}")),
        ),
        (
            Method::POST,
            FEEDBACK.to_owned(),
            Some(format!("Bearer {token}")),
        ),
    ];
    for (method, path, authorization) in paths {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&path)
            .header(header::ACCEPT, "text/html");
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let body = if method == Method::POST {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(json!({"text": corpus[0]}).to_string())
        } else {
            Body::empty()
        };
        let answer = server.send(request.body(body).unwrap()).await;
        let content_type = answer.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert_eq!(content_type, "application/json", "{method} {path}");
    }
}

/// Regression test for issue 6: a double click or two tabs never award the feedback points
/// twice; every piece of feedback is still stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_feedback_awards_once() {
    let server = Arc::new(server_with_rules(RULES).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            give(
                &server,
                Who::Member("alice"),
                json!({"text": format!("at once {i}")}),
            )
            .await
        }));
    }
    let mut awarded = 0;
    let mut statuses = BTreeSet::new();
    for task in tasks {
        let answer = task.await.unwrap();
        statuses.insert(answer.status.as_u16());
        awarded += answer.body["awarded"].as_i64().unwrap_or(0);
    }
    assert_eq!(statuses, BTreeSet::from([201]));
    assert_eq!(awarded, 5);
    assert_eq!(server.count(CountedTable::Feedback).await, 40);
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn feedback_points_respect_the_daily_cap() {
    let server = server_with_rules(&format!("{RULES}\n[points.daily_caps]\nfeedback = 3\n")).await;
    let sent = give(&server, Who::Member("alice"), json!({"text": "capped"})).await;
    assert_eq!(sent.body["awarded"], 3);
    assert_eq!(sent.body["points"], 3);
}

#[tokio::test]
async fn the_demo_site_takes_feedback_and_keeps_its_check_in_points() {
    let server = TestServer::new().await;
    let now: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    seed_demo(&server.store, &[], now).await.unwrap();
    let state = demo_state(&server, now);
    let form_path = "/api/v1/sites/demo/feedback/form";
    let (status, form) = call(&state, Method::GET, form_path, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(form["scale"], "stars");
    assert_eq!(form["points"], 5);
    assert_eq!(form["anonymous"], true);
    let categories: Vec<&str> = form["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["bug", "idea", "question", "other"]);
    assert_eq!(form["categories"][1]["label"], "Idea");

    let alice = json!({"member": "alice"});
    let (_, token) = call(
        &state,
        Method::POST,
        "/api/v1/demo/token",
        None,
        Some(alice),
    )
    .await;
    let token = token["token"].as_str();
    let checkin_path = "/api/v1/sites/demo/checkin";
    let (status, checkin) = call(&state, Method::POST, checkin_path, token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(checkin["awarded"], 10);
    assert_eq!(checkin["next_milestone"], json!({"day": 7, "bonus": 50}));
    let body = json!({"rating": 5, "category": "idea", "text": "Love it"});
    let feedback_path = "/api/v1/sites/demo/feedback";
    let (status, sent) = call(&state, Method::POST, feedback_path, token, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{sent:?}");
    assert_eq!(sent["awarded"], 5);
    assert_eq!(sent["points"], 15);
}
