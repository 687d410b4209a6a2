//! How a built-in file is answered: the precompressed sibling the client accepts, `index.html`
//! for a directory, revalidation by ETag, and only GET and HEAD.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::Response;

use super::{Embedded, EmbeddedFile, serve_embedded};

static FILES: Embedded = Embedded {
    built_from: "test",
    files: &[
        EmbeddedFile {
            path: "app.js",
            etag: "\"js\"",
            bytes: b"export {};",
        },
        EmbeddedFile {
            path: "app.js.br",
            etag: "\"js-br\"",
            bytes: b"brotli",
        },
        EmbeddedFile {
            path: "app.js.gz",
            etag: "\"js-gz\"",
            bytes: b"gzip",
        },
        EmbeddedFile {
            path: "docs/index.html",
            etag: "\"docs\"",
            bytes: b"<!doctype html><title>Docs</title>",
        },
        EmbeddedFile {
            path: "index.html",
            etag: "\"index\"",
            bytes: b"<!doctype html><title>Home</title>",
        },
        EmbeddedFile {
            path: "pkg/app_bg.wasm",
            etag: "\"wasm\"",
            bytes: b"\0asm\x01\0\0\0",
        },
    ],
};

fn request(method: Method, uri: &str, headers: &[(header::HeaderName, &str)]) -> Request {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Option<Response> {
    serve_embedded(&FILES, &request(Method::GET, uri, headers))
}

fn header(response: &Response, name: header::HeaderName) -> Option<&str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[test]
fn the_accepted_precompressed_sibling_is_served() {
    // (Accept-Encoding, the Content-Encoding and ETag expected)
    let cases = [
        (None, None, "\"js\""),
        (Some("br"), Some("br"), "\"js-br\""),
        (Some("gzip, deflate, br, zstd"), Some("br"), "\"js-br\""),
        (Some("gzip"), Some("gzip"), "\"js-gz\""),
        (Some("br;q=0, gzip"), Some("gzip"), "\"js-gz\""),
        (Some("gzip;q=1, br;q=0.5"), Some("gzip"), "\"js-gz\""),
        (Some("BR"), Some("br"), "\"js-br\""),
        (Some("identity"), None, "\"js\""),
        (Some("br;q=0, gzip;q=0"), None, "\"js\""),
    ];
    for (accept, encoding, etag) in cases {
        let headers: Vec<_> = accept
            .map(|a| (header::ACCEPT_ENCODING, a))
            .into_iter()
            .collect();
        let response = get("/app.js", &headers).unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(
            header(&response, header::CONTENT_ENCODING),
            encoding,
            "{accept:?}"
        );
        assert_eq!(header(&response, header::ETAG), Some(etag), "{accept:?}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            Some("text/javascript")
        );
        assert_eq!(header(&response, header::VARY), Some("accept-encoding"));
    }
}

#[test]
fn content_types_come_from_the_extension_and_lone_files_do_not_vary() {
    let wasm = get("/pkg/app_bg.wasm?v=1", &[(header::ACCEPT_ENCODING, "br")]).unwrap();
    assert_eq!(
        header(&wasm, header::CONTENT_TYPE),
        Some("application/wasm")
    );
    assert_eq!(header(&wasm, header::CONTENT_ENCODING), None);
    assert_eq!(header(&wasm, header::VARY), None);
}

#[test]
fn a_directory_is_its_index_page() {
    for (uri, etag) in [("/", "\"index\""), ("/docs/", "\"docs\"")] {
        let page = get(uri, &[]).unwrap();
        assert_eq!(header(&page, header::ETAG), Some(etag), "{uri}");
        assert_eq!(
            header(&page, header::CONTENT_TYPE),
            Some("text/html"),
            "{uri}"
        );
    }
}

#[test]
fn a_matching_etag_is_not_modified() {
    let cases = [
        ("\"js\"", StatusCode::NOT_MODIFIED),
        ("\"other\", \"js\"", StatusCode::NOT_MODIFIED),
        ("W/\"js\"", StatusCode::NOT_MODIFIED),
        ("*", StatusCode::NOT_MODIFIED),
        ("\"js-br\"", StatusCode::OK),
        ("\"other\"", StatusCode::OK),
    ];
    for (if_none_match, status) in cases {
        let response = get("/app.js", &[(header::IF_NONE_MATCH, if_none_match)]).unwrap();
        assert_eq!(response.status(), status, "{if_none_match}");
        assert_eq!(header(&response, header::ETAG), Some("\"js\""));
    }
}

#[test]
fn only_get_and_head_are_answered() {
    let head = serve_embedded(&FILES, &request(Method::HEAD, "/app.js", &[])).unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let post = serve_embedded(&FILES, &request(Method::POST, "/app.js", &[])).unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&post, header::ALLOW), Some("GET,HEAD"));
}

#[test]
fn a_missing_file_is_left_to_the_next_source() {
    for uri in ["/nope.js", "/app", "/docs", "/../index.html", "/pkg/"] {
        assert!(get(uri, &[]).is_none(), "{uri}");
    }
}
