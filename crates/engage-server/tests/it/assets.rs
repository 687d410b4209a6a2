use std::fs;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engage_server::{Config, LimitConfig};
use tempfile::TempDir;

use crate::TestServer;

/// A bundle dir with `engage.js`, `pkg/engage_bg.wasm` (and a brotli sibling) and a www dir
/// with `index.html`.
fn asset_dirs() -> (TempDir, Config) {
    let dir = TempDir::new().unwrap();
    let dist = dir.path().join("dist");
    let www = dir.path().join("www");
    fs::create_dir_all(dist.join("pkg")).unwrap();
    fs::create_dir_all(&www).unwrap();
    fs::write(dist.join("engage.js"), "export {};\n".repeat(20)).unwrap();
    fs::write(dist.join("pkg/engage_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    fs::write(dist.join("pkg/engage_bg.wasm.br"), b"brotli bytes").unwrap();
    fs::write(www.join("index.html"), "<!doctype html><title>Demo</title>").unwrap();
    let config = Config {
        static_dir: dist,
        www_dir: www,
        limits: LimitConfig::generous(),
        ..Config::default()
    };
    (dir, config)
}

async fn get(server: &TestServer, uri: &str, accept_encoding: Option<&str>) -> crate::Answer {
    let mut request = Request::get(uri);
    if let Some(encoding) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    server.send(request.body(Body::empty()).unwrap()).await
}

fn header(answer: &crate::Answer, name: header::HeaderName) -> Option<&str> {
    answer.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn bundle_and_pages() {
    let (_dir, config) = asset_dirs();
    let server = TestServer::with_config(config).await;

    let wasm = get(&server, "/pkg/engage_bg.wasm?v=abc", None).await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(
        header(&wasm, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(
        header(&wasm, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );
    assert_eq!(
        header(&wasm, header::CACHE_CONTROL),
        Some("public, max-age=31536000, immutable")
    );

    let brotli = get(&server, "/pkg/engage_bg.wasm", Some("br")).await;
    assert_eq!(header(&brotli, header::CONTENT_ENCODING), Some("br"));
    assert_eq!(
        header(&brotli, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(
        header(&brotli, header::CACHE_CONTROL),
        Some("public, max-age=300")
    );

    let script = get(&server, "/engage.js", None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        header(&script, header::CONTENT_TYPE)
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        header(&script, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );

    let page = get(&server, "/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        header(&page, header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(header(&page, header::CACHE_CONTROL), Some("no-cache"));
    assert_eq!(header(&page, header::CONTENT_SECURITY_POLICY), None);

    let strict = get(&server, "/index.html?csp=strict", None).await;
    assert_eq!(
        header(&strict, header::CONTENT_SECURITY_POLICY),
        Some("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'")
    );

    let missing = get(&server, "/nope.js", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
