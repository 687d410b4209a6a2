use std::fs;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

/// Runs the real binary (other modules' command-line tests use it too).
pub fn engage_server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_engage-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn site_add_prints_secret_and_key_once() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let args = [
        "site",
        "add",
        "--db",
        db,
        "--id",
        "forum",
        "--origin",
        "https://forum.example.com",
        "--origin",
        "http://localhost:3000/",
        "--tz",
        "Asia/Shanghai",
        "--name",
        "Forum",
        "--json",
    ];
    let output = engage_server(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["api_key", "secret", "site"]);
    assert_eq!(report["site"], "forum");
    assert!(report["api_key"].as_str().unwrap().starts_with("ek_"));
    assert_eq!(report["secret"].as_str().unwrap().len(), 43);

    let again = engage_server(&args);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("site 'forum' already exists"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn site_add_refusals() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "site",
                "add",
                "--db",
                "postgres://localhost/engage",
                "--id",
                "x",
                "--origin",
                "https://x.example",
            ],
            "not supported yet",
        ),
        (
            &[
                "site",
                "add",
                "--db",
                db,
                "--id",
                "x",
                "--origin",
                "ftp://x.example",
            ],
            "origin 'ftp://x.example'",
        ),
        (
            &[
                "site",
                "add",
                "--db",
                db,
                "--id",
                "x",
                "--origin",
                "https://x.example",
                "--tz",
                "Mars/Base",
            ],
            "unknown time zone 'Mars/Base'",
        ),
        (
            &[
                "site",
                "add",
                "--db",
                db,
                "--id",
                "Bad Id",
                "--origin",
                "https://x.example",
            ],
            "site id",
        ),
    ];
    for (args, expect) in cases {
        let output = engage_server(args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            text(&output.stderr).contains(expect),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
}

#[test]
fn rules_set_validates_and_installs() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let db = db.to_str().unwrap();
    let add = engage_server(&[
        "site",
        "add",
        "--db",
        db,
        "--id",
        "forum",
        "--origin",
        "https://f.example",
        "--json",
    ]);
    assert!(add.status.success(), "{}", text(&add.stderr));

    let bad = dir.path().join("bad.toml");
    fs::write(&bad, "[checkin]\npoints = 10\nmilestones = [\n  { day = 7, bonus = 50 },\n  { day = 0, bonus = 1 },\n]\n").unwrap();
    let output = engage_server(&[
        "rules",
        "set",
        "--db",
        db,
        "--site",
        "forum",
        bad.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("checkin.milestones[1].day"), "{stderr}");
    assert!(stderr.contains("line 5"), "{stderr}");

    let good = dir.path().join("good.json");
    fs::write(&good, r#"{"checkin": {"points": 20}}"#).unwrap();
    let output = engage_server(&[
        "rules",
        "set",
        "--db",
        db,
        "--site",
        "forum",
        good.to_str().unwrap(),
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report, serde_json::json!({"site": "forum", "version": 1}));

    let unknown = engage_server(&[
        "rules",
        "set",
        "--db",
        db,
        "--site",
        "nope",
        good.to_str().unwrap(),
    ]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("site 'nope' does not exist"));
}
