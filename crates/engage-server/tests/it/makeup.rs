use axum::http::StatusCode;
use engage_server::store::CountedTable;
use serde_json::json;

use crate::TestServer;

const MAKEUP: &str = "/api/v1/sites/forum/checkin/makeup";

async fn make_up(server: &TestServer, member: &str, date: &str) -> crate::Answer {
    let body = json!({ "date": date }).to_string();
    server
        .post(MAKEUP, &server.token(member), Some(&body))
        .await
}

#[tokio::test]
async fn a_make_up_repairs_the_streak_and_spends_points() {
    let server = TestServer::new().await;
    server.award("alice", 100, "welcome").await;
    server.set_now("2026-11-18T02:00:00Z");
    server.check_in("alice").await;
    server.set_now("2026-11-20T02:00:00Z");
    let today = server.check_in("alice").await;
    assert_eq!(today.body["streak"], 1);
    // Only days after the first check-in count as missed.
    assert_eq!(today.body["makeup"]["missed"], json!(["2026-11-19"]));
    assert_eq!(today.body["makeup"]["cost"], 30);

    let repaired = make_up(&server, "alice", "2026-11-19").await;
    assert_eq!(repaired.status, StatusCode::OK, "{:?}", repaired.body);
    assert_eq!(repaired.body["spent"], 30);
    assert_eq!(repaired.body["streak"], 3);
    assert_eq!(repaired.body["points"], 100 + 10 + 10 - 30);
    assert_eq!(
        repaired.body["month"],
        json!(["2026-11-18", "2026-11-19", "2026-11-20"])
    );

    // A repeat is refused and spends nothing.
    let again = make_up(&server, "alice", "2026-11-19").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_checked_in");
    let me = server
        .get("/api/v1/sites/forum/me", &server.token("alice"))
        .await;
    assert_eq!(me.body["points"], 90);
    assert_eq!(me.body["ledger"][0]["source"], "makeup");
    assert_eq!(me.body["ledger"][0]["amount"], -30);
    assert_eq!(me.body["ledger"][0]["key"], "makeup:2026-11-19");
}

#[tokio::test]
async fn refused_make_ups() {
    let server = TestServer::new().await;
    server.set_now("2026-11-13T02:00:00Z");
    server.check_in("alice").await;
    server.set_now("2026-11-20T02:00:00Z");
    server.check_in("alice").await;
    let cases = [
        ("2026-11-19", StatusCode::CONFLICT, "insufficient_points"),
        (
            "2026-11-20",
            StatusCode::UNPROCESSABLE_ENTITY,
            "makeup_not_past",
        ),
        (
            "2026-11-21",
            StatusCode::UNPROCESSABLE_ENTITY,
            "makeup_not_past",
        ),
        (
            "2026-11-12",
            StatusCode::UNPROCESSABLE_ENTITY,
            "makeup_outside_window",
        ),
    ];
    for (date, status, code) in cases {
        let answer = make_up(&server, "alice", date).await;
        assert_eq!(answer.status, status, "{date}");
        assert_eq!(answer.code(), code, "{date}");
    }
    assert_eq!(server.count(CountedTable::Checkins).await, 2);
    assert_eq!(server.count(CountedTable::Ledger).await, 2);
}

#[tokio::test]
async fn days_before_the_first_check_in_cannot_be_made_up() {
    let server = TestServer::new().await;
    server.award("alice", 100, "welcome").await;
    let refused = make_up(&server, "alice", "2026-11-19").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "makeup_before_first_checkin");
    let state = server.check_in("alice").await;
    assert_eq!(state.body["makeup"]["missed"], json!([]));
    assert_eq!(server.count(CountedTable::Checkins).await, 1);
}

#[tokio::test]
async fn make_ups_follow_the_rules() {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[checkin.makeup]\nenabled = true\nwindow_days = 7\ncost = 5\nmax_per_month = 1\n",
        )
        .await;
    server.award("alice", 50, "welcome").await;
    server.set_now("2026-11-14T02:00:00Z");
    server.check_in("alice").await;
    server.set_now("2026-11-20T02:00:00Z");
    assert_eq!(
        make_up(&server, "alice", "2026-11-18").await.status,
        StatusCode::OK
    );
    let limited = make_up(&server, "alice", "2026-11-17").await;
    assert_eq!(limited.status, StatusCode::CONFLICT);
    assert_eq!(limited.code(), "makeup_monthly_limit");

    server
        .install_rules("[checkin.makeup]\nenabled = false\n")
        .await;
    let disabled = make_up(&server, "alice", "2026-11-16").await;
    assert_eq!(disabled.status, StatusCode::FORBIDDEN);
    assert_eq!(disabled.code(), "makeup_disabled");
    let state = server
        .get("/api/v1/sites/forum/checkin", &server.token("alice"))
        .await;
    assert_eq!(state.body["makeup"], serde_json::Value::Null);
}
