//! The widgets mounted into real shadow roots in headless Chromium, asserted on the DOM.
//!
//! There is no Engage server here: network failures come from an address nothing listens on
//! (`http://127.0.0.1:9`), and the loaded states from a fake `fetch` (installed by the inline
//! JavaScript below) that answers for the origin `http://fake.engage.test` only, with a fake
//! `EventSource` for that origin whose `tally` events the tests send.

#![cfg(target_arch = "wasm32")]

use engage_widgets::{Checkin, Lang, Poll, Theme, mount};
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
const options = (...labels) => labels.map(([id, label]) => ({ id, label }));
// The polls of the fake server: votes cast before the tests, and the owner's settings.
const POLLS = {
  colours: {
    question: 'Which colour?', options: options(['red', 'Red'], ['green', 'Green'], ['blue', '<b>Blue</b>']),
    multiple: false, max_choices: 1, closes_at: '2026-11-30T12:00:00Z', closed: false, results: 'always',
    anonymous: true, allow_change: true, points_per_vote: 5, votes: { red: 2, green: 1, blue: 0 }, voters: 3,
  },
  days: {
    question: 'Which days suit you?', options: options(['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday']),
    multiple: true, max_choices: 2, closes_at: null, closed: false, results: 'after_vote',
    anonymous: false, allow_change: false, points_per_vote: 0, votes: { mon: 1, tue: 2, wed: 0, thu: 0 }, voters: 2,
  },
  secret: {
    question: 'Secret ballot?', options: options(['yes', 'Yes'], ['no', 'No']),
    multiple: false, max_choices: 1, closes_at: null, closed: false, results: 'after_close',
    anonymous: true, allow_change: false, points_per_vote: 0, votes: { yes: 4, no: 1 }, voters: 5,
  },
  finished: {
    question: 'Which talk did you like?', options: options(['a', 'Talk A'], ['b', 'Talk B']),
    multiple: false, max_choices: 1, closes_at: '2026-11-01T09:00:00Z', closed: true, results: 'after_close',
    anonymous: true, allow_change: false, points_per_vote: 0, votes: { a: 1, b: 2 }, voters: 3,
  },
};
function pollView(id, voter) {
  const poll = POLLS[id];
  const counts = Object.assign({}, poll.votes);
  let voters = poll.voters;
  for (const [key, choices] of Object.entries(window.__engageFake.ballots)) {
    if (!key.startsWith(id + '|')) continue;
    voters++;
    for (const choice of choices) counts[choice]++;
  }
  const mine = window.__engageFake.ballots[id + '|' + voter] || [];
  const visible = poll.closed || poll.results === 'always' || (poll.results === 'after_vote' && mine.length > 0);
  const view = {
    id, question: poll.question, multiple: poll.multiple, max_choices: poll.max_choices,
    closes_at: poll.closes_at, closed: poll.closed, my_choices: mine, results_visible: visible,
    results: poll.results, anonymous: poll.anonymous, allow_change: poll.allow_change,
    points_per_vote: poll.points_per_vote,
    options: poll.options.map((o) => visible ? Object.assign({ votes: counts[o.id] }, o) : Object.assign({}, o)),
  };
  if (visible) view.total_votes = voters;
  return view;
}
async function pollRoute(request, url, auth) {
  const [, id, rest] = url.pathname.match(/^\/api\/v1\/sites\/demo\/polls\/([^/]+)(\/votes)?$/);
  if (!POLLS[id]) return json({ error: { code: 'poll_not_found', message: 'no such poll' } }, 404);
  const visitor = request.headers.get('x-engage-visitor');
  if (visitor) window.__engageFake.visitors.push(visitor);
  const voter = auth === 'Bearer good' ? 'member' : (visitor ? 'visitor:' + visitor : null);
  if (request.method === 'GET' && !rest) return json(pollView(id, voter));
  if (request.method !== 'POST' || !rest) return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  const { choices } = await request.json();
  window.__engageFake.bodies.push({ poll: id, choices });
  const poll = POLLS[id];
  if (!poll.anonymous && voter !== 'member') return json({ error: { code: 'members_only', message: 'members only' } }, 401);
  if (poll.closed) return json({ error: { code: 'poll_closed', message: 'closed' } }, 409);
  const key = id + '|' + voter;
  const first = !window.__engageFake.ballots[key];
  if (!first && !poll.allow_change) return json({ error: { code: 'already_voted', message: 'voted' } }, 409);
  if (choices.length > poll.max_choices) return json({ error: { code: 'too_many_choices', message: 'too many' } }, 422);
  window.__engageFake.ballots[key] = choices;
  const awarded = first && voter === 'member' ? poll.points_per_vote : 0;
  const answer = Object.assign(pollView(id, voter), { awarded });
  if (voter === 'member') answer.points = 45 + awarded;
  return json(answer);
}
export function install_fake_server() {
  if (window.__engageFake) return;
  const original = window.fetch.bind(window);
  window.__engageFake = { calls: [], visitors: [], bodies: [], ballots: {} };
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    window.__engageFake.calls.push(request.method + ' ' + request.url);
    if (!request.url.startsWith('http://fake.engage.test/')) return original(request);
    const url = new URL(request.url);
    const auth = request.headers.get('authorization');
    if (auth === 'Bearer limited') return json({ error: { code: 'rate_limited', message: 'slow down' } }, 429, { 'retry-after': '17' });
    if (url.pathname.startsWith('/api/v1/sites/demo/polls/')) return pollRoute(request, url, auth);
    // Members of the fake server, by token: how their check-in state differs from `state`.
    const member = {
      'Bearer good': {},
      'Bearer poor': { points: 5 },
      'Bearer milestone': { streak: 6 },
      'Bearer veteran': { streak: 365, longest_streak: 1000, points: 123456 },
      'Bearer busy': {},
    }[auth];
    if (!member) return json({ error: { code: 'invalid_token', message: 'bad token' } }, 401);
    if (request.method === 'GET' && url.pathname === '/api/v1/sites/demo/checkin') {
      const month = url.searchParams.get('month');
      return json(month ? state(Object.assign({ month_of: month, month: [] }, member)) : state(member));
    }
    if (request.method === 'POST' && url.pathname === '/api/v1/sites/demo/checkin') {
      if (auth === 'Bearer busy') return json({ error: { code: 'rate_limited', message: 'slow down' } }, 429, { 'retry-after': '17' });
      if (auth === 'Bearer milestone') {
        return json(state({ checked_in: true, streak: 7, longest_streak: 7, awarded: 60, points: 105, month: ['2026-11-18', '2026-11-19', '2026-11-20'], next_milestone: { day: 30, bonus: 200 } }));
      }
      return json(state({ checked_in: true, streak: 3, awarded: 10, points: 55, month: ['2026-11-18', '2026-11-19', '2026-11-20'] }));
    }
    if (request.method === 'POST' && url.pathname === '/api/v1/sites/demo/checkin/makeup') {
      const body = await request.json();
      return json(state({ spent: 30, points: 15, month: [body.date, '2026-11-18', '2026-11-19'], makeup: { window_days: 7, cost: 30, missed: [], left_this_month: null } }));
    }
    return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  };
  // Event streams of the fake origin stay open until closed and send what `emit_tally` says.
  const OriginalEventSource = window.EventSource;
  const sources = window.__engageFake.sources = [];
  function FakeEventSource(url, init) {
    if (!String(url).startsWith('http://fake.engage.test/')) return new OriginalEventSource(url, init);
    const source = new EventTarget();
    Object.assign(source, { url: String(url), readyState: 1, close() { source.readyState = 2; } });
    sources.push(source);
    return source;
  }
  Object.assign(FakeEventSource, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
  window.EventSource = FakeEventSource;
  // Whether an open page stream (`…/sites/{site}/stream?channels=…`) carries a channel.
  window.__engageCarries = (source, path, channel) => {
    if (source.readyState === 2) return false;
    const url = new URL(source.url);
    return url.pathname.endsWith(path) &&
      (url.searchParams.get('channels') || '').split(',').includes(channel);
  };
}
const pollStreams = (poll) => window.__engageFake.sources.filter(
  (s) => window.__engageCarries(s, '/stream', 'poll:' + poll));
export function reset_fake_polls() {
  window.__engageFake.ballots = {};
  window.__engageFake.visitors.length = 0;
  window.__engageFake.bodies.length = 0;
}
export function cast_fake_vote(poll, voter, choices) { window.__engageFake.ballots[poll + '|' + voter] = choices; }
export function emit_tally(poll, version) {
  for (const source of pollStreams(poll)) {
    source.dispatchEvent(new MessageEvent('poll:' + poll, { data: JSON.stringify({ change: 'c' + version }) }));
  }
}
export function fail_event_sources(poll) {
  for (const source of pollStreams(poll)) {
    source.readyState = 2;
    source.dispatchEvent(new Event('error'));
  }
}
export function open_event_sources(poll) {
  return pollStreams(poll).length;
}
export function open_page_streams() {
  return window.__engageFake.sources.filter((s) => s.readyState !== 2).length;
}
export function vote_bodies() { return JSON.stringify(window.__engageFake.bodies); }
export function visitor_ids() { return window.__engageFake.visitors.slice(); }
export function fetch_calls() { return window.__engageFake ? window.__engageFake.calls.slice() : []; }
export function clear_fetch_calls() { if (window.__engageFake) window.__engageFake.calls.length = 0; }
export function record_events(target) {
  const seen = [];
  for (const name of ['engage:ready', 'engage:checkin', 'engage:vote', 'engage:error']) {
    target.addEventListener(name, (e) => seen.push({ type: e.type, detail: e.detail, composed: e.composed, bubbles: e.bubbles }));
  }
  return seen;
}
"#)]
extern "C" {
    fn install_fake_server();
    fn reset_fake_polls();
    fn cast_fake_vote(poll: &str, voter: &str, choices: Vec<String>);
    fn emit_tally(poll: &str, version: u32);
    fn fail_event_sources(poll: &str);
    fn open_event_sources(poll: &str) -> u32;
    fn open_page_streams() -> u32;
    fn vote_bodies() -> String;
    fn visitor_ids() -> Vec<String>;
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
    query(root, ".engage-card")
        .and_then(|card| card.text_content())
        .unwrap_or_default()
}

/// Waits (up to about five seconds) for `ready` to hold, letting the reactive system, timers
/// and the network run in between.
async fn wait_for(what: &str, ready: impl FnMut() -> bool) {
    wait_up_to(250, what, ready).await;
}

/// Waits for `ready` to hold, checking `tries` times about 20 ms apart.
async fn wait_up_to(tries: u32, what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..tries {
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

/// Mounts the check-in for `token`, a member of the fake server, in a card as wide as a
/// sidebar's (340px).
fn mount_checkin_in_sidebar(
    token: &'static str,
) -> (ShadowRoot, leptos::mount::UnmountHandle<impl Mountable>) {
    install_fake_server();
    let (host, root) = host();
    host.style().set_property("width", "340px").unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    root.append_child(&container).unwrap();
    let mounted = leptos::mount::mount_to(container, move || {
        view! { <Checkin site="demo" server=FAKE member_token=token lang=Lang::En /> }
    });
    (root, mounted)
}

/// Selects the first missed day of a loaded check-in and waits for its make-up notice.
async fn open_makeup_notice(root: &ShadowRoot) {
    wait_for("the missed day", || {
        query(root, ".engage-checkin__day-button").is_some()
    })
    .await;
    click(root, ".engage-checkin__day-button");
    wait_for("the make-up notice", || {
        query(root, ".engage-checkin__confirm").is_some()
    })
    .await;
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
    assert!(class().contains("engage-card--dark"), "{}", class());
    theme.set(None);
    wait_for("the auto theme", || class().contains("engage-card--auto")).await;
    theme.set(Some(Theme::Light));
    wait_for("the light theme", || class().contains("engage-card--light")).await;
}

#[wasm_bindgen_test]
async fn unreachable_server_shows_offline_with_retry() {
    let (root, container) = shadow_container();
    let events = record_events(&root.host());
    let _mounted = leptos::mount::mount_to(container, || {
        view! { <Checkin site="demo" server=UNREACHABLE member_token="good" lang=Lang::En /> }
    });
    wait_for("the offline state", || {
        query(&root, ".engage-card__retry").is_some()
    })
    .await;
    assert!(text(&root).contains("Can't connect"), "{}", text(&root));
    assert!(query(&root, ".engage-card__message--offline").is_some());
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
    click(&root, ".engage-card__retry");
    wait_for("the skeleton", || {
        query(&root, ".engage-checkin__skeleton").is_some()
    })
    .await;
    wait_for("the offline state again", || {
        query(&root, ".engage-card__retry").is_some()
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
    // The hint names the next milestone and what the dashed (missed) days are for.
    assert!(
        card.contains("5 more days in a row for +50 bonus"),
        "{card}"
    );
    assert!(
        card.contains("Make up a dashed day for 30 points"),
        "{card}"
    );
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
    open_makeup_notice(&root).await;
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

    open_makeup_notice(&root).await;
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

/// Regression: a make-up the member cannot afford showed its reason on three lines in a slot
/// of two, cut off, beside a Confirm button that could not be pressed.
#[wasm_bindgen_test]
async fn a_make_up_the_member_cannot_afford_says_why_in_full() {
    let (root, _mounted) = mount_checkin_in_sidebar("poor");
    open_makeup_notice(&root).await;
    let notice: HtmlElement = query(&root, ".engage-checkin__confirm")
        .unwrap()
        .unchecked_into();
    let reason = notice.text_content().unwrap();
    assert!(
        reason.contains("Making up Nov 17 costs 30 points; you have 5."),
        "{reason}"
    );
    assert_eq!(count(&root, ".engage-checkin__small-button--primary"), 0);
    let text: HtmlElement = query(&root, ".engage-checkin__confirm-text")
        .unwrap()
        .unchecked_into();
    assert!(
        text.scroll_height() <= notice.client_height(),
        "the reason is {}px tall in a notice of {}px",
        text.scroll_height(),
        notice.client_height()
    );
    // The one way on is Close, which has the focus and gives it back to the day.
    let close = query(&root, ".engage-checkin__small-button").unwrap();
    assert_eq!(close.text_content().as_deref(), Some("Close"));
    assert_eq!(root.active_element(), Some(close));
    click(&root, ".engage-checkin__small-button");
    wait_for("the notice to close", || {
        query(&root, ".engage-checkin__confirm").is_none()
    })
    .await;
    assert_eq!(
        root.active_element(),
        query(&root, ".engage-checkin__day-button")
    );
}

/// Regression: a check-in that reached a streak milestone announced its total only, so the
/// member never learned that the bonus was paid.
#[wasm_bindgen_test]
async fn a_check_in_that_reaches_a_milestone_names_its_bonus() {
    let (root, _mounted) = mount_checkin_in_sidebar("milestone");
    wait_for("the next milestone", || {
        text(&root).contains("1 more day in a row for +50 bonus")
    })
    .await;
    click(&root, ".engage-checkin__button");
    let status = query(&root, ".engage-checkin__status").unwrap();
    wait_for("the announcement", || {
        status.text_content() != Some(String::new())
    })
    .await;
    assert_eq!(
        status.text_content().as_deref(),
        Some("Checked in! +10 points, +50 for a 7-day streak")
    );
}

/// Regression: a check-in the server refused said why in the same colour as a success.
#[wasm_bindgen_test]
async fn a_refused_check_in_says_why_as_a_failure() {
    let (root, _mounted) = mount_checkin_in_sidebar("busy");
    wait_for("the check-in button", || {
        query(&root, ".engage-checkin__button").is_some()
    })
    .await;
    click(&root, ".engage-checkin__button");
    let status = query(&root, ".engage-checkin__status").unwrap();
    wait_for("the refusal", || {
        status
            .text_content()
            .is_some_and(|t| t.contains("Try again in 17 seconds"))
    })
    .await;
    let class = status.class_name();
    assert!(class.contains("engage-card__status--failed"), "{class}");
}

/// Regression: a long streak and a large balance ran into each other in the stats row of a
/// sidebar-wide card.
#[wasm_bindgen_test]
async fn long_streaks_and_large_balances_do_not_overlap() {
    let (root, _mounted) = mount_checkin_in_sidebar("veteran");
    wait_for("the stats", || text(&root).contains("123456")).await;
    let values = root
        .query_selector_all(".engage-checkin__stat-value")
        .unwrap();
    assert_eq!(values.length(), 3);
    for i in 0..values.length() {
        let value: Element = values.item(i).unwrap().unchecked_into();
        assert!(
            value.scroll_width() <= value.client_width(),
            "{:?} runs out of its column",
            value.text_content()
        );
    }
    let stats = query(&root, ".engage-checkin__stats").unwrap();
    assert!(
        stats.scroll_width() <= stats.client_width(),
        "the stats are {}px wide in a row of {}px",
        stats.scroll_width(),
        stats.client_width()
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
    assert!(query(&root, ".engage-card__retry").is_some());
    token.set(Some("wrong".to_owned()));
    wait_for("the invalid-token message", || {
        text(&root).contains("Please sign in again")
    })
    .await;
    // Retrying with the same refused token cannot help: no Retry button (the widget loads
    // again by itself when it is given a new token).
    assert_eq!(count(&root, ".engage-card__retry"), 0);
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
    let handle = mount("checkin", host.clone(), root.clone(), Some(defaults)).unwrap();
    // The card's and the widget's stylesheets are adopted, never inlined.
    assert_eq!(root.adopted_style_sheets().length(), 2);
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
    let again = mount("checkin", host.clone(), root.clone(), None).unwrap();
    wait_for("the remounted card", || {
        query(&root, ".engage-checkin").is_some()
    })
    .await;
    assert_eq!(count(&root, ".engage-checkin"), 1);
    assert_eq!(root.adopted_style_sheets().length(), 2);
    drop(again);
    assert_eq!(count(&root, ".engage-checkin"), 0);
}

// The poll.

fn input(root: &ShadowRoot, selector: &str) -> web_sys::HtmlInputElement {
    query(root, selector)
        .unwrap_or_else(|| panic!("no input matches {selector}"))
        .unchecked_into()
}

fn button_text(root: &ShadowRoot) -> String {
    query(root, ".engage-poll__button")
        .and_then(|b| b.text_content())
        .unwrap_or_default()
}

fn button_disabled(root: &ShadowRoot) -> bool {
    query(root, ".engage-poll__button")
        .map(|b| b.unchecked_into::<web_sys::HtmlButtonElement>().disabled())
        .unwrap_or(true)
}

/// The width the bar of `option` is drawn at, as set through the CSSOM.
fn bar_width(root: &ShadowRoot, option: &str) -> String {
    let fill: HtmlElement = query(
        root,
        &format!(".engage-poll__option:has(input[value=\"{option}\"]) .engage-poll__fill"),
    )
    .unwrap_or_else(|| panic!("no bar for {option}"))
    .unchecked_into();
    fill.style().get_property_value("width").unwrap()
}

fn mount_poll(
    poll: &'static str,
    token: Option<&'static str>,
    lang: Lang,
) -> (ShadowRoot, leptos::mount::UnmountHandle<impl Mountable>) {
    install_fake_server();
    reset_fake_polls();
    let (root, container) = shadow_container();
    let mounted = leptos::mount::mount_to(container, move || {
        view! {
            <Poll
                site="demo"
                poll=poll
                server=FAKE
                member_token=token.map(str::to_owned)
                lang=lang
            />
        }
    });
    (root, mounted)
}

async fn wait_for_poll(root: &ShadowRoot) {
    wait_for("the loaded poll", || {
        query(root, ".engage-poll__question").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn poll_is_a_form_with_a_fieldset_legend_and_radios() {
    let (root, _mounted) = mount_poll("colours", None, Lang::En);
    wait_for_poll(&root).await;
    let legend = query(&root, "form fieldset > legend").expect("a legend in a fieldset");
    assert_eq!(legend.text_content().as_deref(), Some("Which colour?"));
    assert_eq!(count(&root, "fieldset input[type=radio][name=choice]"), 3);
    assert_eq!(count(&root, "label.engage-poll__option > input"), 3);
    assert_eq!(count(&root, "button[type=submit]"), 1);
    assert_eq!(button_text(&root), "Vote");
    assert!(button_disabled(&root), "nothing is chosen yet");
    // Labels are text, never markup.
    let card = text(&root);
    assert!(card.contains("<b>Blue</b>"), "{card}");
    assert_eq!(count(&root, "b"), 0);
    // Results are visible to everyone in this poll: counts, shares and bars.
    assert!(card.contains("2 votes · 67%"), "{card}");
    assert!(card.contains("0 votes · 0%"), "{card}");
    assert!(card.contains("3 voters"), "{card}");
    assert_eq!(bar_width(&root, "red"), "67%");
    assert!(card.contains("Closes Nov 30"), "{card}");
    // An anonymous visitor sends its visitor id, the same one every time.
    let ids = visitor_ids();
    assert!(!ids.is_empty());
    assert!(
        ids[0].len() >= 22
            && ids[0]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{ids:?}"
    );
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("engage:visitor")
        .unwrap();
    assert_eq!(stored.as_deref(), Some(ids[0].as_str()));
}

#[wasm_bindgen_test]
async fn voting_posts_the_choices_and_shows_the_new_tally() {
    let (root, _mounted) = mount_poll("colours", Some("good"), Lang::En);
    let events = record_events(&root.host());
    wait_for_poll(&root).await;
    assert!(
        text(&root).contains("Vote to earn 5 points"),
        "{}",
        text(&root)
    );
    input(&root, "input[value=green]").click();
    wait_for("the enabled button", || !button_disabled(&root)).await;
    assert!(input(&root, "input[value=green]").checked());
    click(&root, ".engage-poll__button");
    wait_for("the announcement", || {
        query(&root, ".engage-card__status")
            .and_then(|s| s.text_content())
            .is_some_and(|t| t.starts_with("Thanks for voting!"))
    })
    .await;
    assert_eq!(vote_bodies(), r#"[{"poll":"colours","choices":["green"]}]"#);
    let status = query(&root, ".engage-card__status").unwrap();
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        status.text_content().unwrap(),
        "Thanks for voting! +5 points. Results: Red 50%; Green 50%; <b>Blue</b> 0%"
    );
    // The answer is shown as it is: four voters now, the vote can be changed.
    wait_for("the new tally", || text(&root).contains("4 voters")).await;
    assert_eq!(bar_width(&root, "green"), "50%");
    assert_eq!(button_text(&root), "Change vote");
    assert!(
        button_disabled(&root),
        "the same choice again changes nothing"
    );
    assert!(input(&root, "input[value=green]").checked());
    // Regression: the disabled "Change vote" button stood there unexplained.
    assert!(
        text(&root).contains("You voted. Pick again to change it."),
        "{}",
        text(&root)
    );

    wait_for("engage:vote", || {
        (0..events.length()).any(|i| {
            let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap();
            get(&events.get(i), "type").as_string().as_deref() == Some("engage:vote")
        })
    })
    .await;
    let get = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &key.into()).unwrap();
    let vote = (0..events.length())
        .map(|i| events.get(i))
        .find(|e| get(e, "type").as_string().as_deref() == Some("engage:vote"))
        .unwrap();
    let detail = get(&vote, "detail");
    assert_eq!(get(&detail, "poll").as_string().as_deref(), Some("colours"));
    assert_eq!(
        js_sys::JSON::stringify(&get(&detail, "choices")).unwrap(),
        r#"["green"]"#
    );
    assert_eq!(get(&detail, "awarded").as_f64(), Some(5.0));
    assert_eq!(get(&detail, "points").as_f64(), Some(50.0));
    let ready = events.get(0);
    assert_eq!(
        get(&ready, "type").as_string().as_deref(),
        Some("engage:ready")
    );
    assert_eq!(
        get(&get(&ready, "detail"), "poll").as_string().as_deref(),
        Some("colours")
    );

    // Changing the vote.
    input(&root, "input[value=red]").click();
    wait_for("the enabled button", || !button_disabled(&root)).await;
    click(&root, ".engage-poll__button");
    wait_for("the changed vote", || {
        text(&root).contains("Your vote was changed.")
    })
    .await;
    assert_eq!(bar_width(&root, "red"), "75%");
}

#[wasm_bindgen_test]
async fn multiple_choice_enforces_the_maximum_and_hides_results_until_voting() {
    let (root, _mounted) = mount_poll("days", Some("good"), Lang::En);
    wait_for_poll(&root).await;
    assert_eq!(count(&root, "fieldset input[type=checkbox]"), 4);
    assert!(text(&root).contains("Choose up to 2"), "{}", text(&root));
    // Results after voting: no counts, a note instead.
    assert_eq!(count(&root, ".engage-poll__bar"), 0);
    assert!(
        text(&root).contains("Results appear after you vote"),
        "{}",
        text(&root)
    );
    let hint = query(&root, ".engage-poll__hint").unwrap();
    let fieldset = query(&root, "fieldset").unwrap();
    assert_eq!(fieldset.get_attribute("aria-describedby"), Some(hint.id()));

    input(&root, "input[value=mon]").click();
    input(&root, "input[value=tue]").click();
    wait_for("the other boxes disabled", || {
        input(&root, "input[value=wed]").disabled() && input(&root, "input[value=thu]").disabled()
    })
    .await;
    assert!(!input(&root, "input[value=mon]").disabled());
    input(&root, "input[value=tue]").click();
    wait_for("the boxes enabled again", || {
        !input(&root, "input[value=wed]").disabled()
    })
    .await;
    input(&root, "input[value=thu]").click();
    wait_for("the enabled button", || !button_disabled(&root)).await;
    click(&root, ".engage-poll__button");

    // A final vote: the form gives way to the results, with the member's choices marked.
    wait_for("the results", || query(&root, "form").is_none()).await;
    assert_eq!(
        vote_bodies(),
        r#"[{"poll":"days","choices":["mon","thu"]}]"#
    );
    assert_eq!(count(&root, "input"), 0);
    assert_eq!(count(&root, ".engage-poll__option--mine"), 2);
    assert_eq!(count(&root, ".engage-poll__bar"), 4);
    let card = text(&root);
    assert!(card.contains("You voted."), "{card}");
    assert!(card.contains("3 voters"), "{card}");
    assert!(card.contains("Your choice"), "{card}");
    assert!(card.contains("2 votes · 67%"), "{card}");
}

#[wasm_bindgen_test]
async fn members_only_poll_signed_out_shows_disabled_options() {
    let (root, _mounted) = mount_poll("days", None, Lang::En);
    wait_for_poll(&root).await;
    assert_eq!(count(&root, "fieldset input[type=checkbox]"), 4);
    assert_eq!(count(&root, "fieldset input:disabled"), 4);
    assert!(button_disabled(&root));
    let hint = query(&root, ".engage-poll__hint").unwrap();
    assert_eq!(hint.text_content().as_deref(), Some("Sign in to vote"));
}

#[wasm_bindgen_test]
async fn closed_poll_shows_final_results_and_no_form() {
    let (root, _mounted) = mount_poll("finished", None, Lang::En);
    wait_for_poll(&root).await;
    assert_eq!(count(&root, "form"), 0);
    assert_eq!(count(&root, "input"), 0);
    assert_eq!(count(&root, "button"), 0);
    let badge = query(&root, ".engage-poll__badge").expect("a Closed badge");
    assert_eq!(badge.text_content().as_deref(), Some("Closed"));
    let card = text(&root);
    // The time it closed, beside the badge that says so (not "Ended … Closed").
    let when = query(&root, ".engage-poll__when")
        .and_then(|w| w.text_content())
        .unwrap_or_default();
    assert!(when.starts_with("Nov 1, "), "{when}");
    assert!(card.contains("Voting has ended."), "{card}");
    assert!(card.contains("3 voters"), "{card}");
    assert!(card.contains("2 votes · 67%"), "{card}");
    assert_eq!(count(&root, "ol.engage-poll__options > li"), 2);
    assert_eq!(count(&root, ".engage-poll__bar"), 2);
}

#[wasm_bindgen_test]
async fn results_after_close_are_hidden_while_open() {
    let (root, _mounted) = mount_poll("secret", None, Lang::En);
    wait_for_poll(&root).await;
    let card = text(&root);
    assert!(
        card.contains("Results appear after the poll closes"),
        "{card}"
    );
    assert!(!card.contains("votes"), "{card}");
    assert_eq!(count(&root, ".engage-poll__bar"), 0);
    // An anonymous vote: no points, no balance, and still no counts.
    input(&root, "input[value=yes]").click();
    wait_for("the enabled button", || !button_disabled(&root)).await;
    click(&root, ".engage-poll__button");
    wait_for("the results view", || query(&root, "form").is_none()).await;
    assert_eq!(
        query(&root, ".engage-card__status")
            .and_then(|s| s.text_content())
            .as_deref(),
        Some("Thanks for voting!")
    );
    assert_eq!(count(&root, ".engage-poll__bar"), 0);
}

#[wasm_bindgen_test]
async fn poll_in_chinese() {
    let (root, _mounted) = mount_poll("colours", None, Lang::ZhCn);
    wait_for_poll(&root).await;
    let card = text(&root);
    assert_eq!(button_text(&root), "投票");
    for expected in ["投票", "2 票 · 67%", "共 3 人投票", "11月30日", "截止"] {
        assert!(card.contains(expected), "{expected} in {card}");
    }
    let section = query(&root, ".engage-poll").unwrap();
    assert_eq!(section.get_attribute("lang").as_deref(), Some("zh-CN"));
}

#[wasm_bindgen_test]
async fn missing_poll_says_so_without_retry() {
    let (root, _mounted) = mount_poll("nope", None, Lang::En);
    wait_for("the not-found message", || {
        text(&root).contains("This poll could not be found.")
    })
    .await;
    assert_eq!(count(&root, ".engage-card__retry"), 0);
}

#[wasm_bindgen_test]
async fn rate_limited_poll_offers_retry() {
    let (root, _mounted) = mount_poll("colours", Some("limited"), Lang::En);
    wait_for("the rate-limit message", || {
        text(&root).contains("Try again in 17 seconds")
    })
    .await;
    assert_eq!(count(&root, ".engage-card__retry"), 1);
}

#[wasm_bindgen_test]
async fn live_tally_reads_the_poll_again_and_stops_when_unmounted() {
    let (root, mounted) = mount_poll("colours", None, Lang::En);
    wait_for_poll(&root).await;
    wait_for("the event stream", || open_event_sources("colours") == 1).await;
    // Focus stays on the option a keyboard user is on while the tally changes.
    input(&root, "input[value=green]").focus().unwrap();
    cast_fake_vote("colours", "someone-else", vec!["blue".to_owned()]);
    clear_fetch_calls();
    emit_tally("colours", 7);
    wait_for("the new tally", || text(&root).contains("4 voters")).await;
    assert_eq!(
        fetch_calls(),
        vec![format!("GET {FAKE}/api/v1/sites/demo/polls/colours")]
    );
    assert!(text(&root).contains("1 vote · 25%"), "{}", text(&root));
    let focused = root.active_element().expect("an element keeps the focus");
    assert_eq!(focused.get_attribute("value").as_deref(), Some("green"));
    drop(mounted);
    assert_eq!(open_event_sources("colours"), 0);
}

#[wasm_bindgen_test]
async fn custom_element_bridge_mounts_a_poll_and_follows_its_attribute() {
    install_fake_server();
    reset_fake_polls();
    let (host, root) = host();
    host.set_attribute("site", "demo").unwrap();
    host.set_attribute("poll", "colours").unwrap();
    host.set_attribute("lang", "en").unwrap();
    let defaults = js_sys::Object::new();
    js_sys::Reflect::set(&defaults, &"server".into(), &FAKE.into()).unwrap();
    let events = record_events(&host);
    let handle = mount("poll", host.clone(), root.clone(), Some(defaults)).unwrap();
    assert_eq!(root.adopted_style_sheets().length(), 2);
    assert_eq!(count(&root, "style"), 0);
    wait_for_poll(&root).await;
    assert_eq!(count(&root, "fieldset input[type=radio]"), 3);
    wait_for("engage:ready", || events.length() >= 1).await;
    let get = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &key.into()).unwrap();
    let detail = get(&events.get(0), "detail");
    assert_eq!(get(&detail, "widget").as_string().as_deref(), Some("poll"));
    assert_eq!(get(&detail, "site").as_string().as_deref(), Some("demo"));
    assert_eq!(get(&detail, "poll").as_string().as_deref(), Some("colours"));

    handle.set_attribute("poll", Some("finished".to_owned()));
    wait_for("the other poll", || {
        query(&root, ".engage-poll__badge").is_some()
    })
    .await;
    assert!(text(&root).contains("Which talk did you like?"));
    wait_for("the stream of the new poll", || {
        open_event_sources("finished") == 1
    })
    .await;
    assert_eq!(open_event_sources("colours"), 0);
    handle.unmount();
    assert_eq!(root.child_element_count(), 0);
    assert_eq!(open_event_sources("finished"), 0);
    assert!(mount("lottery-of-doom", host, root, None).is_err());
}

#[wasm_bindgen_test]
async fn live_widgets_of_a_page_share_one_stream() {
    let (colours, first) = mount_poll("colours", None, Lang::En);
    let (days, second) = mount_poll("days", None, Lang::En);
    wait_for_poll(&colours).await;
    wait_for_poll(&days).await;
    wait_for("one stream carrying both polls", || {
        open_event_sources("colours") == 1 && open_event_sources("days") == 1
    })
    .await;
    assert_eq!(open_page_streams(), 1);
    clear_fetch_calls();
    emit_tally("days", 3);
    wait_for("the read of the poll that changed", || {
        !fetch_calls().is_empty()
    })
    .await;
    assert_eq!(
        fetch_calls(),
        vec![format!("GET {FAKE}/api/v1/sites/demo/polls/days")]
    );
    drop(first);
    wait_for("the stream carrying only the poll still shown", || {
        open_event_sources("colours") == 0 && open_event_sources("days") == 1
    })
    .await;
    assert_eq!(open_page_streams(), 1);
    drop(second);
    assert_eq!(open_page_streams(), 0);
}

#[wasm_bindgen_test]
async fn live_tally_falls_back_to_reading_on_a_timer_when_the_stream_fails() {
    let (root, _mounted) = mount_poll("colours", None, Lang::En);
    wait_for_poll(&root).await;
    wait_for("the event stream", || open_event_sources("colours") == 1).await;
    fail_event_sources("colours");
    assert_eq!(open_event_sources("colours"), 0);
    cast_fake_vote("colours", "someone-else", vec!["red".to_owned()]);
    // The fallback reads every five seconds.
    wait_up_to(500, "the tally read on the timer", || {
        text(&root).contains("4 voters")
    })
    .await;
    assert!(text(&root).contains("3 votes · 75%"), "{}", text(&root));
    assert_eq!(open_event_sources("colours"), 0);
}

// The lottery.

mod lottery {
    use engage_widgets::lottery::verify_lottery_proof;
    use engage_widgets::{Lang, Lottery};
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::*;
    use web_sys::{HtmlElement, ShadowRoot};

    use super::{FAKE, click, count, host, install_fake_server, query, shadow_container, text};
    use super::{wait_for, wait_up_to};

    #[wasm_bindgen(inline_js = r#"
const HASH = 'ab'.repeat(32);
const prize = (id, name, weight, stock) => ({ id, name, weight, stock });
const LOTTERIES = {
  wheel: {
    id: 'wheel', mode: 'wheel', status: 'open', no_prize_weight: 49, cost: 10, daily_spins: 5,
    opens_at: '2026-03-01T00:00:00Z', closes_at: '2026-03-31T00:00:00Z', winners: 1, seed_hash: HASH,
    prizes: [prize('sticker-pack', 'Sticker pack', 30, 100), prize('t-shirt', 'T-shirt', 8, 10),
      prize('mug', 'Mug', 12, 20), prize('keyboard', 'Grand prize: keyboard', 1, 1)],
  },
  finished: {
    id: 'finished', mode: 'wheel', status: 'closed', no_prize_weight: 1, cost: 0, daily_spins: 1,
    opens_at: '2026-01-01T00:00:00Z', closes_at: '2026-02-01T00:00:00Z', closed_at: '2026-01-20T08:00:00Z',
    winners: 1, seed_hash: HASH, seed: 'cd'.repeat(32), prizes: [prize('mug', 'Mug', 1, 0)],
  },
  raffle: {
    id: 'raffle', mode: 'giveaway', status: 'open', no_prize_weight: 0, cost: 0, daily_spins: 1,
    opens_at: '2026-03-01T00:00:00Z', closes_at: '2026-03-31T00:00:00Z', winners: 2, seed_hash: HASH,
    entrants: 3, prizes: [prize('ticket', 'Conference ticket', 1, 2)],
  },
};
const MEMBERS = { 'Bearer good': { points: 100, spins_left: 5 }, 'Bearer poor': { points: 5, spins_left: 5 } };
const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const lotteryStreams = (id) => window.__engageFake.sources.filter(
  (s) => window.__engageCarries(s, '/stream', 'lottery:' + id));
export function lottery_streams(id) { return lotteryStreams(id).length; }
export function enter_fake_giveaway(id, entrants) {
  LOTTERIES[id].entrants = entrants;
  for (const source of lotteryStreams(id)) {
    source.dispatchEvent(new MessageEvent('lottery:' + id, { data: JSON.stringify({ change: 'e' + entrants }) }));
  }
}
export function install_fake_lotteries() {
  if (window.__engageLotteries) return;
  const next = window.fetch;
  const seen = window.__engageLotteries = { posts: [], events: [] };
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const match = request.url.match(/^http:\/\/fake\.engage\.test\/api\/v1\/sites\/demo\/lotteries\/([^/?]+)(\/spins|\/entries)?$/);
    if (!match) return next(input, init);
    const [, id, action] = match;
    const lottery = LOTTERIES[id];
    if (!lottery) return json({ error: { code: 'lottery_not_found', message: 'no such lottery' } }, 404);
    const member = MEMBERS[request.headers.get('authorization')];
    if (request.method === 'GET') {
      const view = JSON.parse(JSON.stringify(lottery));
      if (member) Object.assign(view, member, lottery.mode === 'giveaway' ? { entered: false } : { my_spins: [] });
      return json(view);
    }
    seen.posts.push(`${id}${action}`);
    if (!member) return json({ error: { code: 'invalid_token', message: 'bad token' } }, 401);
    if (action === '/entries') return json({ entered: true, already: false, entrants: 4, points: member.points, spent: 0 });
    if (member.points < lottery.cost) return json({ error: { code: 'insufficient_points', message: 'poor' } }, 402);
    return json({
      spin: 1, seq: 7, prize: { id: 'mug', name: 'Mug' }, points: member.points - 10, spent: 10, spins_left: 4,
      stock: [{ id: 'sticker-pack', stock: 100 }, { id: 't-shirt', stock: 10 }, { id: 'mug', stock: 19 }, { id: 'keyboard', stock: 1 }],
      seed_hash: HASH,
    });
  };
  document.addEventListener('engage:spin', (e) => seen.events.push(JSON.stringify(e.detail)));
}
export function lottery_posts() { return window.__engageLotteries.posts.slice(); }
export function spin_events() { return window.__engageLotteries.events.slice(); }
"#)]
    extern "C" {
        fn install_fake_lotteries();
        fn lottery_posts() -> Vec<String>;
        fn spin_events() -> Vec<String>;
        fn lottery_streams(id: &str) -> u32;
        fn enter_fake_giveaway(id: &str, entrants: u32);
    }

    fn mount_lottery(
        lottery: &'static str,
        token: Option<&'static str>,
        lang: Lang,
    ) -> (ShadowRoot, leptos::mount::UnmountHandle<impl Mountable>) {
        install_fake_server();
        install_fake_lotteries();
        let (root, container) = shadow_container();
        let mounted = leptos::mount::mount_to(container, move || {
            view! {
                <Lottery
                    site="demo"
                    lottery=lottery
                    server=FAKE
                    member_token=token.map(str::to_owned)
                    lang=lang
                />
            }
        });
        (root, mounted)
    }

    async fn wait_for_prizes(root: &ShadowRoot) {
        wait_for("the prize list", || {
            count(root, ".engage-lottery__prize") > 0
        })
        .await;
    }

    fn button(root: &ShadowRoot) -> Option<web_sys::HtmlButtonElement> {
        query(root, ".engage-lottery__button").map(JsCast::unchecked_into)
    }

    fn texts(root: &ShadowRoot, selector: &str) -> Vec<String> {
        let list = root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
            .collect()
    }

    #[wasm_bindgen_test]
    async fn wheel_has_a_segment_per_prize_in_stock_and_a_list_for_screen_readers() {
        let (root, _mounted) = mount_lottery("wheel", None, Lang::En);
        wait_for_prizes(&root).await;
        // Four prizes and the no-prize slot, on a wheel hidden from screen readers.
        assert_eq!(count(&root, ".engage-lottery__disc path"), 5);
        let wheel = query(&root, ".engage-lottery__wheel").unwrap();
        assert_eq!(wheel.get_attribute("aria-hidden").as_deref(), Some("true"));
        assert!(wheel.text_content().unwrap().contains("Sticker pack"));
        // The list: names, stock and odds of the next spin (weights 30, 8, 12, 1 and 49 of 100).
        assert_eq!(count(&root, "ul.engage-lottery__prizes > li"), 5);
        assert_eq!(
            texts(&root, ".engage-lottery__prize"),
            [
                "Sticker pack100 leftchance 30%",
                "T-shirt10 leftchance 8%",
                "Mug20 leftchance 12%",
                "Grand prize: keyboard1 leftchance 1%",
                "No prizechance 49%",
            ]
        );
        // Signed out: the wheel is there, the button says why it cannot be used.
        let button = button(&root).unwrap();
        assert!(button.disabled());
        assert_eq!(button.text_content().unwrap(), "Spin · 10 points");
        assert!(text(&root).contains("Sign in to spin"));
        assert!(text(&root).contains("10 points a spin · 5 a day"));
        // The fairness details show the published seed hash, and no seed.
        assert_eq!(count(&root, "details.engage-lottery__fairness"), 1);
        assert_eq!(texts(&root, ".engage-lottery__code"), ["ab".repeat(32)]);
        assert_eq!(count(&root, "[style]:not(.engage-lottery__disc)"), 0);
    }

    #[wasm_bindgen_test]
    async fn a_spin_lands_on_the_servers_prize_and_says_so() {
        let (root, _mounted) = mount_lottery("wheel", Some("good"), Lang::En);
        wait_for_prizes(&root).await;
        assert_eq!(texts(&root, ".engage-lottery__stat-value"), ["100", "5"]);
        let button = button(&root).unwrap();
        assert!(!button.disabled());
        button.click();
        wait_for("the wheel to turn", || {
            let disc: HtmlElement = query(&root, ".engage-lottery__disc")
                .unwrap()
                .unchecked_into();
            disc.style().get_property_value("transform").unwrap() != "rotate(0deg)"
        })
        .await;
        let spins = lottery_posts()
            .iter()
            .filter(|p| *p == "wheel/spins")
            .count();
        assert_eq!(spins, 1);
        // The mug segment (weights 30 + 8 before it, 12 wide, of 100) lands under the pointer.
        let disc: HtmlElement = query(&root, ".engage-lottery__disc")
            .unwrap()
            .unchecked_into();
        let transform = disc.style().get_property_value("transform").unwrap();
        let degrees: f64 = transform
            .trim_start_matches("rotate(")
            .trim_end_matches("deg)")
            .parse()
            .unwrap();
        let under_pointer = (360.0 - degrees.rem_euclid(360.0)).rem_euclid(360.0);
        assert!(
            (136.8..=180.0).contains(&under_pointer),
            "{transform} puts {under_pointer}° under the pointer"
        );
        assert!(degrees >= 5.0 * 360.0, "{transform}");
        // The outcome, once the wheel stops: a dialog and the status line.
        wait_up_to(400, "the outcome dialog", || {
            query(&root, "dialog[open]").is_some()
        })
        .await;
        let dialog = query(&root, "dialog[open]").unwrap();
        assert!(dialog.text_content().unwrap().contains("You won: Mug!"));
        assert!(
            dialog
                .text_content()
                .unwrap()
                .contains("Spin 1 · 90 points left")
        );
        let status = query(&root, ".engage-lottery__status").unwrap();
        assert!(status.text_content().unwrap().contains("You won: Mug!"));
        assert_eq!(texts(&root, ".engage-lottery__stat-value"), ["90", "4"]);
        assert!(texts(&root, ".engage-lottery__prize")[2].contains("19 left"));
        let events = spin_events();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0],
            r#"{"lottery":"wheel","spin":1,"prize":{"id":"mug","name":"Mug"},"points":90}"#
        );
        // The focus is in the dialog; closing it brings it back to the button.
        let active = root.active_element().unwrap();
        assert!(active.class_name().contains("engage-lottery__ok"));
        click(&root, ".engage-lottery__ok");
        assert!(query(&root, "dialog[open]").is_none());
        // The dialog's `close` event follows in a task of its own.
        wait_for("the focus back on the button", || {
            root.active_element()
                .is_some_and(|a| a.class_name().contains("engage-lottery__button"))
        })
        .await;
    }

    #[wasm_bindgen_test]
    async fn out_of_points_disables_the_button_and_says_why() {
        let (root, _mounted) = mount_lottery("wheel", Some("poor"), Lang::En);
        wait_for_prizes(&root).await;
        assert!(button(&root).unwrap().disabled());
        assert!(
            text(&root).contains("Not enough points: it costs 10, you have 5."),
            "{}",
            text(&root)
        );
    }

    #[wasm_bindgen_test]
    async fn closed_lottery_has_no_button_and_links_to_the_proof_and_verify_page() {
        let (root, _mounted) = mount_lottery("finished", Some("good"), Lang::En);
        wait_for_prizes(&root).await;
        assert!(button(&root).is_none());
        assert!(text(&root).contains("Closed"));
        assert!(text(&root).contains("This lottery has closed."));
        assert_eq!(
            texts(&root, ".engage-lottery__code"),
            [
                "ab".repeat(32),
                "cd".repeat(32),
                "engage-server verify-lottery proof.json".to_owned()
            ]
        );
        let verify = query(&root, "a.engage-lottery__verify").unwrap();
        assert_eq!(
            verify.get_attribute("href").as_deref(),
            Some("http://fake.engage.test/verify.html?site=demo&lottery=finished")
        );
        let links: Vec<_> = texts(&root, "a.engage-lottery__link");
        assert_eq!(links.len(), 2);
        let proof = query(&root, "a.engage-lottery__link").unwrap();
        assert_eq!(
            proof.get_attribute("href").as_deref(),
            Some("http://fake.engage.test/api/v1/sites/demo/lotteries/finished/proof")
        );
    }

    #[wasm_bindgen_test]
    async fn lottery_in_chinese() {
        let (root, _mounted) = mount_lottery("wheel", Some("good"), Lang::ZhCn);
        wait_for_prizes(&root).await;
        assert_eq!(
            button(&root).unwrap().text_content().unwrap(),
            "抽奖 · 10 积分"
        );
        assert!(text(&root).contains("幸运大转盘"));
        assert!(text(&root).contains("今日剩余次数"));
        assert!(text(&root).contains("剩 20 件"));
        assert!(text(&root).contains("谢谢参与"));
        assert!(text(&root).contains("公平性说明"));
    }

    #[wasm_bindgen_test]
    async fn giveaway_is_entered_with_a_button() {
        let (root, _mounted) = mount_lottery("raffle", Some("good"), Lang::En);
        wait_for_prizes(&root).await;
        assert_eq!(count(&root, ".engage-lottery__wheel"), 0);
        assert!(text(&root).contains("3 entrants"));
        assert!(text(&root).contains("2 winners are drawn at close"));
        let button = button(&root).unwrap();
        assert_eq!(button.text_content().unwrap(), "Enter");
        button.click();
        wait_for("the entry", || text(&root).contains("4 entrants")).await;
        assert!(text(&root).contains("You're in!"));
        assert!(lottery_posts().contains(&"raffle/entries".to_owned()));
        assert!(self::button(&root).unwrap().disabled());
    }

    #[wasm_bindgen_test]
    async fn the_lottery_follows_its_channel_of_the_page_stream() {
        let (root, mounted) = mount_lottery("raffle", None, Lang::En);
        wait_for_prizes(&root).await;
        wait_for("the lottery's channel", || lottery_streams("raffle") == 1).await;
        assert!(text(&root).contains("3 entrants"));
        // Somebody else enters on another page: the stream says so, the widget reads again.
        enter_fake_giveaway("raffle", 9);
        wait_for("the new entrants", || text(&root).contains("9 entrants")).await;
        enter_fake_giveaway("raffle", 3);
        drop(mounted);
        assert_eq!(lottery_streams("raffle"), 0);
    }

    #[wasm_bindgen_test]
    async fn custom_element_bridge_mounts_a_lottery() {
        install_fake_server();
        install_fake_lotteries();
        let (host, root) = host();
        host.set_attribute("site", "demo").unwrap();
        host.set_attribute("server", FAKE).unwrap();
        host.set_attribute("lottery", "wheel").unwrap();
        let handle = engage_widgets::mount("lottery", host, root.clone(), None).unwrap();
        wait_for_prizes(&root).await;
        handle.set_attribute("lottery", Some("finished".to_owned()));
        wait_for("the other lottery", || {
            text(&root).contains("This lottery has closed.")
        })
        .await;
        handle.unmount();
        assert_eq!(root.child_element_count(), 0);
    }

    #[wasm_bindgen_test]
    fn proofs_are_checked_with_the_core() {
        let get = |report: &JsValue, key: &str| js_sys::Reflect::get(report, &key.into()).unwrap();
        // SHA-256 of 32 zero bytes.
        let hash = "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925";
        let proof = |hash: &str, prize: &str| {
            format!(
                r#"{{"lottery":"wheel","seed":"{}","seed_hash":"{hash}","prizes":[{{"id":"mug","name":"Mug","weight":1,"stock":5}}],
                "no_prize_weight":0,"spins":[{{"seq":1,"member":"lin","spin":1,"prize":{prize}}}]}}"#,
                "00".repeat(32)
            )
        };
        // One prize and no no-prize slot: every spin wins the mug.
        let report = verify_lottery_proof(&proof(hash, r#""mug""#)).unwrap();
        assert_eq!(get(&report, "passed"), JsValue::TRUE);
        assert_eq!(get(&report, "seed_matches_hash"), JsValue::TRUE);
        assert_eq!(get(&report, "spins_checked").as_f64(), Some(1.0));
        // A changed outcome and a wrong hash are both reported.
        let report = verify_lottery_proof(&proof(&"11".repeat(32), "null")).unwrap();
        assert_eq!(get(&report, "passed"), JsValue::FALSE);
        let messages: js_sys::Array = get(&report, "messages").unchecked_into();
        assert_eq!(messages.length(), 2);
        let spin = messages.get(1).as_string().unwrap();
        assert_eq!(
            spin,
            "seq 1: member 'lin' spin 1: expected 'mug', published no prize"
        );
        assert!(verify_lottery_proof("not json").is_err());
        assert!(verify_lottery_proof("{}").is_err());
    }
}

// The feedback widget, against a fake feedback API wrapped around the fake server above.
mod feedback {
    use super::*;
    use engage_widgets::{Feedback, FeedbackMode};

    #[wasm_bindgen(inline_js = r#"
const json = (body, status = 200) => new Response(JSON.stringify(body), {
  status, headers: { 'content-type': 'application/json' },
});
const FORM = {
  scale: 'stars', max_length: 2000, max_contact_length: 200, anonymous: true, points: 5,
  categories: [{ id: 'bug', label: 'Bug' }, { id: 'idea', label: 'Idea' }, { id: 'question', label: 'Question' }, { id: 'other', label: 'Other' }],
};
// Sites of the fake server: how their form differs from FORM.
const SITES = { short: { max_length: 10 }, members: { anonymous: false }, nps: { scale: 'nps', categories: [] } };
export function install_fake_feedback() {
  if (window.__engageFeedback) return;
  const inner = window.fetch;
  const fake = window.__engageFeedback = { bodies: [], items: {}, fail: 0, next: 1 };
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const route = url.origin === 'http://fake.engage.test'
      && url.pathname.match(/^\/api\/v1\/sites\/([^/]+)\/feedback(\/form|\/mine)?$/);
    if (!route) return inner(request);
    const site = decodeURIComponent(route[1]);
    const form = Object.assign({}, FORM, SITES[site] || {});
    const items = fake.items[site] = fake.items[site] || [];
    if (request.method === 'GET' && route[2] === '/form') return json(form);
    if (request.method === 'GET' && route[2] === '/mine') return json({ items: items.slice().reverse() });
    const body = await request.json();
    fake.bodies.push(body);
    if (fake.fail > 0) {
      fake.fail--;
      return json({ error: { code: 'unavailable', message: 'try later' } }, 503);
    }
    const member = request.headers.get('authorization');
    if (!member && !form.anonymous) return json({ error: { code: 'members_only', message: 'members only' } }, 401);
    const id = fake.next++;
    items.push({ id, status: 'new', rating: body.rating ?? null, nps: body.nps ?? null, category: body.category ?? null,
      text: body.text, created_at: '2026-11-20T10:00:00Z', replies: [] });
    return json(Object.assign({ id, status: 'new' }, member ? { awarded: 5, points: 50 } : {}), 201);
  };
}
export function fail_next_sends(n) { window.__engageFeedback.fail = n; }
export function feedback_bodies() { return JSON.stringify(window.__engageFeedback.bodies); }
export function clear_feedback_bodies() { window.__engageFeedback.bodies.length = 0; }
export function add_feedback(site, item) { (window.__engageFeedback.items[site] ||= []).push(JSON.parse(item)); }
export function type_into(element, value) {
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  element.dispatchEvent(new Event('change', { bubbles: true }));
}
export function press_escape(element) {
  element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
}
export function record_feedback_events(target) {
  const seen = [];
  target.addEventListener('engage:feedback', (e) => seen.push(JSON.stringify(e.detail)));
  return seen;
}
"#)]
    extern "C" {
        fn install_fake_feedback();
        fn fail_next_sends(n: u32);
        fn feedback_bodies() -> String;
        fn clear_feedback_bodies();
        fn add_feedback(site: &str, item: &str);
        fn type_into(element: &Element, value: &str);
        fn press_escape(element: &Element);
        fn record_feedback_events(target: &web_sys::EventTarget) -> js_sys::Array;
    }

    fn mount_feedback(
        site: &'static str,
        mode: FeedbackMode,
        token: Option<&'static str>,
        lang: Lang,
    ) -> (ShadowRoot, leptos::mount::UnmountHandle<impl Mountable>) {
        install_fake_server();
        install_fake_feedback();
        let (root, container) = shadow_container();
        let mounted = leptos::mount::mount_to(container, move || {
            view! {
                <Feedback
                    site=site
                    server=FAKE
                    member_token=token.map(str::to_owned)
                    lang=lang
                    mode=mode
                />
            }
        });
        (root, mounted)
    }

    async fn wait_for_form(root: &ShadowRoot) {
        wait_for("the feedback form", || {
            query(root, ".engage-feedback__form").is_some()
        })
        .await;
    }

    fn element(root: &ShadowRoot, selector: &str) -> Element {
        query(root, selector).unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    fn submit_disabled(root: &ShadowRoot) -> bool {
        element(root, ".engage-feedback__submit")
            .unchecked_into::<web_sys::HtmlButtonElement>()
            .disabled()
    }

    fn stored_draft(site: &str) -> Option<String> {
        web_sys::window()
            .unwrap()
            .local_storage()
            .unwrap()
            .unwrap()
            .get_item(&format!("engage:feedback-draft:{site}"))
            .unwrap()
    }

    fn field_text(root: &ShadowRoot, selector: &str) -> String {
        element(root, selector).text_content().unwrap_or_default()
    }

    #[wasm_bindgen_test]
    async fn the_form_has_stars_a_category_and_a_counted_text() {
        let (root, _mounted) = mount_feedback("fb-form", FeedbackMode::Inline, None, Lang::En);
        wait_for_form(&root).await;
        assert_eq!(
            count(&root, "form fieldset input[type=radio][name=rating]"),
            5
        );
        let legend = field_text(&root, "fieldset > legend");
        assert_eq!(legend, "Your rating (optional)");
        let names: Vec<String> = (1..=5)
            .map(|n| {
                field_text(
                    &root,
                    &format!("label:has(input[value=\"{n}\"]) .engage-card__sr"),
                )
            })
            .collect();
        assert_eq!(
            names,
            ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
        );
        // The category list is the owner's, after an empty choice.
        assert_eq!(count(&root, "select option"), 5);
        assert_eq!(field_text(&root, "select option:nth-child(3)"), "Idea");
        // The text's label, its live count, and a native submit button.
        let textarea = element(&root, "textarea");
        let label = field_text(&root, &format!("label[for=\"{}\"]", textarea.id()));
        assert_eq!(label, "Your message");
        assert_eq!(field_text(&root, ".engage-feedback__count"), "0 / 2000");
        assert_eq!(count(&root, "form button[type=submit]"), 1);
        assert!(submit_disabled(&root), "nothing is written yet");
        type_into(&textarea, "  Hello  ");
        wait_for("the count", || {
            field_text(&root, ".engage-feedback__count") == "5 / 2000"
        })
        .await;
        assert!(!submit_disabled(&root));
        // The contact field is labelled too.
        let contact = element(&root, "input[type=text]");
        assert!(
            field_text(&root, &format!("label[for=\"{}\"]", contact.id())).contains("optional")
        );
    }

    #[wasm_bindgen_test]
    async fn text_over_the_limit_blocks_sending() {
        let (root, _mounted) = mount_feedback("short", FeedbackMode::Inline, None, Lang::En);
        wait_for_form(&root).await;
        clear_feedback_bodies();
        let textarea = element(&root, "textarea");
        type_into(&textarea, "123456789");
        wait_for("near the limit", || {
            count(&root, ".engage-feedback__count--near") == 1
        })
        .await;
        assert!(!submit_disabled(&root));
        type_into(&textarea, "12345678901 ");
        wait_for("over the limit", || {
            count(&root, ".engage-feedback__count--over") == 1
        })
        .await;
        assert_eq!(
            field_text(&root, ".engage-feedback__count"),
            "11 / 10 · 1 too many"
        );
        assert_eq!(
            textarea.get_attribute("aria-invalid").as_deref(),
            Some("true")
        );
        assert!(submit_disabled(&root));
        // Even a submit that bypasses the button sends nothing.
        let form: web_sys::HtmlFormElement = element(&root, "form").unchecked_into();
        form.request_submit().unwrap();
        leptos::task::tick().await;
        assert_eq!(feedback_bodies(), "[]");
    }

    #[wasm_bindgen_test]
    async fn sending_posts_the_page_and_context_and_says_thanks() {
        let (root, _mounted) =
            mount_feedback("fb-send", FeedbackMode::Inline, Some("good"), Lang::En);
        let events = record_feedback_events(&root.host());
        wait_for_form(&root).await;
        assert!(text(&root).contains("Your first feedback earns 5 points"));
        clear_feedback_bodies();
        click(&root, "input[name=rating][value=\"4\"]");
        type_into(&element(&root, "select"), "idea");
        type_into(
            &element(&root, "textarea"),
            "The calendar is lovely.\nMore colours?",
        );
        type_into(&element(&root, "input[type=text]"), " mei@example.com ");
        wait_for("four stars lit", || {
            count(&root, ".engage-feedback__star--on") == 4
        })
        .await;
        assert!(
            stored_draft("fb-send").is_some(),
            "the draft is kept while typing"
        );
        click(&root, ".engage-feedback__submit");
        wait_for("the thank-you", || {
            text(&root).contains("Thanks! We read every message.")
        })
        .await;
        assert!(text(&root).contains("+5 points"));
        let bodies: js_sys::Array = js_sys::JSON::parse(&feedback_bodies())
            .unwrap()
            .unchecked_into();
        assert_eq!(bodies.length(), 1);
        let body = bodies.get(0);
        let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap();
        assert_eq!(
            get(&body, "text").as_string().as_deref(),
            Some("The calendar is lovely.\nMore colours?")
        );
        assert_eq!(get(&body, "rating").as_f64(), Some(4.0));
        assert_eq!(get(&body, "nps"), JsValue::UNDEFINED);
        assert_eq!(get(&body, "category").as_string().as_deref(), Some("idea"));
        assert_eq!(
            get(&body, "contact").as_string().as_deref(),
            Some("mei@example.com")
        );
        let href = web_sys::window().unwrap().location().href().unwrap();
        assert_eq!(get(&body, "page_url").as_string(), Some(href));
        let context = get(&body, "context");
        assert_eq!(
            get(&context, "widget").as_string().as_deref(),
            Some("feedback")
        );
        assert_eq!(get(&context, "lang").as_string().as_deref(), Some("en"));
        assert_eq!(get(&context, "mode").as_string().as_deref(), Some("inline"));
        // engage:feedback with the id and status; the draft is gone.
        assert_eq!(events.length(), 1);
        let detail = events.get(0).as_string().unwrap();
        assert!(detail.contains(r#""status":"new""#), "{detail}");
        assert!(detail.contains(r#""id":"#), "{detail}");
        assert_eq!(stored_draft("fb-send"), None);
        // Another one starts from an empty form.
        click(&root, ".engage-feedback__thanks .engage-card__retry");
        wait_for_form(&root).await;
        let textarea: web_sys::HtmlTextAreaElement = element(&root, "textarea").unchecked_into();
        assert_eq!(textarea.value(), "");
        assert_eq!(count(&root, "input:checked"), 0);
    }

    #[wasm_bindgen_test]
    async fn a_failed_send_keeps_the_text_and_retry_sends_it() {
        let (root, _mounted) = mount_feedback("fb-retry", FeedbackMode::Inline, None, Lang::En);
        wait_for_form(&root).await;
        clear_feedback_bodies();
        fail_next_sends(1);
        type_into(&element(&root, "textarea"), "Please keep this.");
        click(&root, "input[name=rating][value=\"2\"]");
        leptos::task::tick().await;
        click(&root, ".engage-feedback__submit");
        wait_for("the failure", || {
            query(&root, ".engage-feedback__failure").is_some()
        })
        .await;
        let failure = field_text(&root, ".engage-feedback__failure");
        assert!(
            failure.contains("Your message is kept on this device."),
            "{failure}"
        );
        assert_eq!(
            element(&root, ".engage-feedback__failure")
                .get_attribute("role")
                .as_deref(),
            Some("alert")
        );
        let textarea: web_sys::HtmlTextAreaElement = element(&root, "textarea").unchecked_into();
        assert_eq!(textarea.value(), "Please keep this.");
        assert!(
            stored_draft("fb-retry")
                .unwrap()
                .contains("Please keep this.")
        );
        click(&root, ".engage-feedback__retry");
        wait_for("the thank-you", || {
            text(&root).contains("Thanks! We read every message.")
        })
        .await;
        let bodies = feedback_bodies();
        assert_eq!(bodies.matches("Please keep this.").count(), 2, "{bodies}");
        assert!(bodies.contains(r#""rating":2"#), "{bodies}");
        assert_eq!(stored_draft("fb-retry"), None);
    }

    #[wasm_bindgen_test]
    async fn the_draft_is_restored_after_remounting() {
        let (root, mounted) = mount_feedback("fb-draft", FeedbackMode::Inline, None, Lang::En);
        wait_for_form(&root).await;
        type_into(&element(&root, "textarea"), "Half a thought");
        type_into(&element(&root, "select"), "bug");
        click(&root, "input[name=rating][value=\"3\"]");
        leptos::task::tick().await;
        drop(mounted);
        let (root, _mounted) = mount_feedback("fb-draft", FeedbackMode::Inline, None, Lang::En);
        wait_for_form(&root).await;
        let textarea: web_sys::HtmlTextAreaElement = element(&root, "textarea").unchecked_into();
        assert_eq!(textarea.value(), "Half a thought");
        let select: web_sys::HtmlSelectElement = element(&root, "select").unchecked_into();
        assert_eq!(select.value(), "bug");
        let star: web_sys::HtmlInputElement =
            element(&root, "input[name=rating][value=\"3\"]").unchecked_into();
        assert!(star.checked());
        assert_eq!(field_text(&root, ".engage-feedback__count"), "14 / 2000");
    }

    #[wasm_bindgen_test]
    async fn earlier_feedback_and_replies_are_shown_as_text() {
        install_fake_server();
        install_fake_feedback();
        add_feedback(
            "fb-mine",
            r#"{"id": 7, "status": "in_progress", "rating": 2, "nps": null, "category": "bug",
            "text": "<img src=x onerror=\"window.__pwned=1\"> broken", "created_at": "2026-11-18T09:00:00Z",
            "replies": [{"id": 1, "text": "<b>Fixed</b> <script>window.__pwned=1</script>", "created_at": "2026-11-19T09:00:00Z"}]}"#,
        );
        let (root, _mounted) = mount_feedback("fb-mine", FeedbackMode::Inline, None, Lang::En);
        wait_for_form(&root).await;
        click(&root, ".engage-feedback__link");
        wait_for("the list", || {
            query(&root, ".engage-feedback__item").is_some()
        })
        .await;
        let item = field_text(&root, ".engage-feedback__item");
        assert!(
            item.contains("<img src=x onerror=\"window.__pwned=1\"> broken"),
            "{item}"
        );
        assert!(
            item.contains("<b>Fixed</b> <script>window.__pwned=1</script>"),
            "{item}"
        );
        assert!(item.contains("In progress"), "{item}");
        assert!(item.contains("Bug"), "{item}");
        assert!(item.contains("Rated 2 of 5 stars"), "{item}");
        assert!(item.contains("Reply from the team"), "{item}");
        assert!(item.contains("Nov 18, 2026"), "{item}");
        assert_eq!(count(&root, "img, b, script"), 0);
        assert_eq!(
            field_text(&root, ".engage-feedback__link"),
            "Write feedback"
        );
        click(&root, ".engage-feedback__link");
        wait_for_form(&root).await;
    }

    #[wasm_bindgen_test]
    async fn feedback_in_chinese_and_on_the_nps_scale() {
        let (root, _mounted) = mount_feedback("nps", FeedbackMode::Inline, None, Lang::ZhCn);
        wait_for_form(&root).await;
        let card = text(&root);
        for expected in [
            "意见反馈",
            "你有多大可能向朋友推荐我们？",
            "不太可能",
            "非常可能",
            "你的反馈",
            "发送反馈",
            "0 / 2000",
            "我的反馈",
        ] {
            assert!(card.contains(expected), "{expected} in {card}");
        }
        assert_eq!(count(&root, "input[type=radio][name=nps]"), 11);
        assert_eq!(count(&root, "select"), 0, "this site has no categories");
        assert_eq!(
            element(&root, ".engage-feedback")
                .get_attribute("lang")
                .as_deref(),
            Some("zh-CN")
        );
        click(&root, "input[name=nps][value=\"9\"]");
        type_into(&element(&root, "textarea"), "很好");
        leptos::task::tick().await;
        clear_feedback_bodies();
        click(&root, ".engage-feedback__submit");
        wait_for("the thank-you", || {
            text(&root).contains("谢谢！每条反馈我们都会认真阅读。")
        })
        .await;
        let bodies = feedback_bodies();
        assert!(
            bodies.contains(r#""nps":9"#) && !bodies.contains("rating"),
            "{bodies}"
        );
        assert!(bodies.contains(r#""lang":"zh-CN""#), "{bodies}");
    }

    #[wasm_bindgen_test]
    async fn the_launcher_opens_a_dialog_and_escape_gives_the_focus_back() {
        let (root, _mounted) =
            mount_feedback("fb-launcher", FeedbackMode::Launcher, None, Lang::ZhCn);
        wait_for("the launcher", || query(&root, "[part=launcher]").is_some()).await;
        let launcher = element(&root, "[part=launcher]");
        assert_eq!(
            launcher.text_content().as_deref().map(str::trim),
            Some("✎反馈")
        );
        assert_eq!(
            launcher.get_attribute("aria-expanded").as_deref(),
            Some("false")
        );
        let panel = element(&root, ".engage-feedback__panel");
        assert_eq!(panel.get_attribute("role").as_deref(), Some("dialog"));
        assert!(panel.has_attribute("hidden"));
        wait_for_form(&root).await;
        click(&root, "[part=launcher]");
        wait_for("the focus in the panel", || {
            root.active_element()
                .is_some_and(|e| panel.contains(Some(&e)))
        })
        .await;
        assert!(!panel.has_attribute("hidden"));
        assert_eq!(
            launcher.get_attribute("aria-expanded").as_deref(),
            Some("true")
        );
        press_escape(&root.active_element().unwrap());
        leptos::task::tick().await;
        assert!(panel.has_attribute("hidden"));
        assert_eq!(root.active_element(), Some(launcher.clone()));
        // The close button closes it too.
        click(&root, "[part=launcher]");
        leptos::task::tick().await;
        assert_eq!(
            element(&root, ".engage-feedback__close")
                .get_attribute("aria-label")
                .as_deref(),
            Some("关闭")
        );
        click(&root, ".engage-feedback__close");
        leptos::task::tick().await;
        assert!(panel.has_attribute("hidden"));
        assert_eq!(root.active_element(), Some(launcher));
    }

    #[wasm_bindgen_test]
    async fn members_only_feedback_asks_a_visitor_to_sign_in() {
        let (root, _mounted) = mount_feedback("members", FeedbackMode::Inline, None, Lang::En);
        wait_for("the sign-in message", || {
            text(&root).contains("Sign in to send feedback")
        })
        .await;
        assert_eq!(count(&root, "form"), 0);
    }

    #[wasm_bindgen_test]
    async fn custom_element_bridge_mounts_feedback_and_follows_its_mode() {
        install_fake_server();
        install_fake_feedback();
        let (host, root) = host();
        host.set_attribute("site", "fb-bridge").unwrap();
        host.set_attribute("lang", "en").unwrap();
        host.set_attribute("mode", "inline").unwrap();
        let defaults = js_sys::Object::new();
        js_sys::Reflect::set(&defaults, &"server".into(), &FAKE.into()).unwrap();
        let handle = mount("feedback", host.clone(), root.clone(), Some(defaults)).unwrap();
        assert_eq!(root.adopted_style_sheets().length(), 2);
        wait_for_form(&root).await;
        assert_eq!(count(&root, "[part=launcher]"), 0);
        handle.set_attribute("mode", Some("launcher".to_owned()));
        wait_for("the launcher", || query(&root, "[part=launcher]").is_some()).await;
        assert!(element(&root, ".engage-feedback__panel").has_attribute("hidden"));
        assert_eq!(count(&root, "[style]"), 0);
        handle.unmount();
        assert_eq!(root.child_element_count(), 0);
    }
}

mod leaderboard {
    use super::*;
    use engage_core::api::leaderboard::Period;
    use engage_widgets::Leaderboard;

    #[wasm_bindgen(inline_js = r#"
const json = (body, status = 200) => new Response(JSON.stringify(body), {
  status, headers: { 'content-type': 'application/json' },
});
const row = (member, name, points, title, badges) => ({ member, name, points, title, badges });
// The fake site's week, best first; ranks are worked out below (competition ranking).
const WEEK = [
  row('ann', 'Ann', 120, 'Community pillar', ['regular', 'first-vote', 'first-checkin']),
  row('mei', 'Mei 梅', 90, 'Early bird', ['first-checkin']),
  row('bob', '<b>Bob</b>', 90, 'Newcomer', []),
  row('kai', 'Kai', 70, 'Newcomer', []),
  row('lee', 'Lee', 60, 'Newcomer', []),
  row('ray', 'Ray', 50, 'Newcomer', []),
  row('sam', 'Sam', 40, 'Newcomer', []),
  row('zoe', 'Zoe', 30, 'Newcomer', []),
  row('tom', 'Tom', 20, 'Newcomer', []),
];
const TOKENS = { 'Bearer good': 'mei', 'Bearer far': 'zoe', 'Bearer badger': 'new' };
function ranked(rows) {
  const sorted = rows.slice().sort((a, b) => b.points - a.points);
  return sorted.map((r, i) => Object.assign({ rank: 1 + sorted.filter((o) => o.points > r.points).length }, r));
}
function board(period, limit, member) {
  const rows = period === 'day' ? [] : ranked(window.__engageBoard.week);
  const view = { period, from: null, to: null, top: rows.slice(0, limit), me: null };
  const at = rows.findIndex((r) => r.member === member);
  if (at >= 0) {
    const mine = rows[at];
    view.me = {
      rank: mine.rank, points: mine.points, title: mine.title, badges: mine.badges,
      neighbours: rows.slice(Math.max(0, at - 2), at).concat(rows.slice(at + 1, at + 3)),
    };
  }
  return view;
}
function me(member) {
  const mine = window.__engageBoard.week.find((r) => r.member === member) || { name: 'Newbie', points: 0 };
  return {
    member, name: mine.name, points: mine.points, level: 2, title: 'Regular',
    next_level: { level: 3, title: 'Community star', min_points: 200 },
    badges: member === 'new' ? [{ id: 'first-checkin', name: 'First check-in', earned_at: '2026-11-20T08:00:00Z' }]
      : [{ id: 'first-checkin', name: 'First check-in', earned_at: '2026-11-18T08:00:00Z' }],
    ledger: [], badges_available: [{ id: 'big-spender', name: 'Big spender' }], earned: mine.points,
  };
}
const checkin = (over) => Object.assign({
  date: '2026-11-20', checked_in: false, already: false, streak: 0, longest_streak: 0, awarded: 0,
  points: 0, month: [], badges: [], month_of: '2026-11', total_checkins: 0, spent: 0,
  points_per_checkin: 10, next_milestone: null, makeup: null,
}, over);
export function install_fake_board() {
  if (window.__engageBoard) { window.__engageBoard.week = WEEK.map((r) => Object.assign({}, r)); return; }
  const next = window.fetch;
  window.__engageBoard = { week: WEEK.map((r) => Object.assign({}, r)), badges: [] };
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== 'http://fake.engage.test' || !url.pathname.startsWith('/api/v1/sites/board/')) return next(input, init);
    window.__engageFake.calls.push(request.method + ' ' + request.url);
    const member = TOKENS[request.headers.get('authorization')];
    const path = url.pathname.slice('/api/v1/sites/board'.length);
    if (path === '/leaderboard') {
      return json(board(url.searchParams.get('period'), Number(url.searchParams.get('limit')), member));
    }
    if (!member) return json({ error: { code: 'missing_token', message: 'no token' } }, 401);
    if (path === '/me') return json(me(member));
    if (path === '/checkin' && request.method === 'GET') return json(checkin({}));
    if (path === '/checkin') {
      return json(checkin({ checked_in: true, streak: 1, longest_streak: 1, awarded: 10, points: 10,
        month: ['2026-11-20'], total_checkins: 1, badges: ['first-checkin'] }));
    }
    return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  };
  document.addEventListener('engage:badge', (e) => window.__engageBoard.badges.push(JSON.stringify({
    detail: e.detail, bubbles: e.bubbles, composed: e.composed,
  })));
}
export function award_fake_points(member, points) {
  window.__engageBoard.week.find((r) => r.member === member).points += points;
  for (const source of boardStreams()) {
    source.dispatchEvent(new MessageEvent('leaderboard', { data: JSON.stringify({ change: 'c' + points }) }));
  }
}
const boardStreams = () => window.__engageFake.sources.filter(
  (s) => window.__engageCarries(s, '/sites/board/stream', 'leaderboard'));
export function badge_events() { return window.__engageBoard.badges.slice(); }
export function leaderboard_streams() {
  return boardStreams().length;
}
export function press(element, key) {
  element.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
}
"#)]
    extern "C" {
        fn install_fake_board();
        fn award_fake_points(member: &str, points: u32);
        fn badge_events() -> Vec<String>;
        fn press(element: &Element, key: &str);
        fn leaderboard_streams() -> u32;
    }

    fn mount_board(
        token: Option<&'static str>,
        period: Option<Period>,
        lang: Lang,
    ) -> (ShadowRoot, leptos::mount::UnmountHandle<impl Mountable>) {
        install_fake_server();
        install_fake_board();
        let (root, container) = shadow_container();
        let mounted = leptos::mount::mount_to(container, move || {
            view! {
                <Leaderboard
                    site="board"
                    server=FAKE
                    member_token=token.map(str::to_owned)
                    lang=lang
                    period=period
                    limit=4_u32
                />
            }
        });
        (root, mounted)
    }

    fn texts(root: &ShadowRoot, selector: &str) -> Vec<String> {
        let list = root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
            .collect()
    }

    /// The visible rank of every listed row.
    fn ranks(root: &ShadowRoot) -> Vec<String> {
        texts(root, ".engage-leaderboard__rank span[aria-hidden]")
    }

    fn selected_tab(root: &ShadowRoot) -> String {
        query(root, "[role=tab][aria-selected=true]")
            .and_then(|t| t.text_content())
            .unwrap_or_default()
    }

    async fn wait_for_rows(root: &ShadowRoot) {
        wait_for("the ranking", || {
            count(root, ".engage-leaderboard__row") > 0
        })
        .await;
    }

    #[wasm_bindgen_test]
    async fn tabs_follow_clicks_and_arrow_keys() {
        let (root, _mounted) = mount_board(None, None, Lang::En);
        wait_for_rows(&root).await;
        assert_eq!(count(&root, "[role=tablist] > [role=tab]"), 4);
        assert_eq!(selected_tab(&root), "Week");
        assert_eq!(count(&root, "[role=tab][tabindex='0']"), 1);
        let panel = query(&root, "[role=tabpanel]").unwrap();
        let tab = query(&root, "[role=tab][aria-selected=true]").unwrap();
        assert_eq!(
            panel.get_attribute("aria-labelledby"),
            tab.get_attribute("id")
        );
        assert_eq!(
            tab.get_attribute("aria-controls"),
            panel.get_attribute("id")
        );

        clear_fetch_calls();
        press(&tab, "ArrowRight");
        wait_for("the month tab", || selected_tab(&root) == "Month").await;
        let focused = root.active_element().expect("the new tab has the focus");
        assert_eq!(focused.text_content().as_deref(), Some("Month"));
        wait_for_rows(&root).await;
        assert!(
            fetch_calls()
                .iter()
                .any(|c| c.ends_with("/sites/board/leaderboard?period=month&limit=4")),
            "{:?}",
            fetch_calls()
        );
        press(&root.active_element().unwrap(), "End");
        wait_for("the all-time tab", || selected_tab(&root) == "All time").await;
        press(&root.active_element().unwrap(), "ArrowRight");
        wait_for("wrapping to today", || selected_tab(&root) == "Today").await;
        wait_for("the empty day", || {
            text(&root).contains("No points yet today — be the first!")
        })
        .await;
        press(&root.active_element().unwrap(), "ArrowLeft");
        wait_for("wrapping back", || selected_tab(&root) == "All time").await;
        click(&root, "[role=tab]:nth-child(2)");
        wait_for("the week again", || selected_tab(&root) == "Week").await;
        // Signed out, the ranking shows and the member's place is asked for.
        wait_for_rows(&root).await;
        assert!(
            text(&root).contains("Sign in to see your rank"),
            "{}",
            text(&root)
        );
    }

    #[wasm_bindgen_test]
    async fn top_rows_keep_ties_and_highlight_the_member() {
        let (root, _mounted) = mount_board(Some("good"), Some(Period::Week), Lang::En);
        wait_for("the member's row", || {
            count(&root, "[aria-current=true]") == 1
        })
        .await;
        assert_eq!(ranks(&root), ["1", "2", "2", "4"]);
        assert_eq!(
            texts(&root, ".engage-leaderboard__name"),
            ["Ann", "Mei 梅", "<b>Bob</b>", "Kai"]
        );
        // Names are text, never markup.
        assert_eq!(count(&root, ".engage-leaderboard__name b"), 0);
        let mine = query(&root, "[aria-current=true]")
            .unwrap()
            .text_content()
            .unwrap();
        assert!(
            mine.contains("Mei 梅") && mine.contains("Early bird"),
            "{mine}"
        );
        assert!(mine.contains("Rank 2") && mine.contains("90 pts"), "{mine}");
        assert_eq!(count(&root, ".engage-leaderboard__gap"), 0);
        let first = query(&root, ".engage-leaderboard__row")
            .unwrap()
            .text_content()
            .unwrap();
        assert!(first.contains("3 badges"), "{first}");
        // The member's card: level, the way to the next, badges earned and to earn.
        wait_for("the member's card", || {
            text(&root).contains("Level 2 · Regular")
        })
        .await;
        let card = text(&root);
        assert!(
            card.contains("110 more points to Level 3 · Community star"),
            "{card}"
        );
        let progress = query(&root, "progress").unwrap();
        assert_eq!(progress.get_attribute("value").as_deref(), Some("90"));
        assert_eq!(progress.get_attribute("max").as_deref(), Some("200"));
        assert_eq!(
            texts(&root, ".engage-leaderboard__chip"),
            ["First check-in", "Big spender"]
        );
        assert_eq!(count(&root, ".engage-leaderboard__chip--locked"), 1);
    }

    #[wasm_bindgen_test]
    async fn a_member_outside_the_top_sees_a_gap_their_neighbours_and_their_row() {
        let (root, _mounted) = mount_board(Some("far"), None, Lang::En);
        wait_for("the member's row", || {
            texts(&root, "[aria-current=true] .engage-leaderboard__name") == ["Zoe"]
        })
        .await;
        assert_eq!(ranks(&root), ["1", "2", "2", "4", "6", "7", "8", "9"]);
        assert_eq!(count(&root, ".engage-leaderboard__gap"), 1);
        let gap = query(&root, ".engage-leaderboard__gap").unwrap();
        let after_gap = gap.next_element_sibling().unwrap().text_content().unwrap();
        assert!(after_gap.contains("Ray"), "{after_gap}");
    }

    #[wasm_bindgen_test]
    async fn leaderboard_in_chinese_with_an_empty_day() {
        let (root, _mounted) = mount_board(None, Some(Period::Day), Lang::ZhCn);
        wait_for("the empty day", || {
            text(&root).contains("今天还没有人获得积分")
        })
        .await;
        assert_eq!(texts(&root, "[role=tab]"), ["今日", "本周", "本月", "总榜"]);
        assert_eq!(selected_tab(&root), "今日");
        let card = text(&root);
        assert!(card.contains("积分榜"), "{card}");
        assert!(card.contains("登录后查看你的排名"), "{card}");
        assert_eq!(
            query(&root, ".engage-card")
                .unwrap()
                .get_attribute("lang")
                .as_deref(),
            Some("zh-CN")
        );
        click(&root, "[role=tab]:nth-child(2)");
        wait_for_rows(&root).await;
        assert!(text(&root).contains("排名"), "{}", text(&root));
        assert!(text(&root).contains("勋章"), "{}", text(&root));
        assert!(text(&root).contains("第 2 名"), "{}", text(&root));
    }

    #[wasm_bindgen_test]
    async fn points_earned_elsewhere_move_the_ranking_live() {
        let (root, mounted) = mount_board(Some("far"), None, Lang::En);
        wait_for("the member's row", || {
            texts(&root, "[aria-current=true] .engage-leaderboard__name") == ["Zoe"]
        })
        .await;
        wait_for("the event stream", || leaderboard_streams() == 1).await;
        clear_fetch_calls();
        award_fake_points("zoe", 100);
        wait_for("Zoe on top", || {
            texts(
                &root,
                "[aria-current=true] .engage-leaderboard__rank span[aria-hidden]",
            ) == ["1"]
        })
        .await;
        assert_eq!(ranks(&root), ["1", "2", "3", "3"]);
        assert_eq!(count(&root, ".engage-leaderboard__gap"), 0);
        let calls = fetch_calls();
        assert!(
            calls
                .iter()
                .any(|c| c.contains("/sites/board/leaderboard?period=week&limit=4")),
            "{calls:?}"
        );
        assert!(
            calls.iter().any(|c| c.ends_with("/sites/board/me")),
            "{calls:?}"
        );
        wait_for("the new balance", || text(&root).contains("130 points")).await;
        drop(mounted);
        assert_eq!(leaderboard_streams(), 0);
    }

    #[wasm_bindgen_test]
    async fn a_check_in_that_earns_a_badge_reports_engage_badge() {
        install_fake_server();
        install_fake_board();
        let (root, container) = shadow_container();
        let _mounted = leptos::mount::mount_to(container, || {
            view! { <Checkin site="board" server=FAKE member_token="badger" lang=Lang::En /> }
        });
        wait_for("the check-in button", || {
            query(&root, ".engage-checkin__button").is_some_and(|b| !b.has_attribute("disabled"))
        })
        .await;
        click(&root, ".engage-checkin__button");
        wait_for("the badge event", || !badge_events().is_empty()).await;
        assert_eq!(
            badge_events(),
            [
                r#"{"detail":{"badge":"first-checkin","name":"First check-in","widget":"checkin"},"bubbles":true,"composed":true}"#
            ]
        );
        wait_for("the announcement", || {
            text(&root).contains("New badge: First check-in!")
        })
        .await;
    }
}

mod rewards {
    use super::*;
    use engage_widgets::Rewards;

    #[wasm_bindgen(inline_js = r#"
const json = (body, status = 200) => new Response(JSON.stringify(body), {
  status, headers: { 'content-type': 'application/json' },
});
const REWARDS = [
  { id: 'stickers', name: 'Sticker pack', description: '<b>Holo</b> stickers, posted to you', image_url: '/img/stickers.png',
    price: 30, kind: 'item', stock_left: 5, per_member: null, opens_at: null, closes_at: null, status: 'open' },
  { id: 'coupon', name: 'Shop coupon', price: 50, kind: 'code', stock_left: 2, per_member: 1,
    opens_at: null, closes_at: '2026-12-31T12:00:00Z', status: 'open' },
  { id: 'freeze', name: 'Streak freeze', price: 80, kind: 'streak_freeze', stock_left: null, per_member: null,
    opens_at: null, closes_at: null, status: 'open' },
  { id: 'later', name: 'Mystery box', price: 10, kind: 'item', stock_left: 3, per_member: null,
    opens_at: '2026-12-24T10:00:00Z', closes_at: null, status: 'scheduled' },
];
function catalogue(member) {
  const shop = window.__engageShop;
  const signed = member !== null;
  const mine = shop.redemptions;
  return {
    points: signed ? shop.points : null,
    freezes: signed ? shop.freezes : null,
    rewards: REWARDS.map((r) => {
      const taken = mine.filter((m) => m.reward === r.id).length;
      return Object.assign({}, r, {
        stock_left: r.stock_left === null ? null : r.stock_left - (shop.sold[r.id] || 0),
        my_left: signed && r.per_member !== null ? r.per_member - taken : null,
        affordable: signed && shop.points >= r.price,
      });
    }),
  };
}
export function install_fake_shop(points) {
  const fresh = { points, freezes: 0, redemptions: [], sold: {}, refuse: null, events: [], keys: [] };
  if (window.__engageShop) { Object.assign(window.__engageShop, fresh); return; }
  window.__engageShop = fresh;
  const next = window.fetch;
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    if (url.href === 'http://fake.engage.test/api/v1/sites/closed/rewards') {
      return json({ error: { code: 'site_not_found', message: 'no such site' } }, 404);
    }
    if (url.origin !== 'http://fake.engage.test' || !url.pathname.startsWith('/api/v1/sites/shop/')) return next(input, init);
    window.__engageFake.calls.push(request.method + ' ' + request.url);
    const shop = window.__engageShop;
    const auth = request.headers.get('authorization');
    const member = auth === 'Bearer shopper' ? 'shopper' : null;
    if (auth && !member) return json({ error: { code: 'invalid_token', message: 'bad token' } }, 401);
    const path = url.pathname.slice('/api/v1/sites/shop'.length);
    if (path === '/rewards' && request.method === 'GET') return json(catalogue(member));
    if (!member) return json({ error: { code: 'missing_token', message: 'no token' } }, 401);
    if (path === '/rewards/redemptions/mine') return json({ redemptions: shop.redemptions.slice() });
    if (path === '/checkin') {
      return json({
        date: '2026-11-20', checked_in: false, already: false, streak: 3, longest_streak: 3, awarded: 0,
        points: shop.points, month: ['2026-11-18', '2026-11-19'], badges: [], month_of: '2026-11',
        total_checkins: 2, spent: 0, points_per_checkin: 10, next_milestone: null, makeup: null,
        freezes: shop.freezes, frozen: ['2026-11-17'],
      });
    }
    const redeem = path.match(/^\/rewards\/([^/]+)\/redemptions$/);
    if (redeem && request.method === 'POST') {
      const reward = REWARDS.find((r) => r.id === decodeURIComponent(redeem[1]));
      shop.keys.push((await request.json()).idempotency_key);
      if (shop.refuse) return json({ error: { code: shop.refuse, message: 'refused' } }, 409);
      if (shop.points < reward.price) return json({ error: { code: 'insufficient_points', message: 'poor' } }, 402);
      shop.points -= reward.price;
      shop.sold[reward.id] = (shop.sold[reward.id] || 0) + 1;
      if (reward.kind === 'streak_freeze') shop.freezes++;
      const redemption = {
        id: 'r' + (shop.redemptions.length + 1), reward: reward.id, name: reward.name,
        status: reward.kind === 'item' ? 'pending' : 'fulfilled', price: reward.price, at: '2026-11-20T09:30:00Z',
      };
      if (reward.kind === 'code') redemption.code = 'SAVE-' + String(shop.redemptions.length + 1).padStart(4, '0');
      shop.redemptions.unshift(redemption);
      return json({ redemption, points: shop.points, badges: [] });
    }
    return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  };
  document.addEventListener('engage:redeem', (e) => window.__engageShop.events.push(JSON.stringify({
    detail: e.detail, bubbles: e.bubbles, composed: e.composed,
  })));
}
export function redemption_keys() { return window.__engageShop.keys.slice(); }
export function refuse_redemptions(code) { window.__engageShop.refuse = code; }
export function redeem_events() { return window.__engageShop.events.slice(); }
export function fake_clipboard(working) {
  window.__copied = null;
  const clipboard = working ? { writeText: async (text) => { window.__copied = text; } } : undefined;
  Object.defineProperty(navigator, 'clipboard', { value: clipboard, configurable: true });
}
export function copied() { return window.__copied; }
export function selected_text() { return String(window.getSelection()); }
"#)]
    extern "C" {
        fn install_fake_shop(points: i32);
        fn refuse_redemptions(code: &str);
        fn redemption_keys() -> Vec<String>;
        fn redeem_events() -> Vec<String>;
        fn fake_clipboard(working: bool);
        fn copied() -> Option<String>;
        fn selected_text() -> String;
    }

    fn mount_shop(
        token: Option<&'static str>,
        lang: Lang,
        theme: Theme,
    ) -> (ShadowRoot, leptos::mount::UnmountHandle<impl Mountable>) {
        let (root, container) = shadow_container();
        let mounted = leptos::mount::mount_to(container, move || {
            view! {
                <Rewards
                    site="shop"
                    server=FAKE
                    member_token=token.map(str::to_owned)
                    lang=lang
                    theme=theme
                />
            }
        });
        (root, mounted)
    }

    fn item(root: &ShadowRoot, reward: &str) -> Element {
        query(root, &format!("[data-reward={reward}]"))
            .unwrap_or_else(|| panic!("no reward {reward}"))
    }

    fn item_text(root: &ShadowRoot, reward: &str) -> String {
        item(root, reward).text_content().unwrap_or_default()
    }

    fn redeem_button(root: &ShadowRoot, reward: &str) -> HtmlElement {
        item(root, reward)
            .query_selector("button")
            .unwrap()
            .unwrap()
            .unchecked_into()
    }

    fn dialog_open(root: &ShadowRoot) -> bool {
        query(root, "dialog").is_some_and(|d| d.has_attribute("open"))
    }

    fn dialog_text(root: &ShadowRoot) -> String {
        query(root, "dialog")
            .and_then(|d| d.text_content())
            .unwrap_or_default()
    }

    fn focused_class(root: &ShadowRoot) -> String {
        root.active_element()
            .map(|e| e.class_name())
            .unwrap_or_default()
    }

    async fn wait_for_rewards(root: &ShadowRoot) {
        wait_for("the rewards", || count(root, ".engage-rewards__item") == 4).await;
    }

    #[wasm_bindgen_test]
    async fn signed_out_shows_the_catalogue_as_text_and_asks_to_sign_in() {
        install_fake_server();
        install_fake_shop(0);
        clear_fetch_calls();
        let (root, _mounted) = mount_shop(None, Lang::En, Theme::Light);
        wait_for_rewards(&root).await;
        let card = text(&root);
        assert!(card.contains("Rewards"), "{card}");
        assert!(card.contains("Sign in to redeem"), "{card}");
        // Owner-typed text is text, never markup.
        assert!(item_text(&root, "stickers").contains("<b>Holo</b> stickers"));
        assert_eq!(count(&root, ".engage-rewards__description b"), 0);
        assert!(item_text(&root, "stickers").contains("30 points"));
        assert!(item_text(&root, "stickers").contains("5 left"));
        assert!(item_text(&root, "freeze").contains("Unlimited"));
        assert!(item_text(&root, "later").contains("Opens"));
        // The image has an alt and a fixed size, and loads lazily.
        let image = query(&root, "[data-reward=stickers] img").unwrap();
        assert_eq!(image.get_attribute("alt").as_deref(), Some("Sticker pack"));
        assert_eq!(image.get_attribute("width").as_deref(), Some("56"));
        assert_eq!(image.get_attribute("height").as_deref(), Some("56"));
        assert_eq!(image.get_attribute("loading").as_deref(), Some("lazy"));
        assert_eq!(count(&root, "[data-reward=coupon] img"), 0);
        for reward in ["stickers", "coupon", "freeze", "later"] {
            assert!(
                redeem_button(&root, reward).has_attribute("disabled"),
                "{reward}"
            );
        }
        // The reason is the button's description.
        let button = redeem_button(&root, "coupon");
        let hint = root
            .get_element_by_id(&button.get_attribute("aria-describedby").unwrap())
            .unwrap();
        assert_eq!(hint.text_content().as_deref(), Some("Sign in to redeem"));
        assert_eq!(count(&root, ".engage-rewards__mine"), 0);
        let calls = fetch_calls();
        assert!(calls.iter().all(|c| !c.contains("/mine")), "{calls:?}");
        assert!(calls.iter().all(|c| !c.starts_with("POST")), "{calls:?}");
    }

    #[wasm_bindgen_test]
    async fn a_member_confirms_gets_a_code_copies_it_and_every_widget_shows_the_balance() {
        install_fake_server();
        install_fake_shop(60);
        fake_clipboard(true);
        let (root, _mounted) = mount_shop(Some("shopper"), Lang::En, Theme::Light);
        // A check-in card of the same member on the same page.
        let (checkin_root, checkin_container) = shadow_container();
        let _checkin = leptos::mount::mount_to(checkin_container, || {
            view! { <Checkin site="shop" server=FAKE member_token="shopper" lang=Lang::En /> }
        });
        wait_for_rewards(&root).await;
        wait_for("the balance", || text(&root).contains("You have 60 points")).await;
        assert!(item_text(&root, "coupon").contains("You can afford it"));
        assert!(item_text(&root, "freeze").contains("You need 20 more points"));
        assert!(redeem_button(&root, "freeze").has_attribute("disabled"));
        assert!(!redeem_button(&root, "coupon").has_attribute("disabled"));
        wait_for("my redemptions", || {
            text(&root).contains("You have not redeemed anything yet.")
                || text(&root).contains("My redemptions (0)")
        })
        .await;

        // Cancel first: nothing is sent, the focus goes back to the button.
        clear_fetch_calls();
        redeem_button(&root, "coupon").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        assert!(
            dialog_text(&root).contains("It costs 50 points. Your balance after: 10 points."),
            "{}",
            dialog_text(&root)
        );
        assert!(dialog_text(&root).contains("Redeem “Shop coupon”?"));
        click(&root, ".engage-rewards__cancel");
        wait_for("the dialog to close", || !dialog_open(&root)).await;
        wait_for("the focus back on the button", || {
            focused_class(&root) == "engage-rewards__redeem"
        })
        .await;
        assert!(!fetch_calls().iter().any(|c| c.starts_with("POST")));

        // Confirm: the code, a copy, the event, and the new balance everywhere.
        redeem_button(&root, "coupon").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        click(&root, ".engage-rewards__confirm");
        wait_for("the code", || dialog_text(&root).contains("SAVE-0001")).await;
        assert!(
            dialog_text(&root).contains("Your balance: 10 points."),
            "{}",
            dialog_text(&root)
        );
        let said = query(&root, "dialog [role=status]").unwrap();
        assert_eq!(said.get_attribute("aria-live").as_deref(), Some("polite"));
        wait_for("the focus in the dialog", || {
            root.active_element()
                .is_some_and(|e| e.closest("dialog").ok().flatten().is_some())
        })
        .await;
        click(&root, "dialog .engage-rewards__copy");
        wait_for("the copy", || copied().as_deref() == Some("SAVE-0001")).await;
        wait_for("copied", || dialog_text(&root).contains("Copied")).await;
        assert_eq!(
            redeem_events(),
            [
                r#"{"detail":{"reward":"coupon","redemption":{"id":"r1","reward":"coupon","name":"Shop coupon","status":"fulfilled","code":"SAVE-0001","price":50,"at":"2026-11-20T09:30:00Z"},"points":10},"bubbles":true,"composed":true}"#
            ]
        );
        wait_for("the new balance", || {
            text(&root).contains("You have 10 points")
        })
        .await;
        // The confirmation carried a fresh idempotency key.
        let keys = redemption_keys();
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_eq!(keys[0].len(), 32, "{keys:?}");
        wait_for("the check-in's balance", || {
            query(&checkin_root, ".engage-checkin__stat:nth-child(3) dd")
                .and_then(|d| d.text_content())
                .as_deref()
                == Some("10")
        })
        .await;
        assert!(
            text(&root).contains("My redemptions (1)"),
            "{}",
            text(&root)
        );
        let mine = query(&root, ".engage-rewards__mine-item").unwrap();
        let mine = mine.text_content().unwrap();
        assert!(
            mine.contains("Shop coupon")
                && mine.contains("SAVE-0001")
                && mine.contains("Fulfilled"),
            "{mine}"
        );
        // The coupon's limit is one: it says so, and the focus lands on that line.
        click(&root, ".engage-rewards__ok");
        wait_for("the dialog to close", || !dialog_open(&root)).await;
        wait_for("the limit", || {
            item_text(&root, "coupon").contains("You have redeemed this as often as allowed.")
        })
        .await;
        wait_for("the focus on the reason", || {
            focused_class(&root).contains("engage-rewards__hint")
        })
        .await;
        assert!(redeem_button(&root, "coupon").has_attribute("disabled"));
        assert!(
            text(&root).contains("Redeemed: Shop coupon"),
            "{}",
            text(&root)
        );
    }

    #[wasm_bindgen_test]
    async fn an_item_is_pending_and_a_copy_without_clipboard_selects_the_code() {
        install_fake_server();
        install_fake_shop(200);
        fake_clipboard(false);
        let (root, _mounted) = mount_shop(Some("shopper"), Lang::En, Theme::Dark);
        wait_for_rewards(&root).await;
        assert!(
            query(&root, ".engage-card")
                .unwrap()
                .class_name()
                .contains("engage-card--dark")
        );
        wait_for("the balance", || {
            text(&root).contains("You have 200 points")
        })
        .await;
        redeem_button(&root, "stickers").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        click(&root, ".engage-rewards__confirm");
        wait_for("pending", || {
            dialog_text(&root).contains("Pending: the site will send it to you.")
        })
        .await;
        click(&root, ".engage-rewards__ok");
        wait_for("the dialog to close", || !dialog_open(&root)).await;
        wait_for("the stock", || {
            item_text(&root, "stickers").contains("4 left")
        })
        .await;

        redeem_button(&root, "coupon").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        click(&root, ".engage-rewards__confirm");
        wait_for("the code", || dialog_text(&root).contains("SAVE-0002")).await;
        click(&root, "dialog .engage-rewards__copy");
        wait_for("the selection", || {
            dialog_text(&root).contains("Selected: press Ctrl+C (⌘C) to copy")
        })
        .await;
        assert_eq!(selected_text(), "SAVE-0002");
        click(&root, ".engage-rewards__ok");

        redeem_button(&root, "freeze").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        click(&root, ".engage-rewards__confirm");
        wait_for("the freeze", || {
            dialog_text(&root).contains("Streak freeze added")
        })
        .await;
        wait_for("freezes held", || text(&root).contains("1 streak freeze")).await;
        click(&root, ".engage-rewards__ok");
        wait_for("the list", || {
            count(&root, ".engage-rewards__mine-item") == 3
        })
        .await;
        let statuses: Vec<String> = {
            let list = root.query_selector_all(".engage-rewards__state").unwrap();
            (0..list.length())
                .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
                .collect()
        };
        assert_eq!(statuses, ["Fulfilled", "Fulfilled", "Pending"]);
    }

    #[wasm_bindgen_test]
    async fn a_refused_redemption_says_why_and_reads_the_catalogue_again() {
        install_fake_server();
        install_fake_shop(60);
        refuse_redemptions("out_of_stock");
        let (root, _mounted) = mount_shop(Some("shopper"), Lang::En, Theme::Light);
        wait_for_rewards(&root).await;
        wait_for("the balance", || text(&root).contains("You have 60 points")).await;
        redeem_button(&root, "stickers").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        clear_fetch_calls();
        click(&root, ".engage-rewards__confirm");
        wait_for("the refusal", || {
            dialog_text(&root).contains("Out of stock")
        })
        .await;
        assert!(
            query(&root, ".engage-rewards__said--failed").is_some(),
            "{}",
            dialog_text(&root)
        );
        wait_for("the catalogue read again", || {
            fetch_calls()
                .iter()
                .any(|c| c.starts_with("GET") && c.ends_with("/sites/shop/rewards"))
        })
        .await;
        assert!(text(&root).contains("You have 60 points"));
        assert!(redeem_events().is_empty());
    }

    #[wasm_bindgen_test]
    async fn the_shop_in_chinese() {
        install_fake_server();
        install_fake_shop(60);
        let (root, _mounted) = mount_shop(Some("shopper"), Lang::ZhCn, Theme::Light);
        wait_for_rewards(&root).await;
        wait_for("the balance", || text(&root).contains("你有 60 积分")).await;
        let card = text(&root);
        assert!(card.contains("积分兑换"), "{card}");
        assert!(card.contains("积分足够"), "{card}");
        assert!(card.contains("还差 20 积分"), "{card}");
        assert!(card.contains("不限量"), "{card}");
        assert!(card.contains("我的兑换"), "{card}");
        redeem_button(&root, "coupon").click();
        wait_for("the dialog", || dialog_open(&root)).await;
        assert!(
            dialog_text(&root).contains("需要 50 积分，兑换后剩余 10 积分。"),
            "{}",
            dialog_text(&root)
        );
        click(&root, ".engage-rewards__cancel");
        wait_for("the dialog to close", || !dialog_open(&root)).await;
    }

    #[wasm_bindgen_test]
    async fn an_unknown_site_says_the_shop_is_not_open() {
        install_fake_server();
        install_fake_shop(0);
        let (root, container) = shadow_container();
        let _mounted = leptos::mount::mount_to(container, || {
            view! { <Rewards site="closed" server=FAKE lang=Lang::En /> }
        });
        wait_for("the message", || {
            text(&root).contains("The rewards shop is not open on this site.")
        })
        .await;
        assert_eq!(count(&root, ".engage-card__retry"), 0);
    }

    #[wasm_bindgen_test]
    async fn the_check_in_shows_freezes_held_and_frozen_days() {
        install_fake_server();
        install_fake_shop(60);
        js_sys::eval("window.__engageShop.freezes = 2").unwrap();
        let (root, container) = shadow_container();
        let _mounted = leptos::mount::mount_to(container, || {
            view! { <Checkin site="shop" server=FAKE member_token="shopper" lang=Lang::En /> }
        });
        wait_for("the freezes", || text(&root).contains("2 streak freezes")).await;
        assert_eq!(count(&root, ".engage-checkin__day--frozen"), 1);
        let frozen = query(&root, ".engage-checkin__day--frozen").unwrap();
        let label = frozen.text_content().unwrap();
        assert!(
            label.contains("November 17") && label.contains("frozen"),
            "{label}"
        );
        assert_eq!(
            count(
                &root,
                ".engage-checkin__day--checked.engage-checkin__day--frozen"
            ),
            0
        );
    }

    #[wasm_bindgen_test]
    async fn the_custom_element_bridge_mounts_the_shop() {
        install_fake_server();
        install_fake_shop(60);
        let (host, root) = host();
        host.set_attribute("site", "shop").unwrap();
        host.set_attribute("server", FAKE).unwrap();
        host.set_attribute("lang", "en").unwrap();
        let handle = mount("rewards", host.clone(), root.clone(), None).unwrap();
        wait_for_rewards(&root).await;
        assert!(text(&root).contains("Sign in to redeem"));
        handle.set_attribute("member-token", Some("shopper".to_owned()));
        wait_for("the member", || text(&root).contains("You have 60 points")).await;
        handle.unmount();
        assert_eq!(count(&root, ".engage-card"), 0);
    }
}
