//! The owner console's pages: `/console` and every `/console/…` path the console routes on the
//! client side answer its shell (`console/index.html` of the bundle); `/console/pkg/…` is the
//! console's own bundle, served like any static file. The console is never part of the widget
//! bundle: a host page does not download it.
//!
//! Console pages are the server's own and hold an owner's session, so they get a strict
//! Content-Security-Policy, may not be framed, and send no referrer.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

/// What the console's pages may load: only the server's own scripts, styles, images and API.
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Whether `path` (below `/console`) names a file of the bundle rather than a page.
fn is_bundle_file(path: &str) -> bool {
    path.starts_with("/console/pkg/")
}

/// `GET /console`, `/console/{*page}`, answered from `files`, the server's static files.
pub async fn console_page(files: Router, mut request: Request) -> Response {
    if is_bundle_file(request.uri().path()) {
        return files.oneshot(request).await.into_response();
    }
    *request.uri_mut() = Uri::from_static("/console/index.html");
    let mut response = files.oneshot(request).await.into_response();
    if response.status().is_success() {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}
