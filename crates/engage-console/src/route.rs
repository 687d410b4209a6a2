//! Client-side routing under `/console/…`: the [`Route`] a path names, the current location as
//! a signal, navigation with the History API, and [`Link`], an `<a>` that navigates without a
//! page load.
//!
//! The console has a dozen fixed routes, so a small parser here does what a router crate would,
//! without its weight in the bundle.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::segment;

/// Where the console lives on the server.
pub const BASE: &str = "/console";

/// A page of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/console`: the first site's page, or the site list.
    Home,
    SignIn,
    /// `/console/setup?token=…`.
    Setup {
        token: String,
    },
    /// `/console/sites`.
    Sites,
    /// `/console/sites/{site}/…`.
    Site {
        site: String,
        page: SitePage,
    },
    NotFound,
}

/// A page of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitePage {
    /// Settings, secrets and the embed builder.
    Overview,
    Rules,
    Polls,
    Poll(String),
    Lotteries,
    Lottery(String),
    /// The rewards shop: rewards, codes and the fulfilment queue.
    Rewards,
    Feedback,
    Members,
    Member(String),
    Webhooks,
    Audit,
    /// CSV downloads of every table.
    Export,
    Analytics,
}

/// The sections of the navigation, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Sites,
    Rules,
    Polls,
    Lotteries,
    Rewards,
    Feedback,
    Members,
    Webhooks,
    Audit,
    Export,
    Analytics,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Sites,
        Section::Rules,
        Section::Polls,
        Section::Lotteries,
        Section::Rewards,
        Section::Feedback,
        Section::Members,
        Section::Webhooks,
        Section::Audit,
        Section::Export,
        Section::Analytics,
    ];

    /// The page of `site` this section opens.
    pub fn page(self) -> SitePage {
        match self {
            Section::Sites => SitePage::Overview,
            Section::Rules => SitePage::Rules,
            Section::Polls => SitePage::Polls,
            Section::Lotteries => SitePage::Lotteries,
            Section::Rewards => SitePage::Rewards,
            Section::Feedback => SitePage::Feedback,
            Section::Members => SitePage::Members,
            Section::Webhooks => SitePage::Webhooks,
            Section::Audit => SitePage::Audit,
            Section::Export => SitePage::Export,
            Section::Analytics => SitePage::Analytics,
        }
    }
}

impl SitePage {
    /// The navigation section the page belongs to.
    pub fn section(&self) -> Section {
        match self {
            SitePage::Overview => Section::Sites,
            SitePage::Rules => Section::Rules,
            SitePage::Polls | SitePage::Poll(_) => Section::Polls,
            SitePage::Lotteries | SitePage::Lottery(_) => Section::Lotteries,
            SitePage::Rewards => Section::Rewards,
            SitePage::Feedback => Section::Feedback,
            SitePage::Members | SitePage::Member(_) => Section::Members,
            SitePage::Webhooks => Section::Webhooks,
            SitePage::Audit => Section::Audit,
            SitePage::Export => Section::Export,
            SitePage::Analytics => Section::Analytics,
        }
    }
}

impl Route {
    /// The route of a path (`/console/sites/demo/rules`) and query (`token=…`, without `?`).
    pub fn parse(path: &str, query: &str) -> Route {
        let Some(rest) = path.strip_prefix(BASE) else {
            return Route::NotFound;
        };
        let parts: Vec<String> = rest
            .split('/')
            .filter(|p| !p.is_empty())
            .map(|p| {
                js_sys::decode_uri_component(p)
                    .map(String::from)
                    .unwrap_or_else(|_| p.to_owned())
            })
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match parts.as_slice() {
            [] => Route::Home,
            ["sign-in"] => Route::SignIn,
            ["setup"] => Route::Setup {
                token: query_param(query, "token").unwrap_or_default(),
            },
            ["sites"] => Route::Sites,
            ["sites", site, rest @ ..] => {
                let page = match rest {
                    [] => SitePage::Overview,
                    ["rules"] => SitePage::Rules,
                    ["polls"] => SitePage::Polls,
                    ["polls", poll] => SitePage::Poll((*poll).to_owned()),
                    ["lotteries"] => SitePage::Lotteries,
                    ["lotteries", lottery] => SitePage::Lottery((*lottery).to_owned()),
                    ["rewards"] => SitePage::Rewards,
                    ["feedback"] => SitePage::Feedback,
                    ["members"] => SitePage::Members,
                    ["members", member] => SitePage::Member((*member).to_owned()),
                    ["webhooks"] => SitePage::Webhooks,
                    ["audit"] => SitePage::Audit,
                    ["export"] => SitePage::Export,
                    ["analytics"] => SitePage::Analytics,
                    _ => return Route::NotFound,
                };
                Route::Site {
                    site: (*site).to_owned(),
                    page,
                }
            }
            _ => Route::NotFound,
        }
    }

    /// The path of the route.
    pub fn href(&self) -> String {
        match self {
            Route::Home => format!("{BASE}/"),
            Route::SignIn => format!("{BASE}/sign-in"),
            Route::Setup { token } => format!("{BASE}/setup?token={}", segment(token)),
            Route::Sites => format!("{BASE}/sites"),
            Route::NotFound => format!("{BASE}/"),
            Route::Site { site, page } => {
                let site = segment(site);
                let rest = match page {
                    SitePage::Overview => String::new(),
                    SitePage::Rules => "/rules".to_owned(),
                    SitePage::Polls => "/polls".to_owned(),
                    SitePage::Poll(poll) => format!("/polls/{}", segment(poll)),
                    SitePage::Lotteries => "/lotteries".to_owned(),
                    SitePage::Lottery(lottery) => format!("/lotteries/{}", segment(lottery)),
                    SitePage::Rewards => "/rewards".to_owned(),
                    SitePage::Feedback => "/feedback".to_owned(),
                    SitePage::Members => "/members".to_owned(),
                    SitePage::Member(member) => format!("/members/{}", segment(member)),
                    SitePage::Webhooks => "/webhooks".to_owned(),
                    SitePage::Audit => "/audit".to_owned(),
                    SitePage::Export => "/export".to_owned(),
                    SitePage::Analytics => "/analytics".to_owned(),
                };
                format!("{BASE}/sites/{site}{rest}")
            }
        }
    }

    /// The site the route is about, if any.
    pub fn site(&self) -> Option<&str> {
        match self {
            Route::Site { site, .. } => Some(site),
            _ => None,
        }
    }
}

/// The value of `name` in a query string (`a=1&b=2`).
pub fn query_param(query: &str, name: &str) -> Option<String> {
    let params = web_sys::UrlSearchParams::new_with_str(query).ok()?;
    params.get(name)
}

/// The current location, provided as context by the app.
#[derive(Debug, Clone, Copy)]
pub struct Router {
    pub route: RwSignal<Route>,
}

impl Router {
    /// Reads the browser's location and follows the back and forward buttons.
    pub fn new() -> Router {
        let route = RwSignal::new(current_route());
        if let Some(window) = web_sys::window() {
            let on_pop = Closure::<dyn Fn()>::new(move || {
                route.try_set(current_route());
            });
            let _ = window
                .add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
            on_pop.forget();
        }
        Router { route }
    }

    /// Goes to `route`, adding a history entry.
    pub fn go(&self, route: Route) {
        self.change(route, false);
    }

    /// Goes to `route` in place of the current history entry (redirects).
    pub fn replace(&self, route: Route) {
        self.change(route, true);
    }

    fn change(&self, route: Route, replace: bool) {
        if self.route.get_untracked() == route {
            return;
        }
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let href = route.href();
            let _ = if replace {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
            };
        }
        self.route.set(route);
        // A new page starts at its top, as after a page load.
        if !replace && let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

impl Default for Router {
    fn default() -> Router {
        Router::new()
    }
}

fn current_route() -> Route {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return Route::Home;
    };
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    Route::parse(&path, search.trim_start_matches('?'))
}

pub fn use_router() -> Router {
    expect_context::<Router>()
}

/// A link to a console page: an ordinary `<a href>` (so it opens in a new tab, and reads as a
/// link) that navigates in place on a plain click.
#[component]
pub fn Link(
    /// Where it goes.
    #[prop(into)]
    to: Signal<Route>,
    /// `aria-current="page"` when true.
    #[prop(optional, into)]
    current: Signal<bool>,
    /// The link's classes.
    #[prop(optional, into)]
    class: String,
    children: Children,
) -> impl IntoView {
    let router = use_router();
    let on_click = move |event: web_sys::MouseEvent| {
        if event.button() != 0
            || event.ctrl_key()
            || event.meta_key()
            || event.shift_key()
            || event.alt_key()
        {
            return;
        }
        event.prevent_default();
        router.go(to.get_untracked());
    };
    view! {
        <a
            href=move || to.get().href()
            class=class
            aria-current=move || current.get().then_some("page")
            on:click=on_click
        >
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests;
