//! `engage-server import`: a history file validated whole (a bad line names its line and field
//! and nothing is stored), applied idempotently, balances never below zero, ledger entries dated
//! by their records, badges and leaderboards following; and the analytics over what it brought.

use axum::http::StatusCode;
use clap::Parser;
use engage_core::SiteId;
use engage_server::cli::{Cli, CliError, run};
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::cli::{engage_server, text};
use crate::{API_KEY, TestServer};

const RULES: &str = r#"
[[badges]]
id = "regular"
name = "Regular"
criteria = { checkins = 3 }
"#;

/// Every table an import writes, counted for `forum`.
const TABLES: [CountedTable; 7] = [
    CountedTable::Members,
    CountedTable::Checkins,
    CountedTable::Ledger,
    CountedTable::HostEvents,
    CountedTable::MemberDays,
    CountedTable::MemberBadges,
    CountedTable::AuditLog,
];

/// A history of two members over a week of March 2026 (forum's days are Shanghai's).
fn history() -> String {
    [
        json!({"type": "member", "member": "alice", "name": "Alice 爱丽丝", "joined_at": "2025-12-01T00:00:00Z"}),
        json!({"type": "member", "member": "bob", "name": "Bob", "joined_at": "2026-01-10T08:00:00Z"}),
        json!({"type": "visit", "member": "alice", "date": "2026-03-02"}),
        json!({"type": "checkin", "member": "alice", "date": "2026-03-02", "points": 10}),
        json!({"type": "checkin", "member": "alice", "date": "2026-03-03", "points": 10}),
        json!({"type": "checkin", "member": "alice", "date": "2026-03-04"}),
        json!({"type": "visit", "member": "bob", "date": "2026-03-03"}),
        // 2026-03-03T16:30Z is 03-04 00:30 in Shanghai.
        json!({"type": "points", "member": "bob", "amount": 50, "at": "2026-03-03T16:30:00Z", "key": "legacy-1", "reason": "old forum balance"}),
        json!({"type": "points", "member": "bob", "amount": -20, "at": "2026-03-05T02:00:00Z", "key": "legacy-2"}),
        json!({"type": "event", "member": "bob", "kind": "post", "at": "2026-03-09T01:00:00Z", "idempotency_key": "post-77", "points": 5}),
        json!({"type": "visit", "member": "carol", "date": "2026-03-09"}),
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}

/// Runs `import` in this process; the report it printed, or its error.
async fn import(server: &TestServer, file: &str, extra: &[&str]) -> Result<Value, CliError> {
    let path = server._dir.path().join("history.jsonl");
    std::fs::write(&path, file).unwrap();
    let db = server._dir.path().join("engage.sqlite");
    let mut args = vec![
        "engage-server",
        "import",
        "--db",
        db.to_str().unwrap(),
        "--site",
        "forum",
        path.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let mut out = Vec::new();
    run(Cli::parse_from(args), &mut out).await?;
    Ok(serde_json::from_slice(&out).unwrap())
}

async fn counts(server: &TestServer) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(server.count(table).await);
    }
    counts
}

#[tokio::test]
async fn history_is_imported_and_counted() {
    let server = TestServer::new().await;
    server.install_rules(RULES).await;
    let report = import(&server, &history(), &[]).await.unwrap();
    assert_eq!(
        report,
        json!({"dry_run": false, "lines": 11, "members": 2, "visits": 3, "checkins": 3,
               "points": 2, "events": 1, "unchanged": 0})
    );
    server.assert_ledger_balanced().await;
    assert_eq!(server.count(CountedTable::Members).await, 3);

    // Balances, names, badges and ledger dates as the records give them.
    let alice = server
        .get("/api/v1/sites/forum/me", &server.token("alice"))
        .await;
    assert_eq!(alice.body["points"], 20);
    assert_eq!(
        alice.body["name"], "Name of alice",
        "the token's name wins when she visits"
    );
    assert_eq!(alice.body["badges"][0]["id"], "regular");
    let bob = server
        .get("/api/v1/sites/forum/me", &server.token("bob"))
        .await;
    assert_eq!(bob.body["points"], 35);
    let ats: Vec<&str> = bob.body["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["at"].as_str().unwrap())
        .collect();
    assert_eq!(
        ats,
        [
            "2026-03-09T01:00:00Z",
            "2026-03-05T02:00:00Z",
            "2026-03-03T16:30:00Z"
        ]
    );
    let sources: Vec<&str> = bob.body["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["host_event", "import", "import"]);
    // The all-time leaderboard follows.
    let board = server
        .get(
            "/api/v1/sites/forum/leaderboard?period=all",
            &server.token("bob"),
        )
        .await;
    assert_eq!(board.body["top"][0]["member"], "bob");
    assert_eq!(board.body["top"][0]["points"], 55);
    assert_eq!(board.body["top"][1]["member"], "alice");

    // The analytics of the week of 03-02 and the next day.
    let answer = server
        .get(
            "/api/v1/admin/sites/forum/analytics?from=2026-03-02&to=2026-03-09",
            API_KEY,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let view = answer.body;
    let row = |i: usize| {
        let day = &view["days"][i];
        [
            "dau",
            "wau",
            "mau",
            "engaged",
            "new_members",
            "checkins",
            "points_issued",
            "points_spent",
        ]
        .map(|field| day[field].as_i64().unwrap())
    };
    assert_eq!(view["days"][0]["date"], "2026-03-02");
    assert_eq!(row(0), [1, 1, 1, 1, 1, 1, 10, 0]);
    assert_eq!(row(1), [2, 2, 2, 1, 1, 1, 10, 0]);
    // bob's 50 points are on 03-04 in Shanghai; a `points` record is not activity.
    assert_eq!(row(2), [1, 2, 2, 1, 0, 1, 50, 0]);
    assert_eq!(row(3), [0, 2, 2, 0, 0, 0, 0, 20]);
    assert_eq!(row(7), [2, 3, 3, 1, 1, 0, 5, 0]);
    assert_eq!(
        view["participation"],
        json!({"checkin": 1, "poll": 0, "lottery": 0, "feedback": 0, "host_event": 1, "rewards": 0})
    );
    assert_eq!(
        view["retention"]["cohorts"],
        json!([
            {"week": "2026-03-02", "size": 2, "retained": [2, 1]},
            {"week": "2026-03-09", "size": 1, "retained": [1]},
        ])
    );
    assert_eq!(view["top_badges"], json!([]), "earned today, not in March");
    let import_source = view["points_by_source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["source"] == "import")
        .unwrap();
    assert_eq!(
        import_source,
        &json!({"source": "import", "issued": 50, "spent": 20})
    );

    // Audited as the command line's.
    let audit = server.get("/api/v1/admin/sites/forum/audit", API_KEY).await;
    let entry = &audit.body["entries"][0];
    assert_eq!(entry["action"], "import");
    assert_eq!(entry["actor"]["kind"], "cli");
    assert_eq!(entry["detail"]["checkins"], 3);
}

#[tokio::test]
async fn importing_again_changes_nothing() {
    let server = TestServer::new().await;
    server.install_rules(RULES).await;
    let dry = import(&server, &history(), &["--dry-run"]).await.unwrap();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["checkins"], 3);
    assert_eq!(counts(&server).await, [0; 7], "a dry run writes nothing");
    import(&server, &history(), &[]).await.unwrap();
    let after_first = counts(&server).await;
    let again = import(&server, &history(), &[]).await.unwrap();
    assert_eq!(
        again,
        json!({"dry_run": false, "lines": 11, "members": 0, "visits": 0, "checkins": 0,
               "points": 0, "events": 0, "unchanged": 11})
    );
    assert_eq!(
        counts(&server).await,
        after_first,
        "not even an audit entry"
    );
    server.assert_ledger_balanced().await;
    // A live check-in and host event are the same facts as imported ones of the same keys.
    server.set_now("2026-03-02T02:00:00Z");
    let live = server.check_in("alice").await;
    assert_eq!(live.body["already"], true, "{:?}", live.body);
    let event = json!({"member": "bob", "kind": "post", "idempotency_key": "post-77", "points": 5});
    let repeated = server
        .call_with_key("/api/v1/sites/forum/events", API_KEY, &event.to_string())
        .await;
    assert_eq!(repeated.body["duplicate"], true, "{:?}", repeated.body);
}

#[tokio::test]
async fn a_bad_line_stores_nothing() {
    let server = TestServer::new().await;
    let mut file = history();
    file.push_str("{\"type\": \"checkin\", \"member\": \"dave\", \"date\": \"2026-02-30\"}\n");
    file.push_str("{\"type\": \"visit\", \"member\": \"dave\"}\n");
    let error = import(&server, &file, &[]).await.unwrap_err().to_string();
    assert!(
        error.contains("line 12: date: '2026-02-30' is not a date"),
        "{error}"
    );
    assert!(error.contains("line 13: date: missing"), "{error}");
    assert_eq!(counts(&server).await, [0; 7]);
}

#[tokio::test]
async fn a_balance_never_goes_below_zero() {
    let server = TestServer::new().await;
    let file = [
        json!({"type": "points", "member": "erin", "amount": 5, "at": "2026-03-01T00:00:00Z", "key": "a"}),
        json!({"type": "visit", "member": "erin", "date": "2026-03-01"}),
        json!({"type": "points", "member": "erin", "amount": -6, "at": "2026-03-02T00:00:00Z", "key": "b"}),
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect::<String>();
    let error = import(&server, &file, &[]).await.unwrap_err().to_string();
    assert!(
        error.contains("line 3: amount: -6 would take the member's balance of 5 below zero"),
        "{error}"
    );
    assert_eq!(counts(&server).await, [0; 7]);
    // A live balance counts too: with 10 points awarded first, the file fits.
    server.award("erin", 10, "live").await;
    import(&server, &file, &[]).await.unwrap();
    let me = server
        .get("/api/v1/sites/forum/me", &server.token("erin"))
        .await;
    assert_eq!(me.body["points"], 9);
    server.assert_ledger_balanced().await;
}

/// The real binary exits non-zero and says which line is wrong.
#[test]
fn the_command_reports_the_line_and_exits_non_zero() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let added = engage_server(&[
        "site",
        "add",
        "--db",
        db,
        "--id",
        "forum",
        "--origin",
        "https://forum.example.com",
        "--json",
    ]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let file = dir.path().join("history.jsonl");
    std::fs::write(
        &file,
        "{\"type\":\"visit\",\"member\":\"a\",\"date\":\"2026-03-01\"}\n{\"type\":\"vist\"}\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let refused = engage_server(&["import", "--db", db, "--site", "forum", file, "--json"]);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("line 2: type: unknown record type 'vist'"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty());
    std::fs::write(
        file,
        "{\"type\":\"visit\",\"member\":\"a\",\"date\":\"2026-03-01\"}\n",
    )
    .unwrap();
    let done = engage_server(&["import", "--db", db, "--site", "forum", file, "--json"]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    let report: Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(report["visits"], 1);
    let _ = SiteId::parse("forum").unwrap();
}
