//! The owner's rules (issue 10): the defaults shown as TOML until a document is installed,
//! installing through the API (validated by the core's parser, refused with the field and line
//! at fault, applied at once), the version history with who installed each, and the command
//! line's installs audited as its own.

use axum::http::{Method, StatusCode};
use clap::Parser;
use engage_core::rules::{DEFAULT_RULES_TOML, Rules, RulesFormat, parse_rules};
use engage_server::cli::{Cli, run};
use engage_server::store::CountedTable;
use serde_json::{Value, json};

use crate::audit::{audit_actions, expect, owner};
use crate::{Answer, TestServer};

const RULES: &str = "/api/v1/admin/sites/forum/rules";

async fn install(server: &TestServer, document: &str, format: &str) -> Answer {
    let body = json!({ "document": document, "format": format });
    owner(server, Method::PUT, RULES, Some(body)).await
}

async fn get(server: &TestServer, path: &str) -> Answer {
    owner(server, Method::GET, path, None).await
}

#[tokio::test]
async fn the_defaults_are_shown_until_rules_are_installed() {
    let server = TestServer::new().await;
    let shown = get(&server, RULES).await;
    let body = expect(&shown, StatusCode::OK);
    assert_eq!(body["version"], Value::Null);
    assert_eq!(body["format"], "toml");
    assert!(body.get("installed_at").is_none(), "{body}");
    assert_eq!(body["document"], DEFAULT_RULES_TOML);
    let document = body["document"].as_str().unwrap();
    assert_eq!(
        parse_rules(document, RulesFormat::Toml).unwrap(),
        Rules::default()
    );
    let versions = get(&server, &format!("{RULES}/versions")).await;
    assert_eq!(expect(&versions, StatusCode::OK), &json!([]));
}

#[tokio::test]
async fn installed_rules_become_versions_and_apply_at_once() {
    let server = TestServer::new().await;
    let toml = "# Generous\n[checkin]\npoints = 25\nmilestones = []\n";
    let first = install(&server, toml, "toml").await;
    assert_eq!(expect(&first, StatusCode::OK), &json!({"version": 1}));
    let checked = server.check_in("alice").await;
    assert_eq!(expect(&checked, StatusCode::OK)["awarded"], 25);

    let json_rules = r#"{"checkin": {"points": 3, "milestones": []}}"#;
    let second = install(&server, json_rules, "json").await;
    assert_eq!(expect(&second, StatusCode::OK), &json!({"version": 2}));
    server.set_now("2026-11-21T02:00:00Z");
    assert_eq!(server.check_in("alice").await.body["awarded"], 3);

    let current = get(&server, RULES).await;
    assert_eq!(
        expect(&current, StatusCode::OK),
        &json!({"version": 2, "format": "json", "document": json_rules,
                "installed_at": "2026-11-20T02:00:00Z"})
    );
    let old = get(&server, &format!("{RULES}/versions/1")).await;
    assert_eq!(expect(&old, StatusCode::OK)["document"], toml);
    assert_eq!(old.body["format"], "toml");
    let versions = get(&server, &format!("{RULES}/versions")).await;
    assert_eq!(
        expect(&versions, StatusCode::OK),
        &json!([
            {"version": 2, "format": "json", "installed_at": "2026-11-20T02:00:00Z",
             "actor": {"kind": "api_key"}},
            {"version": 1, "format": "toml", "installed_at": "2026-11-20T02:00:00Z",
             "actor": {"kind": "api_key"}},
        ])
    );
    assert_eq!(
        audit_actions(&server).await,
        ["rules_install", "rules_install"]
    );
}

#[tokio::test]
async fn invalid_rules_are_refused_naming_field_and_line() {
    let server = TestServer::new().await;
    let cases = [
        (
            "[checkin]\nmilestones = []\npoints = -5\n",
            "toml",
            Some("checkin.points"),
            Some(3),
        ),
        ("[checkin\npoints = 5\n", "toml", None, Some(1)),
        (
            "[[levels]]\nmin_point = 0\ntitle = \"A\"\n",
            "toml",
            None,
            Some(2),
        ),
        (
            "{\n  \"checkin\": {\n    \"points\": \"ten\"\n  }\n}",
            "json",
            None,
            Some(3),
        ),
        ("{\"levels\": []}", "json", Some("levels"), None),
    ];
    for (document, format, field, line) in cases {
        let answer = install(&server, document, format).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{document}: {:?}",
            answer.body
        );
        let error = &answer.body["error"];
        assert_eq!(error["code"], "invalid_rules", "{document}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("error in rules:"),
            "{error}"
        );
        assert_eq!(error["field"].as_str(), field, "{document}: {error}");
        assert_eq!(error["line"].as_u64(), line, "{document}: {error}");
    }
    for (body, status, code) in [
        (
            json!({"document": "", "format": "yaml"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"document": ""}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"document": "", "format": "toml", "version": 3}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        ("{".to_owned(), StatusCode::BAD_REQUEST, "malformed_json"),
    ] {
        let request = axum::http::Request::put(RULES)
            .header("authorization", format!("Bearer {}", crate::API_KEY))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.clone()))
            .unwrap();
        let answer = server.send(request).await;
        assert_eq!(answer.status, status, "{body}");
        assert_eq!(answer.code(), code, "{body}");
    }
    let no_key = server
        .call(
            Method::PUT,
            RULES,
            None,
            Some(&json!({"document": "", "format": "toml"}).to_string()),
        )
        .await;
    assert_eq!(no_key.code(), "missing_api_key");
    let versions = get(&server, &format!("{RULES}/versions")).await;
    assert_eq!(expect(&versions, StatusCode::OK), &json!([]));
    assert_eq!(server.count(CountedTable::AuditLog).await, 0);
}

#[tokio::test]
async fn documents_larger_than_other_bodies_fit_up_to_their_own_limit() {
    let server = TestServer::new().await;
    // 40 kB of comments: more than the API's usual 16 kB body limit.
    let mut large = "# note\n".repeat(6_000);
    large.push_str("[checkin]\npoints = 7\n");
    let installed = install(&server, &large, "toml").await;
    assert_eq!(expect(&installed, StatusCode::OK)["version"], 1);

    let huge = "#".repeat(300 * 1024);
    let refused = install(&server, &huge, "toml").await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(refused.code(), "body_too_large");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("262144"),
        "{:?}",
        refused.body
    );
    // Other routes keep the usual limit.
    let reason = "x".repeat(20 * 1024);
    let adjusted = owner(
        &server,
        Method::POST,
        "/api/v1/admin/sites/forum/members/alice/adjustments",
        Some(json!({"amount": 1, "reason": reason})),
    )
    .await;
    assert_eq!(adjusted.code(), "body_too_large");
}

#[tokio::test]
async fn unknown_versions_are_not_found() {
    let server = TestServer::new().await;
    expect(&install(&server, "", "toml").await, StatusCode::OK);
    for version in ["2", "0", "-1", "abc", "99999999999999999999"] {
        let answer = get(&server, &format!("{RULES}/versions/{version}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{version}");
        assert_eq!(answer.code(), "rules_version_not_found", "{version}");
    }
    let found = get(&server, &format!("{RULES}/versions/1")).await;
    assert_eq!(expect(&found, StatusCode::OK)["document"], "");
}

#[tokio::test]
async fn the_command_line_installs_as_itself() {
    let server = TestServer::new().await;
    let db = server._dir.path().join("engage.sqlite");
    let file = server._dir.path().join("rules.toml");
    std::fs::write(&file, "[checkin]\npoints = 9\n").unwrap();
    let cli = Cli::try_parse_from([
        "engage-server",
        "rules",
        "set",
        "--db",
        db.to_str().unwrap(),
        "--site",
        "forum",
        file.to_str().unwrap(),
        "--json",
    ])
    .unwrap();
    let mut out = Vec::new();
    run(cli, &mut out).await.unwrap();
    let versions = get(&server, &format!("{RULES}/versions")).await;
    assert_eq!(
        expect(&versions, StatusCode::OK)[0]["actor"],
        json!({"kind": "cli"})
    );
    let entries = crate::audit::audit_entries(&server).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["action"], "rules_install");
    assert_eq!(entries[0]["actor"], json!({"kind": "cli"}));
    assert_eq!(
        entries[0]["detail"],
        json!({"version": 1, "format": "toml"})
    );
}
