//! Lotteries: the owner's create, open and close; spins and giveaway entries; refusals that
//! store nothing; races on a real SQLite file; the seed kept secret until close; the proof and
//! `verify-lottery`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use engage_core::api::lottery::LotteryProof;
use engage_core::lottery::verify_proof;
use engage_core::{LotteryId, SiteId};
use engage_server::store::CountedTable;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{API_KEY, Answer, TestServer};

const ADMIN: &str = "/api/v1/admin/sites/forum/lotteries";

fn path(lottery: &str) -> String {
    format!("/api/v1/sites/forum/lotteries/{lottery}")
}

/// A wheel open all of November 2026 (the test clock is 2026-11-20), with `changes` merged in.
fn wheel(changes: Value) -> Value {
    let mut body = json!({
        "id": "wheel",
        "mode": "wheel",
        "prizes": [
            {"id": "sticker", "name": "Sticker pack", "weight": 30, "stock": 100,
             "image": "/img/sticker.png"},
            {"id": "mug", "name": "Mug", "weight": 12, "stock": 20},
            {"id": "keyboard", "name": "Grand prize: keyboard", "weight": 1, "stock": 1},
        ],
        "no_prize_weight": 57,
        "cost": 10,
        "daily_spins": 5,
        "opens_at": "2026-11-01T00:00:00Z",
        "closes_at": "2026-12-01T00:00:00Z",
    });
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

async fn admin(server: &TestServer, path: &str, body: &Value) -> Answer {
    server.call_with_key(path, API_KEY, &body.to_string()).await
}

/// Creates a lottery and opens it.
async fn create_open(server: &TestServer, body: Value) -> Answer {
    let created = admin(server, ADMIN, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = body["id"].as_str().unwrap();
    let opened = admin(server, &format!("{ADMIN}/{id}/open"), &json!({})).await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.body);
    opened
}

async fn close(server: &TestServer, lottery: &str) -> Answer {
    let closed = admin(server, &format!("{ADMIN}/{lottery}/close"), &json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    closed
}

async fn spin(server: &TestServer, lottery: &str, member: &str) -> Answer {
    let token = server.token(member);
    server
        .post(&format!("{}/spins", path(lottery)), &token, None)
        .await
}

async fn enter(server: &TestServer, lottery: &str, member: &str) -> Answer {
    let token = server.token(member);
    server
        .post(&format!("{}/entries", path(lottery)), &token, None)
        .await
}

async fn anonymous(server: &TestServer, path: &str) -> Answer {
    server.call(Method::GET, path, None, None).await
}

async fn proof(server: &TestServer, lottery: &str) -> Answer {
    anonymous(server, &format!("{}/proof", path(lottery))).await
}

/// The seed as stored (tests only: no route shows it before close).
async fn stored_seed(server: &TestServer, lottery: &str) -> String {
    let (record, _) = server
        .store
        .lottery(
            &SiteId::parse("forum").unwrap(),
            &LotteryId::parse(lottery).unwrap(),
            None,
        )
        .await
        .unwrap()
        .unwrap();
    record.seed.unwrap().to_hex()
}

fn sha256_hex(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn counts(server: &TestServer) -> [i64; 4] {
    [
        server.count(CountedTable::LotterySpins).await,
        server.count(CountedTable::LotteryEntries).await,
        server.count(CountedTable::Ledger).await,
        server.count(CountedTable::Members).await,
    ]
}

#[tokio::test]
async fn the_owner_creates_opens_and_closes_a_lottery() {
    let server = TestServer::new().await;
    let created = admin(&server, ADMIN, &wheel(json!({}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let body = &created.body;
    assert_eq!(body["id"], "wheel");
    assert_eq!(body["mode"], "wheel");
    assert_eq!(body["status"], "scheduled");
    assert_eq!(body["cost"], 10);
    assert_eq!(body["daily_spins"], 5);
    assert_eq!(body["no_prize_weight"], 57);
    assert_eq!(body["opens_at"], "2026-11-01T00:00:00Z");
    assert_eq!(body["closes_at"], "2026-12-01T00:00:00Z");
    assert_eq!(
        body["prizes"][0],
        json!({"id": "sticker", "name": "Sticker pack", "weight": 30, "stock": 100,
               "image": "/img/sticker.png"})
    );
    assert!(body.get("seed_hash").is_none());
    assert!(body.get("seed").is_none());

    let again = admin(&server, ADMIN, &wheel(json!({}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "lottery_exists");

    let opened = admin(&server, &format!("{ADMIN}/wheel/open"), &json!({})).await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.body);
    assert_eq!(opened.body["status"], "open");
    let hash = opened.body["seed_hash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);
    assert!(opened.body.get("seed").is_none());
    // Opening again keeps the seed.
    let reopened = admin(&server, &format!("{ADMIN}/wheel/open"), &json!({})).await;
    assert_eq!(reopened.body["seed_hash"], hash.as_str());

    let token = server.token("alice");
    let mine = server.get(&path("wheel"), &token).await;
    assert_eq!(mine.status, StatusCode::OK, "{:?}", mine.body);
    assert_eq!(mine.body["spins_left"], 5);
    assert_eq!(mine.body["points"], 0);
    assert_eq!(mine.body["my_spins"], json!([]));
    let public = anonymous(&server, &path("wheel")).await;
    assert!(public.body.get("spins_left").is_none());
    assert!(public.body.get("points").is_none());
    assert_eq!(public.body["seed_hash"], hash.as_str());

    let closed = close(&server, "wheel").await;
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["closed_at"], "2026-11-20T02:00:00Z");
    let seed = closed.body["seed"].as_str().unwrap();
    assert_eq!(sha256_hex(seed), hash);
    let reopen = admin(&server, &format!("{ADMIN}/wheel/open"), &json!({})).await;
    assert_eq!(reopen.status, StatusCode::CONFLICT);
    assert_eq!(reopen.code(), "lottery_closed");
    let missing = admin(&server, &format!("{ADMIN}/nope/open"), &json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "lottery_not_found");
}

#[tokio::test]
async fn invalid_lotteries_are_refused_naming_the_field() {
    let server = TestServer::new().await;
    let cases = [
        (json!({"id": "Bad Id"}), "id"),
        (json!({"prizes": []}), "prizes"),
        (
            json!({"prizes": [{"id": "a", "name": "A", "weight": 0, "stock": 1}]}),
            "prizes",
        ),
        (
            json!({"prizes": [{"id": "a", "name": "A", "weight": 1, "stock": 1},
                              {"id": "a", "name": "B", "weight": 1, "stock": 1}]}),
            "prizes[1].id",
        ),
        (
            json!({"prizes": [{"id": "a", "name": "", "weight": 1, "stock": 1}]}),
            "prizes[0].name",
        ),
        (json!({"cost": 1_000_001}), "cost"),
        (json!({"cost": -1}), "cost"),
        (json!({"daily_spins": 0}), "daily_spins"),
        (json!({"daily_spins": 1001}), "daily_spins"),
        (json!({"closes_at": "2026-10-01T00:00:00Z"}), "closes_at"),
    ];
    for (change, field) in cases {
        let answer = admin(&server, ADMIN, &wheel(change.clone())).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{change}");
        assert_eq!(answer.code(), "invalid_lottery", "{change}");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{message} / {field}");
    }
    // Wrong types and negative stock are refused by the body's shape.
    for change in [
        json!({"prizes": [{"id": "a", "name": "A", "weight": 1, "stock": -1}]}),
        json!({"mode": "raffle"}),
    ] {
        let answer = admin(&server, ADMIN, &wheel(change)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.code(), "invalid_body");
    }
    let no_key = server
        .call(
            Method::POST,
            ADMIN,
            None,
            Some(&wheel(json!({})).to_string()),
        )
        .await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.count(CountedTable::Lotteries).await, 0);
}

#[tokio::test]
async fn a_spin_charges_takes_stock_and_is_recorded() {
    let server = TestServer::new().await;
    // Only a prize and no no-prize slot: the spin must win it.
    create_open(
        &server,
        wheel(
            json!({"prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 2}],
                     "no_prize_weight": 0}),
        ),
    )
    .await;
    server.award("alice", 25, "gift").await;
    let spun = spin(&server, "wheel", "alice").await;
    assert_eq!(spun.status, StatusCode::OK, "{:?}", spun.body);
    assert_eq!(spun.body["spin"], 1);
    assert_eq!(spun.body["seq"], 1);
    assert_eq!(spun.body["prize"], json!({"id": "mug", "name": "Mug"}));
    assert_eq!(spun.body["points"], 15);
    assert_eq!(spun.body["spent"], 10);
    assert_eq!(spun.body["spins_left"], 4);
    assert_eq!(spun.body["stock"], json!([{"id": "mug", "stock": 1}]));
    assert_eq!(spun.body["seed_hash"].as_str().unwrap().len(), 64);

    let token = server.token("alice");
    let mine = server.get(&path("wheel"), &token).await;
    assert_eq!(mine.body["spins_left"], 4);
    assert_eq!(mine.body["points"], 15);
    assert_eq!(mine.body["prizes"][0]["stock"], 1);
    assert_eq!(mine.body["my_spins"][0]["spin"], 1);
    assert_eq!(mine.body["my_spins"][0]["prize"]["id"], "mug");
    let me = server.get("/api/v1/sites/forum/me", &token).await;
    assert_eq!(me.body["ledger"][0]["source"], "spin");
    assert_eq!(me.body["ledger"][0]["amount"], -10);
    assert_eq!(me.body["ledger"][0]["key"], "spin:wheel:1");

    let second = spin(&server, "wheel", "alice").await;
    assert_eq!(second.body["spin"], 2);
    assert_eq!(second.body["points"], 5);
    // Every prize is gone and there is no no-prize slot.
    let before = counts(&server).await;
    let sold_out = spin(&server, "wheel", "bob").await;
    assert_eq!(sold_out.status, StatusCode::CONFLICT);
    assert_eq!(sold_out.code(), "lottery_sold_out");
    assert_eq!(counts(&server).await, before);
}

#[tokio::test]
async fn refused_spins_store_nothing() {
    let server = TestServer::new().await;
    let created = admin(&server, ADMIN, &wheel(json!({}))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    server.award("alice", 5, "gift").await;
    server.award("bob", 100, "gift").await;
    let start = counts(&server).await;
    let check = |answer: Answer, status: StatusCode, code: &str| {
        assert_eq!(answer.status, status, "{:?}", answer.body);
        assert_eq!(answer.code(), code);
    };
    // Created but not opened by the owner.
    check(
        spin(&server, "wheel", "bob").await,
        StatusCode::CONFLICT,
        "lottery_not_open",
    );
    admin(&server, &format!("{ADMIN}/wheel/open"), &json!({})).await;
    check(
        spin(&server, "wheel", "alice").await,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_points",
    );
    check(
        spin(&server, "nope", "bob").await,
        StatusCode::NOT_FOUND,
        "lottery_not_found",
    );
    check(
        spin(&server, "Not-A-Slug", "bob").await,
        StatusCode::NOT_FOUND,
        "lottery_not_found",
    );
    let no_token = server
        .call(
            Method::POST,
            &format!("{}/spins", path("wheel")),
            None,
            None,
        )
        .await;
    check(no_token, StatusCode::UNAUTHORIZED, "missing_token");
    // Opened, but before opens_at.
    let later = wheel(json!({"id": "later", "opens_at": "2026-11-25T00:00:00Z"}));
    create_open(&server, later).await;
    check(
        spin(&server, "later", "bob").await,
        StatusCode::CONFLICT,
        "lottery_not_open",
    );
    // A giveaway is entered, not spun; a wheel is spun, not entered.
    let giveaway = wheel(json!({"id": "raffle", "mode": "giveaway", "prizes": []}));
    create_open(&server, giveaway).await;
    check(
        spin(&server, "raffle", "bob").await,
        StatusCode::CONFLICT,
        "lottery_is_giveaway",
    );
    check(
        enter(&server, "wheel", "bob").await,
        StatusCode::CONFLICT,
        "lottery_is_wheel",
    );
    close(&server, "wheel").await;
    check(
        spin(&server, "wheel", "bob").await,
        StatusCode::CONFLICT,
        "lottery_closed",
    );
    assert_eq!(counts(&server).await, start);
    let closed = proof(&server, "later").await;
    check(closed, StatusCode::CONFLICT, "lottery_not_closed");
}

#[tokio::test]
async fn the_daily_limit_follows_the_site_day() {
    let server = TestServer::new().await;
    create_open(&server, wheel(json!({"cost": 0, "daily_spins": 2}))).await;
    for _ in 0..2 {
        assert_eq!(spin(&server, "wheel", "alice").await.status, StatusCode::OK);
    }
    let over = spin(&server, "wheel", "alice").await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    assert_eq!(over.code(), "daily_limit_reached");
    // 2026-11-20T15:59Z is still the 20th in Shanghai; 16:00Z is the 21st.
    server.set_now("2026-11-20T15:59:00Z");
    assert_eq!(
        spin(&server, "wheel", "alice").await.code(),
        "daily_limit_reached"
    );
    server.set_now("2026-11-20T16:00:00Z");
    let next_day = spin(&server, "wheel", "alice").await;
    assert_eq!(next_day.status, StatusCode::OK, "{:?}", next_day.body);
    assert_eq!(next_day.body["spin"], 3);
    assert_eq!(next_day.body["spins_left"], 1);
}

/// A hundred members spin at once on a wheel whose only prize has ten in stock: exactly ten win.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_spins_never_oversell() {
    let server = Arc::new(TestServer::new().await);
    let body = wheel(json!({
        "cost": 0,
        "prizes": [{"id": "mug", "name": "Mug", "weight": 1000, "stock": 10}],
        "no_prize_weight": 1,
    }));
    create_open(&server, body).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            spin(&server, "wheel", &format!("member-{i}")).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        won += usize::from(!answer.body["prize"].is_null());
    }
    assert_eq!(won, 10);
    assert_eq!(server.count(CountedTable::LotterySpins).await, 100);
    let view = anonymous(&server, &path("wheel")).await;
    assert_eq!(view.body["prizes"][0]["stock"], 0);
    close(&server, "wheel").await;
    let published: LotteryProof =
        serde_json::from_value(proof(&server, "wheel").await.body).unwrap();
    assert_eq!(published.spins.len(), 100);
    let report = verify_proof(&published);
    assert!(report.passed(), "{:?}", report.mismatches);
    server.assert_ledger_balanced().await;
}

/// A member with points for exactly one spin sends five at once: one spin, never a negative
/// balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_spins_spend_points_once() {
    let server = Arc::new(TestServer::new().await);
    create_open(&server, wheel(json!({}))).await;
    server.award("alice", 10, "gift").await;
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            spin(&server, "wheel", "alice").await
        }));
    }
    let mut statuses = BTreeMap::new();
    for task in tasks {
        let answer = task.await.unwrap();
        *statuses
            .entry((answer.status.as_u16(), answer.code().to_owned()))
            .or_insert(0) += 1;
    }
    assert_eq!(
        statuses,
        BTreeMap::from([
            ((200, "<no error code>".to_owned()), 1),
            ((402, "insufficient_points".to_owned()), 4),
        ])
    );
    let token = server.token("alice");
    assert_eq!(server.get(&path("wheel"), &token).await.body["points"], 0);
    assert_eq!(server.count(CountedTable::LotterySpins).await, 1);
    assert_eq!(server.count(CountedTable::Ledger).await, 2);
    server.assert_ledger_balanced().await;
}

/// Ten spins at once by a member allowed three a day: three spins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daily_limit_holds_under_concurrency() {
    let server = Arc::new(TestServer::new().await);
    create_open(&server, wheel(json!({"cost": 0, "daily_spins": 3}))).await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            spin(&server, "wheel", "alice").await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::OK => ok += 1,
            _ => assert_eq!(answer.code(), "daily_limit_reached"),
        }
    }
    assert_eq!(ok, 3);
    assert_eq!(server.count(CountedTable::LotterySpins).await, 3);
    server.assert_ledger_balanced().await;
}

/// No answer of any route shows the seed before close; after close the proof has it, it hashes
/// to the published hash, and every outcome recomputes.
#[tokio::test]
async fn the_seed_stays_secret_until_close() {
    let server = TestServer::new().await;
    let mut answers = Vec::new();
    answers.push(admin(&server, ADMIN, &wheel(json!({"cost": 0}))).await);
    let giveaway = wheel(json!({"id": "raffle", "mode": "giveaway", "prizes": [], "cost": 0}));
    answers.push(admin(&server, ADMIN, &giveaway).await);
    for lottery in ["wheel", "raffle"] {
        answers.push(admin(&server, &format!("{ADMIN}/{lottery}/open"), &json!({})).await);
    }
    let seeds = [
        stored_seed(&server, "wheel").await,
        stored_seed(&server, "raffle").await,
    ];
    let token = server.token("alice");
    for member in ["alice", "bob", "alice"] {
        answers.push(spin(&server, "wheel", member).await);
        answers.push(enter(&server, "raffle", member).await);
    }
    for lottery in ["wheel", "raffle"] {
        answers.push(anonymous(&server, &path(lottery)).await);
        answers.push(server.get(&path(lottery), &token).await);
        answers.push(proof(&server, lottery).await);
        answers.push(admin(&server, &format!("{ADMIN}/{lottery}/open"), &json!({})).await);
    }
    answers.push(server.get("/api/v1/sites/forum/me", &token).await);
    for answer in &answers {
        let text = answer.body.to_string();
        for seed in &seeds {
            assert!(!text.contains(seed.as_str()), "seed leaked in {text}");
        }
    }

    for (lottery, seed) in ["wheel", "raffle"].into_iter().zip(&seeds) {
        let closed = close(&server, lottery).await;
        assert_eq!(closed.body["seed"], seed.as_str());
        let published = proof(&server, lottery).await;
        assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
        assert_eq!(published.body["seed"], seed.as_str());
        assert_eq!(published.body["seed_hash"], sha256_hex(seed).as_str());
        let published: LotteryProof = serde_json::from_value(published.body).unwrap();
        let report = verify_proof(&published);
        assert!(report.passed(), "{:?}", report.mismatches);
    }
}

#[tokio::test]
async fn a_giveaway_collects_entries_and_draws_winners_at_close() {
    let server = TestServer::new().await;
    let giveaway = wheel(json!({
        "id": "raffle", "mode": "giveaway", "winners": 2, "cost": 5,
        "prizes": [{"id": "ticket", "name": "Conference ticket", "weight": 0, "stock": 2}],
    }));
    create_open(&server, giveaway).await;
    for member in ["alice", "bob", "mei", "lin"] {
        server.award(member, 5, "gift").await;
    }
    let first = enter(&server, "raffle", "alice").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(
        first.body,
        json!({"entered": true, "already": false, "entrants": 1, "points": 0, "spent": 5,
               "badges": []})
    );
    let again = enter(&server, "raffle", "alice").await;
    assert_eq!(again.body["already"], true);
    assert_eq!(again.body["spent"], 0);
    assert_eq!(again.body["entrants"], 1);
    for member in ["bob", "mei", "lin"] {
        assert_eq!(
            enter(&server, "raffle", member).await.status,
            StatusCode::OK
        );
    }
    let poor = enter(&server, "raffle", "xiaoming").await;
    assert_eq!(poor.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(poor.code(), "insufficient_points");
    let token = server.token("alice");
    let mine = server.get(&path("raffle"), &token).await;
    assert_eq!(mine.body["entered"], true);
    assert_eq!(mine.body["entrants"], 4);
    assert!(mine.body.get("drawn_winners").is_none());
    assert!(mine.body.get("spins_left").is_none());

    let closed = close(&server, "raffle").await;
    let winners = closed.body["drawn_winners"].as_array().unwrap();
    assert_eq!(winners.len(), 2);
    assert!(winners[0]["name"].as_str().unwrap().starts_with("Name of "));
    let late = enter(&server, "raffle", "xiaoming").await;
    assert_eq!(late.code(), "lottery_closed");
    let published = proof(&server, "raffle").await;
    assert_eq!(
        published.body["entrants"],
        json!(["alice", "bob", "mei", "lin"])
    );
    assert_eq!(published.body["drawn_winners"][0], winners[0]["member"]);
    let mut published: LotteryProof = serde_json::from_value(published.body).unwrap();
    assert!(verify_proof(&published).passed());
    published.drawn_winners.reverse();
    assert!(!verify_proof(&published).passed());
    assert_eq!(server.count(CountedTable::LotteryEntries).await, 4);
}

/// The first read after the close time closes the lottery: seed revealed, proof published.
#[tokio::test]
async fn a_lottery_closes_at_its_close_time() {
    let server = TestServer::new().await;
    create_open(&server, wheel(json!({"cost": 0}))).await;
    spin(&server, "wheel", "alice").await;
    let early = proof(&server, "wheel").await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.code(), "lottery_not_closed");
    server.set_now("2026-12-01T00:00:00Z");
    assert_eq!(spin(&server, "wheel", "bob").await.code(), "lottery_closed");
    let published = proof(&server, "wheel").await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
    assert_eq!(published.body["spins"].as_array().unwrap().len(), 1);
    let view = anonymous(&server, &path("wheel")).await;
    assert_eq!(view.body["status"], "closed");
    assert_eq!(view.body["closed_at"], "2026-12-01T00:00:00Z");
    assert_eq!(view.body["seed"], published.body["seed"]);
}

/// `verify-lottery` recomputes a published proof: exit 0 when it matches, non-zero naming each
/// mismatch when an outcome or the seed was changed.
#[tokio::test]
async fn verify_lottery_checks_a_published_proof() {
    let server = TestServer::new().await;
    create_open(&server, wheel(json!({"cost": 0}))).await;
    for member in ["alice", "bob", "alice", "mei"] {
        spin(&server, "wheel", member).await;
    }
    close(&server, "wheel").await;
    let published = proof(&server, "wheel").await.body;
    let dir = tempfile::TempDir::new().unwrap();
    let run = |proof: &Value, json: bool| {
        let file = dir.path().join("proof.json");
        std::fs::write(&file, proof.to_string()).unwrap();
        let mut args = vec!["verify-lottery", file.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        std::process::Command::new(env!("CARGO_BIN_EXE_engage-server"))
            .args(&args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let honest = run(&published, false);
    let text = String::from_utf8_lossy(&honest.stdout);
    assert!(honest.status.success(), "{text}");
    assert!(text.contains("4 spins"), "{text}");

    let mut tampered = published.clone();
    let first = tampered["spins"][0]["prize"].clone();
    tampered["spins"][0]["prize"] = if first.is_null() {
        json!("keyboard")
    } else {
        Value::Null
    };
    let caught = run(&tampered, true);
    assert!(!caught.status.success());
    let report: Value = serde_json::from_slice(&caught.stdout).unwrap();
    assert_eq!(report["mismatches"][0]["kind"], "spin");
    assert_eq!(report["mismatches"][0]["seq"], 1);
    assert_eq!(report["mismatches"][0]["member"], "alice");
    assert_eq!(
        report["mismatches"][0]["published"],
        tampered["spins"][0]["prize"]
    );

    let mut other_seed = published.clone();
    other_seed["seed"] = json!("00".repeat(32));
    let caught = run(&other_seed, false);
    assert!(!caught.status.success());
    let text = String::from_utf8_lossy(&caught.stdout);
    assert!(text.contains("seed_hash"), "{text}");
}

#[tokio::test]
async fn the_openapi_document_describes_lotteries() {
    let server = TestServer::new().await;
    let document = anonymous(&server, "/api/v1/openapi.json").await.body;
    for (path, method, statuses) in [
        (
            "/api/v1/sites/{site}/lotteries/{lottery}",
            "get",
            &["200", "404"][..],
        ),
        (
            "/api/v1/sites/{site}/lotteries/{lottery}/spins",
            "post",
            &["200", "401", "402", "404", "409"],
        ),
        (
            "/api/v1/sites/{site}/lotteries/{lottery}/entries",
            "post",
            &["200", "402", "409"],
        ),
        (
            "/api/v1/sites/{site}/lotteries/{lottery}/proof",
            "get",
            &["200", "409"],
        ),
        (
            "/api/v1/admin/sites/{site}/lotteries",
            "post",
            &["201", "409", "422"],
        ),
        (
            "/api/v1/admin/sites/{site}/lotteries/{lottery}/open",
            "post",
            &["200", "409"],
        ),
        (
            "/api/v1/admin/sites/{site}/lotteries/{lottery}/close",
            "post",
            &["200"],
        ),
    ] {
        let responses = &document["paths"][path][method]["responses"];
        for status in statuses {
            assert!(responses.get(status).is_some(), "{method} {path} {status}");
        }
    }
    for schema in [
        "CreateLottery",
        "LotteryView",
        "SpinResult",
        "EntryResult",
        "LotteryProof",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}
