use std::fs;

use axum::body::Body;
use axum::http::{HeaderName, Request, StatusCode, header};
use engage_server::routes::assets::{AssetsError, Embedded, STRICT_CSP, check_assets};
use engage_server::{Config, LimitConfig};
use tempfile::TempDir;

use crate::TestServer;
use crate::cli::{engage_server, text};

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
        static_dir: Some(dist),
        www_dir: Some(www),
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
        Some(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             require-trusted-types-for 'script'; trusted-types 'none'"
        )
    );

    let missing = get(&server, "/nope.js", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Asserts an answer's status and headers (`None`: the header is absent).
fn expect(answer: &crate::Answer, status: StatusCode, headers: &[(HeaderName, Option<&str>)]) {
    assert_eq!(answer.status, status, "{:?}", answer.headers);
    for (name, value) in headers {
        assert_eq!(header(answer, name.clone()), *value, "{name}");
    }
}

/// The demo pages built into the binary (`www/` when it was compiled) are served in demo mode
/// with the same headers as pages from disk, and revalidate by ETag.
#[tokio::test]
async fn built_in_demo_pages_in_demo_mode_only() {
    let demo = TestServer::with_config(Config {
        demo: true,
        limits: LimitConfig::generous(),
        ..Config::default()
    })
    .await;
    let page = get(&demo, "/", None).await;
    let html = [
        (header::CONTENT_TYPE, Some("text/html")),
        (header::CACHE_CONTROL, Some("no-cache")),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, Some("*")),
    ];
    expect(&page, StatusCode::OK, &html);
    let www_index = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/index.html");
    assert_eq!(page.body, fs::read_to_string(www_index).unwrap().as_str());

    let etag = header(&page, header::ETAG).unwrap().to_owned();
    let revalidate = Request::get("/index.html?csp=strict")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let strict = (header::CONTENT_SECURITY_POLICY, Some(STRICT_CSP));
    expect(
        &demo.send(revalidate).await,
        StatusCode::NOT_MODIFIED,
        &[html[1].clone(), strict],
    );

    let style = get(&demo, "/demo.css", None).await;
    let short = (header::CACHE_CONTROL, Some("public, max-age=300"));
    expect(
        &style,
        StatusCode::OK,
        &[(header::CONTENT_TYPE, Some("text/css")), short],
    );
    let post = Request::post("/demo.css").body(Body::empty()).unwrap();
    expect(&demo.send(post).await, StatusCode::METHOD_NOT_ALLOWED, &[]);
    expect(
        &get(&demo, "/nope.css", None).await,
        StatusCode::NOT_FOUND,
        &[],
    );

    // Not a demo server: the demo pages are not there (a --www-dir would be).
    let plain = TestServer::new().await;
    for uri in ["/", "/demo.css"] {
        expect(&get(&plain, uri, None).await, StatusCode::NOT_FOUND, &[]);
    }
}

/// A server that could not serve its widgets refuses to start, and says what is missing and
/// how to build it: a build without the bundle and no --static-dir, a --static-dir without
/// `engage.js`, a --www-dir that is not there.
#[test]
fn a_server_without_its_bundle_refuses_to_start() {
    let error = check_assets(&Config::default(), &Embedded::EMPTY).unwrap_err();
    assert!(matches!(error, AssetsError::BundleNotBuiltIn { .. }));
    let message = error.to_string();
    for part in ["dist/", "engage.js", "cargo xtask dist", "--static-dir"] {
        assert!(message.contains(part), "{part}: {message}");
    }

    let (dir, config) = asset_dirs();
    assert!(
        check_assets(&config, &Embedded::EMPTY).is_ok(),
        "a --static-dir with the bundle"
    );

    let empty = dir.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let without_loader = Config {
        static_dir: Some(empty.clone()),
        ..Config::default()
    };
    let message = check_assets(&without_loader, &Embedded::EMPTY)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(&format!("--static-dir {}", empty.display())),
        "{message}"
    );
    assert!(message.contains("cargo xtask dist"), "{message}");

    let no_pages = Config {
        www_dir: Some(dir.path().join("nope")),
        ..config
    };
    let message = check_assets(&no_pages, &Embedded::EMPTY)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("--www-dir") && message.contains("nope"),
        "{message}"
    );
}

/// `serve` checks before it opens the database or listens: a --static-dir without the bundle
/// stops the real binary at once with the message.
#[test]
fn serve_stops_at_once_without_its_bundle() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("engage.sqlite");
    let output = engage_server(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
        "--static-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no engage.js there"), "{stderr}");
    assert!(!db.exists(), "nothing was opened");
}
