//! The console mounted in headless Chromium against a fake `fetch` (the inline JavaScript below)
//! that answers the console's routes on the page's own origin, records every request with its
//! body and credentials mode, and serves a small community whose member names and feedback
//! carry hostile HTML.

#![cfg(target_arch = "wasm32")]

use engage_console::App;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const json = (body, status = 200) => new Response(body === undefined ? null : JSON.stringify(body), {
  status, headers: { 'content-type': 'application/json' },
});
const error = (status, code, message, extra = {}) => json({ error: Object.assign({ code, message }, extra) }, status);
const OWNER = { email: 'owner@example.com', admin: true, lang: null, sites: [{ id: 'demo', name: 'Demo' }] };
const HOSTILE = '<img src=x onerror=alert(1)>';
const RULES = '[checkin]\npoints = 10\n\n[[levels]]\nmin_points = 0\ntitle = "Newcomer"\n';
export function install_fake() {
  window.__consoleFake = { signedIn: false, requests: [] };
  if (window.__consoleFakeInstalled) return;
  window.__consoleFakeInstalled = true;
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/api/v1/')) return original(request);
    const fake = window.__consoleFake;
    const text = await request.text();
    fake.requests.push({ method: request.method, path: url.pathname + url.search, body: text, credentials: request.credentials });
    const path = url.pathname;
    if (path === '/api/v1/console/session') {
      if (request.method === 'GET') return fake.signedIn ? json({ owner: OWNER }) : error(401, 'not_signed_in', 'sign in first');
      const body = JSON.parse(text);
      if (body.password !== 'right password') return error(401, 'invalid_credentials', 'wrong email or password');
      fake.signedIn = true;
      return json({ owner: OWNER });
    }
    if (path === '/api/v1/sites/demo/feedback/form') return json({ scale: 'stars', max_length: 2000, max_contact_length: 200,
      anonymous: true, points: 0, categories: [{ id: 'bug', label: 'Bug 缺陷' }, { id: 'idea', label: 'Idea' }] });
    if (!fake.signedIn) return error(401, 'not_signed_in', 'sign in first');
    if (path === '/api/v1/console/sites') return json([{ id: 'demo', name: 'Demo', tz: 'UTC', origins: [], created_at: '2026-11-01T00:00:00Z' }]);
    if (path === '/api/v1/admin/sites/demo') return json({ id: 'demo', name: 'Demo', tz: 'UTC', origins: [], created_at: '2026-11-01T00:00:00Z' });
    if (path === '/api/v1/admin/sites/demo/rules') return json({ version: null, format: 'toml', document: RULES });
    if (path === '/api/v1/admin/sites/demo/rules/versions') return json([]);
    if (path === '/api/v1/admin/sites/demo/polls' && request.method === 'GET') return json([]);
    if (path === '/api/v1/admin/sites/demo/polls') {
      const body = JSON.parse(text);
      return json({ id: body.id, question: body.question, options: body.options.map((o) => Object.assign({ votes: 0 }, o)),
        multiple: body.multiple, max_choices: 1, closes_at: null, closed: false, my_choices: [], total_votes: 0,
        results_visible: true, results: body.results, anonymous: body.anonymous, allow_change: body.allow_change,
        points_per_vote: body.points, ip_limit: 20 }, 201);
    }
    if (path === '/api/v1/admin/sites/demo/feedback/stats') return json({ from: '2026-10-22', to: '2026-11-20', bucket: 'day',
      totals: { count: 1, spam: 0, ratings: 0, rating_average: null, nps_responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null }, buckets: [] });
    if (path === '/api/v1/admin/sites/demo/feedback') return json({ items: [{ id: 1, status: 'new', rating: null, nps: null,
      category: HOSTILE, text: HOSTILE, contact: HOSTILE, page_url: 'javascript:alert(1)', context: null, member: 'u-1', name: '<b>Bob</b>',
      visitor: null, spam_reason: null, day: '2026-11-20', created_at: '2026-11-20T08:00:00Z', updated_at: '2026-11-20T08:00:00Z',
      replies: [{ id: 1, text: HOSTILE, created_at: '2026-11-20T09:00:00Z' }] }], next_cursor: null });
    if (path === '/api/v1/admin/sites/demo/members/u-1') return json({ member: 'u-1', name: '<b>Bob</b>', points: 20, level: 1,
      title: HOSTILE, badges: [], streak: 0, longest_streak: 3, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-20T08:00:00Z' });
    if (path === '/api/v1/admin/sites/demo/members/u-1/ledger') return json({ entries: [], next_before: null });
    if (path === '/api/v1/admin/sites/demo/members/u-1/adjustments') {
      const body = JSON.parse(text);
      if (body.amount < -20) return error(409, 'insufficient_points', 'not enough points');
      return json({ points: 20 + body.amount, entry: { id: 7, source: 'admin', amount: body.amount, at: '2026-11-20T10:00:00Z', key: 'admin:1', reason: body.reason } });
    }
    return error(404, 'not_found', 'no such route');
  };
}
export function set_signed_in(on) { window.__consoleFake.signedIn = on; }
export function requests_to(method, path) {
  return JSON.stringify(window.__consoleFake.requests.filter((r) => r.method === method && r.path === path));
}
export function go_to(path) { history.replaceState(null, '', path); }
export function prefer(lang) { localStorage.setItem('engage-console:lang', lang); }
/** The form control of the field whose label reads `label`, within `root`. */
function control(root, label) {
  for (const span of root.querySelectorAll('.field__label, label')) {
    if (span.textContent.trim() !== label) continue;
    const field = span.closest('label');
    const found = field && field.querySelector('input, select, textarea');
    if (found) return found;
    const target = span.getAttribute('for') && root.querySelector('#' + span.getAttribute('for'));
    if (target) return target;
  }
  return null;
}
export function has_field(root, label) { return control(root, label) !== null; }
export function fill(root, label, value) {
  const input = control(root, label);
  if (!input) throw new Error('no field labelled ' + label);
  input.value = value;
  input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
}
export function fill_nth(root, label, n, value) {
  const inputs = [...root.querySelectorAll('.field__label')].filter((s) => s.textContent.trim() === label)
    .map((s) => s.closest('label').querySelector('input'));
  inputs[n].value = value;
  inputs[n].dispatchEvent(new Event('input', { bubbles: true }));
}
export function click_button(root, text) {
  const button = [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === text);
  if (!button) throw new Error('no button ' + text);
  button.click();
}
export function links(root, selector) {
  return JSON.stringify([...root.querySelectorAll(selector)].map((a) => ({
    href: a.getAttribute('href'), download: a.getAttribute('download'), table: a.dataset.table, label: a.getAttribute('aria-label') })));
}
export function options(root, label) {
  const select = control(root, label);
  if (!select) return '[]';
  return JSON.stringify([...select.options].map((o) => [o.value, o.textContent.trim()]));
}
export function has_button(root, text) {
  return [...root.querySelectorAll('button')].some((b) => b.textContent.trim() === text);
}
"#)]
extern "C" {
    fn install_fake();
    fn set_signed_in(on: bool);
    fn requests_to(method: &str, path: &str) -> String;
    fn go_to(path: &str);
    fn prefer(lang: &str);
    fn has_field(root: &Element, label: &str) -> bool;
    fn fill(root: &Element, label: &str, value: &str);
    fn fill_nth(root: &Element, label: &str, n: u32, value: &str);
    fn click_button(root: &Element, text: &str);
    fn has_button(root: &Element, text: &str) -> bool;
    fn links(root: &Element, selector: &str) -> String;
    fn options(root: &Element, label: &str) -> String;
}

/// Mounts the console at `path` in `lang`, signed in or not, into a fresh container.
fn mount_console(
    path: &str,
    lang: &str,
    signed_in: bool,
) -> (Element, leptos::mount::UnmountHandle<impl Mountable>) {
    install_fake();
    set_signed_in(signed_in);
    prefer(lang);
    go_to(path);
    let document = web_sys::window().unwrap().document().unwrap();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), App);
    (container.into(), handle)
}

fn text(root: &Element) -> String {
    root.text_content().unwrap_or_default()
}

/// Waits (up to about five seconds) for `ready`, letting the reactive system and the fake
/// network run in between.
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

/// The JSON bodies of the recorded `method path` requests.
fn bodies(method: &str, path: &str) -> Vec<serde_json::Value> {
    let requests: Vec<serde_json::Value> =
        serde_json::from_str(&requests_to(method, path)).unwrap();
    requests
        .iter()
        .map(|r| serde_json::from_str(r["body"].as_str().unwrap()).unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn sign_in_posts_email_and_password_and_opens_the_shell() {
    let (root, _app) = mount_console("/console/sites/demo", "en", false);
    wait_for("the sign-in form", || has_button(&root, "Sign in")).await;
    assert!(has_field(&root, "Email"), "{}", text(&root));
    assert!(has_field(&root, "Password"));

    fill(&root, "Email", " owner@example.com ");
    fill(&root, "Password", "wrong");
    click_button(&root, "Sign in");
    wait_for("the refusal", || {
        text(&root).contains("The email or password is wrong.")
    })
    .await;

    fill(&root, "Password", "right password");
    click_button(&root, "Sign in");
    wait_for("the shell", || {
        root.query_selector("nav .nav__link").unwrap().is_some()
    })
    .await;
    let nav = root.query_selector("nav").unwrap().unwrap();
    for section in [
        "Sites",
        "Rules",
        "Polls",
        "Lotteries",
        "Feedback",
        "Members",
        "Webhooks",
        "Audit",
        "Export",
        "Analytics",
    ] {
        assert!(
            text(&nav).contains(section),
            "the navigation lacks {section}"
        );
    }
    // The page asked for before signing in is the one shown after.
    wait_for("the site page", || text(&root).contains("Embed a widget")).await;

    let sent: Vec<serde_json::Value> =
        serde_json::from_str(&requests_to("POST", "/api/v1/console/session")).unwrap();
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_eq!(request["credentials"], "same-origin");
    }
    assert_eq!(
        bodies("POST", "/api/v1/console/session")[1],
        serde_json::json!({"email": "owner@example.com", "password": "right password"})
    );
}

#[wasm_bindgen_test]
async fn the_sign_in_form_speaks_chinese() {
    let (root, _app) = mount_console("/console/sign-in", "zh-CN", false);
    wait_for("the sign-in form", || has_button(&root, "登录")).await;
    assert!(has_field(&root, "邮箱"));
    assert!(has_field(&root, "密码"));
    let html = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap();
    assert_eq!(html.get_attribute("lang").as_deref(), Some("zh-CN"));
}

#[wasm_bindgen_test]
async fn the_rules_editor_shows_an_error_at_its_line_as_the_owner_types() {
    let (root, _app) = mount_console("/console/sites/demo/rules", "en", true);
    wait_for("the editor", || {
        root.query_selector("#rules-text").unwrap().is_some()
    })
    .await;
    wait_for("the default rules checked", || {
        text(&root).contains("Valid: ready to install.")
    })
    .await;

    let document = "[checkin]\npoints = 10\nmilestones = [{ day = 0, bonus = 50 }]\n";
    fill(&root, "Rules document", document);
    wait_for("the error", || {
        root.query_selector(".rules-status--error")
            .unwrap()
            .is_some()
    })
    .await;
    let status = text(
        &root
            .query_selector(".rules-status--error")
            .unwrap()
            .unwrap(),
    );
    assert!(status.contains("Line 3"), "{status}");
    assert!(status.contains("checkin.milestones[0].day"), "{status}");
    assert!(status.contains("0 is out of range (1..=3650)"), "{status}");
    let marked = root
        .query_selector(".editor__number--error")
        .unwrap()
        .unwrap();
    assert_eq!(text(&marked), "3");
    assert_eq!(
        root.query_selector_all(".editor__number--error")
            .unwrap()
            .length(),
        1
    );
    assert!(root.query_selector(".editor__mark").unwrap().is_some());
    let textarea = root.query_selector("#rules-text").unwrap().unwrap();
    assert_eq!(
        textarea.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert!(has_button(&root, "Install"));
    let install = root
        .query_selector(".form__actions .button--primary")
        .unwrap()
        .unwrap();
    assert!(
        install.has_attribute("disabled"),
        "an invalid document cannot be installed"
    );

    // Fixed, the mark goes and the preview follows the new document.
    fill(
        &root,
        "Rules document",
        &document.replace("day = 0", "day = 5"),
    );
    wait_for("the fix", || {
        text(&root).contains("Valid: ready to install.")
    })
    .await;
    assert!(
        root.query_selector(".editor__number--error")
            .unwrap()
            .is_none()
    );
    assert!(text(&root).contains("Day 5: +50"));
}

#[wasm_bindgen_test]
async fn the_poll_form_sends_the_poll_as_json() {
    let (root, _app) = mount_console("/console/sites/demo/polls", "en", true);
    wait_for("the empty list", || text(&root).contains("No polls yet")).await;
    click_button(&root, "New poll");
    wait_for("the form", || has_button(&root, "Create poll")).await;
    fill(&root, "ID", "colour");
    fill(&root, "Question", "Which colour?");
    fill_nth(&root, "Label 1", 0, "Dark red");
    fill_nth(&root, "Label 2", 0, "绿色");
    click_button(&root, "Add option");
    wait_for("a third option", || has_field(&root, "Label 3")).await;
    fill_nth(&root, "Option id", 2, "blue");
    fill_nth(&root, "Label 3", 0, "Blue");
    fill(&root, "Results visible", "after_vote");
    fill(&root, "Points per first vote", "5");
    click_button(&root, "Create poll");
    wait_for("the new poll in the list", || {
        text(&root).contains("Which colour?") && !has_button(&root, "Create poll")
    })
    .await;

    assert_eq!(
        bodies("POST", "/api/v1/admin/sites/demo/polls"),
        vec![serde_json::json!({
            "id": "colour",
            "question": "Which colour?",
            "options": [
                {"id": "dark-red", "label": "Dark red"},
                {"id": "option-2", "label": "绿色"},
                {"id": "blue", "label": "Blue"},
            ],
            "multiple": false,
            "max_choices": null,
            "closes_at": null,
            "results": "after_vote",
            "anonymous": false,
            "allow_change": false,
            "points": 5,
            "ip_limit": null,
        })]
    );
}

#[wasm_bindgen_test]
async fn hostile_text_from_members_and_visitors_renders_as_text() {
    let (root, _app) = mount_console("/console/sites/demo/feedback", "en", true);
    wait_for("the feedback", || {
        root.query_selector(".feedback__text").unwrap().is_some()
    })
    .await;
    let hostile = "<img src=x onerror=alert(1)>";
    assert_eq!(
        text(&root.query_selector(".feedback__text").unwrap().unwrap()),
        hostile
    );
    assert!(text(&root).contains("<b>Bob</b> (u-1)"));
    assert!(text(&root).contains("javascript:alert(1)"));
    assert_eq!(root.query_selector_all("img").unwrap().length(), 0);
    assert_eq!(root.query_selector_all("b").unwrap().length(), 0);
    // The sender's page URL is shown, never linked.
    assert_eq!(root.query_selector_all(".feedback a").unwrap().length(), 0);
}

#[wasm_bindgen_test]
async fn a_points_adjustment_needs_a_reason_and_sends_amount_and_reason() {
    let (root, _app) = mount_console("/console/sites/demo/members/u-1", "en", true);
    wait_for("the member", || {
        has_button(&root, "Adjust") && text(&root).contains("<b>Bob</b>")
    })
    .await;
    assert_eq!(root.query_selector_all("img, b").unwrap().length(), 0);
    fill(&root, "Amount (negative takes points away)", "50");
    click_button(&root, "Adjust");
    wait_for("the missing reason", || {
        text(&root).contains("Say why (1 to 200 characters).")
    })
    .await;
    assert_eq!(
        requests_to("POST", "/api/v1/admin/sites/demo/members/u-1/adjustments"),
        "[]"
    );

    fill(&root, "Reason", "Helped at the meetup");
    click_button(&root, "Adjust");
    wait_for("the new balance", || {
        text(&root).contains("+50 points recorded; the balance is now 70.")
    })
    .await;
    assert_eq!(
        bodies("POST", "/api/v1/admin/sites/demo/members/u-1/adjustments"),
        vec![serde_json::json!({"amount": 50, "reason": "Helped at the meetup"})]
    );
    assert!(
        text(&root).contains("Adjustment"),
        "the entry is in the ledger"
    );

    fill(&root, "Amount (negative takes points away)", "-500");
    fill(&root, "Reason", "Too much");
    click_button(&root, "Adjust");
    wait_for("the refusal", || {
        text(&root).contains("That would take the balance below zero.")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_export_page_links_every_table_to_its_csv_route() {
    let (root, _app) = mount_console("/console/sites/demo/export", "en", true);
    wait_for("the export links", || {
        root.query_selector(".export-link").unwrap().is_some()
    })
    .await;
    assert!(text(&root).contains("Excel"), "{}", text(&root));
    let found: Vec<serde_json::Value> =
        serde_json::from_str(&links(&root, "a.export-link")).unwrap();
    let tables = [
        "members", "ledger", "checkins", "votes", "spins", "entries", "feedback", "badges", "audit",
    ];
    assert_eq!(found.len(), tables.len(), "{found:?}");
    for (link, table) in found.iter().zip(tables) {
        assert_eq!(
            link["href"],
            format!("/api/v1/admin/sites/demo/export/{table}.csv"),
            "{link}"
        );
        assert_eq!(link["download"], format!("demo-{table}.csv"));
        assert_eq!(link["table"], table);
    }
    // A download is a plain link: nothing is fetched by script.
    assert_eq!(
        requests_to("GET", "/api/v1/admin/sites/demo/export/members.csv"),
        "[]"
    );

    let (root, _app) = mount_console("/console/sites/demo/export", "zh-CN", true);
    wait_for("the Chinese page", || text(&root).contains("导出（CSV）")).await;
    assert!(text(&root).contains("中文不会乱码"), "{}", text(&root));
    let found: Vec<serde_json::Value> =
        serde_json::from_str(&links(&root, "a.export-link")).unwrap();
    assert_eq!(found[0]["label"], "导出 CSV · 会员 · demo-members.csv");
}

#[wasm_bindgen_test]
async fn the_feedback_category_filter_lists_the_rules_categories() {
    let (root, _app) = mount_console("/console/sites/demo/feedback", "en", true);
    wait_for("the categories", || {
        options(&root, "Category").contains("idea")
    })
    .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&options(&root, "Category")).unwrap(),
        serde_json::json!([
            ["", "All categories"],
            ["bug", "Bug 缺陷"],
            ["idea", "Idea"]
        ])
    );
    fill(&root, "Category", "bug");
    click_button(&root, "Apply");
    wait_for("the filtered inbox", || {
        requests_to("GET", "/api/v1/admin/sites/demo/feedback?category=bug") != "[]"
    })
    .await;
    let export: Vec<serde_json::Value> =
        serde_json::from_str(&links(&root, "a.export-link")).unwrap();
    assert_eq!(
        export[0]["href"],
        "/api/v1/admin/sites/demo/export/feedback.csv"
    );
}
