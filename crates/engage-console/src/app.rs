//! The console app: its context (language, theme, session, router), the choice between the
//! sign-in form, the setup page and the signed-in shell, and the shell itself — the top bar
//! with the site switcher, language, theme and sign-out, the navigation, and the page.

use engage_core::api::console::OwnerView;
use leptos::html::Main;
use leptos::prelude::*;

use crate::api;
use crate::i18n::{Lang, Theme};
use crate::pages;
use crate::route::{Link, Route, Router, Section, SitePage};
use crate::ui::{Console, Session, error_state, loading_state, store, stored, use_console};

/// The console's styles, adopted into the document as a constructed stylesheet (no `<style>`
/// element, no `style` attribute: the console runs under `style-src 'self'`).
pub static CONSOLE_CSS: &str = include_str!("console.css");

const LANG_KEY: &str = "engage-console:lang";
const THEME_KEY: &str = "engage-console:theme";
const SITE_KEY: &str = "engage-console:site";

/// The whole console. Mount it on `<body>` (see [`crate::start`]); tests mount it anywhere.
#[component]
pub fn App() -> impl IntoView {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        crate::style::adopt(&document, CONSOLE_CSS);
    }
    let router = Router::new();
    provide_context(router);
    let console = Console {
        lang: RwSignal::new(
            stored(LANG_KEY)
                .as_deref()
                .and_then(Lang::parse)
                .unwrap_or_else(Lang::from_browser),
        ),
        theme: RwSignal::new(
            stored(THEME_KEY)
                .as_deref()
                .and_then(Theme::parse)
                .unwrap_or_default(),
        ),
        session: RwSignal::new(Session::Checking),
        router,
    };
    provide_context(console);

    // The page's language and theme are the document's, so the browser's own parts (form
    // controls, scroll bars, spell checking) follow them too.
    Effect::new(move |_| {
        let lang = console.lang.get();
        let theme = console.theme.get();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.tag());
            let _ = html.set_attribute("data-theme", theme.as_str());
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(lang.console_title());
        }
    });

    api::on_signed_out(move || {
        console.session.try_set(Session::SignedOut);
    });
    let check = move || {
        console.session.set(Session::Checking);
        leptos::task::spawn_local(async move {
            let session = match api::session().await {
                Ok(view) => {
                    console.signed_in(view.owner);
                    return;
                }
                Err(error) if error.status == 401 => Session::SignedOut,
                Err(error) => Session::Failed(error),
            };
            console.session.try_set(session);
        });
    };
    check();

    // Signed in on the sign-in page or at the root: go to the owner's first site.
    Effect::new(move |_| {
        let Some(owner) = console.owner() else {
            return;
        };
        let route = router.route.get();
        if matches!(route, Route::Home | Route::SignIn) {
            router.replace(home_route(&owner));
        }
    });

    // The frame follows the session's kind only: a change to the signed-in owner (a site
    // created, a site renamed) must not rebuild the page, which would lose what it shows once
    // (a new site's secret and API key) and every form's input.
    // Likewise the route only says whether this is the setup page; the shell follows the rest.
    let kind = Memo::new(move |_| std::mem::discriminant(&console.session.get()));
    let setup = Memo::new(move |_| match router.route.get() {
        Route::Setup { token } => Some(token),
        _ => None,
    });
    move || {
        if let Some(token) = setup.get() {
            return view! { <pages::setup::SetupPage token=token /> }.into_any();
        }
        let lang = console.lang.get();
        // Read, not only tracked: a memo that was never read has not subscribed to anything.
        let _ = kind.get();
        match console.session.get_untracked() {
            Session::Checking => view! {
                <main class="splash">{loading_state(lang)}</main>
            }
            .into_any(),
            Session::Failed(error) => view! {
                <main class="splash">
                    {error_state(lang, &error, Some(Callback::new(move |()| check())))}
                </main>
            }
            .into_any(),
            Session::SignedOut => view! { <pages::sign_in::SignInPage /> }.into_any(),
            Session::SignedIn(_) => view! { <Shell /> }.into_any(),
        }
    }
}

/// Where a freshly signed-in owner lands: the last site they worked on, else their first.
fn home_route(owner: &OwnerView) -> Route {
    let last = stored(SITE_KEY);
    let site = owner
        .sites
        .iter()
        .find(|s| Some(s.id.as_str()) == last.as_deref())
        .or_else(|| owner.sites.first());
    match site {
        Some(site) => Route::Site {
            site: site.id.as_str().to_owned(),
            page: SitePage::Overview,
        },
        None => Route::Sites,
    }
}

/// The signed-in frame: top bar, navigation, and the page of the current route.
#[component]
fn Shell() -> impl IntoView {
    let console = use_console();
    let router = console.router;
    let lang = console.lang;
    let route = Memo::new(move |_| router.route.get());
    // The site the navigation links go to: the route's, else the last one, else the first.
    let site = Memo::new(move |_| {
        let owner = console.owner()?;
        if let Some(site) = route.get().site() {
            return Some(site.to_owned());
        }
        let last = stored(SITE_KEY);
        owner
            .sites
            .iter()
            .find(|s| Some(s.id.as_str()) == last.as_deref())
            .or_else(|| owner.sites.first())
            .map(|s| s.id.as_str().to_owned())
    });
    Effect::new(move |_| {
        if let Some(site) = route.get().site() {
            store(SITE_KEY, site);
        }
    });
    let section = Memo::new(move |_| match route.get() {
        Route::Site { page, .. } => Some(page.section()),
        Route::Sites => Some(Section::Sites),
        _ => None,
    });

    // After a navigation, focus moves to the page, as it would after a page load.
    let main_ref = NodeRef::<Main>::new();
    Effect::new(move |previous: Option<Route>| {
        let current = route.get();
        if previous.is_some_and(|p| p != current)
            && let Some(main) = main_ref.get_untracked()
        {
            let _ = main.focus();
        }
        current
    });

    let nav = move || {
        let lang = lang.get();
        Section::ALL
            .into_iter()
            .map(|s| {
                let target = match (s, site.get()) {
                    (Section::Sites, _) => Some(Route::Sites),
                    (_, Some(site)) => Some(Route::Site {
                        site,
                        page: s.page(),
                    }),
                    (_, None) => None,
                };
                let label = section_label(lang, s);
                let current = Signal::derive(move || section.get() == Some(s));
                let item = match target {
                    Some(target) => view! {
                        <Link to=target current=current class="nav__link".to_owned()>
                            {label}
                        </Link>
                    }
                    .into_any(),
                    None => view! {
                        <span class="nav__link nav__link--disabled" aria-disabled="true">
                            {label}
                        </span>
                    }
                    .into_any(),
                };
                view! { <li class="nav__item">{item}</li> }
            })
            .collect_view()
    };

    view! {
        <div class="console">
            <a class="skip-link" href="#main">
                {move || lang.get().skip_to_content()}
            </a>
            <header class="topbar">
                <span class="topbar__brand">"Engage"</span>
                <SiteSwitcher site=site />
                <div class="topbar__tools">
                    <LangSwitch />
                    <ThemeSwitch />
                    <span class="topbar__owner">
                        <span class="sr-only">{move || lang.get().signed_in_as()} " "</span>
                        {move || console.owner().map(|o| o.email).unwrap_or_default()}
                    </span>
                    <SignOutButton />
                </div>
            </header>
            <div class="console__body">
                <nav class="nav" aria-label=move || lang.get().navigation()>
                    <ul class="nav__list">{nav}</ul>
                </nav>
                <main id="main" class="main" tabindex="-1" node_ref=main_ref>
                    {move || page(route.get())}
                </main>
            </div>
        </div>
    }
}

fn section_label(lang: Lang, section: Section) -> &'static str {
    match section {
        Section::Sites => lang.nav_sites(),
        Section::Rules => lang.nav_rules(),
        Section::Polls => lang.nav_polls(),
        Section::Lotteries => lang.nav_lotteries(),
        Section::Rewards => lang.nav_rewards(),
        Section::Feedback => lang.nav_feedback(),
        Section::Members => lang.nav_members(),
        Section::Webhooks => lang.nav_webhooks(),
        Section::Audit => lang.nav_audit(),
        Section::Export => lang.nav_export(),
        Section::Analytics => lang.nav_analytics(),
    }
}

/// The page of `route`, for a signed-in owner.
fn page(route: Route) -> AnyView {
    use pages::*;
    match route {
        Route::Sites | Route::Home | Route::SignIn => view! { <sites::SitesPage /> }.into_any(),
        Route::Site { site, page } => match page {
            SitePage::Overview => view! { <sites::SitePage site=site /> }.into_any(),
            SitePage::Rules => view! { <rules::RulesPage site=site /> }.into_any(),
            SitePage::Polls => view! { <polls::PollsPage site=site /> }.into_any(),
            SitePage::Poll(poll) => view! { <polls::PollPage site=site poll=poll /> }.into_any(),
            SitePage::Lotteries => view! { <lotteries::LotteriesPage site=site /> }.into_any(),
            SitePage::Lottery(lottery) => {
                view! { <lotteries::LotteryPage site=site lottery=lottery /> }.into_any()
            }
            SitePage::Rewards => view! { <rewards::RewardsPage site=site /> }.into_any(),
            SitePage::Feedback => view! { <feedback::FeedbackPage site=site /> }.into_any(),
            SitePage::Members => view! { <members::MembersPage site=site /> }.into_any(),
            SitePage::Member(member) => {
                view! { <members::MemberPage site=site member=member /> }.into_any()
            }
            SitePage::Webhooks => view! { <webhooks::WebhooksPage site=site /> }.into_any(),
            SitePage::Audit => view! { <audit::AuditPage site=site /> }.into_any(),
            SitePage::Export => view! { <export::ExportPage site=site /> }.into_any(),
            SitePage::Analytics => view! { <analytics::AnalyticsPage site=site /> }.into_any(),
        },
        Route::Setup { .. } | Route::NotFound => not_found().into_any(),
    }
}

fn not_found() -> impl IntoView {
    let lang = use_console().lang;
    view! {
        <div class="state state--empty">
            <p>{move || lang.get().page_not_found()}</p>
            <Link to=Route::Sites>{move || lang.get().back_to_sites()}</Link>
        </div>
    }
}

/// Switches between the owner's sites, staying on the same kind of page.
#[component]
fn SiteSwitcher(site: Memo<Option<String>>) -> impl IntoView {
    let console = use_console();
    let lang = console.lang;
    let on_change = move |event: web_sys::Event| {
        let chosen = event_target_value(&event);
        let page = match console.router.route.get_untracked() {
            // A poll or member of one site is not one of the other: go to its list.
            Route::Site { page, .. } => page.section().page(),
            _ => SitePage::Overview,
        };
        console.router.go(Route::Site { site: chosen, page });
    };
    view! {
        <label class="topbar__site">
            <span class="sr-only">{move || lang.get().site_switcher()}</span>
            <select class="select" on:change=on_change prop:value=move || site.get().unwrap_or_default()>
                {move || {
                    let sites = console.owner().map(|o| o.sites).unwrap_or_default();
                    if sites.is_empty() {
                        return view! { <option value="">{lang.get().no_site()}</option> }
                            .into_any();
                    }
                    let current = site.get();
                    sites
                        .into_iter()
                        .map(|s| {
                            let selected = current.as_deref() == Some(s.id.as_str());
                            let id = s.id.as_str().to_owned();
                            let label = if s.name.is_empty() || s.name == id {
                                id.clone()
                            } else {
                                format!("{} ({id})", s.name)
                            };
                            view! {
                                <option value=id selected=selected>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </select>
        </label>
    }
}

/// The language switch: saved for the owner on the server, and in this browser.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let console = use_console();
    let lang = console.lang;
    let on_change = move |event: web_sys::Event| {
        let Some(chosen) = Lang::parse(&event_target_value(&event)) else {
            return;
        };
        lang.set(chosen);
        store(LANG_KEY, chosen.tag());
        if console.owner().is_some() {
            console.update_owner(|o| o.lang = Some(chosen.for_server()));
            leptos::task::spawn_local(async move {
                // The choice already applies here; the server keeps it for other browsers.
                let _ = api::save_lang(Some(chosen.for_server())).await;
            });
        }
    };
    view! {
        <label class="switch">
            <span class="sr-only">{move || lang.get().language()}</span>
            <select class="select select--small" on:change=on_change>
                {[Lang::En, Lang::ZhCn]
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.tag() lang=l.tag() selected=move || lang.get() == l>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The theme switch: light, dark, or the system's; kept in this browser.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let console = use_console();
    let lang = console.lang;
    let theme = console.theme;
    let on_change = move |event: web_sys::Event| {
        if let Some(chosen) = Theme::parse(&event_target_value(&event)) {
            theme.set(chosen);
            store(THEME_KEY, chosen.as_str());
        }
    };
    view! {
        <label class="switch">
            <span class="sr-only">{move || lang.get().theme()}</span>
            <select class="select select--small" on:change=on_change>
                {Theme::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <option value=t.as_str() selected=move || theme.get() == t>
                                {move || t.label(lang.get())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let console = use_console();
    let pending = RwSignal::new(false);
    let sign_out = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            // Whatever the answer, this browser forgets the session: a failed DELETE leaves a
            // row that expires by itself.
            let _ = api::sign_out().await;
            pending.try_set(false);
            console.session.try_set(Session::SignedOut);
            console.router.go(Route::SignIn);
        });
    };
    view! {
        <button type="button" class="button button--small" on:click=sign_out disabled=move || pending.get()>
            {move || console.lang.get().sign_out()}
        </button>
    }
}
