//! The owner's views for the console (issue 10): every poll with its counts, every lottery with
//! its stock left, spins, entrants and proof link, the spins log a page at a time, feedback
//! searched by member name and changed in bulk, and a webhook event redelivered.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::audit::{audit_actions, audit_entries, expect, owner};
use crate::polls::{Who, send};
use crate::webhooks::{next, put_webhook, receiver, server_with_worker, wait_for_log};
use crate::{Answer, TestServer};

const ADMIN: &str = "/api/v1/admin/sites/forum";

async fn get(server: &TestServer, path: &str) -> Answer {
    owner(server, Method::GET, &format!("{ADMIN}{path}"), None).await
}

async fn post(server: &TestServer, path: &str, body: Value) -> Answer {
    owner(server, Method::POST, &format!("{ADMIN}{path}"), Some(body)).await
}

#[tokio::test]
async fn the_owner_sees_every_poll_with_its_counts() {
    let server = TestServer::new().await;
    for (id, results) in [("first", "after_close"), ("second", "after_vote")] {
        let poll = json!({"id": id, "question": format!("{id}?"), "results": results,
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]});
        expect(&post(&server, "/polls", poll).await, StatusCode::CREATED);
        server.set_now("2026-11-20T03:00:00Z");
    }
    let vote = send(
        &server,
        Method::POST,
        "/api/v1/sites/forum/polls/first/votes",
        Who::Member("alice"),
        None,
        Some(json!({"choices": ["b"]})),
    )
    .await;
    expect(&vote, StatusCode::OK);
    let listed = get(&server, "/polls").await;
    let polls = expect(&listed, StatusCode::OK).as_array().unwrap();
    let ids: Vec<&str> = polls.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["second", "first"]);
    // Counts show to the owner even where members see none yet.
    assert_eq!(polls[1]["results_visible"], true);
    assert_eq!(polls[1]["total_votes"], 1);
    assert_eq!(polls[1]["options"][1]["votes"], 1);
    assert_eq!(polls[1]["ip_limit"], 20);
    let one = get(&server, "/polls/first").await;
    assert_eq!(expect(&one, StatusCode::OK), &polls[1]);
    for missing in ["/polls/nope", "/polls/NOT_A_SLUG!"] {
        let answer = get(&server, missing).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(answer.code(), "poll_not_found");
    }
    let empty = owner(
        &server,
        Method::GET,
        "/api/v1/admin/sites/other/polls",
        None,
    )
    .await;
    assert_eq!(empty.code(), "invalid_api_key");
}

/// A wheel of two prizes (the mug always wins until it runs out, then the sticker) costing 1.
fn wheel(id: &str) -> Value {
    json!({"id": id, "prizes": [
            {"id": "mug", "name": "Mug, \"blue\"", "weight": 1000000, "stock": 2},
            {"id": "sticker", "name": "Sticker", "weight": 1, "stock": 50}],
        "cost": 1, "daily_spins": 10,
        "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z"})
}

/// Creates and opens [`wheel`] `wheel`.
async fn open_wheel(server: &TestServer) {
    expect(
        &post(server, "/lotteries", wheel("wheel")).await,
        StatusCode::CREATED,
    );
    expect(
        &post(server, "/lotteries/wheel/open", json!({})).await,
        StatusCode::OK,
    );
}

#[tokio::test]
async fn the_owner_sees_lotteries_with_stock_spins_and_proof() {
    let server = TestServer::new().await;
    open_wheel(&server).await;
    let giveaway = json!({"id": "draw", "mode": "giveaway", "winners": 1,
        "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-11-25T00:00:00Z"});
    expect(
        &post(&server, "/lotteries", giveaway).await,
        StatusCode::CREATED,
    );
    expect(
        &post(&server, "/lotteries/draw/open", json!({})).await,
        StatusCode::OK,
    );
    expect(&server.award("alice", 10, "welcome").await, StatusCode::OK);
    for _ in 0..3 {
        expect(&server.spin_wheel("alice").await, StatusCode::OK);
    }
    let entered = server
        .post(
            "/api/v1/sites/forum/lotteries/draw/entries",
            &server.token("alice"),
            None,
        )
        .await;
    expect(&entered, StatusCode::OK);

    let one = get(&server, "/lotteries/wheel").await;
    let view = expect(&one, StatusCode::OK);
    assert_eq!(view["status"], "open");
    assert_eq!(view["spins"], 3);
    assert_eq!(view["entrants"], 0);
    assert_eq!(
        view["stock_left"],
        json!([
            {"id": "mug", "name": "Mug, \"blue\"", "stock": 2, "stock_left": 0},
            {"id": "sticker", "name": "Sticker", "stock": 50, "stock_left": 49},
        ])
    );
    assert_eq!(view["proof"], Value::Null);
    assert!(view.get("seed").is_none(), "the seed stays secret: {view}");
    assert!(view["seed_hash"].is_string());

    let listed = get(&server, "/lotteries").await;
    let lotteries = expect(&listed, StatusCode::OK).as_array().unwrap();
    let ids: Vec<&str> = lotteries
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    let draw = lotteries.iter().find(|l| l["id"] == "draw").unwrap();
    assert_eq!(draw["entrants"], 1);
    assert_eq!(draw["spins"], 0);

    // Past its close time the giveaway closes on the owner's read, and shows its proof.
    server.set_now("2026-11-26T00:00:00Z");
    let listed = get(&server, "/lotteries").await;
    let draw = expect(&listed, StatusCode::OK)
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "draw")
        .unwrap()
        .clone();
    assert_eq!(draw["status"], "closed");
    assert_eq!(draw["proof"], "/api/v1/sites/forum/lotteries/draw/proof");
    assert_eq!(draw["drawn_winners"][0]["member"], "alice");
    assert!(draw["seed"].is_string());
    let proof = server
        .call(Method::GET, draw["proof"].as_str().unwrap(), None, None)
        .await;
    expect(&proof, StatusCode::OK);

    for missing in ["/lotteries/nope", "/lotteries/nope/spins"] {
        let answer = get(&server, missing).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(answer.code(), "lottery_not_found");
    }
}

#[tokio::test]
async fn the_spins_log_is_paged_newest_first() {
    let server = TestServer::new().await;
    open_wheel(&server).await;
    for member in ["alice", "bob"] {
        expect(&server.award(member, 10, "welcome").await, StatusCode::OK);
    }
    for member in ["alice", "bob", "alice", "bob", "alice"] {
        expect(&server.spin_wheel(member).await, StatusCode::OK);
    }
    let mut seen = Vec::new();
    let mut path = "/lotteries/wheel/spins?limit=2".to_owned();
    loop {
        let page = get(&server, &path).await;
        let body = expect(&page, StatusCode::OK).clone();
        for spin in body["spins"].as_array().unwrap() {
            seen.push((
                spin["seq"].as_u64().unwrap(),
                spin["member"].as_str().unwrap().to_owned(),
                spin["spin"].as_u64().unwrap(),
                spin["prize"]["id"].as_str().unwrap().to_owned(),
            ));
            assert_eq!(
                spin["name"],
                format!("Name of {}", spin["member"].as_str().unwrap())
            );
            assert_eq!(spin["at"], "2026-11-20T02:00:00Z");
        }
        match body["next_before"].as_u64() {
            Some(before) => path = format!("/lotteries/wheel/spins?limit=2&before={before}"),
            None => break,
        }
    }
    let expected: Vec<(u64, String, u64, String)> = [
        (5, "alice", 3, "sticker"),
        (4, "bob", 2, "sticker"),
        (3, "alice", 2, "sticker"),
        (2, "bob", 1, "mug"),
        (1, "alice", 1, "mug"),
    ]
    .into_iter()
    .map(|(seq, member, spin, prize)| (seq, member.to_owned(), spin, prize.to_owned()))
    .collect();
    assert_eq!(seen, expected);
    let named = get(&server, "/lotteries/wheel/spins?limit=1&before=2").await;
    assert_eq!(
        expect(&named, StatusCode::OK)["spins"][0]["prize"],
        json!({"id": "mug", "name": "Mug, \"blue\""})
    );
    for query in [
        "?limit=0",
        "?limit=201",
        "?before=0",
        "?before=x",
        "?after=1",
    ] {
        let answer = get(&server, &format!("/lotteries/wheel/spins{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer.code(), "invalid_query", "{query}");
    }
}

async fn feedback_from(server: &TestServer, who: Who<'_>, text: &str) -> i64 {
    let sent = send(
        server,
        Method::POST,
        "/api/v1/sites/forum/feedback",
        who,
        None,
        Some(json!({ "text": text })),
    )
    .await;
    expect(&sent, StatusCode::CREATED)["id"].as_i64().unwrap()
}

fn item_ids(answer: &Answer) -> Vec<i64> {
    expect(answer, StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn feedback_is_found_by_member_name_and_changed_in_bulk() {
    let server = TestServer::new().await;
    let alice = feedback_from(&server, Who::Member("alice"), "The wheel is slow").await;
    let bob = feedback_from(&server, Who::Member("bob"), "Love it").await;
    let visitor = feedback_from(&server, Who::Visitor("v-1234567890abcdef-ghijkl"), "Hello").await;
    // `q` searches the member's name as well as the text and contact.
    assert_eq!(
        item_ids(&get(&server, "/feedback?q=of%20alice").await),
        [alice]
    );
    assert_eq!(item_ids(&get(&server, "/feedback?q=love").await), [bob]);
    assert_eq!(
        item_ids(&get(&server, "/feedback?q=Name").await),
        [bob, alice]
    );

    let other_site = send(
        &server,
        Method::POST,
        "/api/v1/sites/other/feedback",
        Who::Visitor("v-1234567890abcdef-ghijkl"),
        None,
        Some(json!({ "text": "Elsewhere" })),
    )
    .await;
    let other = expect(&other_site, StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();
    let bulk = post(
        &server,
        "/feedback/bulk",
        json!({"ids": [alice, bob, alice, other, 999], "status": "done"}),
    )
    .await;
    assert_eq!(expect(&bulk, StatusCode::OK), &json!({"updated": 2}));
    assert_eq!(
        item_ids(&get(&server, "/feedback?status=done").await),
        [bob, alice]
    );
    assert_eq!(
        item_ids(&get(&server, "/feedback?status=new").await),
        [visitor]
    );
    let again = post(
        &server,
        "/feedback/bulk",
        json!({"ids": [alice, bob], "status": "done"}),
    )
    .await;
    assert_eq!(expect(&again, StatusCode::OK), &json!({"updated": 0}));
    let spam = post(
        &server,
        "/feedback/bulk",
        json!({"ids": [visitor, bob], "status": "spam"}),
    )
    .await;
    assert_eq!(expect(&spam, StatusCode::OK), &json!({"updated": 2}));
    let other_status = send(
        &server,
        Method::GET,
        "/api/v1/sites/other/feedback/mine",
        Who::Visitor("v-1234567890abcdef-ghijkl"),
        None,
        None,
    )
    .await;
    assert_eq!(other_status.body["items"][0]["status"], "new");

    let too_many: Vec<i64> = (1..=101).collect();
    for body in [
        json!({"ids": [], "status": "done"}),
        json!({"ids": too_many, "status": "done"}),
        json!({"ids": [0], "status": "done"}),
        json!({"ids": [alice], "status": "archived"}),
        json!({"ids": [alice]}),
        json!({"ids": "1", "status": "done"}),
    ] {
        let answer = post(&server, "/feedback/bulk", body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.code(), "invalid_body", "{body}");
    }
    assert_eq!(
        item_ids(&get(&server, "/feedback?status=done").await),
        [alice]
    );
    let entries = audit_entries(&server).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0]["detail"],
        json!({"feedback": [bob, visitor], "status": "spam"})
    );
    assert_eq!(
        entries[1]["detail"],
        json!({"feedback": [alice, bob], "status": "done"})
    );
}

#[tokio::test]
async fn a_failed_event_is_redelivered_with_its_id() {
    let server = server_with_worker(&[]).await;
    let (failing, _) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    expect(
        &put_webhook(&server, json!({ "url": failing })).await,
        StatusCode::OK,
    );
    expect(&server.check_in("alice").await, StatusCode::OK);
    let log = wait_for_log(&server, |log| log[0]["status"] == "failed").await;
    let event = log[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(log[0]["attempts"], 1);

    let (working, mut received) = receiver(StatusCode::OK).await;
    expect(
        &put_webhook(&server, json!({ "url": working })).await,
        StatusCode::OK,
    );
    let redelivered = post(
        &server,
        &format!("/webhook/deliveries/{event}/redeliver"),
        json!({}),
    )
    .await;
    let body = expect(&redelivered, StatusCode::ACCEPTED);
    assert_eq!(body["id"], event.as_str());
    assert_eq!(body["status"], "pending");
    assert_eq!(body["attempts"], 0);
    let (headers, json, _) = next(&mut received).await;
    assert_eq!(json["id"], event.as_str());
    assert_eq!(headers["engage-event-id"].to_str().unwrap(), event);
    let log = wait_for_log(&server, |log| log[0]["status"] == "delivered").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["attempts"], 1);

    for missing in ["evt_00000000000000000000000000000000", &"e".repeat(65)] {
        let answer = post(
            &server,
            &format!("/webhook/deliveries/{missing}/redeliver"),
            json!({}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(answer.code(), "delivery_not_found");
    }
    // Another site's key cannot redeliver this site's event, nor name it through its own.
    let other = owner(
        &server,
        Method::POST,
        &format!("/api/v1/admin/sites/other/webhook/deliveries/{event}/redeliver"),
        None,
    )
    .await;
    assert_eq!(other.code(), "invalid_api_key");
    assert_eq!(
        audit_actions(&server).await,
        ["webhook_set", "webhook_set", "webhook_redeliver"]
    );
}

/// Every `$ref` in `value` that does not name something in `document`.
fn dangling_refs(document: &Value, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let pointer = target.trim_start_matches('#');
                if document.pointer(pointer).is_none() {
                    out.push(target.clone());
                }
            }
            map.values().for_each(|v| dangling_refs(document, v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| dangling_refs(document, v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_console_data_routes() {
    let server = TestServer::new().await;
    let document = server
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .body;
    let admin = "/api/v1/admin/sites/{site}";
    for (path, method, statuses) in [
        ("/rules", "get", &["200", "401"][..]),
        ("/rules", "put", &["200", "400", "401", "413", "415", "422"]),
        ("/rules/versions", "get", &["200"]),
        ("/rules/versions/{version}", "get", &["200", "404"]),
        ("/polls", "get", &["200"]),
        ("/polls/{poll}", "get", &["200", "404"]),
        ("/lotteries", "get", &["200"]),
        ("/lotteries/{lottery}", "get", &["200", "404"]),
        ("/lotteries/{lottery}/spins", "get", &["200", "400", "404"]),
        ("/feedback/bulk", "post", &["200", "422"]),
        ("/members", "get", &["200", "400"]),
        ("/members/{member}", "get", &["200", "404"]),
        ("/members/{member}/ledger", "get", &["200", "400", "404"]),
        (
            "/members/{member}/adjustments",
            "post",
            &["200", "404", "409", "422"],
        ),
        (
            "/webhook/deliveries/{delivery}/redeliver",
            "post",
            &["202", "404"],
        ),
        ("/audit", "get", &["200", "400"]),
        ("/export/{file}", "get", &["200", "401", "404"]),
    ] {
        let responses = &document["paths"][format!("{admin}{path}")][method]["responses"];
        for status in statuses {
            assert!(responses.get(status).is_some(), "{method} {path} {status}");
        }
    }
    let mut dangling = Vec::new();
    dangling_refs(&document, &document, &mut dangling);
    assert!(dangling.is_empty(), "{dangling:?}");
}
