//! Static files: the widget bundle (`--static-dir`, default `dist`) and, where it has no such
//! file, the demo host pages (`--www-dir`, default `www`). Precompressed `.br`/`.gz` siblings
//! are served when the client accepts them.
//!
//! Every asset may be fetched cross-origin (`Access-Control-Allow-Origin: *`): host pages on
//! other origins load `engage.js` as a module script and the wasm with `fetch`, both in CORS
//! mode. Caching: versioned `/pkg/*?v=…` files are immutable, other assets are kept 5 minutes,
//! HTML is revalidated. `?csp=strict` on an HTML page adds a strict Content-Security-Policy,
//! so the same demo page can be tried with and without it.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use tower_http::services::ServeDir;

use crate::state::Config;

pub const STRICT_CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

/// The static files as one service, to be the main router's fallback.
pub fn service(config: &Config) -> Router {
    let www = ServeDir::new(&config.www_dir)
        .precompressed_br()
        .precompressed_gzip();
    let bundle = ServeDir::new(&config.static_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(www);
    Router::new()
        .fallback_service(bundle)
        .layer(from_fn(asset_headers))
}

async fn asset_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let query = request.uri().query().unwrap_or("");
    let versioned = path.starts_with("/pkg/") && has_query_param(query, "v", None);
    let strict_csp = has_query_param(query, "csp", Some("strict"));
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return response;
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let cache = if is_html {
        "no-cache"
    } else if versioned {
        IMMUTABLE
    } else {
        SHORT
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if is_html && strict_csp {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        );
    }
    response
}

/// Whether the query has `name` (with `value`, when given).
fn has_query_param(query: &str, name: &str, value: Option<&str>) -> bool {
    query.split('&').any(|pair| {
        let (key, found) = pair.split_once('=').unwrap_or((pair, ""));
        key == name && value.is_none_or(|v| v == found)
    })
}
