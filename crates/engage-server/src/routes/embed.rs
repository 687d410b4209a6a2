//! Iframe mode: `/embed/{widget}?site=…` is a whole page holding one widget, for host pages
//! whose Content-Security-Policy cannot allow `'wasm-unsafe-eval'` (or any outside script).
//! The iframe is a document of the Engage server, under the server's own strict policy; only
//! the site's listed origins may frame it. The host hands over the member token with
//! `postMessage` (see `www/embed.js`), or, less privately, in the `member-token` query.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use engage_core::ids::parse_slug;
use serde::Deserialize;

use crate::state::AppState;

/// The widgets that can be embedded, by the name used in `/embed/{widget}`.
const WIDGETS: [&str; 6] = [
    "checkin",
    "poll",
    "lottery",
    "feedback",
    "leaderboard",
    "rewards",
];

#[derive(Debug, Deserialize)]
pub struct EmbedQuery {
    site: Option<String>,
    poll: Option<String>,
    lottery: Option<String>,
    mode: Option<String>,
    period: Option<String>,
    limit: Option<String>,
    lang: Option<String>,
    theme: Option<String>,
    #[serde(rename = "member-token")]
    member_token: Option<String>,
}

pub async fn embed_page(
    State(state): State<AppState>,
    Path(widget): Path<String>,
    query: Result<Query<EmbedQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "the query of this embed URL is not valid",
        );
    };
    if !WIDGETS.contains(&widget.as_str()) {
        return refusal(StatusCode::NOT_FOUND, "there is no such widget to embed");
    }
    let Some(site_id) = query.site.as_deref() else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "the embed URL needs ?site=<site id>",
        );
    };
    let site = match state.site(site_id).await {
        Ok(site) => site,
        Err(_) => return refusal(StatusCode::NOT_FOUND, "there is no such site"),
    };
    let origins = match state.store.site_origins(&site.id).await {
        Ok(origins) => origins,
        Err(error) => {
            tracing::error!(%error, "cannot read the site's origins");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page cannot be shown now",
            );
        }
    };
    let mut attributes = vec![("site", site.id.to_string())];
    // The widgets that show one thing of the site name it.
    let subject = match widget.as_str() {
        "poll" => Some(("poll", query.poll.as_deref())),
        "lottery" => Some(("lottery", query.lottery.as_deref())),
        _ => None,
    };
    if let Some((name, value)) = subject {
        match value.map(|v| parse_slug("id", v, 64)) {
            Some(Ok(id)) => attributes.push((name, id)),
            _ => {
                let message = format!("the embed URL needs ?{name}=<{name} id>");
                return refusal(StatusCode::BAD_REQUEST, &message);
            }
        }
    }
    if widget == "feedback"
        && let Some(mode) = query
            .mode
            .filter(|m| matches!(m.as_str(), "inline" | "launcher"))
    {
        attributes.push(("mode", mode));
    }
    if widget == "leaderboard" {
        if let Some(period) = query
            .period
            .filter(|p| matches!(p.as_str(), "day" | "week" | "month" | "all"))
        {
            attributes.push(("period", period));
        }
        if let Some(limit) = query
            .limit
            .filter(|l| l.parse::<u32>().is_ok_and(|n| (1..=100).contains(&n)))
        {
            attributes.push(("limit", limit));
        }
    }
    // Unknown values are dropped, so the widget falls back to its defaults.
    if let Some(lang) = query.lang.filter(|l| matches!(l.as_str(), "en" | "zh-CN")) {
        attributes.push(("lang", lang));
    }
    if let Some(theme) = query
        .theme
        .filter(|t| matches!(t.as_str(), "light" | "dark" | "auto"))
    {
        attributes.push(("theme", theme));
    }
    if let Some(token) = query
        .member_token
        .filter(|t| !t.is_empty() && t.len() <= 4096)
    {
        attributes.push(("member-token", token));
    }
    let page = embed_html(&widget, &attributes, &origins);
    let mut headers = HeaderMap::new();
    let policy = embed_policy(&origins);
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // A member token may ride in the URL: never send it on as a referrer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    (headers, Html(page)).into_response()
}

/// The embed page's own policy: nothing inline, scripts and API calls from this server only,
/// framed only by the site's origins (and this server, for its own demo pages).
fn embed_policy(origins: &[String]) -> String {
    let ancestors: Vec<&str> = origins
        .iter()
        .map(String::as_str)
        .filter(|o| o.bytes().all(|b| b.is_ascii_graphic()) && !o.contains(';'))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'; connect-src 'self'; require-trusted-types-for 'script'; \
         trusted-types 'none'; frame-ancestors 'self' {}",
        ancestors.join(" ")
    )
}

fn embed_html(widget: &str, attributes: &[(&str, String)], origins: &[String]) -> String {
    let lang = attributes
        .iter()
        .find(|(name, _)| *name == "lang")
        .map_or("en", |(_, value)| value.as_str());
    let element_attributes: String = attributes
        .iter()
        .map(|(name, value)| format!(" {name}=\"{}\"", escape_html(value)))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"engage-origins\" content=\"{origins}\">\n<title>Engage</title>\n\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n\
         <script type=\"module\" src=\"/engage.js\"></script>\n\
         <script type=\"module\" src=\"/embed.js\"></script>\n</head>\n\
         <body>\n<engage-{widget}{element_attributes}></engage-{widget}>\n</body>\n</html>\n",
        lang = escape_html(lang),
        origins = escape_html(&origins.join(" ")),
    )
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        message.to_owned(),
    )
        .into_response()
}

/// Escapes text for an HTML attribute value or text node.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
