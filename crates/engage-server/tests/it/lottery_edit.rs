//! Editing a lottery (`PATCH …/lotteries/{lottery}`): allowed until the owner opens it, then
//! refused because its seed hash and prizes are published; a bad edit is refused like a bad
//! definition and changes nothing; an owner edits only the sites granted to them.

use axum::http::{Method, StatusCode};
use engage_core::api::lottery::{CreateLottery, LotteryMode, PrizeDefinition};
use engage_core::lottery::validate_lottery;
use engage_core::{LotteryId, SiteId};
use serde_json::{Value, json};

use crate::TestServer;
use crate::audit::{audit_actions, audit_entries, expect, owner};
use crate::console_session::{ada_signed_in, in_session};

const LOTTERY: &str = "/api/v1/admin/sites/forum/lotteries/wheel";

/// Creates `wheel` (scheduled: not opened) on the forum: two prizes, open all of November
/// 2026 (the test clock is 2026-11-20).
async fn create(server: &TestServer) -> Value {
    let body = json!({
        "id": "wheel",
        "prizes": [
            {"id": "sticker", "name": "Sticker pack", "weight": 30, "stock": 100},
            {"id": "mug", "name": "Mug", "weight": 12, "stock": 20},
        ],
        "no_prize_weight": 58,
        "cost": 10,
        "opens_at": "2026-11-01T00:00:00Z",
        "closes_at": "2026-12-01T00:00:00Z",
    });
    let created = owner(
        server,
        Method::POST,
        "/api/v1/admin/sites/forum/lotteries",
        Some(body),
    )
    .await;
    expect(&created, StatusCode::CREATED).clone()
}

async fn edit(server: &TestServer, body: Value) -> crate::Answer {
    owner(server, Method::PATCH, LOTTERY, Some(body)).await
}

/// The lottery as its owner sees it.
async fn read(server: &TestServer) -> Value {
    expect(
        &owner(server, Method::GET, LOTTERY, None).await,
        StatusCode::OK,
    )
    .clone()
}

#[tokio::test]
async fn the_owner_edits_a_lottery_before_opening_it() {
    let server = TestServer::new().await;
    create(&server).await;
    let edited = edit(
        &server,
        json!({
            "cost": 25,
            "prizes": [
                {"id": "mug", "name": "Mug · 马克杯", "weight": 5, "stock": 3},
                {"id": "keyboard", "name": "Keyboard", "weight": 1, "stock": 1},
            ],
            "closes_at": "2026-12-24T12:00:00Z",
        }),
    )
    .await;
    let body = expect(&edited, StatusCode::OK);
    assert_eq!(body["id"], "wheel");
    assert_eq!(body["status"], "scheduled");
    assert_eq!(body["cost"], 25);
    assert_eq!(body["closes_at"], "2026-12-24T12:00:00Z");
    // Left out: kept.
    assert_eq!(body["opens_at"], "2026-11-01T00:00:00Z");
    assert_eq!(body["no_prize_weight"], 58);
    assert!(body.get("seed_hash").is_none_or(Value::is_null), "{body}");

    let owner_view = read(&server).await;
    for (field, value) in body.as_object().unwrap() {
        assert_eq!(owner_view[field], *value, "{field}");
    }
    assert_eq!(
        owner_view["stock_left"],
        json!([
            {"id": "mug", "name": "Mug · 马克杯", "stock": 3, "stock_left": 3},
            {"id": "keyboard", "name": "Keyboard", "stock": 1, "stock_left": 1},
        ])
    );
    let entry = &audit_entries(&server).await[0];
    assert_eq!(entry["action"], "lottery_update");
    assert_eq!(
        entry["detail"],
        json!({"lottery": "wheel", "changed": ["prizes", "cost", "closes_at"]})
    );

    // The edited lottery opens and spins with the edited definition.
    let opened = owner(&server, Method::POST, &format!("{LOTTERY}/open"), None).await;
    let opened = expect(&opened, StatusCode::OK);
    assert_eq!(opened["prizes"][0]["id"], "mug");
    assert_eq!(opened["cost"], 25);
}

#[tokio::test]
async fn an_opened_or_closed_lottery_is_not_edited() {
    let server = TestServer::new().await;
    create(&server).await;
    let opened = owner(&server, Method::POST, &format!("{LOTTERY}/open"), None).await;
    expect(&opened, StatusCode::OK);
    let before = read(&server).await;
    let actions = audit_actions(&server).await;

    let refused = edit(&server, json!({"cost": 1})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "lottery_open");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("seed hash"),
        "{:?}",
        refused.body
    );
    assert_eq!(read(&server).await, before);
    assert_eq!(audit_actions(&server).await, actions);

    let closed = owner(&server, Method::POST, &format!("{LOTTERY}/close"), None).await;
    expect(&closed, StatusCode::OK);
    let refused = edit(&server, json!({"cost": 1})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "lottery_closed");
    assert_eq!(read(&server).await["cost"], 10);
}

#[tokio::test]
async fn a_bad_edit_is_refused_and_changes_nothing() {
    let server = TestServer::new().await;
    create(&server).await;
    let before = read(&server).await;
    let actions = audit_actions(&server).await;
    let cases = [
        (
            json!({"closes_at": "2026-10-01T00:00:00Z"}),
            "invalid_lottery",
            "closes_at",
        ),
        (json!({"prizes": []}), "invalid_lottery", "prizes"),
        (
            json!({"prizes": [{"id": "a", "name": "A", "weight": 1, "stock": 1},
                              {"id": "a", "name": "B", "weight": 1, "stock": 1}]}),
            "invalid_lottery",
            "prizes[1].id",
        ),
        (json!({"cost": -5}), "invalid_lottery", "cost"),
        (json!({"daily_spins": 0}), "invalid_lottery", "daily_spins"),
        (json!({"id": "renamed"}), "invalid_body", "id"),
        (json!({"cost": "ten"}), "invalid_body", "cost"),
    ];
    for (body, code, field) in cases {
        let refused = edit(&server, body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            refused.body
        );
        assert_eq!(refused.code(), code, "{body}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{body}: {message}");
    }
    let missing = owner(
        &server,
        Method::PATCH,
        "/api/v1/admin/sites/forum/lotteries/nope",
        Some(json!({"cost": 1})),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "lottery_not_found");
    assert_eq!(read(&server).await, before);
    assert_eq!(audit_actions(&server).await, actions);
}

#[tokio::test]
async fn an_owner_edits_only_the_lotteries_of_their_sites() {
    let (server, cookie) = ada_signed_in().await;
    let other = SiteId::parse("other").unwrap();
    let definition = CreateLottery {
        id: "wheel".into(),
        mode: LotteryMode::Wheel,
        prizes: vec![PrizeDefinition {
            id: "mug".into(),
            name: "Mug".into(),
            weight: 1,
            stock: 1,
            image: None,
        }],
        no_prize_weight: 0,
        cost: 10,
        daily_spins: 1,
        opens_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        closes_at: "2026-12-01T00:00:00Z".parse().unwrap(),
        winners: 1,
    };
    let lottery = validate_lottery(definition).unwrap();
    server
        .store
        .create_lottery(&other, &lottery, server.now(), None)
        .await
        .unwrap();
    let path = "/api/v1/admin/sites/other/lotteries/wheel";
    let refused = in_session(
        &server,
        &cookie,
        Method::PATCH,
        path,
        Some(&json!({"cost": 1})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.code(), "site_forbidden");
    let (record, _) = server
        .store
        .lottery(&other, &LotteryId::parse("wheel").unwrap(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.lottery, lottery);

    // On her own site the same session edits.
    create(&server).await;
    let edited = in_session(
        &server,
        &cookie,
        Method::PATCH,
        LOTTERY,
        Some(&json!({"cost": 1})),
    )
    .await;
    assert_eq!(expect(&edited, StatusCode::OK)["cost"], 1);
    let entry = &audit_entries(&server).await[0];
    assert_eq!(entry["action"], "lottery_update");
    assert_eq!(entry["actor"]["email"], "ada@example.com", "{entry}");
}
