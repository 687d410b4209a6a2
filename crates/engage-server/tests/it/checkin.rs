use std::collections::BTreeSet;

use axum::http::StatusCode;
use engage_server::store::CountedTable;
use serde_json::json;

use crate::TestServer;

#[tokio::test]
async fn check_in_flow() {
    let server = TestServer::new().await;
    let token = server.token("alice");
    let before = server.get("/api/v1/sites/forum/checkin", &token).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    assert_eq!(before.body["date"], "2026-11-20");
    assert_eq!(before.body["checked_in"], false);
    assert_eq!(before.body["streak"], 0);
    assert_eq!(before.body["points"], 0);
    assert_eq!(before.body["month_of"], "2026-11");
    assert_eq!(before.body["points_per_checkin"], 10);
    assert_eq!(
        before.body["next_milestone"],
        json!({"day": 7, "bonus": 50})
    );

    let first = server
        .post("/api/v1/sites/forum/checkin", &token, None)
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["checked_in"], true);
    assert_eq!(first.body["already"], false);
    assert_eq!(first.body["awarded"], 10);
    assert_eq!(first.body["points"], 10);
    assert_eq!(first.body["streak"], 1);
    assert_eq!(first.body["total_checkins"], 1);
    assert_eq!(first.body["month"], json!(["2026-11-20"]));

    let again = server
        .post("/api/v1/sites/forum/checkin", &token, None)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["already"], true);
    assert_eq!(again.body["awarded"], 0);
    assert_eq!(again.body["points"], 10);

    let me = server.get("/api/v1/sites/forum/me", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["member"], "alice");
    assert_eq!(me.body["name"], "Name of alice");
    assert_eq!(me.body["points"], 10);
    assert_eq!(me.body["level"], 1);
    assert_eq!(me.body["title"], "Newcomer");
    assert_eq!(me.body["next_level"]["min_points"], 100);
    assert_eq!(me.body["badges"], json!([]));
    let ledger = me.body["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["source"], "checkin");
    assert_eq!(ledger[0]["amount"], 10);
    assert_eq!(ledger[0]["key"], "checkin:2026-11-20");
    assert_eq!(ledger[0]["at"], "2026-11-20T02:00:00Z");
}

#[tokio::test]
async fn days_follow_the_site_time_zone() {
    let server = TestServer::new().await;
    // 23:59 on the 20th in Shanghai, then 00:01 on the 21st: two days, two minutes apart.
    server.set_now("2026-11-20T15:59:00Z");
    let late = server.check_in("alice").await;
    assert_eq!(late.body["date"], "2026-11-20");
    assert_eq!(late.body["awarded"], 10);
    server.set_now("2026-11-20T16:01:00Z");
    let early = server.check_in("alice").await;
    assert_eq!(early.body["date"], "2026-11-21");
    assert_eq!(early.body["already"], false);
    assert_eq!(early.body["streak"], 2);
    assert_eq!(early.body["points"], 20);
}

#[tokio::test]
async fn streak_reaches_a_milestone_and_breaks_on_a_missed_day() {
    let server = TestServer::new().await;
    let mut awards = Vec::new();
    for day in 1..=7 {
        server.set_now(&format!("2026-11-{day:02}T02:00:00Z"));
        let answer = server.check_in("bob").await;
        assert_eq!(answer.body["streak"], day);
        awards.push(answer.body["awarded"].as_i64().unwrap());
    }
    assert_eq!(awards, [10, 10, 10, 10, 10, 10, 60]);
    // The 8th is missed: on the 8th the streak is still open, on the 9th it is broken.
    server.set_now("2026-11-08T02:00:00Z");
    let open = server
        .get("/api/v1/sites/forum/checkin", &server.token("bob"))
        .await;
    assert_eq!(open.body["streak"], 7);
    assert_eq!(
        open.body["next_milestone"],
        json!({"day": 30, "bonus": 200})
    );
    server.set_now("2026-11-09T02:00:00Z");
    let broken = server.check_in("bob").await;
    assert_eq!(broken.body["streak"], 1);
    assert_eq!(broken.body["longest_streak"], 7);
    assert_eq!(broken.body["points"], 130);
}

#[tokio::test]
async fn month_query_shows_another_month() {
    let server = TestServer::new().await;
    server.set_now("2026-10-31T02:00:00Z");
    server.check_in("alice").await;
    server.set_now("2026-11-01T02:00:00Z");
    server.check_in("alice").await;
    let token = server.token("alice");
    let october = server
        .get("/api/v1/sites/forum/checkin?month=2026-10", &token)
        .await;
    assert_eq!(october.body["month_of"], "2026-10");
    assert_eq!(october.body["month"], json!(["2026-10-31"]));
    assert_eq!(october.body["streak"], 2);
    let bad = server
        .get("/api/v1/sites/forum/checkin?month=2026-13", &token)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "invalid_query");
}

#[tokio::test]
async fn rules_set_points_milestones_and_daily_caps() {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[checkin]\npoints = 25\nmilestones = [{ day = 2, bonus = 100 }]\n\
             [points.daily_caps]\ncheckin = 40\n",
        )
        .await;
    server.set_now("2026-11-01T02:00:00Z");
    assert_eq!(server.check_in("alice").await.body["awarded"], 25);
    server.set_now("2026-11-02T02:00:00Z");
    // 25 + 100 is cut to the daily cap of 40.
    let capped = server.check_in("alice").await;
    assert_eq!(capped.body["awarded"], 40);
    assert_eq!(capped.body["points"], 65);
    assert_eq!(capped.body["points_per_checkin"], 25);
}

/// Fifty simultaneous check-ins of one member on one day: one check-in, one award, no errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_check_ins_award_exactly_once() {
    let server = std::sync::Arc::new(TestServer::new().await);
    let token = server.token("alice");
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let server = server.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            server
                .post("/api/v1/sites/forum/checkin", &token, None)
                .await
        }));
    }
    let mut awarded = 0;
    let mut statuses = BTreeSet::new();
    for task in tasks {
        let answer = task.await.unwrap();
        statuses.insert(answer.status.as_u16());
        awarded += answer.body["awarded"].as_i64().unwrap_or(0);
        assert_eq!(answer.body["points"], 10, "{:?}", answer.body);
    }
    assert_eq!(statuses, BTreeSet::from([200]));
    assert_eq!(awarded, 10);
    assert_eq!(server.count(CountedTable::Checkins).await, 1);
    assert_eq!(server.count(CountedTable::Ledger).await, 1);
    let me = server.get("/api/v1/sites/forum/me", &token).await;
    assert_eq!(me.body["points"], 10);
    server.assert_ledger_balanced().await;
}
