//! CSV exports (issue 10): every table downloaded and read back with the `csv` crate — the
//! byte order mark, the header, RFC 4180 quoting of commas, quotes and line breaks, Chinese text,
//! formula neutralisation — refusals, the audit entry, each page read along an index, and a
//! large ledger (a million rows under `cargo xtask test`) streamed page by page.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use engage_core::SiteId;
use engage_core::jiff::civil::date;
use engage_server::router;
use engage_server::store::{EXPORT_PAGE_ROWS, ExportTable};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::audit::{audit_entries, expect, owner};
use crate::polls::{Who, send};
use crate::{API_KEY, TestServer};

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

fn export_path(table: &str) -> String {
    format!("/api/v1/admin/sites/forum/export/{table}.csv")
}

/// Downloads `path` with the API key; answers the status, headers and the body's chunks as
/// they came.
async fn download(server: &TestServer, path: &str) -> (StatusCode, HeaderMap, Vec<Bytes>) {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .body(Body::empty())
        .unwrap();
    let response = router(server.state.clone()).oneshot(request).await.unwrap();
    let (parts, mut body) = response.into_parts();
    let mut chunks = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            chunks.push(data);
        }
    }
    (parts.status, parts.headers, chunks)
}

/// A table's export read back: its header row and its rows, after checking the answer's headers
/// and byte order mark.
async fn export(server: &TestServer, table: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let (status, headers, chunks) = download(server, &export_path(table)).await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"forum-{table}.csv\"").as_str()
    );
    let bytes: Vec<u8> = chunks.concat();
    let csv = bytes
        .strip_prefix(UTF8_BOM)
        .expect("a UTF-8 byte order mark");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let mut records = reader.records().map(|record| {
        record
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let header = records.next().expect("a header row");
    (header, records.collect())
}

/// The value of `column` in `row` of an export read back.
fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let index = header.iter().position(|name| name == column).unwrap();
    &row[index]
}

/// The export's rows where `column` is `value`.
fn rows_where<'a>(
    header: &[String],
    rows: &'a [Vec<String>],
    column: &str,
    value: &str,
) -> Vec<&'a Vec<String>> {
    rows.iter()
        .filter(|row| cell(header, row, column) == value)
        .collect()
}

/// Names that a spreadsheet would run, quote or garble, each a member's.
const NAMES: [(&str, &str); 7] = [
    ("m-comma", "Zhang, \"Wei\""),
    ("m-chinese", "张伟（管理员）"),
    ("m-formula", "=HYPERLINK(\"http://evil.example\",\"click\")"),
    ("m-plus", "+1 555 0100"),
    ("m-minus", "-2+3"),
    ("m-at", "@SUM(A1:A9)"),
    ("m-plain", "Plain Name"),
];

/// A site with a row in every table, holding text that needs quoting or neutralising.
async fn server_with_every_table() -> TestServer {
    let server = TestServer::new().await;
    server
        .install_rules(
            "[[badges]]\nid = \"first\"\nname = \"First\"\ncriteria = { first_checkin = true }\n",
        )
        .await;
    for (i, (member, name)) in NAMES.iter().enumerate() {
        let body = json!({"member": member, "name": name, "kind": "bonus",
            "idempotency_key": format!("k{i}"), "points": 10});
        let answer = server
            .call_with_key("/api/v1/sites/forum/events", API_KEY, &body.to_string())
            .await;
        expect(&answer, StatusCode::OK);
    }
    let adjusted = owner(
        &server,
        Method::POST,
        "/api/v1/admin/sites/forum/members/m-comma/adjustments",
        Some(json!({"amount": -5, "reason": "line 1\nline 2, \"quoted\""})),
    )
    .await;
    expect(&adjusted, StatusCode::OK);
    expect(&server.check_in("alice").await, StatusCode::OK);
    let poll = json!({"id": "colour", "question": "Colour?", "anonymous": true,
        "options": [{"id": "red", "label": "Red"}, {"id": "blue", "label": "Blue"}]});
    let created = owner(
        &server,
        Method::POST,
        "/api/v1/admin/sites/forum/polls",
        Some(poll),
    )
    .await;
    expect(&created, StatusCode::CREATED);
    for who in [
        Who::Member("alice"),
        Who::Visitor("visitor-0001-abcdefghijkl"),
    ] {
        let voted = send(
            &server,
            Method::POST,
            "/api/v1/sites/forum/polls/colour/votes",
            who,
            None,
            Some(json!({"choices": ["blue"]})),
        )
        .await;
        expect(&voted, StatusCode::OK);
    }
    server.open_wheel(0, 5).await;
    expect(&server.spin_wheel("alice").await, StatusCode::OK);
    let giveaway = json!({"id": "draw", "mode": "giveaway", "winners": 1,
        "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z"});
    for path in ["", "/draw/open"] {
        let body = if path.is_empty() {
            giveaway.clone()
        } else {
            json!({})
        };
        let answer = owner(
            &server,
            Method::POST,
            &format!("/api/v1/admin/sites/forum/lotteries{path}"),
            Some(body),
        )
        .await;
        assert!(answer.status.is_success(), "{:?}", answer.body);
    }
    let entered = server
        .post(
            "/api/v1/sites/forum/lotteries/draw/entries",
            &server.token("carol"),
            None,
        )
        .await;
    expect(&entered, StatusCode::OK);
    for (who, text, contact) in [
        (Who::Member("alice"), "=1+1", None),
        (
            Who::Member("carol"),
            "多行\n反馈, \"引号\"",
            Some("@wechat"),
        ),
        (Who::Visitor("visitor-0001-abcdefghijkl"), "\tTabbed", None),
        (
            Who::Visitor("visitor-0002-abcdefghijkl"),
            "\rCarriage",
            Some("-me-"),
        ),
    ] {
        let mut body = json!({ "text": text });
        if let Some(contact) = contact {
            body["contact"] = json!(contact);
        }
        let sent = send(
            &server,
            Method::POST,
            "/api/v1/sites/forum/feedback",
            who,
            None,
            Some(body),
        )
        .await;
        expect(&sent, StatusCode::CREATED);
    }
    server
}

#[tokio::test]
async fn every_table_exports_as_csv_that_reads_back() {
    let server = server_with_every_table().await;

    let (header, rows) = export(&server, "members").await;
    assert_eq!(
        header,
        ["member", "name", "points", "first_seen", "last_seen"]
    );
    // The seven named members, and alice and carol, named by their tokens.
    assert_eq!(rows.len(), NAMES.len() + 2);
    for (member, name) in NAMES {
        let row = &rows_where(&header, &rows, "member", member)[0];
        let shown = cell(&header, row, "name");
        if name.starts_with(['=', '+', '-', '@']) {
            assert_eq!(shown, format!("'{name}"), "{member}");
        } else {
            assert_eq!(shown, name, "{member}");
        }
    }
    let comma = &rows_where(&header, &rows, "member", "m-comma")[0];
    assert_eq!(cell(&header, comma, "points"), "5");

    let (header, rows) = export(&server, "ledger").await;
    assert_eq!(
        header,
        [
            "id", "member", "source", "amount", "key", "detail", "day", "at"
        ]
    );
    let admin = &rows_where(&header, &rows, "source", "admin")[0];
    // A number stays a number, even negative: spreadsheets can sum it.
    assert_eq!(cell(&header, admin, "amount"), "-5");
    assert_eq!(cell(&header, admin, "detail"), "line 1\nline 2, \"quoted\"");
    assert_eq!(cell(&header, admin, "day"), "2026-11-20");
    let ids: Vec<i64> = rows.iter().map(|row| row[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let (header, rows) = export(&server, "checkins").await;
    assert_eq!(header, ["member", "day", "kind", "at"]);
    assert_eq!(
        rows,
        [["alice", "2026-11-20", "daily", "2026-11-20T02:00:00Z"]]
    );

    let (header, rows) = export(&server, "votes").await;
    assert_eq!(
        header,
        [
            "poll",
            "voter_kind",
            "voter",
            "option",
            "voted_at",
            "changed_at"
        ]
    );
    assert_eq!(
        rows,
        [
            [
                "colour",
                "member",
                "alice",
                "blue",
                "2026-11-20T02:00:00Z",
                ""
            ],
            [
                "colour",
                "visitor",
                "visitor-0001-abcdefghijkl",
                "blue",
                "2026-11-20T02:00:00Z",
                ""
            ],
        ]
    );

    let (header, rows) = export(&server, "spins").await;
    assert_eq!(
        header,
        [
            "lottery",
            "seq",
            "member",
            "name",
            "spin",
            "prize",
            "prize_name",
            "day",
            "at"
        ]
    );
    assert_eq!(
        rows,
        [[
            "wheel",
            "1",
            "alice",
            "Name of alice",
            "1",
            "mug",
            "Mug",
            "2026-11-20",
            "2026-11-20T02:00:00Z"
        ]]
    );

    let (header, rows) = export(&server, "entries").await;
    assert_eq!(
        header,
        ["lottery", "seq", "member", "name", "at", "winner_place"]
    );
    assert_eq!(
        rows,
        [[
            "draw",
            "1",
            "carol",
            "Name of carol",
            "2026-11-20T02:00:00Z",
            ""
        ]]
    );

    let (header, rows) = export(&server, "feedback").await;
    assert_eq!(
        header,
        [
            "id",
            "day",
            "created_at",
            "status",
            "rating",
            "nps",
            "category",
            "text",
            "contact",
            "page_url",
            "member",
            "visitor",
            "name",
            "spam_reason",
            "replies",
            "updated_at"
        ]
    );
    let texts: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|row| {
            (
                cell(&header, row, "text"),
                cell(&header, row, "contact"),
                cell(&header, row, "member"),
                cell(&header, row, "visitor"),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            ("'=1+1", "", "alice", ""),
            ("多行\n反馈, \"引号\"", "'@wechat", "carol", ""),
            ("'\tTabbed", "", "", "visitor-0001-abcdefghijkl"),
            ("'\rCarriage", "'-me-", "", "visitor-0002-abcdefghijkl"),
        ]
    );
    assert_eq!(cell(&header, &rows[0], "name"), "Name of alice");
    assert_eq!(cell(&header, &rows[0], "replies"), "0");

    let (header, rows) = export(&server, "badges").await;
    assert_eq!(header, ["member", "badge", "earned_at"]);
    assert_eq!(rows, [["alice", "first", "2026-11-20T02:00:00Z"]]);

    let (header, rows) = export(&server, "audit").await;
    assert_eq!(
        header,
        [
            "id",
            "at",
            "actor",
            "actor_id",
            "actor_email",
            "action",
            "detail"
        ]
    );
    let actions: Vec<&str> = rows
        .iter()
        .map(|row| cell(&header, row, "action"))
        .collect();
    assert_eq!(
        actions[..5],
        [
            "points_adjust",
            "poll_create",
            "lottery_create",
            "lottery_open",
            "lottery_create"
        ]
    );
    assert_eq!(cell(&header, &rows[0], "actor"), "api_key");
    let detail: serde_json::Value =
        serde_json::from_str(cell(&header, &rows[0], "detail")).unwrap();
    assert_eq!(detail["reason"], "line 1\nline 2, \"quoted\"");
    // Each export so far is in the log, the audit export's own included (it is recorded first).
    assert_eq!(actions.iter().filter(|a| **a == "export").count(), 9);
}

#[tokio::test]
async fn quoting_and_neutralisation_are_exactly_the_contract() {
    let server = server_with_every_table().await;
    let (_, _, chunks) = download(&server, &export_path("members")).await;
    let text = String::from_utf8(chunks.concat()).unwrap();
    assert!(text.starts_with("\u{feff}member,name,points,first_seen,last_seen\r\n"));
    for line in [
        "m-comma,\"Zhang, \"\"Wei\"\"\",5,",
        "m-formula,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",10,",
        "m-chinese,张伟（管理员）,10,",
        "m-at,'@SUM(A1:A9),10,",
        "m-minus,'-2+3,10,",
        "m-plain,Plain Name,10,",
    ] {
        assert!(text.contains(&format!("\r\n{line}")), "{line} in {text}");
    }
    assert!(text.ends_with("Z\r\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_commands_run_as_written() {
    let server = TestServer::new().await;
    expect(&server.award("alice", 100, "welcome").await, StatusCode::OK);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = router(server.state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let script = crate::readme_block("sh", "/export/ledger.csv")
        .replace("https://engage.example.com", &format!("http://{address}"))
        .replace("my-site", "forum");
    let dir = tempfile::TempDir::new().unwrap();
    let script = format!("set -e\n{}", script.replace("curl ", "curl -sSf "));
    let cwd = dir.path().to_owned();
    let run = script.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .args(["-c", &run])
            .current_dir(cwd)
            .env("ENGAGE_API_KEY", API_KEY)
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(status.success(), "{script}");
    let saved = std::fs::read(dir.path().join("forum-ledger.csv")).unwrap();
    let text = String::from_utf8(saved).unwrap();
    assert!(
        text.starts_with("\u{feff}id,member,source,amount,"),
        "{text}"
    );
    assert!(text.contains(",alice,admin,-30,admin:"), "{text}");
}

#[tokio::test]
async fn an_empty_table_is_its_header_alone() {
    let server = TestServer::new().await;
    for (exported, table) in ExportTable::ALL.into_iter().enumerate() {
        let (status, _, chunks) = download(&server, &export_path(table.as_str())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(chunks.len(), 1, "{table:?}");
        let text = String::from_utf8(chunks.concat()).unwrap();
        // The audit log is never empty here: it holds every export, its own included; the
        // analytics days are the 30 days ending today, with nothing in them.
        let rows = match table {
            ExportTable::Audit => exported + 1,
            ExportTable::Analytics => 30,
            _ => 0,
        };
        assert_eq!(text.matches("\r\n").count(), 1 + rows, "{text}");
        assert!(text.starts_with('\u{feff}'));
    }
}

#[tokio::test]
async fn exports_are_refused_without_the_key_or_a_table() {
    let server = server_with_every_table().await;
    let before = audit_entries(&server).await.len();
    for file in [
        "nothing.csv",
        "ledger",
        "ledger.json",
        "LEDGER.csv",
        ".csv",
        "sites.csv",
    ] {
        let (status, _, chunks) =
            download(&server, &format!("/api/v1/admin/sites/forum/export/{file}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{file}");
        let body: serde_json::Value = serde_json::from_slice(&chunks.concat()).unwrap();
        assert_eq!(body["error"]["code"], "export_not_found", "{file}");
    }
    let anonymous = server
        .call(Method::GET, &export_path("ledger"), None, None)
        .await;
    assert_eq!(anonymous.code(), "missing_api_key");
    let other_key = server
        .get(&export_path("ledger"), "ek_forum_test_key_other")
        .await;
    assert_eq!(other_key.code(), "invalid_api_key");
    assert_eq!(audit_entries(&server).await.len(), before);
    // Another site's export holds none of this site's rows.
    let (status, _, chunks) = {
        let request = Request::get("/api/v1/admin/sites/other/export/members.csv")
            .header(header::AUTHORIZATION, "Bearer ek_forum_test_key_other")
            .body(Body::empty())
            .unwrap();
        let response = router(server.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, (), bytes)
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        String::from_utf8(chunks.to_vec()).unwrap(),
        "\u{feff}member,name,points,first_seen,last_seen\r\n"
    );
}

#[tokio::test]
async fn every_page_is_read_along_an_index_without_sorting() {
    let server = TestServer::new().await;
    for table in ExportTable::ALL {
        let plan = server.store.export_query_plan(table).await.unwrap();
        assert!(
            plan.iter().all(|step| !step.contains("TEMP B-TREE")),
            "{table:?} sorts: {plan:#?}"
        );
        assert!(
            plan.iter().all(|step| !step.starts_with("SCAN ")),
            "{table:?} scans a whole table: {plan:#?}"
        );
    }
    // The ledger is read along its primary key: a `(site_id, member_id, …)` index would make
    // SQLite sort every row of the site for each page.
    let ledger = server
        .store
        .export_query_plan(ExportTable::Ledger)
        .await
        .unwrap();
    assert_eq!(ledger, ["SEARCH l USING INTEGER PRIMARY KEY (rowid>?)"]);
}

/// How many ledger rows the streaming test seeds and exports: 200,000 by default, so that a
/// plain `cargo test` stays quick (seeding a million rows with `bench_seed` alone takes over 40 s
/// on these machines, the export itself about 15 s in a debug build); `cargo xtask test` sets
/// `ENGAGE_EXPORT_ROWS=1000000` and streams the million.
fn streamed_rows() -> u32 {
    std::env::var("ENGAGE_EXPORT_ROWS")
        .ok()
        .and_then(|rows| rows.parse().ok())
        .unwrap_or(200_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_ledger_streams_page_by_page() {
    let streamed = streamed_rows();
    let server = TestServer::new().await;
    let site = SiteId::parse("forum").unwrap();
    let seeded = server
        .store
        .bench_seed(&site, 1_000, streamed, 30, date(2026, 11, 20), server.now())
        .await
        .unwrap();
    assert_eq!(seeded, i64::from(streamed));

    let request = Request::get(export_path("ledger"))
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .body(Body::empty())
        .unwrap();
    let response = router(server.state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    // Each chunk is read, counted and dropped: the test holds one page at a time, as the
    // server does.
    let (mut chunks, mut rows, mut last_id) = (0_usize, 0_usize, 0_i64);
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.unwrap().into_data() else {
            continue;
        };
        let text = std::str::from_utf8(&data).unwrap();
        let mut lines: Vec<&str> = text.split_terminator("\r\n").collect();
        if chunks == 0 {
            assert_eq!(
                lines.remove(0),
                "\u{feff}id,member,source,amount,key,detail,day,at"
            );
        }
        assert!(
            (1..=EXPORT_PAGE_ROWS).contains(&lines.len()),
            "chunk {chunks} holds {} rows",
            lines.len()
        );
        for line in &lines {
            let id: i64 = line.split(',').next().unwrap().parse().unwrap();
            assert!(id > last_id, "{id} after {last_id}");
            last_id = id;
        }
        rows += lines.len();
        chunks += 1;
    }
    assert_eq!(rows, streamed as usize);
    // One chunk per page: the export was read in pages of EXPORT_PAGE_ROWS.
    assert_eq!(chunks, (streamed as usize).div_ceil(EXPORT_PAGE_ROWS));
}
