//! The widgets mounted into real shadow roots in headless Chromium, asserted on the DOM.
//!
//! There is no Engage server here: network failures come from an address nothing listens on
//! (`http://127.0.0.1:9`), and the loaded states from a fake `fetch` (installed by the inline
//! JavaScript below) that answers for the origin `http://fake.engage.test` only.

#![cfg(target_arch = "wasm32")]

use engage_widgets::{Checkin, Lang, Theme, mount_checkin};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

const FAKE: &str = "http://fake.engage.test";
const UNREACHABLE: &str = "http://127.0.0.1:9";

#[wasm_bindgen(inline_js = r#"
const state = (over) => Object.assign({
  date: '2026-11-20', checked_in: false, already: false, streak: 2, longest_streak: 5,
  awarded: 0, points: 45, month: ['2026-11-18', '2026-11-19'], badges: [], month_of: '2026-11',
  total_checkins: 12, spent: 0, points_per_checkin: 10, next_milestone: { day: 7, bonus: 50 },
  makeup: { window_days: 7, cost: 30, missed: ['2026-11-17'], left_this_month: null },
}, over);
const json = (body, status = 200, headers = {}) => new Response(JSON.stringify(body), {
  status, headers: Object.assign({ 'content-type': 'application/json' }, headers),
});
export function install_fake_server() {
  if (window.__engageFake) return;
  const original = window.fetch.bind(window);
  window.__engageFake = { calls: [] };
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    window.__engageFake.calls.push(request.method + ' ' + request.url);
    if (!request.url.startsWith('http://fake.engage.test/')) return original(request);
    const url = new URL(request.url);
    const auth = request.headers.get('authorization');
    if (auth === 'Bearer limited') return json({ error: { code: 'rate_limited', message: 'slow down' } }, 429, { 'retry-after': '17' });
    if (auth !== 'Bearer good') return json({ error: { code: 'invalid_token', message: 'bad token' } }, 401);
    if (request.method === 'GET' && url.pathname === '/api/v1/sites/demo/checkin') {
      const month = url.searchParams.get('month');
      return json(month ? state({ month_of: month, month: [] }) : state({}));
    }
    if (request.method === 'POST' && url.pathname === '/api/v1/sites/demo/checkin') {
      return json(state({ checked_in: true, streak: 3, awarded: 10, points: 55, month: ['2026-11-18', '2026-11-19', '2026-11-20'] }));
    }
    if (request.method === 'POST' && url.pathname === '/api/v1/sites/demo/checkin/makeup') {
      const body = await request.json();
      return json(state({ spent: 30, points: 15, month: [body.date, '2026-11-18', '2026-11-19'], makeup: { window_days: 7, cost: 30, missed: [], left_this_month: null } }));
    }
    return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  };
}
export function fetch_calls() { return window.__engageFake ? window.__engageFake.calls.slice() : []; }
export function clear_fetch_calls() { if (window.__engageFake) window.__engageFake.calls.length = 0; }
export function record_events(target) {
  const seen = [];
  for (const name of ['engage:ready', 'engage:checkin', 'engage:error']) {
    target.addEventListener(name, (e) => seen.push({ type: e.type, detail: e.detail, composed: e.composed, bubbles: e.bubbles }));
  }
  return seen;
}
"#)]
extern "C" {
    fn install_fake_server();
    fn fetch_calls() -> Vec<String>;
    fn clear_fetch_calls();
    fn record_events(target: &web_sys::EventTarget) -> js_sys::Array;
}

/// A fresh host element in the document with an open shadow root.
fn host() -> (HtmlElement, ShadowRoot) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    (host, root)
}

/// A container inside a fresh shadow root, for mounting a component directly.
fn shadow_container() -> (ShadowRoot, HtmlElement) {
    let (_, root) = host();
    let document = web_sys::window().unwrap().document().unwrap();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    root.append_child(&container).unwrap();
    (root, container)
}

fn query(root: &ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn count(root: &ShadowRoot, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text(root: &ShadowRoot) -> String {
    query(root, ".engage-checkin")
        .and_then(|card| card.text_content())
        .unwrap_or_default()
}

/// Waits (up to about five seconds) for `ready` to hold, letting the reactive system, timers
/// and the network run in between.
async fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..250 {
        leptos::task::tick().await;
        if ready() {
            return;
        }
        let pause = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
                .unwrap();
        });
        JsFuture::from(pause).await.unwrap();
    }
    panic!("timed out waiting for {what}");
}

fn click(root: &ShadowRoot, selector: &str) {
    let element: HtmlElement = query(root, selector)
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into();
    element.click();
}

#[wasm_bindgen_test]
async fn signed_out_renders_without_a_request() {
    install_fake_server();
    let (root, container) = shadow_container();
    clear_fetch_calls();
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" server=FAKE lang=Lang::En /> }
    });
    wait_for("the signed-out message", || {
        text(&root).contains("Sign in to check in")
    })
    .await;
    assert!(text(&root).contains("Daily check-in"));
    assert_eq!(count(&root, ".engage-checkin__button"), 0);
    // Give a request every chance to go out, then make sure none did.
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    assert_eq!(fetch_calls(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn chinese_strings() {
    let (root, container) = shadow_container();
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" lang=Lang::ZhCn /> }
    });
    wait_for("the Chinese signed-out message", || {
        text(&root).contains("登录后即可签到")
    })
    .await;
    assert!(text(&root).contains("每日签到"));
    let card = query(&root, ".engage-checkin").unwrap();
    assert_eq!(card.get_attribute("lang").as_deref(), Some("zh-CN"));
}

#[wasm_bindgen_test]
async fn theme_class() {
    let (root, container) = shadow_container();
    let theme = RwSignal::new(Some(Theme::Dark));
    let _mounted = leptos::mount::mount_to(container, move || {
        view! { <Checkin site="demo" theme=theme /> }
    });
    wait_for("the card", || query(&root, ".engage-checkin").is_some()).await;
    let class = || query(&root, ".engage-checkin").unwrap().class_name();
    assert!(class().contains("engage-checkin--dark"), "{}", class());
    theme.set(None);
    wait_for("the auto theme", || {
        class().contains("engage-checkin--auto")
    })
    .await;
    theme.set(Some(Theme::Light));
    wait_for("the light theme", || {
        class().contains("engage-checkin--light")
    })
    .await;
}

#[wasm_bindgen_test]
async fn unreachable_server_shows_offline_with_retry() {
    let (root, container) = shadow_container();
    let events = record_events(&root.host());
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" server=UNREACHABLE member_token="good" lang=Lang::En /> }
    });
    wait_for("the offline state", || {
        query(&root, ".engage-checkin__retry").is_some()
    })
    .await;
    assert!(text(&root).contains("You're offline"), "{}", text(&root));
    assert!(query(&root, ".engage-checkin__message--offline").is_some());
    wait_for("engage:error", || events.length() >= 1).await;
    let get = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &key.into()).unwrap();
    let error = events.get(0);
    assert_eq!(
        get(&error, "type").as_string().as_deref(),
        Some("engage:error")
    );
    let detail = get(&error, "detail");
    assert_eq!(
        get(&detail, "widget").as_string().as_deref(),
        Some("checkin")
    );
    assert_eq!(get(&detail, "code").as_string().as_deref(), Some("offline"));
    assert_eq!(get(&detail, "status").as_f64(), Some(0.0));
    // Retry shows the skeleton again, then fails the same way.
    click(&root, ".engage-checkin__retry");
    wait_for("the skeleton", || {
        query(&root, ".engage-checkin__skeleton").is_some()
    })
    .await;
    wait_for("the offline state again", || {
        query(&root, ".engage-checkin__retry").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn loaded_card_has_a_six_week_calendar_and_checks_in() {
    install_fake_server();
    let (root, container) = shadow_container();
    let events = record_events(&root.host());
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" server=FAKE member_token="good" lang=Lang::En /> }
    });
    wait_for("the loaded card", || {
        query(&root, ".engage-checkin__button").is_some()
    })
    .await;
    assert_eq!(count(&root, ".engage-checkin__day"), 42);
    assert_eq!(count(&root, ".engage-checkin__grid tbody tr"), 6);
    assert_eq!(count(&root, ".engage-checkin__weekday"), 7);
    assert_eq!(count(&root, ".engage-checkin__day--checked"), 2);
    assert_eq!(count(&root, ".engage-checkin__day--today"), 1);
    assert_eq!(count(&root, "button.engage-checkin__day-button"), 1);
    let card = text(&root);
    assert!(card.contains("Friday, November 20, 2026"), "{card}");
    assert!(card.contains("November 2026"), "{card}");
    assert!(card.contains("5 more days to +50 bonus"), "{card}");
    assert!(card.contains("45"), "{card}");
    // November 2026 starts on a Sunday: six empty cells, then the 1st.
    let first = root
        .query_selector_all(".engage-checkin__day")
        .unwrap()
        .item(6)
        .unwrap();
    assert_eq!(
        first.text_content().unwrap().trim_start().chars().next(),
        Some('1')
    );
    wait_for("engage:ready", || events.length() >= 1).await;

    click(&root, ".engage-checkin__button");
    wait_for("the checked-in button", || {
        query(&root, ".engage-checkin__button")
            .and_then(|b| b.text_content())
            .as_deref()
            == Some("Checked in today")
    })
    .await;
    let button: web_sys::HtmlButtonElement = query(&root, ".engage-checkin__button")
        .unwrap()
        .unchecked_into();
    assert!(button.disabled());
    let status = query(&root, ".engage-checkin__status").unwrap();
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        status.text_content().as_deref(),
        Some("Checked in! +10 points")
    );
    assert_eq!(count(&root, ".engage-checkin__day--checked"), 3);

    // Events reach the host: ready first, then the check-in with the new state as detail.
    wait_for("engage:checkin", || events.length() >= 2).await;
    let get = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &key.into()).unwrap();
    let ready = events.get(0);
    assert_eq!(
        get(&ready, "type").as_string().as_deref(),
        Some("engage:ready")
    );
    assert_eq!(get(&ready, "composed").as_bool(), Some(true));
    assert_eq!(
        get(&get(&ready, "detail"), "site").as_string().as_deref(),
        Some("demo")
    );
    let checkin = events.get(1);
    assert_eq!(
        get(&checkin, "type").as_string().as_deref(),
        Some("engage:checkin")
    );
    let detail = get(&checkin, "detail");
    assert_eq!(get(&detail, "points").as_f64(), Some(55.0));
    assert_eq!(get(&detail, "awarded").as_f64(), Some(10.0));
    assert_eq!(
        get(&detail, "date").as_string().as_deref(),
        Some("2026-11-20")
    );
}

#[wasm_bindgen_test]
async fn make_up_a_missed_day_after_confirming() {
    install_fake_server();
    let (root, container) = shadow_container();
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" server=FAKE member_token="good" lang=Lang::En /> }
    });
    wait_for("the missed day", || {
        query(&root, ".engage-checkin__day-button").is_some()
    })
    .await;
    click(&root, ".engage-checkin__day-button");
    wait_for("the confirmation", || {
        query(&root, ".engage-checkin__confirm").is_some()
    })
    .await;
    assert!(
        text(&root).contains("Make up Nov 17 for 30 points?"),
        "{}",
        text(&root)
    );
    click(
        &root,
        ".engage-checkin__small-button:not(.engage-checkin__small-button--primary)",
    );
    wait_for("the confirmation to close", || {
        query(&root, ".engage-checkin__confirm").is_none()
    })
    .await;

    click(&root, ".engage-checkin__day-button");
    wait_for("the confirmation", || {
        query(&root, ".engage-checkin__confirm").is_some()
    })
    .await;
    click(&root, ".engage-checkin__small-button--primary");
    wait_for("the made-up day", || {
        count(&root, ".engage-checkin__day--checked") == 3
    })
    .await;
    assert_eq!(count(&root, ".engage-checkin__day-button"), 0);
    let status = query(&root, ".engage-checkin__status").unwrap();
    assert_eq!(
        status.text_content().as_deref(),
        Some("Made up Nov 17 (−30 points)")
    );
}

#[wasm_bindgen_test]
async fn previous_month_is_fetched_with_the_month_query() {
    install_fake_server();
    let (root, container) = shadow_container();
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" server=FAKE member_token="good" lang=Lang::En /> }
    });
    wait_for("the loaded card", || {
        query(&root, ".engage-checkin__nav-button").is_some()
    })
    .await;
    clear_fetch_calls();
    click(&root, ".engage-checkin__nav-button");
    wait_for("October", || text(&root).contains("October 2026")).await;
    assert_eq!(
        fetch_calls(),
        vec![format!(
            "GET {FAKE}/api/v1/sites/demo/checkin?month=2026-10"
        )]
    );
    assert_eq!(count(&root, ".engage-checkin__day"), 42);
}

#[wasm_bindgen_test]
async fn rate_limited_and_rejected_tokens_show_their_messages() {
    install_fake_server();
    let (root, container) = shadow_container();
    let token = RwSignal::new(Some("limited".to_owned()));
    let _mounted = leptos::mount::mount_to(container, move || {
        view! { <Checkin site="demo" server=FAKE member_token=token lang=Lang::En /> }
    });
    wait_for("the rate-limit message", || {
        text(&root).contains("Try again in 17 seconds")
    })
    .await;
    assert!(query(&root, ".engage-checkin__retry").is_some());
    token.set(Some("wrong".to_owned()));
    wait_for("the invalid-token message", || {
        text(&root).contains("Please sign in again")
    })
    .await;
    token.set(None);
    wait_for("the signed-out message", || {
        text(&root).contains("Sign in to check in")
    })
    .await;
}

#[wasm_bindgen_test]
async fn custom_element_bridge_mounts_updates_and_unmounts() {
    install_fake_server();
    let (host, root) = host();
    host.set_attribute("site", "demo").unwrap();
    host.set_attribute("lang", "en").unwrap();
    let defaults = js_sys::Object::new();
    js_sys::Reflect::set(&defaults, &"server".into(), &FAKE.into()).unwrap();
    let handle = mount_checkin(host.clone(), root.clone(), Some(defaults)).unwrap();
    // The stylesheet is adopted, never inlined.
    assert_eq!(root.adopted_style_sheets().length(), 1);
    assert_eq!(count(&root, "style"), 0);
    assert_eq!(count(&root, "[style]"), 0);
    wait_for("the signed-out message", || {
        text(&root).contains("Sign in to check in")
    })
    .await;

    handle.set_attribute("member-token", Some("good".to_owned()));
    wait_for("the loaded card", || {
        query(&root, ".engage-checkin__button").is_some()
    })
    .await;
    handle.set_attribute("lang", Some("zh-CN".to_owned()));
    wait_for("Chinese", || text(&root).contains("每日签到")).await;
    assert!(text(&root).contains("签到"));
    assert_eq!(count(&root, "[style]"), 0);

    handle.unmount();
    assert!(!handle.mounted());
    assert_eq!(count(&root, ".engage-checkin"), 0);
    assert_eq!(root.child_element_count(), 0);
    // Setting an attribute after unmounting is harmless.
    handle.set_attribute("lang", Some("en".to_owned()));

    // Re-adding mounts a fresh widget into the same shadow root, with one stylesheet.
    let again = mount_checkin(host.clone(), root.clone(), None).unwrap();
    wait_for("the remounted card", || {
        query(&root, ".engage-checkin").is_some()
    })
    .await;
    assert_eq!(count(&root, ".engage-checkin"), 1);
    assert_eq!(root.adopted_style_sheets().length(), 1);
    drop(again);
    assert_eq!(count(&root, ".engage-checkin"), 0);
}
