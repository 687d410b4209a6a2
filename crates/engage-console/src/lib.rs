//! The Engage owner console: a Leptos app, served by the server at `/console`, in which a site
//! owner runs their community — sites and their secrets, the embed builder, rules, polls,
//! lotteries, the feedback inbox, members and their points, webhooks, the audit log and the
//! site's analytics.
//!
//! It calls the same JSON API as host backends (`/api/v1/admin/…`, with the owner's session
//! cookie instead of an API key) and reads its answers with `engage_core::api`'s types; the
//! rules editor validates with `engage_core::rules::parse_rules`, the server's own parser.
//! Nothing an owner or member typed is ever rendered as HTML: every such string is a text node.

pub mod api;
mod app;
pub mod chart;
mod chart_view;
pub mod date_range;
pub mod diff;
pub mod i18n;
mod pages;
pub mod route;
mod style;
mod ui;

pub use app::{App, CONSOLE_CSS};

// The unit tests (the diff, small parsers) run in the browser like the component tests.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
pub use i18n::{Lang, Theme};

use wasm_bindgen::prelude::*;

/// Mounts the console on the page's `<body>`, replacing the shell's "Loading…" line. Called
/// by `boot.js` once the wasm is instantiated.
#[wasm_bindgen]
pub fn start() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    body.set_text_content(None);
    leptos::mount::mount_to(body, App).forget();
}
