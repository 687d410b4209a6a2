//! The rewards shop (积分兑换) over HTTP on a real SQLite file: the catalogue, redeeming and its
//! refusals (which store nothing), coupon codes, the fulfilment queue with refunds that happen
//! once, races that must never oversell, overspend or give one code twice, streak freezes
//! through the check-in route on a controlled clock, badges, the CSV export and the audit log.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use engage_core::SiteId;
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::{API_KEY, Answer, SITE, TestServer};

const ADMIN: &str = "/api/v1/admin/sites/forum";
const SHOP: &str = "/api/v1/sites/forum/rewards";

/// An owner call with the site's API key.
async fn admin(server: &TestServer, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("{ADMIN}{path}"))
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"));
    let body = match body {
        Some(body) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    server.send(builder.body(body).unwrap()).await
}

/// Uploads codes as `content_type` text.
async fn upload_text(server: &TestServer, reward: &str, content_type: &str, text: &str) -> Answer {
    let request = Request::post(format!("{ADMIN}/rewards/{reward}/codes"))
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(text.to_owned()))
        .unwrap();
    server.send(request).await
}

/// Creates a reward: `fields` over an open, unlimited 10-point item.
pub(crate) async fn create(server: &TestServer, id: &str, fields: Value) -> Answer {
    let mut body = json!({ "id": id, "name": format!("Reward {id}"), "price": 10 });
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    let created = admin(server, Method::POST, "/rewards", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created
}

pub(crate) async fn redeem(server: &TestServer, member: &str, reward: &str) -> Answer {
    let token = server.token(member);
    server
        .post(&format!("{SHOP}/{reward}/redemptions"), &token, None)
        .await
}

/// Every member of `members` redeems `reward` at the same time; the answers in order.
async fn redeem_at_once(
    server: &Arc<TestServer>,
    members: impl IntoIterator<Item = String>,
    reward: &'static str,
) -> Vec<Answer> {
    let tasks: Vec<_> = members
        .into_iter()
        .map(|member| {
            let server = server.clone();
            tokio::spawn(async move { redeem(&server, &member, reward).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

async fn balance(server: &TestServer, member: &str) -> i64 {
    let token = server.token(member);
    let me = server.get("/api/v1/sites/forum/me", &token).await;
    me.body["points"].as_i64().unwrap_or(0)
}

/// (status, code) → how many answers had it.
fn tally(answers: &[Answer]) -> BTreeMap<(u16, String), usize> {
    let mut counts = BTreeMap::new();
    for answer in answers {
        *counts
            .entry((answer.status.as_u16(), answer.code().to_owned()))
            .or_insert(0) += 1;
    }
    counts
}

const OK: &str = "<no error code>";

#[tokio::test]
async fn a_member_redeems_an_item_and_the_owner_sees_it_pending() {
    let server = TestServer::new().await;
    create(
        &server,
        "stickers",
        json!({"price": 30, "stock": 3, "per_member": 2, "description": "Five stickers"}),
    )
    .await;
    server.award("alice", 100, "gift").await;
    let anonymous = server.call(Method::GET, SHOP, None, None).await;
    assert_eq!(anonymous.status, StatusCode::OK, "{:?}", anonymous.body);
    assert_eq!(anonymous.body["points"], Value::Null);
    assert_eq!(anonymous.body["rewards"][0]["affordable"], false);
    assert_eq!(anonymous.body["rewards"][0]["stock_left"], 3);
    let token = server.token("alice");
    let catalogue = server.get(SHOP, &token).await;
    assert_eq!(catalogue.body["points"], 100);
    assert_eq!(catalogue.body["freezes"], 0);
    assert_eq!(catalogue.body["rewards"][0]["affordable"], true);
    assert_eq!(catalogue.body["rewards"][0]["my_left"], 2);
    assert_eq!(catalogue.body["rewards"][0]["status"], "open");

    let redeemed = redeem(&server, "alice", "stickers").await;
    assert_eq!(redeemed.status, StatusCode::CREATED, "{:?}", redeemed.body);
    assert_eq!(redeemed.body["points"], 70);
    assert_eq!(redeemed.body["redemption"]["status"], "pending");
    assert_eq!(redeemed.body["redemption"]["reward"], "stickers");
    assert!(redeemed.body["redemption"].get("code").is_none());
    let id = redeemed.body["redemption"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let me = server.get("/api/v1/sites/forum/me", &token).await;
    assert_eq!(me.body["ledger"][0]["source"], "redemption");
    assert_eq!(me.body["ledger"][0]["amount"], -30);
    let catalogue = server.get(SHOP, &token).await;
    assert_eq!(catalogue.body["rewards"][0]["stock_left"], 2);
    assert_eq!(catalogue.body["rewards"][0]["my_left"], 1);
    let mine = server
        .get(&format!("{SHOP}/redemptions/mine"), &token)
        .await;
    assert_eq!(mine.body["redemptions"][0]["id"], id.as_str());
    assert_eq!(mine.body["redemptions"][0]["price"], 30);

    let queue = admin(&server, Method::GET, "/redemptions?status=pending", None).await;
    assert_eq!(queue.status, StatusCode::OK, "{:?}", queue.body);
    assert_eq!(queue.body["redemptions"][0]["id"], id.as_str());
    assert_eq!(queue.body["redemptions"][0]["member"], "alice");
    assert_eq!(queue.body["redemptions"][0]["member_name"], "Name of alice");
    let owner = admin(&server, Method::GET, "/rewards/stickers", None).await;
    assert_eq!(owner.body["pending"], 1);
    assert_eq!(owner.body["redeemed"], 1);
    assert_eq!(owner.body["points_taken"], 30);

    let fulfilled = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "fulfilled"})),
    )
    .await;
    assert_eq!(fulfilled.status, StatusCode::OK, "{:?}", fulfilled.body);
    assert_eq!(fulfilled.body["status"], "fulfilled");
    let queue = admin(
        &server,
        Method::GET,
        "/rewards/redemptions?status=pending",
        None,
    )
    .await;
    assert_eq!(queue.body["redemptions"], json!([]));
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn refusals_say_why_and_store_nothing() {
    let server = TestServer::new().await;
    create(&server, "mug", json!({"price": 50})).await;
    create(&server, "gone", json!({"stock": 0})).await;
    create(&server, "once", json!({"per_member": 1})).await;
    create(
        &server,
        "later",
        json!({"opens_at": "2026-12-01T00:00:00Z"}),
    )
    .await;
    create(
        &server,
        "over",
        json!({"opens_at": "2026-10-01T00:00:00Z", "closes_at": "2026-11-01T00:00:00Z"}),
    )
    .await;
    server.award("alice", 20, "gift").await;
    assert_eq!(
        redeem(&server, "alice", "once").await.status,
        StatusCode::CREATED
    );
    let before = (
        server.count(CountedTable::Ledger).await,
        balance(&server, "alice").await,
    );
    for (reward, status, code) in [
        ("mug", 402, "insufficient_points"),
        ("gone", 409, "out_of_stock"),
        ("once", 409, "limit_reached"),
        ("later", 403, "not_open"),
        ("over", 403, "closed"),
        ("missing", 404, "reward_not_found"),
        ("Not-A-Slug", 404, "reward_not_found"),
    ] {
        let refused = redeem(&server, "alice", reward).await;
        assert_eq!(
            refused.status.as_u16(),
            status,
            "{reward}: {:?}",
            refused.body
        );
        assert_eq!(refused.code(), code, "{reward}");
        assert!(
            !refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{reward}"
        );
    }
    let anonymous = server
        .call(Method::POST, &format!("{SHOP}/mug/redemptions"), None, None)
        .await;
    assert_eq!(anonymous.code(), "missing_token");
    let after = (
        server.count(CountedTable::Ledger).await,
        balance(&server, "alice").await,
    );
    assert_eq!(before, after);
    let queue = admin(&server, Method::GET, "/redemptions", None).await;
    assert_eq!(queue.body["redemptions"].as_array().unwrap().len(), 1);
    // An archived reward is gone for members, kept for the owner.
    let archived = admin(
        &server,
        Method::PATCH,
        "/rewards/mug",
        Some(json!({"archived": true})),
    )
    .await;
    assert_eq!(archived.body["archived"], true);
    assert_eq!(
        redeem(&server, "alice", "mug").await.code(),
        "reward_not_found"
    );
    let token = server.token("alice");
    let ids: Vec<Value> = server.get(SHOP, &token).await.body["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert!(!ids.contains(&json!("mug")), "{ids:?}");
    let all = admin(&server, Method::GET, "/rewards", None).await;
    assert_eq!(all.body.as_array().unwrap().len(), 5);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn bad_definitions_and_edits_name_the_field_and_store_nothing() {
    let server = TestServer::new().await;
    let audit_before = server.count(CountedTable::AuditLog).await;
    for (body, field) in [
        (json!({"id": "Bad Id", "name": "x", "price": 1}), "id"),
        (json!({"id": "redemptions", "name": "x", "price": 1}), "id"),
        (json!({"id": "a", "name": " ", "price": 1}), "name"),
        (json!({"id": "a", "name": "x", "price": 0}), "price"),
        (
            json!({"id": "a", "name": "x", "price": 1, "per_member": 0}),
            "per_member",
        ),
        (
            json!({"id": "a", "name": "x", "price": 1, "kind": "code", "stock": 5}),
            "stock",
        ),
        (
            json!({"id": "a", "name": "x", "price": 1, "image_url": "javascript:x"}),
            "image_url",
        ),
        (
            json!({"id": "a", "name": "x", "price": 1,
                   "opens_at": "2026-12-01T00:00:00Z", "closes_at": "2026-11-01T00:00:00Z"}),
            "closes_at",
        ),
    ] {
        let refused = admin(&server, Method::POST, "/rewards", Some(body.clone())).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(refused.code(), "invalid_reward", "{body}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{message} should name {field}");
    }
    let unknown = admin(
        &server,
        Method::POST,
        "/rewards",
        Some(json!({"id": "a", "name": "x", "price": 1, "colour": "red"})),
    )
    .await;
    assert_eq!(unknown.code(), "invalid_body");
    let kind = admin(
        &server,
        Method::POST,
        "/rewards",
        Some(json!({"id": "a", "name": "x", "price": 1, "kind": "car"})),
    )
    .await;
    assert_eq!(kind.code(), "invalid_body");
    assert_eq!(
        admin(&server, Method::GET, "/rewards", None).await.body,
        json!([])
    );
    create(&server, "mug", json!({})).await;
    let taken = admin(
        &server,
        Method::POST,
        "/rewards",
        Some(json!({"id": "mug", "name": "Other", "price": 5})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.code(), "reward_exists");
    let bad_edit = admin(
        &server,
        Method::PATCH,
        "/rewards/mug",
        Some(json!({"price": -1})),
    )
    .await;
    assert_eq!(bad_edit.code(), "invalid_reward");
    let mug = admin(&server, Method::GET, "/rewards/mug", None).await;
    assert_eq!(mug.body["price"], 10);
    // Only the create was audited.
    assert_eq!(server.count(CountedTable::AuditLog).await, audit_before + 1);
    let missing = admin(&server, Method::GET, "/rewards/nothing", None).await;
    assert_eq!(missing.code(), "reward_not_found");
    let no_key = server
        .call(Method::GET, &format!("{ADMIN}/rewards"), None, None)
        .await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn codes_upload_as_json_lines_or_csv_and_count_duplicates() {
    let server = TestServer::new().await;
    create(&server, "coupon", json!({"kind": "code"})).await;
    let json_upload = admin(
        &server,
        Method::POST,
        "/rewards/coupon/codes",
        Some(json!({"codes": ["AAA", " BBB ", "", "AAA"]})),
    )
    .await;
    assert_eq!(json_upload.status, StatusCode::OK, "{:?}", json_upload.body);
    assert_eq!(json_upload.body["added"], 2);
    assert_eq!(json_upload.body["duplicates"], 1);
    assert_eq!(json_upload.body["duplicate_codes"], json!(["AAA"]));
    let lines = upload_text(&server, "coupon", "text/plain", "CCC\r\n\nBBB\nDDD\n").await;
    assert_eq!(lines.body["added"], 2, "{:?}", lines.body);
    assert_eq!(lines.body["duplicates"], 1);
    let csv = upload_text(
        &server,
        "coupon",
        "text/csv; charset=utf-8",
        "\u{feff}EEE,first\n\"F,F\",second\n",
    )
    .await;
    assert_eq!(csv.body["added"], 2, "{:?}", csv.body);
    assert_eq!(csv.body["codes_left"], 6);
    let owner = admin(&server, Method::GET, "/rewards/coupon", None).await;
    assert_eq!(owner.body["codes_total"], 6);
    assert_eq!(owner.body["codes_left"], 6);
    assert_eq!(owner.body["stock_left"], 6);

    // A bad code refuses the whole upload and names its line.
    let bad = upload_text(&server, "coupon", "text/plain", "GGG\nbad\u{1}code\n").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.code(), "invalid_codes");
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{:?}",
        bad.body
    );
    let empty = upload_text(&server, "coupon", "text/plain", "\n \n").await;
    assert_eq!(empty.code(), "invalid_codes");
    let media = upload_text(&server, "coupon", "application/xml", "<codes/>").await;
    assert_eq!(media.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let malformed = upload_text(&server, "coupon", "application/json", "{\"codes\": [").await;
    assert_eq!(malformed.code(), "malformed_json");
    let owner = admin(&server, Method::GET, "/rewards/coupon", None).await;
    assert_eq!(owner.body["codes_total"], 6);

    create(&server, "mug", json!({})).await;
    let not_code = admin(
        &server,
        Method::POST,
        "/rewards/mug/codes",
        Some(json!({"codes": ["X"]})),
    )
    .await;
    assert_eq!(not_code.status, StatusCode::CONFLICT);
    assert_eq!(not_code.code(), "not_a_code_reward");

    // A large pool fits in one upload.
    let many: String = (0..5000).map(|i| format!("BULK-{i:05}\n")).collect();
    let bulk = upload_text(&server, "coupon", "text/plain", &many).await;
    assert_eq!(bulk.body["added"], 5000, "{:?}", bulk.body);
}

/// 100 members at once on a reward with stock 10: exactly 10 redemptions, the rest out of
/// stock, no stock below zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_members_on_a_stock_of_ten_get_exactly_ten() {
    let server = Arc::new(TestServer::new().await);
    create(&server, "mug", json!({"stock": 10})).await;
    for i in 0..100 {
        server.award(&format!("m{i}"), 10, "gift").await;
    }
    let answers = redeem_at_once(&server, (0..100).map(|i| format!("m{i}")), "mug").await;
    assert_eq!(
        tally(&answers),
        BTreeMap::from([
            ((201, OK.to_owned()), 10),
            ((409, "out_of_stock".to_owned()), 90),
        ])
    );
    let owner = admin(&server, Method::GET, "/rewards/mug", None).await;
    assert_eq!(owner.body["stock_left"], 0);
    assert_eq!(owner.body["redeemed"], 10);
    server.assert_ledger_balanced().await;
}

/// One member with 50 points sends twelve 10-point redemptions at once: five go through, the
/// balance ends at 0, never below.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_points_buy_exactly_five_ten_point_redemptions() {
    let server = Arc::new(TestServer::new().await);
    create(&server, "sticker", json!({})).await;
    server.award("alice", 50, "gift").await;
    let answers = redeem_at_once(&server, vec!["alice".to_owned(); 12], "sticker").await;
    assert_eq!(
        tally(&answers),
        BTreeMap::from([
            ((201, OK.to_owned()), 5),
            ((402, "insufficient_points".to_owned()), 7),
        ])
    );
    assert_eq!(balance(&server, "alice").await, 0);
    let ids: BTreeSet<String> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .map(|a| a.body["redemption"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 5);
    server.assert_ledger_balanced().await;
}

/// 20 members at once on a reward with 5 codes: 5 distinct codes, 15 out of stock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_members_on_five_codes_get_five_distinct_codes() {
    let server = Arc::new(TestServer::new().await);
    create(&server, "coupon", json!({"kind": "code"})).await;
    let codes = ["C1", "C2", "C3", "C4", "C5"];
    admin(
        &server,
        Method::POST,
        "/rewards/coupon/codes",
        Some(json!({ "codes": codes })),
    )
    .await;
    for i in 0..20 {
        server.award(&format!("m{i}"), 10, "gift").await;
    }
    let answers = redeem_at_once(&server, (0..20).map(|i| format!("m{i}")), "coupon").await;
    assert_eq!(
        tally(&answers),
        BTreeMap::from([
            ((201, OK.to_owned()), 5),
            ((409, "out_of_stock".to_owned()), 15),
        ])
    );
    let given: BTreeSet<String> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .map(|a| {
            assert_eq!(a.body["redemption"]["status"], "fulfilled");
            a.body["redemption"]["code"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(given, codes.iter().map(|c| (*c).to_owned()).collect());
    let owner = admin(&server, Method::GET, "/rewards/coupon", None).await;
    assert_eq!(owner.body["codes_left"], 0);
    server.assert_ledger_balanced().await;
}

/// Cancelling refunds once however often (and however concurrently) it is asked, returns the
/// stock, keeps the code with the redemption and out of the pool; a refund earns nothing on
/// the leaderboard and no daily cap cuts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancellation_refunds_once_and_earns_nothing() {
    let server = Arc::new(TestServer::new().await);
    server
        .install_rules("[points]\ndaily_caps = { redemption = 5 }\n")
        .await;
    create(&server, "mug", json!({"price": 30, "stock": 1})).await;
    create(&server, "coupon", json!({"price": 20, "kind": "code"})).await;
    admin(
        &server,
        Method::POST,
        "/rewards/coupon/codes",
        Some(json!({"codes": ["ONLY"]})),
    )
    .await;
    server.award("alice", 100, "gift").await;
    let board = |server: Arc<TestServer>| async move {
        let token = server.token("alice");
        server
            .get("/api/v1/sites/forum/leaderboard?period=all", &token)
            .await
            .body["me"]["points"]
            .clone()
    };
    assert_eq!(board(server.clone()).await, 100);
    let mug = redeem(&server, "alice", "mug").await;
    let id = mug.body["redemption"]["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(&server, "alice").await, 70);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let server = server.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            admin(
                &server,
                Method::PATCH,
                &format!("/redemptions/{id}"),
                Some(json!({"status": "cancelled"})),
            )
            .await
        }));
    }
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        assert_eq!(answer.body["status"], "cancelled");
    }
    // A second cancel, sequential this time.
    let again = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(balance(&server, "alice").await, 100, "refunded whole, once");
    let token = server.token("alice");
    let me = server.get("/api/v1/sites/forum/me", &token).await;
    let refunds: Vec<&Value> = me.body["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "redemption" && e["amount"].as_i64().unwrap() > 0)
        .collect();
    assert_eq!(refunds.len(), 1, "{:?}", me.body["ledger"]);
    assert_eq!(refunds[0]["amount"], 30);
    assert_eq!(
        board(server.clone()).await,
        100,
        "a refund is not points earned"
    );
    let owner = admin(&server, Method::GET, "/rewards/mug", None).await;
    assert_eq!(owner.body["stock_left"], 1, "the unit went back");
    assert_eq!(owner.body["cancelled"], 1);
    assert_eq!(owner.body["points_taken"], 0);
    let reopen = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "fulfilled"})),
    )
    .await;
    assert_eq!(reopen.status, StatusCode::CONFLICT);
    assert_eq!(reopen.code(), "redemption_cancelled");

    // A code's cancellation keeps the code with the redemption and never hands it out again.
    let coupon = redeem(&server, "alice", "coupon").await;
    assert_eq!(coupon.body["redemption"]["code"], "ONLY");
    let coupon_id = coupon.body["redemption"]["id"].as_str().unwrap().to_owned();
    let cancelled = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{coupon_id}"),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(cancelled.body["code"], "ONLY");
    server.award("bob", 100, "gift").await;
    assert_eq!(
        redeem(&server, "bob", "coupon").await.code(),
        "out_of_stock"
    );
    let mine = server
        .get(&format!("{SHOP}/redemptions/mine"), &token)
        .await;
    assert_eq!(mine.body["redemptions"][0]["status"], "cancelled");
    assert_eq!(mine.body["redemptions"][0]["code"], "ONLY");

    let missing = admin(
        &server,
        Method::PATCH,
        "/redemptions/999",
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(missing.code(), "redemption_not_found");
    let bad = admin(
        &server,
        Method::PATCH,
        "/redemptions/abc",
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(bad.code(), "redemption_not_found");
    let bad_status = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "lost"})),
    )
    .await;
    assert_eq!(bad_status.code(), "invalid_body");
    server.assert_ledger_balanced().await;
}

/// The same idempotency key twice (a double click), even at once, is one redemption.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_makes_a_double_click_one_redemption() {
    let server = Arc::new(TestServer::new().await);
    create(&server, "sticker", json!({})).await;
    create(&server, "mug", json!({})).await;
    server.award("alice", 100, "gift").await;
    let mut tasks = Vec::new();
    for i in 0..4 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let token = server.token("alice");
            let path = format!("{SHOP}/sticker/redemptions");
            if i % 2 == 0 {
                let request = Request::post(&path)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header("Idempotency-Key", "click-1")
                    .body(Body::empty())
                    .unwrap();
                server.send(request).await
            } else {
                server
                    .post(&path, &token, Some(r#"{"idempotency_key": "click-1"}"#))
                    .await
            }
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let ids: BTreeSet<String> = answers
        .iter()
        .map(|a| {
            assert!(a.status.is_success(), "{:?}", a.body);
            a.body["redemption"]["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        answers
            .iter()
            .filter(|a| a.body["duplicate"] == true)
            .count(),
        3
    );
    assert_eq!(balance(&server, "alice").await, 90);
    let token = server.token("alice");
    let reused = server
        .post(
            &format!("{SHOP}/mug/redemptions"),
            &token,
            Some(r#"{"idempotency_key": "click-1"}"#),
        )
        .await;
    assert_eq!(reused.code(), "idempotency_key_reused");
    let bad = server
        .post(
            &format!("{SHOP}/mug/redemptions"),
            &token,
            Some(r#"{"idempotency_key": "has space"}"#),
        )
        .await;
    assert_eq!(bad.code(), "invalid_idempotency_key");
    let unknown = server
        .post(
            &format!("{SHOP}/mug/redemptions"),
            &token,
            Some(r#"{"x": 1}"#),
        )
        .await;
    assert_eq!(unknown.code(), "invalid_body");
    let malformed = server
        .post(&format!("{SHOP}/mug/redemptions"), &token, Some("{"))
        .await;
    assert_eq!(malformed.code(), "malformed_json");
    assert_eq!(balance(&server, "alice").await, 90);
    // Without a key each request is its own redemption.
    assert_eq!(
        redeem(&server, "alice", "mug").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        redeem(&server, "alice", "mug").await.status,
        StatusCode::CREATED
    );
    assert_eq!(balance(&server, "alice").await, 70);
    server.assert_ledger_balanced().await;
}

async fn checkin_on(server: &TestServer, day: &str, member: &str) -> Answer {
    server.set_now(&format!("{day}T02:00:00Z"));
    let answer = server.check_in(member).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer
}

/// Streak freezes through the HTTP routes, the clock moved day by day: a run of 2, a missed
/// day covered by a freeze, then a check-in gives a streak of 3; a gap the freezes held cannot
/// cover uses none and the streak restarts.
#[tokio::test]
async fn streak_freezes_cover_missed_days_at_the_next_checkin() {
    let server = TestServer::new().await;
    server.set_now("2026-11-01T02:00:00Z");
    create(
        &server,
        "freeze",
        json!({"kind": "streak_freeze", "price": 5}),
    )
    .await;
    server.award("alice", 100, "gift").await;
    checkin_on(&server, "2026-11-01", "alice").await;
    checkin_on(&server, "2026-11-02", "alice").await;
    let bought = redeem(&server, "alice", "freeze").await;
    assert_eq!(bought.status, StatusCode::CREATED, "{:?}", bought.body);
    assert_eq!(bought.body["redemption"]["status"], "fulfilled");
    let token = server.token("alice");
    assert_eq!(server.get(SHOP, &token).await.body["freezes"], 1);

    // 3 November is missed. On the 4th, before checking in, the freeze already keeps the streak.
    server.set_now("2026-11-04T02:00:00Z");
    let token = server.token("alice");
    let state = server.get("/api/v1/sites/forum/checkin", &token).await;
    assert_eq!(state.body["streak"], 2, "{:?}", state.body);
    assert_eq!(state.body["freezes"], 1);
    assert_eq!(state.body["frozen"], json!([]));
    let checked = checkin_on(&server, "2026-11-04", "alice").await;
    assert_eq!(checked.body["streak"], 3, "{:?}", checked.body);
    assert_eq!(checked.body["longest_streak"], 3);
    assert_eq!(checked.body["freezes"], 0);
    assert_eq!(checked.body["frozen"], json!(["2026-11-03"]));
    assert_eq!(
        checked.body["month"],
        json!(["2026-11-01", "2026-11-02", "2026-11-04"])
    );
    // A frozen day is not a missed day: it cannot be made up.
    let makeup = server
        .post(
            "/api/v1/sites/forum/checkin/makeup",
            &server.token("alice"),
            Some(r#"{"date": "2026-11-03"}"#),
        )
        .await;
    assert_eq!(makeup.status, StatusCode::CONFLICT, "{:?}", makeup.body);
    assert_eq!(makeup.code(), "day_frozen");
    // A freeze that was used cannot be cancelled.
    let id = bought.body["redemption"]["id"].as_str().unwrap().to_owned();
    let refused = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(refused.code(), "freeze_used");

    // One freeze, two missed days (5 and 6 November): none used, the streak restarts.
    assert_eq!(
        redeem(&server, "alice", "freeze").await.status,
        StatusCode::CREATED
    );
    let restarted = checkin_on(&server, "2026-11-07", "alice").await;
    assert_eq!(restarted.body["streak"], 1, "{:?}", restarted.body);
    assert_eq!(restarted.body["freezes"], 1);
    assert_eq!(restarted.body["frozen"], json!(["2026-11-03"]));
    // A freeze held and not used can be cancelled: refunded, and no longer held.
    let queue = admin(&server, Method::GET, "/redemptions?reward=freeze", None).await;
    let newest = queue.body["redemptions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{newest}"),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{:?}", cancelled.body);
    let token = server.token("alice");
    assert_eq!(server.get(SHOP, &token).await.body["freezes"], 0);
    server.assert_ledger_balanced().await;
}

#[tokio::test]
async fn redeeming_earns_redeemed_badges_and_shows_in_export_and_audit() {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[[badges]]\nid = \"shopper\"\nname = \"Shopper\"\ncriteria = { redeemed = 2 }\n",
        )
        .await;
    create(&server, "sticker", json!({"name": "Sticker, \"big\""})).await;
    server.award("alice", 100, "gift").await;
    let first = redeem(&server, "alice", "sticker").await;
    assert_eq!(first.body["badges"], json!([]));
    let second = redeem(&server, "alice", "sticker").await;
    assert_eq!(second.body["badges"], json!(["shopper"]));
    let id = second.body["redemption"]["id"].as_str().unwrap().to_owned();
    admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "cancelled"})),
    )
    .await;

    let request = Request::get(format!("{ADMIN}/export/redemptions.csv"))
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .body(Body::empty())
        .unwrap();
    let csv = server.send(request).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().unwrap();
    assert!(
        text.contains("id,reward,name,kind,member,member_name,price,status,code"),
        "{text}"
    );
    assert!(text.contains("\"Sticker, \"\"big\"\"\""), "{text}");
    assert!(text.contains(",cancelled,"), "{text}");

    let audit = admin(&server, Method::GET, "/audit", None).await;
    let actions: Vec<&str> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"reward_create"), "{actions:?}");
    assert!(actions.contains(&"redemption_status"), "{actions:?}");
    let site = SiteId::parse(SITE).unwrap();
    assert!(server.store.audit_ledger(&site).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_queue_pages_and_filters() {
    let server = TestServer::new().await;
    create(&server, "a", json!({"price": 1})).await;
    create(&server, "b", json!({"price": 1})).await;
    server.award("alice", 100, "gift").await;
    for reward in ["a", "b", "a", "b", "a"] {
        assert_eq!(
            redeem(&server, "alice", reward).await.status,
            StatusCode::CREATED
        );
    }
    let first = admin(&server, Method::GET, "/redemptions?limit=2", None).await;
    let ids = |page: &Answer| -> Vec<String> {
        page.body["redemptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&first), ["5", "4"]);
    let next = first.body["next"].as_str().unwrap();
    let second = admin(
        &server,
        Method::GET,
        &format!("/redemptions?limit=2&before={next}"),
        None,
    )
    .await;
    assert_eq!(ids(&second), ["3", "2"]);
    let last = admin(&server, Method::GET, "/redemptions?limit=2&before=2", None).await;
    assert_eq!(ids(&last), ["1"]);
    assert_eq!(last.body["next"], Value::Null);
    let only_a = admin(&server, Method::GET, "/redemptions?reward=a", None).await;
    assert_eq!(ids(&only_a), ["5", "3", "1"]);
    for query in ["status=lost", "before=0", "limit=0", "reward=Bad%20Id"] {
        let refused = admin(&server, Method::GET, &format!("/redemptions?{query}"), None).await;
        assert_eq!(refused.code(), "invalid_query", "{query}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_shop() {
    let server = TestServer::new().await;
    let document = server
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .body;
    let paths = document["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/sites/{site}/rewards", "get"),
        ("/api/v1/sites/{site}/rewards/{reward}/redemptions", "post"),
        ("/api/v1/sites/{site}/rewards/redemptions/mine", "get"),
        ("/api/v1/admin/sites/{site}/rewards", "get"),
        ("/api/v1/admin/sites/{site}/rewards", "post"),
        ("/api/v1/admin/sites/{site}/rewards/{reward}", "get"),
        ("/api/v1/admin/sites/{site}/rewards/{reward}", "patch"),
        ("/api/v1/admin/sites/{site}/rewards/{reward}/codes", "post"),
        ("/api/v1/admin/sites/{site}/redemptions", "get"),
        (
            "/api/v1/admin/sites/{site}/redemptions/{redemption}",
            "patch",
        ),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    let schemas = &document["components"]["schemas"];
    for name in [
        "CreateReward",
        "UpdateReward",
        "RewardView",
        "RewardsCatalogue",
        "RedemptionView",
        "RedeemResult",
        "MyRedemptions",
        "AddCodes",
        "CodesAdded",
        "SetRedemptionStatus",
        "OwnerRewardView",
        "OwnerRedemptionView",
        "RedemptionPage",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
    assert!(schemas["CheckinState"]["properties"]["frozen"].is_object());
}

/// A redemption and its cancellation are `redemption` webhook events; a refusal is none.
#[tokio::test]
async fn redemptions_are_webhook_events_and_refusals_are_not() {
    use crate::webhooks::{next, put_webhook, receiver, server_with_worker};
    let server = server_with_worker(&[10]).await;
    let (url, mut received) = receiver(StatusCode::NO_CONTENT).await;
    put_webhook(&server, json!({ "url": url })).await;
    create(&server, "coupon", json!({"kind": "code", "price": 20})).await;
    admin(
        &server,
        Method::POST,
        "/rewards/coupon/codes",
        Some(json!({"codes": ["HOOK-1"]})),
    )
    .await;
    assert_eq!(
        redeem(&server, "cat", "coupon").await.code(),
        "insufficient_points"
    );
    assert_eq!(server.count(CountedTable::WebhookOutbox).await, 0);
    server.award("cat", 30, "gift").await;
    let redeemed = redeem(&server, "cat", "coupon").await;
    assert_eq!(redeemed.status, StatusCode::CREATED, "{:?}", redeemed.body);
    let id = redeemed.body["redemption"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, event, _) = next(&mut received).await;
    assert_eq!(event["type"], "redemption");
    assert_eq!(event["data"]["member"], "cat");
    assert_eq!(event["data"]["points"], 10);
    assert_eq!(event["data"]["redemption"]["id"], id.as_str());
    assert_eq!(event["data"]["redemption"]["code"], "HOOK-1");
    assert_eq!(event["data"]["redemption"]["status"], "fulfilled");
    admin(
        &server,
        Method::PATCH,
        &format!("/redemptions/{id}"),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    let (_, event, _) = next(&mut received).await;
    assert_eq!(event["data"]["redemption"]["status"], "cancelled");
    assert_eq!(event["data"]["points"], 30);
}
