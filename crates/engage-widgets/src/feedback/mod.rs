//! The feedback widget (反馈, `<engage-feedback>`): a rating (stars or NPS, as the owner asks),
//! a category, free text with a live character count and an optional contact, sent with the
//! page's URL and the widget's context; then a thank-you, and the sender's earlier feedback with
//! the owner's replies.
//!
//! Nothing the member typed is lost: the draft is kept in `localStorage` (in memory where
//! storage is blocked) as they type, survives a failed send and a reload, and is cleared only
//! once the server has taken it. Everything the member or the owner wrote is shown as text.
//!
//! Two modes: `launcher` (the default), a button that opens the card as a non-modal dialog in
//! the page's flow, and `inline`, the card in the page.

mod strings;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use engage_core::api::feedback::{
    FeedbackForm, FeedbackScale, FeedbackSent, MyFeedback, MyFeedbackItem,
};
use engage_core::feedback::is_page_url;
use engage_core::jiff::Timestamp;
use leptos::html;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::ApiError;
use crate::i18n::Lang;
use crate::widget::{
    Phase, PhaseKind, ReadyDetail, Remote, Shell, blank, card, failure_message, glyph,
    loading_label, spawn_write,
};
use crate::{Theme, Widget};

/// The widget's own styles, adopted after the shared card styles.
pub static FEEDBACK_CSS: &str = include_str!("feedback.css");

/// How the feedback widget sits in the page (the `mode` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FeedbackMode {
    /// A "Feedback" button that opens the form below it.
    #[default]
    Launcher,
    /// The form itself, in the page.
    Inline,
}

impl FeedbackMode {
    /// Reads the `mode` attribute; unknown values are `None` so the default applies.
    pub fn parse(text: &str) -> Option<FeedbackMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "launcher" => Some(FeedbackMode::Launcher),
            "inline" => Some(FeedbackMode::Inline),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackMode::Launcher => "launcher",
            FeedbackMode::Inline => "inline",
        }
    }
}

/// Feedback: rate, pick a category, write, send; read the owner's replies.
///
/// Members send with their token; without one the widget sends as this browser's anonymous
/// visitor where the owner allows it, and otherwise says "Sign in to send feedback".
#[component]
pub fn Feedback(
    /// The site id the owner registered on the Engage server (the `site` attribute).
    #[prop(into)]
    site: Signal<String>,
    /// The member token minted by the host site's backend (the `member-token` attribute or
    /// `Engage.identify`); without one the widget is an anonymous visitor.
    #[prop(optional, into)]
    member_token: MaybeProp<String>,
    /// The Engage server's origin, e.g. `https://engage.example.com`; by default the API is
    /// requested from the page's own origin.
    #[prop(optional, into)]
    server: MaybeProp<String>,
    /// The language; by default the page's `<html lang>`, else the browser's language.
    #[prop(optional, into)]
    lang: MaybeProp<Lang>,
    /// The colour theme; by default `Auto`, which follows `prefers-color-scheme`.
    #[prop(optional, into)]
    theme: MaybeProp<Theme>,
    /// `Launcher` (the default): a button that opens the form; `Inline`: the form in the page.
    #[prop(optional, into)]
    mode: MaybeProp<FeedbackMode>,
) -> impl IntoView {
    let shell = Shell::new(
        Widget::Feedback,
        FEEDBACK_CSS,
        site,
        member_token,
        server,
        lang,
        theme,
    );
    let lang = shell.lang;
    let mode = Memo::new(move |_| mode.get().unwrap_or_default());
    let form = Remote::new(
        shell.client,
        Signal::derive(String::new),
        false,
        |key| async move { key.endpoint.feedback_form().await },
    );
    shell.report_phases(form.phase, move || ReadyDetail {
        widget: Widget::Feedback.as_str(),
        site: site.get_untracked(),
        poll: None,
    });
    // The sender's feedback is read only once they ask to see it.
    let seen_mine = RwSignal::new(false);
    let mine = Remote::new(
        shell.client,
        Signal::derive(move || if seen_mine.get() { "mine" } else { "" }.to_owned()),
        false,
        |key| async move {
            if key.subject.is_empty() {
                return Ok(MyFeedback { items: Vec::new() });
            }
            key.endpoint.my_feedback().await
        },
    );

    let draft = Draft::restore(&site.get_untracked());
    // Keep the draft as the member types.
    Effect::new(move |_| draft.save(&site.get_untracked()));

    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let ctx = Ctx {
        shell,
        mode,
        form,
        mine,
        seen_mine,
        draft,
        screen: RwSignal::new(Screen::Form),
        open: RwSignal::new(false),
        pending: RwSignal::new(false),
        failure: RwSignal::new(None),
        sent: RwSignal::new(None),
        launcher: NodeRef::new(),
        panel: NodeRef::new(),
        id,
    };

    let kind = Memo::new(move |_| form.phase.with(Phase::kind));
    let settings = Memo::new(move |_| form.phase.with(|p| p.ready().cloned()));
    let signed_in = move || {
        shell
            .client
            .token
            .with(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()))
    };
    // Members only, and no member: nothing to send with.
    let locked = Memo::new(move |_| {
        settings.with(|s| s.as_ref().is_some_and(|s| !s.anonymous)) && !signed_in()
    });
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::Failed => failure_message(shell, form).into_any(),
        PhaseKind::Ready | PhaseKind::SignedOut if locked.get() => view! {
            <div class="engage-card__message" part="message">
                <p class="engage-card__message-title">
                    {move || lang.get().sign_in_to_send_feedback()}
                </p>
                <p class="engage-card__message-hint">
                    {move || lang.get().feedback_sign_in_hint()}
                </p>
            </div>
        }
        .into_any(),
        PhaseKind::Ready | PhaseKind::SignedOut => (move || match ctx.screen.get() {
            Screen::Form => settings.get().map(|s| form_view(ctx, s).into_any()),
            Screen::Thanks => Some(thanks_view(ctx).into_any()),
            Screen::Mine => Some(mine_view(ctx).into_any()),
        })
        .into_any(),
    };
    let title_id = ctx.element_id("title");
    let is_launcher = move || mode.get() == FeedbackMode::Launcher;
    let toggle_mine = move |_| {
        if ctx.screen.get_untracked() == Screen::Mine {
            ctx.screen.set(Screen::Form);
        } else {
            seen_mine.set(true);
            ctx.screen.set(Screen::Mine);
        }
    };
    let header = view! {
        <header class="engage-card__header engage-feedback__header" part="header">
            <h2
                id=title_id.clone()
                class="engage-card__title engage-feedback__title"
                part="title"
                tabindex="-1"
            >
                {move || lang.get().feedback_title()}
            </h2>
            <div class="engage-feedback__tools">
                {move || {
                    (kind.get() == PhaseKind::Ready && !locked.get())
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="engage-feedback__link"
                                    part="button mine"
                                    on:click=toggle_mine
                                >
                                    {move || {
                                        if ctx.screen.get() == Screen::Mine {
                                            lang.get().write_feedback()
                                        } else {
                                            lang.get().your_feedback()
                                        }
                                    }}
                                </button>
                            }
                        })
                }}
                {move || {
                    is_launcher()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="engage-feedback__close"
                                    part="button close"
                                    aria-label=move || lang.get().close()
                                    on:click=move |_| ctx.close()
                                >
                                    {glyph(None, "×")}
                                </button>
                            }
                        })
                }}
            </div>
        </header>
    };
    let the_card = card(
        shell,
        "engage-feedback",
        Lang::feedback_title,
        move || kind.get() == PhaseKind::Loading,
        header,
        body,
    );
    let panel_id = ctx.element_id("panel");
    let theme = shell.theme;
    view! {
        {move || {
            is_launcher()
                .then(|| {
                    view! {
                        <button
                            node_ref=ctx.launcher
                            type="button"
                            class=move || {
                                format!(
                                    "engage-feedback__launcher engage-feedback__launcher--{}",
                                    theme.get().as_str(),
                                )
                            }
                            part="launcher"
                            lang=move || lang.get().tag()
                            aria-expanded=move || if ctx.open.get() { "true" } else { "false" }
                            aria-controls=panel_id.clone()
                            on:click=move |_| {
                                if ctx.open.get_untracked() { ctx.close() } else { ctx.show() }
                            }
                        >
                            {glyph(Some("engage-feedback__launcher-icon"), "✎")}
                            {move || lang.get().feedback_launcher()}
                        </button>
                    }
                })
        }}
        <div
            node_ref=ctx.panel
            id=ctx.element_id("panel")
            class=move || format!("engage-feedback__panel engage-feedback__panel--{}", mode.get().as_str())
            role=move || is_launcher().then_some("dialog")
            aria-labelledby=move || is_launcher().then(|| title_id.clone())
            hidden=move || is_launcher() && !ctx.open.get()
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                if event.key() == "Escape" && is_launcher() {
                    event.stop_propagation();
                    ctx.close();
                }
            }
        >
            {the_card}
        </div>
    }
}

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// Which view of the card is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Form,
    Thanks,
    Mine,
}

/// Everything the widget's parts share.
#[derive(Clone, Copy)]
struct Ctx {
    shell: Shell,
    mode: Memo<FeedbackMode>,
    form: Remote<FeedbackForm>,
    mine: Remote<MyFeedback>,
    seen_mine: RwSignal<bool>,
    draft: Draft,
    screen: RwSignal<Screen>,
    /// Whether the launcher's panel is open.
    open: RwSignal<bool>,
    /// Whether feedback is on its way.
    pending: RwSignal<bool>,
    /// Why the last send failed, until the next one.
    failure: RwSignal<Option<ApiError>>,
    /// The answer to the last send, for the thank-you.
    sent: RwSignal<Option<FeedbackSent>>,
    launcher: NodeRef<html::Button>,
    panel: NodeRef<html::Div>,
    /// This mount's number, for element ids unique in the document.
    id: u32,
}

impl Ctx {
    fn element_id(&self, part: &str) -> String {
        format!("engage-feedback-{}-{part}", self.id)
    }

    /// Opens the launcher's panel and moves the focus into it.
    fn show(self) {
        self.open.set(true);
        self.focus_later(&[
            ".engage-feedback__form input:checked",
            ".engage-feedback__form input, .engage-feedback__form select, .engage-feedback__form textarea",
            ".engage-feedback__title",
        ]);
    }

    /// Closes the launcher's panel and gives the focus back to the launcher.
    fn close(self) {
        if self.mode.get_untracked() != FeedbackMode::Launcher {
            return;
        }
        self.open.set(false);
        if let Some(launcher) = self.launcher.get_untracked() {
            let _ = launcher.focus();
        }
    }

    /// Once the view is rebuilt, focuses the first element in the panel that matches one of
    /// `selectors`, tried in order.
    fn focus_later(self, selectors: &'static [&'static str]) {
        let panel = self.panel;
        let _ = set_timeout_with_handle(
            move || {
                let Some(panel) = panel.get_untracked() else {
                    return;
                };
                let target = selectors
                    .iter()
                    .find_map(|s| panel.query_selector(s).ok().flatten());
                if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = target.focus();
                }
            },
            Duration::ZERO,
        );
    }

    fn signed_in(&self) -> bool {
        self.shell
            .client
            .token
            .with_untracked(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()))
    }
}

/// What the member has typed and picked: kept in `localStorage` under
/// `engage:feedback-draft:<site>` (in memory where storage is blocked) as they type.
#[derive(Clone, Copy)]
struct Draft {
    text: RwSignal<String>,
    /// Stars (1 to 5) or NPS (0 to 10), as the owner's scale says.
    score: RwSignal<Option<u8>>,
    category: RwSignal<String>,
    contact: RwSignal<String>,
}

const DRAFT_KEY: &str = "engage:feedback-draft:";

thread_local! {
    /// Drafts by site, for when `localStorage` is blocked: they last as long as the page.
    static DRAFTS_IN_MEMORY: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

fn local_storage() -> Option<web_sys::Storage> {
    // Reading `localStorage` itself throws where storage is blocked.
    web_sys::window()?.local_storage().ok().flatten()
}

impl Draft {
    /// The draft kept for `site`, or an empty one.
    fn restore(site: &str) -> Draft {
        let key = format!("{DRAFT_KEY}{site}");
        let stored = local_storage()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .or_else(|| {
                DRAFTS_IN_MEMORY
                    .with_borrow(|m| m.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()))
            });
        let object = stored.and_then(|text| js_sys::JSON::parse(&text).ok());
        let field = |name: &str| {
            object
                .as_ref()
                .and_then(|o| js_sys::Reflect::get(o, &JsValue::from_str(name)).ok())
        };
        let text = |name: &str| field(name).and_then(|v| v.as_string()).unwrap_or_default();
        let score = field("score")
            .and_then(|v| v.as_f64())
            .filter(|n| (0.0..=10.0).contains(n) && n.fract() == 0.0)
            // In range and whole: exact in a u8.
            .map(|n| n as u8);
        Draft {
            text: RwSignal::new(text("text")),
            score: RwSignal::new(score),
            category: RwSignal::new(text("category")),
            contact: RwSignal::new(text("contact")),
        }
    }

    /// Keeps the draft for `site` (read reactively: an effect calls it), or forgets it once
    /// it is empty.
    fn save(self, site: &str) {
        let key = format!("{DRAFT_KEY}{site}");
        let object = js_sys::Object::new();
        let mut empty = true;
        for (name, value) in [
            ("text", self.text.get()),
            ("category", self.category.get()),
            ("contact", self.contact.get()),
        ] {
            empty &= value.is_empty();
            set(&object, name, &JsValue::from_str(&value));
        }
        if let Some(score) = self.score.get() {
            empty = false;
            set(&object, "score", &JsValue::from(score));
        }
        let json = (!empty)
            .then(|| js_sys::JSON::stringify(&object).ok())
            .flatten()
            .map(String::from);
        let stored = local_storage().is_some_and(|storage| match &json {
            Some(json) => storage.set_item(&key, json).is_ok(),
            None => storage.remove_item(&key).is_ok(),
        });
        DRAFTS_IN_MEMORY.with_borrow_mut(|memory| {
            memory.retain(|(k, _)| *k != key);
            if let (false, Some(json)) = (stored, json) {
                memory.push((key, json));
            }
        });
    }

    fn clear(self) {
        self.text.set(String::new());
        self.score.set(None);
        self.category.set(String::new());
        self.contact.set(String::new());
    }
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
}

/// The body of `POST …/feedback`: what the member wrote and picked, the page's URL and the
/// widget's context.
fn request_body(ctx: Ctx, form: &FeedbackForm) -> js_sys::Object {
    let Draft {
        text,
        score,
        category,
        contact,
    } = ctx.draft;
    let body = js_sys::Object::new();
    set(&body, "text", &JsValue::from_str(&text.get_untracked()));
    match (form.scale, score.get_untracked()) {
        (FeedbackScale::Stars, Some(n @ 1..=5)) => set(&body, "rating", &JsValue::from(n)),
        (FeedbackScale::Nps, Some(n @ 0..=10)) => set(&body, "nps", &JsValue::from(n)),
        _ => {}
    }
    let category = category.get_untracked();
    if form.categories.iter().any(|c| c.id == category) {
        set(&body, "category", &JsValue::from_str(&category));
    }
    let contact = contact.get_untracked();
    if !contact.trim().is_empty() {
        set(&body, "contact", &JsValue::from_str(contact.trim()));
    }
    let href = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("location")).ok())
        .and_then(|l| js_sys::Reflect::get(&l, &JsValue::from_str("href")).ok())
        .and_then(|h| h.as_string())
        .filter(|h| is_page_url(h));
    if let Some(href) = href {
        set(&body, "page_url", &JsValue::from_str(&href));
    }
    let context = js_sys::Object::new();
    for (key, value) in [
        ("widget", Widget::Feedback.as_str()),
        ("lang", ctx.shell.lang.get_untracked().tag()),
        ("mode", ctx.mode.get_untracked().as_str()),
        ("theme", ctx.shell.theme.get_untracked().as_str()),
        ("version", env!("CARGO_PKG_VERSION")),
    ] {
        set(&context, key, &JsValue::from_str(value));
    }
    set(&body, "context", &context);
    body
}

/// The text's length as the server counts it: characters after trimming.
fn text_length(text: &str) -> usize {
    text.trim().chars().count()
}

/// Sends the draft; on success clears it and says thanks, on failure keeps it and says why.
fn send(ctx: Ctx) {
    let Some(form) = ctx.form.phase.with_untracked(|p| p.ready().cloned()) else {
        return;
    };
    let length = ctx.draft.text.with_untracked(|t| text_length(t));
    if ctx.pending.get_untracked() || length == 0 || length > form.max_length as usize {
        return;
    }
    ctx.failure.set(None);
    let body = request_body(ctx, &form);
    let key = ctx.form.key_untracked();
    let shell = ctx.shell;
    spawn_write(ctx.pending, async move {
        match key.endpoint.send_feedback(&body).await {
            Ok(sent) => {
                ctx.draft.clear();
                shell.report(
                    "feedback",
                    &FeedbackDetail {
                        id: sent.id,
                        status: sent.status.as_str(),
                        awarded: sent.awarded,
                        points: sent.points,
                    },
                );
                shell.announce_badges(sent.badges.as_deref().unwrap_or_default());
                ctx.sent.set(Some(sent));
                ctx.screen.set(Screen::Thanks);
                if ctx.seen_mine.get_untracked() {
                    ctx.mine.retry();
                }
                ctx.focus_later(&[".engage-feedback__thanks-title"]);
            }
            Err(error) => {
                shell.report_error(&error);
                ctx.failure.try_set(Some(error));
            }
        }
    });
}

/// The detail of `engage:feedback`.
#[derive(Debug, Serialize)]
struct FeedbackDetail {
    id: i64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    awarded: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<i64>,
}

/// The placeholder shown while the form's settings load, as tall as the loaded form.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-feedback__skeleton" aria-hidden="true">
            {blank("engage-card__bone engage-feedback__bone--rating")}
            {blank("engage-card__bone engage-feedback__bone--field")}
            {blank("engage-card__bone engage-feedback__bone--text")}
            {blank("engage-card__bone engage-feedback__bone--field")}
            {blank("engage-card__bone engage-feedback__bone--button")}
        </div>
        {loading_label(lang)}
    }
}

fn form_view(ctx: Ctx, form: FeedbackForm) -> impl IntoView {
    let lang = ctx.shell.lang;
    let Draft {
        text,
        category,
        contact,
        ..
    } = ctx.draft;
    let pending = ctx.pending;
    let max = form.max_length as usize;
    let length = Memo::new(move |_| text.with(|t| text_length(t)));
    let over = move || length.get() > max;
    let near = move || !over() && length.get() * 10 >= max * 9;
    let text_id = ctx.element_id("text");
    let count_id = ctx.element_id("count");
    let rating = match form.scale {
        FeedbackScale::Stars => stars(ctx).into_any(),
        FeedbackScale::Nps => nps(ctx).into_any(),
    };
    let categories = (!form.categories.is_empty()).then(|| {
        let select_id = ctx.element_id("category");
        let options = form
            .categories
            .iter()
            .map(|c| {
                let id = c.id.clone();
                let chosen = c.id.clone();
                view! {
                    <option value=id prop:selected=move || category.with(|v| *v == chosen)>
                        {c.label.clone()}
                    </option>
                }
            })
            .collect_view();
        view! {
            <div class="engage-feedback__field">
                <label class="engage-feedback__label" for=select_id.clone()>
                    {move || lang.get().feedback_category()}
                </label>
                <select
                    id=select_id
                    class="engage-feedback__input engage-feedback__select"
                    part="category"
                    on:change=move |event| category.set(event_target_value(&event))
                >
                    <option value="" prop:selected=move || category.with(String::is_empty)>
                        {move || lang.get().choose_category()}
                    </option>
                    {options}
                </select>
            </div>
        }
    });
    let contact_id = ctx.element_id("contact");
    let earn = (form.points > 0 && ctx.signed_in()).then_some(form.points);
    view! {
        <form
            class="engage-feedback__form"
            part="form"
            on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                send(ctx);
            }
        >
            {rating}
            {categories}
            <div class="engage-feedback__field">
                <label class="engage-feedback__label" for=text_id.clone()>
                    {move || lang.get().your_message()}
                </label>
                <textarea
                    id=text_id
                    class="engage-feedback__input engage-feedback__text"
                    part="text"
                    rows="4"
                    aria-describedby=count_id.clone()
                    aria-invalid=move || over().then_some("true")
                    prop:value=move || text.get()
                    on:input=move |event| text.set(event_target_value(&event))
                ></textarea>
                <p
                    id=count_id
                    class="engage-feedback__count"
                    class:engage-feedback__count--near=near
                    class:engage-feedback__count--over=over
                    part="count"
                >
                    {move || lang.get().characters_count(length.get(), max)}
                </p>
            </div>
            <div class="engage-feedback__field">
                <label class="engage-feedback__label" for=contact_id.clone()>
                    {move || lang.get().feedback_contact()}
                </label>
                <input
                    id=contact_id
                    class="engage-feedback__input"
                    part="contact"
                    type="text"
                    autocomplete="email"
                    maxlength=form.max_contact_length.to_string()
                    prop:value=move || contact.get()
                    on:input=move |event| contact.set(event_target_value(&event))
                />
            </div>
            <div class="engage-feedback__actions">
                <button
                    type="submit"
                    class="engage-card__primary engage-feedback__submit"
                    part="button submit"
                    disabled=move || pending.get() || length.get() == 0 || over()
                >
                    {move || {
                        if pending.get() {
                            lang.get().sending_feedback()
                        } else {
                            lang.get().send_feedback()
                        }
                    }}
                </button>
                {earn
                    .map(|points| {
                        view! {
                            <p class="engage-feedback__earn">
                                {move || lang.get().first_feedback_earns(points)}
                            </p>
                        }
                    })}
            </div>
            {move || ctx.failure.get().map(|error| send_failure(ctx, error))}
        </form>
    }
}

/// Why the send failed, that the text is kept, and (where trying again can help) Retry.
fn send_failure(ctx: Ctx, error: ApiError) -> impl IntoView {
    let lang = ctx.shell.lang;
    let retry = !matches!(error.status(), 400 | 401 | 403 | 404 | 413 | 422);
    let offline = matches!(error, ApiError::Offline);
    view! {
        <div
            class="engage-feedback__failure"
            class:engage-feedback__failure--offline=offline
            part="message"
            role="alert"
        >
            <p class="engage-feedback__failure-title">
                {move || error.user_message(lang.get(), Widget::Feedback)}
            </p>
            <p class="engage-feedback__failure-hint">{move || lang.get().draft_kept()}</p>
            {retry
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="engage-card__retry engage-feedback__retry"
                            part="button retry"
                            disabled=move || ctx.pending.get()
                            on:click=move |_| send(ctx)
                        >
                            {move || lang.get().retry()}
                        </button>
                    }
                })}
        </div>
    }
}

/// Five stars as a radio group: native radios (hidden behind the star glyphs) named "1 star"
/// to "5 stars".
fn stars(ctx: Ctx) -> impl IntoView {
    let lang = ctx.shell.lang;
    let score = ctx.draft.score;
    let items = (1..=5_u8)
        .map(|n| {
            view! {
                <label
                    class="engage-feedback__choice engage-feedback__star"
                    class:engage-feedback__star--on=move || score.get().is_some_and(|s| s >= n)
                >
                    <input
                        class="engage-feedback__radio"
                        type="radio"
                        name="rating"
                        value=n.to_string()
                        prop:checked=move || score.get() == Some(n)
                        on:change=move |_| score.set(Some(n))
                    />
                    {glyph(Some("engage-feedback__glyph"), "★")}
                    <span class="engage-card__sr">{move || lang.get().stars(n)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="engage-feedback__rating" part="rating">
            <legend class="engage-feedback__label">{move || lang.get().your_rating()}</legend>
            <div class="engage-feedback__scale engage-feedback__scale--stars">{items}</div>
        </fieldset>
    }
}

/// NPS: 0 to 10 as a radio group, with what the ends mean under it.
fn nps(ctx: Ctx) -> impl IntoView {
    let lang = ctx.shell.lang;
    let score = ctx.draft.score;
    let ends_id = ctx.element_id("ends");
    let items = (0..=10_u8)
        .map(|n| {
            view! {
                <label class="engage-feedback__choice engage-feedback__nps">
                    <input
                        class="engage-feedback__radio"
                        type="radio"
                        name="nps"
                        value=n.to_string()
                        prop:checked=move || score.get() == Some(n)
                        on:change=move |_| score.set(Some(n))
                    />
                    <span class="engage-feedback__glyph">{n}</span>
                </label>
            }
        })
        .collect_view();
    let described_by = ends_id.clone();
    view! {
        <fieldset class="engage-feedback__rating" part="rating" aria-describedby=described_by>
            <legend class="engage-feedback__label">{move || lang.get().nps_question()}</legend>
            <div class="engage-feedback__scale engage-feedback__scale--nps">{items}</div>
            <p id=ends_id class="engage-feedback__ends">
                <span>{move || lang.get().not_likely()}</span>
                <span>{move || lang.get().very_likely()}</span>
            </p>
        </fieldset>
    }
}

fn thanks_view(ctx: Ctx) -> impl IntoView {
    let lang = ctx.shell.lang;
    let awarded = ctx
        .sent
        .with_untracked(|s| s.as_ref().and_then(|s| s.awarded))
        .filter(|p| *p > 0);
    let again = move |_| {
        ctx.screen.set(Screen::Form);
        ctx.focus_later(&[".engage-feedback__text"]);
    };
    view! {
        <div class="engage-card__message engage-feedback__thanks" part="message">
            <p class="engage-card__message-title engage-feedback__thanks-title" tabindex="-1">
                {move || lang.get().feedback_thanks()}
            </p>
            {awarded
                .map(|points| {
                    view! {
                        <p class="engage-feedback__points">
                            {move || lang.get().points_earned(points)}
                        </p>
                    }
                })}
            <button type="button" class="engage-card__retry" part="button again" on:click=again>
                {move || lang.get().send_more_feedback()}
            </button>
        </div>
    }
}

/// The sender's earlier feedback, newest first, with the owner's replies: all as text.
fn mine_view(ctx: Ctx) -> impl IntoView {
    let lang = ctx.shell.lang;
    let mine = ctx.mine;
    let kind = Memo::new(move |_| mine.phase.with(Phase::kind));
    move || match kind.get() {
        PhaseKind::Loading | PhaseKind::SignedOut => view! {
            <div class="engage-feedback__skeleton" aria-hidden="true">
                {blank("engage-card__bone engage-feedback__bone--item")}
                {blank("engage-card__bone engage-feedback__bone--item")}
            </div>
            {loading_label(lang)}
        }
        .into_any(),
        PhaseKind::Failed => failure_message(ctx.shell, mine).into_any(),
        PhaseKind::Ready => (move || {
            let lang = lang.get();
            let categories = ctx
                .form
                .phase
                .with(|p| p.ready().map(|f| f.categories.clone()).unwrap_or_default());
            mine.phase.with(|p| {
                let items = p.ready().map(|m| m.items.as_slice()).unwrap_or_default();
                if items.is_empty() {
                    return view! { <p class="engage-feedback__empty">{lang.no_feedback_yet()}</p> }
                        .into_any();
                }
                let rows = items
                    .iter()
                    .map(|item| {
                        let category = item.category.as_ref().map(|id| {
                            categories
                                .iter()
                                .find(|c| c.id == *id)
                                .map_or_else(|| id.clone(), |c| c.label.clone())
                        });
                        item_view(lang, item, category)
                    })
                    .collect_view();
                view! { <ol class="engage-feedback__list" part="list">{rows}</ol> }.into_any()
            })
        })
        .into_any(),
    }
}

fn item_view(lang: Lang, item: &MyFeedbackItem, category: Option<String>) -> impl IntoView + use<> {
    let status = item.status.as_seen_by_sender();
    let score = match (item.rating, item.nps) {
        (Some(stars), _) => Some(
            view! {
                <span class="engage-feedback__given">
                    <span aria-hidden="true">{"★".repeat(usize::from(stars.min(5)))}</span>
                    <span class="engage-card__sr">{lang.rated_stars(stars)}</span>
                </span>
            }
            .into_any(),
        ),
        (None, Some(nps)) => Some(
            view! { <span class="engage-feedback__given">{lang.nps_given(nps)}</span> }.into_any(),
        ),
        (None, None) => None,
    };
    let replies = item
        .replies
        .iter()
        .map(|reply| {
            view! {
                <li class="engage-feedback__reply" part="reply">
                    <p class="engage-feedback__meta">
                        <span class="engage-feedback__by">{lang.reply_from_team()}</span>
                        <span>{local_date(lang, reply.created_at)}</span>
                    </p>
                    <p class="engage-feedback__said">{reply.text.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let has_replies = !item.replies.is_empty();
    view! {
        <li class="engage-feedback__item" part="item">
            <p class="engage-feedback__meta">
                <span
                    class=format!("engage-feedback__state engage-feedback__state--{}", status.as_str())
                    part="badge"
                >
                    {lang.feedback_status(status)}
                </span>
                <span>{local_date(lang, item.created_at)}</span>
                {category.map(|c| view! { <span>{c}</span> })}
                {score}
            </p>
            <p class="engage-feedback__said">{item.text.clone()}</p>
            {has_replies.then(|| view! { <ul class="engage-feedback__replies">{replies}</ul> })}
        </li>
    }
}

/// `at` as a short date in the viewer's zone ("Nov 30, 2026", "2026年11月30日"), formatted
/// by the browser's `Intl` rather than a time-zone database in the wasm.
fn local_date(lang: Lang, at: Timestamp) -> String {
    // Milliseconds since 1970 are exact in an f64 for every time jiff accepts.
    #[allow(clippy::cast_precision_loss)]
    let date = js_sys::Date::new(&JsValue::from_f64(at.as_millisecond() as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("year", "numeric"), ("month", "short"), ("day", "numeric")] {
        set(&options, key, &JsValue::from_str(value));
    }
    date.to_locale_date_string(lang.tag(), &options).into()
}
