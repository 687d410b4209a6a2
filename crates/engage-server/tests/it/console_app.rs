//! The console's pages: every `/console/…` page is its shell, under a strict policy; its bundle
//! is served as files; neither is the widget bundle.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engage_server::Config;

use crate::TestServer;

/// A server whose bundle directory holds a console shell and one console file.
async fn server_with_console() -> (TestServer, tempfile::TempDir) {
    let bundle = tempfile::TempDir::new().unwrap();
    std::fs::write(bundle.path().join("engage.js"), "// loader").unwrap();
    std::fs::create_dir_all(bundle.path().join("console/pkg")).unwrap();
    std::fs::write(
        bundle.path().join("console/index.html"),
        "<!doctype html><title>Engage console</title>",
    )
    .unwrap();
    std::fs::write(bundle.path().join("console/pkg/boot.js"), "// boot").unwrap();
    let server = TestServer::with_config(Config {
        static_dir: Some(bundle.path().to_owned()),
        ..Config::default()
    })
    .await;
    (server, bundle)
}

#[tokio::test]
async fn every_console_page_is_the_shell_under_a_strict_policy() {
    let (server, _bundle) = server_with_console().await;
    for path in [
        "/console",
        "/console/",
        "/console/sites/forum/members",
        "/console/setup?token=abc",
    ] {
        let answer = server
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert!(
            answer.body.as_str().unwrap().contains("Engage console"),
            "{path}: {:?}",
            answer.body
        );
        let policy = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("'unsafe-inline'") && !policy.contains(" 'unsafe-eval'"));
        assert_eq!(answer.headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(answer.headers[header::CACHE_CONTROL], "no-cache");
    }
    let file = server
        .send(
            Request::get("/console/pkg/boot.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "// boot");
    let missing = server
        .send(
            Request::get("/console/pkg/nope.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
