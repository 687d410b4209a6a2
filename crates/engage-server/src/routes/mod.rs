//! The HTTP surface: `/api/v1` (JSON, CORS per site, rate limited), `/healthz`, the iframe
//! pages at `/embed/{widget}`, and the static bundle and demo pages at `/`. [`router`] builds it all so tests can call it without a socket.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::activity::record_seen;
use crate::auth::VISITOR_HEADER;
use crate::client_addr::resolve_client_addr;
use crate::error::{api_method_not_allowed, api_not_found, log_internal_errors};
use crate::extract::BODY_LIMIT_BYTES;
use crate::limits::limit_requests;
use crate::state::AppState;
use crate::streams::limit_streams;

pub mod admin;
pub mod analytics;
pub mod assets;
pub mod audit;
pub mod checkin;
pub mod console;
pub mod console_app;
pub mod demo;
pub mod embed;
pub mod events;
pub mod export;
pub mod feedback;
pub mod leaderboard;
pub mod lotteries;
pub mod me;
pub mod members;
pub mod polls;
pub mod rewards;
pub mod rules_admin;
pub mod sites;
pub mod stream;

/// The OpenAPI 3.1 description of the API, served at `/api/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// The whole server as one router.
pub fn router(state: AppState) -> Router {
    let streams = from_fn_with_state(state.clone(), limit_streams);
    let mut api = Router::new()
        .route(
            "/v1/sites/{site}/checkin",
            get(checkin::checkin_state).post(checkin::check_in),
        )
        .route("/v1/sites/{site}/checkin/makeup", post(checkin::make_up))
        .route("/v1/sites/{site}/me", get(me::me))
        .route(
            "/v1/sites/{site}/leaderboard",
            get(leaderboard::leaderboard),
        )
        .route(
            "/v1/sites/{site}/leaderboard/events",
            get(leaderboard::leaderboard_events).layer(streams.clone()),
        )
        .route(
            "/v1/admin/sites/{site}/webhook",
            get(admin::webhook).put(admin::set_webhook),
        )
        .route(
            "/v1/admin/sites/{site}/webhook/deliveries",
            get(admin::webhook_deliveries),
        )
        .route("/v1/sites/{site}/events", post(events::record_host_event))
        .route("/v1/sites/{site}/polls/{poll}", get(polls::poll_state))
        .route("/v1/sites/{site}/polls/{poll}/votes", post(polls::vote))
        .route(
            "/v1/sites/{site}/polls/{poll}/events",
            get(polls::poll_events).layer(streams.clone()),
        )
        .route(
            "/v1/sites/{site}/stream",
            get(stream::site_stream).layer(streams),
        )
        .route(
            "/v1/sites/{site}/lotteries/{lottery}",
            get(lotteries::lottery_state),
        )
        .route(
            "/v1/sites/{site}/lotteries/{lottery}/spins",
            post(lotteries::spin),
        )
        .route(
            "/v1/sites/{site}/lotteries/{lottery}/entries",
            post(lotteries::enter),
        )
        .route(
            "/v1/sites/{site}/lotteries/{lottery}/proof",
            get(lotteries::proof),
        )
        .route(
            "/v1/admin/sites/{site}/lotteries",
            get(lotteries::owner_lotteries).post(lotteries::create_lottery),
        )
        .route(
            "/v1/admin/sites/{site}/lotteries/{lottery}/open",
            post(lotteries::open_lottery),
        )
        .route(
            "/v1/admin/sites/{site}/lotteries/{lottery}/close",
            post(lotteries::close_lottery),
        )
        .route(
            "/v1/admin/sites/{site}/polls",
            get(admin::owner_polls).post(admin::create_poll),
        )
        .route(
            "/v1/admin/sites/{site}/polls/{poll}",
            get(admin::owner_poll).patch(admin::update_poll),
        )
        .route("/v1/sites/{site}/rewards", get(rewards::catalogue))
        .route(
            "/v1/sites/{site}/rewards/{reward}/redemptions",
            post(rewards::redeem),
        )
        .route(
            "/v1/sites/{site}/rewards/redemptions/mine",
            get(rewards::mine),
        )
        .route("/v1/sites/{site}/feedback", post(feedback::send_feedback))
        .route("/v1/sites/{site}/feedback/form", get(feedback::form))
        .route("/v1/sites/{site}/feedback/mine", get(feedback::mine))
        .route("/v1/admin/sites/{site}/feedback", get(feedback::inbox))
        .route(
            "/v1/admin/sites/{site}/feedback/stats",
            get(feedback::stats),
        )
        .route(
            "/v1/admin/sites/{site}/feedback/{feedback}",
            get(feedback::item).patch(feedback::update),
        )
        .route(
            "/v1/admin/sites/{site}/feedback/{feedback}/replies",
            post(feedback::reply),
        )
        .route(
            "/v1/console/session",
            get(console::session)
                .post(console::sign_in)
                .delete(console::sign_out),
        )
        .route("/v1/console/setup", post(console::set_up))
        .route("/v1/console/me", patch(console::update_me))
        .route(
            "/v1/console/sites",
            get(console::sites).post(console::create_site),
        )
        .route(
            "/v1/admin/sites/{site}",
            get(sites::site).patch(sites::update_site),
        )
        .route("/v1/admin/sites/{site}/rotate", post(sites::rotate))
        .route("/v1/openapi.json", get(openapi))
        .merge(console_data_routes());
    if state.config.demo {
        api = api.merge(demo::routes());
    }
    // The limiter is outside CORS, so preflights count toward the caller's allowance too (a
    // preflight flood is a flood); its refusals carry the CORS headers themselves.
    let api = api
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
        .layer(from_fn_with_state(state.clone(), record_seen))
        .layer(cors_layer(state.clone()))
        .layer(from_fn_with_state(state.clone(), limit_requests))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES));
    // The static files, built once: the fallback, and what the console's pages are served from.
    let files = assets::service(&state.config);
    let console_page = {
        let files = files.clone();
        move |request: axum::extract::Request| console_app::console_page(files.clone(), request)
    };
    Router::new()
        .nest("/api", api)
        .route("/healthz", get(healthz))
        .route("/embed/{widget}", get(embed::embed_page))
        .route("/console", get(console_page.clone()))
        .route("/console/", get(console_page.clone()))
        .route("/console/{*page}", get(console_page))
        .fallback_service(files)
        .layer(from_fn(log_internal_errors))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), resolve_client_addr))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The span every request is logged in: method, path and query with secrets redacted, version.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        uri = %redacted_uri(request.uri()),
        version = ?request.version(),
    )
}

/// Query parameters whose values are secrets (a member token in an iframe URL, a console
/// setup token) and must never reach a log.
const SECRET_QUERY_PARAMS: [&str; 3] = ["member-token", "member_token", "token"];

/// The request's path and query, with the values of [`SECRET_QUERY_PARAMS`] replaced.
pub fn redacted_uri(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let query = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if SECRET_QUERY_PARAMS.contains(&name) => format!("{name}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{}?{query}", uri.path())
}

/// The owner console's data under `/api/v1/admin/sites/{site}`: rules, the owner's views of
/// polls and lotteries, bulk feedback, members and adjustments, redelivery, the audit log and
/// CSV exports (routes that extend an existing path are chained onto it above).
fn console_data_routes() -> Router<AppState> {
    const ADMIN: &str = "/v1/admin/sites/{site}";
    let route = |path: &str| format!("{ADMIN}{path}");
    Router::new()
        .route(
            &route("/rules"),
            get(rules_admin::rules)
                .put(rules_admin::install)
                .layer(DefaultBodyLimit::max(rules_admin::RULES_BODY_LIMIT_BYTES)),
        )
        .route(&route("/rules/versions"), get(rules_admin::versions))
        .route(
            &route("/rules/versions/{version}"),
            get(rules_admin::version),
        )
        .route(
            &route("/lotteries/{lottery}"),
            get(lotteries::owner_lottery).patch(lotteries::edit_lottery),
        )
        .route(
            &route("/lotteries/{lottery}/spins"),
            get(lotteries::spin_log),
        )
        .route(
            &route("/rewards"),
            get(rewards::owner_rewards).post(rewards::create_reward),
        )
        .route(
            &route("/rewards/{reward}"),
            get(rewards::owner_reward).patch(rewards::edit_reward),
        )
        .route(
            &route("/rewards/{reward}/codes"),
            post(rewards::add_codes).layer(DefaultBodyLimit::max(rewards::CODES_BODY_LIMIT_BYTES)),
        )
        .route(&route("/redemptions"), get(rewards::queue))
        .route(&route("/rewards/redemptions"), get(rewards::queue))
        .route(
            &route("/redemptions/{redemption}"),
            patch(rewards::set_status),
        )
        .route(
            &route("/rewards/redemptions/{redemption}"),
            patch(rewards::set_status),
        )
        .route(&route("/feedback/bulk"), post(feedback::bulk_status))
        .route(&route("/members"), get(members::members))
        .route(&route("/members/{member}"), get(members::member))
        .route(&route("/members/{member}/ledger"), get(members::ledger))
        .route(
            &route("/members/{member}/adjustments"),
            post(members::adjust),
        )
        .route(
            &route("/webhook/deliveries/{delivery}/redeliver"),
            post(admin::redeliver),
        )
        .route(&route("/audit"), get(audit::audit_log))
        .route(&route("/analytics"), get(analytics::analytics))
        .route(&route("/export/{file}"), get(export::export))
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn openapi() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
}

/// CORS for the API: a browser origin is allowed only if the site named in the path lists it.
fn cors_layer(state: AppState) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(
            move |origin: HeaderValue, parts: &Parts| {
                let state = state.clone();
                let site = site_segment(parts.uri.path()).map(str::to_owned);
                async move {
                    match (site, origin.to_str()) {
                        (Some(site), Ok(origin)) => state.origin_allowed(&site, origin).await,
                        _ => false,
                    }
                }
            },
        ))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static(VISITOR_HEADER),
            HeaderName::from_static(rewards::IDEMPOTENCY_KEY_HEADER),
        ])
        // Widgets read Retry-After to tell the member when to try again.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// The `{site}` of a `…/sites/{site}/…` path.
pub fn site_segment(path: &str) -> Option<&str> {
    let mut segments = path.split('/');
    segments.find(|s| *s == "sites")?;
    segments.next().filter(|s| !s.is_empty())
}
