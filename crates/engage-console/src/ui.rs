//! What every page shares: the console's context (language, theme, session, router), data
//! loaded from the API with its loading, error and empty states, writes with a pending flag,
//! copy buttons, and times shown in the owner's locale.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use engage_core::api::console::OwnerView;
use engage_core::jiff::Timestamp;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::ApiError;
use crate::i18n::{Lang, Theme};
use crate::route::Router;

/// Where the owner's session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// Asking the server whether the cookie is still good.
    Checking,
    /// The server could not say (offline, down).
    Failed(ApiError),
    SignedOut,
    SignedIn(OwnerView),
}

/// The console's state, provided once by the app.
#[derive(Debug, Clone, Copy)]
pub struct Console {
    pub lang: RwSignal<Lang>,
    pub theme: RwSignal<Theme>,
    pub session: RwSignal<Session>,
    pub router: Router,
}

impl Console {
    /// The signed-in owner, if any (tracked).
    pub fn owner(&self) -> Option<OwnerView> {
        self.session.with(|s| match s {
            Session::SignedIn(owner) => Some(owner.clone()),
            _ => None,
        })
    }

    /// Takes the owner of a fresh session, and their saved language.
    pub fn signed_in(&self, owner: OwnerView) {
        if let Some(lang) = owner.lang.map(Lang::from_server) {
            self.lang.set(lang);
        }
        self.session.set(Session::SignedIn(owner));
    }

    /// Changes the signed-in owner's record in place (a site created, a name changed).
    pub fn update_owner(&self, change: impl FnOnce(&mut OwnerView)) {
        self.session.update(|s| {
            if let Session::SignedIn(owner) = s {
                change(owner);
            }
        });
    }
}

pub fn use_console() -> Console {
    expect_context::<Console>()
}

/// The current language, for views (tracked).
pub fn use_lang() -> Signal<Lang> {
    let console = use_console();
    Signal::derive(move || console.lang.get())
}

/// Data read from the API, keyed on what it was read for: while the key changes (another
/// site, another member) the page shows loading rather than the previous key's data.
pub struct Remote<K: Send + Sync + 'static, T: 'static> {
    key: Memo<(K, u32)>,
    attempt: RwSignal<u32>,
    resource: LocalResource<((K, u32), Result<T, ApiError>)>,
}

impl<K: Send + Sync, T> Clone for Remote<K, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Send + Sync, T> Copy for Remote<K, T> {}

impl<K, T> Remote<K, T>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + 'static,
{
    /// Loads with `fetch` whenever `key` changes.
    pub fn new<Fut>(
        key: impl Fn() -> K + Send + Sync + 'static,
        fetch: impl Fn(K) -> Fut + 'static,
    ) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let attempt = RwSignal::new(0_u32);
        let key = Memo::new(move |_| (key(), attempt.get()));
        let resource = LocalResource::new(move || {
            let key = key.get();
            let request = fetch(key.0.clone());
            async move { (key, request.await) }
        });
        Remote {
            key,
            attempt,
            resource,
        }
    }

    /// The data of the current key: `None` while it loads (tracked).
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        let key = self.key.get();
        self.resource.with(|loaded| match loaded {
            Some((loaded_key, result)) if *loaded_key == key => Some(result.clone()),
            _ => None,
        })
    }

    /// The loaded value, if the current key has one (tracked).
    pub fn value(&self) -> Option<T> {
        self.get().and_then(Result::ok)
    }

    /// Loads again from scratch, showing loading meanwhile (Retry).
    pub fn retry(&self) {
        self.attempt.update(|n| *n += 1);
    }

    /// Loads again in the background, keeping the current data shown until the answer.
    pub fn refresh(&self) {
        self.resource.refetch();
    }

    /// Shows `value` (the answer of a write) in place of the loaded data.
    pub fn set(&self, value: T) {
        let key = self.key.get_untracked();
        self.resource.set(Some((key, Ok(value))));
    }

    /// Changes the loaded data in place.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        self.resource.update(|loaded| {
            if let Some((_, Ok(value))) = loaded {
                change(value);
            }
        });
    }
}

/// Renders a [`Remote`]: a loading line, an error with Retry, or `ready` with the data.
pub fn loaded<K, T, V>(
    remote: Remote<K, T>,
    ready: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + 'static,
    V: IntoView + 'static,
{
    let lang = use_lang();
    move || match remote.get() {
        None => loading_state(lang.get()).into_any(),
        Some(Err(error)) => error_state(
            lang.get(),
            &error,
            Some(Callback::new(move |()| remote.retry())),
        )
        .into_any(),
        Some(Ok(value)) => ready(value).into_any(),
    }
}

pub fn loading_state(lang: Lang) -> impl IntoView {
    view! {
        <p class="state state--loading" role="status">
            <span class="state__spinner" aria-hidden="true"></span>
            {lang.loading()}
        </p>
    }
}

/// A failed load: what went wrong and, where trying again can help, Retry.
pub fn error_state(lang: Lang, error: &ApiError, retry: Option<Callback<()>>) -> impl IntoView {
    let can_retry = !matches!(error.status, 401 | 403 | 404);
    view! {
        <div class="state state--error" role="alert">
            <p>{lang.error_message(error)}</p>
            {retry
                .filter(|_| can_retry)
                .map(|retry| {
                    view! {
                        <button type="button" class="button" on:click=move |_| retry.run(())>
                            {lang.retry()}
                        </button>
                    }
                })}
        </div>
    }
}

/// An empty list's message.
pub fn empty_state(text: &'static str) -> impl IntoView {
    view! { <p class="state state--empty">{text}</p> }
}

/// The outcome of the last write of a form: nothing yet, done (with what to say), or failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Outcome {
    #[default]
    Idle,
    Done(String),
    Failed(ApiError),
    /// A problem found before sending (a required field left empty).
    Invalid(String),
}

/// A form's write: whether it is on its way, and how the last one went.
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub pending: RwSignal<bool>,
    pub outcome: RwSignal<Outcome>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer {
            pending: RwSignal::new(false),
            outcome: RwSignal::new(Outcome::Idle),
        }
    }

    /// Runs `write` unless one is on its way; `done` turns its answer into the success
    /// message (and does whatever else the page wants with it).
    pub fn run<T, Fut>(&self, write: Fut, done: impl FnOnce(T) -> String + 'static)
    where
        T: 'static,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        if self.pending.get_untracked() {
            return;
        }
        let writer = *self;
        writer.pending.set(true);
        writer.outcome.set(Outcome::Idle);
        leptos::task::spawn_local(async move {
            let result = write.await;
            writer.pending.try_set(false);
            let outcome = match result {
                Ok(value) => Outcome::Done(done(value)),
                Err(error) => Outcome::Failed(error),
            };
            writer.outcome.try_set(outcome);
        });
    }

    /// Says a problem found before sending.
    pub fn invalid(&self, message: &str) {
        self.outcome.set(Outcome::Invalid(message.to_owned()));
    }
}

impl Default for Writer {
    fn default() -> Writer {
        Writer::new()
    }
}

/// The line under a form that says how its last write went (a live region).
pub fn outcome_line(writer: Writer) -> impl IntoView {
    let lang = use_lang();
    move || {
        let lang = lang.get();
        match writer.outcome.get() {
            Outcome::Idle => view! { <p class="outcome" role="status"></p> }.into_any(),
            Outcome::Done(text) => {
                view! { <p class="outcome outcome--done" role="status">{text}</p> }.into_any()
            }
            Outcome::Invalid(text) => {
                view! { <p class="outcome outcome--failed" role="alert">{text}</p> }.into_any()
            }
            Outcome::Failed(error) => view! {
                <p class="outcome outcome--failed" role="alert">
                    {lang.error_message(&error)}
                    {error.field.clone().map(|field| format!(" ({field})"))}
                </p>
            }
            .into_any(),
        }
    }
}

/// A button that copies `text` to the clipboard and says so.
#[component]
pub fn CopyButton(
    /// What is copied.
    #[prop(into)]
    text: Signal<String>,
    /// The button's label in a language; "Copy" by default.
    #[prop(optional)]
    label: Option<fn(Lang) -> &'static str>,
    /// What is being copied, for screen readers ("Copy API key").
    #[prop(optional, into)]
    what: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let state = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = text.get_untracked();
        let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
        leptos::task::spawn_local(async move {
            let copied = match clipboard {
                Some(clipboard) => {
                    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
                        .await
                        .is_ok()
                }
                None => false,
            };
            state.try_set(Some(copied));
        });
    };
    let aria_label = what.map(|what| format!("{} {what}", lang.get_untracked().copy()));
    view! {
        <span class="copy">
            <button type="button" class="button button--small" on:click=copy aria-label=aria_label>
                {move || label.map_or_else(|| lang.get().copy(), |label| label(lang.get()))}
            </button>
            <span class="copy__status" role="status">
                {move || match state.get() {
                    Some(true) => lang.get().copied(),
                    Some(false) => lang.get().copy_failed(),
                    None => "",
                }}
            </span>
        </span>
    }
}

/// A secret shown once, with its copy button.
pub fn secret_value(label: &'static str, value: String) -> impl IntoView {
    let text = value.clone();
    view! {
        <div class="secret">
            <span class="secret__label">{label}</span>
            <code class="secret__value">{value}</code>
            <CopyButton text=Signal::stored(text) what=label.to_owned() />
        </div>
    }
}

/// A time in the owner's locale and the browser's time zone, e.g. "2026/11/30 18:00".
pub fn format_time(lang: Lang, at: Timestamp) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.as_millisecond() as f64));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    String::from(date.to_locale_string(lang.tag(), &options))
}

/// A `<time>` element for `at`.
pub fn time_view(lang: Lang, at: Timestamp) -> impl IntoView {
    view! { <time datetime=engage_core::rfc3339::format(at)>{format_time(lang, at)}</time> }
}

/// The instant of a `datetime-local` value (`2026-11-30T18:00`), read in the browser's zone.
pub fn parse_local_datetime(text: &str) -> Option<Timestamp> {
    if text.trim().is_empty() {
        return None;
    }
    let millis = js_sys::Date::new(&JsValue::from_str(text.trim())).get_time();
    if millis.is_nan() {
        return None;
    }
    Timestamp::from_millisecond(millis as i64).ok()
}

/// `at` as a `datetime-local` value in the browser's zone.
pub fn local_datetime_value(at: Timestamp) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.as_millisecond() as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
pub fn browser_time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// A page's heading and the sentence under it.
pub fn page_header(title: &'static str, intro: Option<&'static str>) -> impl IntoView {
    view! {
        <header class="page-header">
            <h1 class="page-header__title">{title}</h1>
            {intro.map(|intro| view! { <p class="page-header__intro">{intro}</p> })}
        </header>
    }
}

/// Reads `localStorage[key]`, where storage is allowed.
pub fn stored(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()
        .flatten()?
        .get_item(key)
        .ok()
        .flatten()
}

/// Writes `localStorage[key]`, where storage is allowed.
pub fn store(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<(Vec<T>, Option<String>), ApiError>>>>;
type PageFetch<T> = Rc<dyn Fn(Option<String>) -> PageFuture<T>>;

/// A list read a page at a time (feedback, members, a ledger, spins, the audit log): the rows so
/// far, the cursor of the next page, and how the first page went.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    /// `None` while the first page loads.
    pub state: RwSignal<Option<Result<(), ApiError>>>,
    /// Each load is numbered, so an older answer (a previous search) never lands over a newer.
    generation: StoredValue<u32>,
    fetch: StoredValue<PageFetch<T>, LocalStorage>,
}

impl<T: Send + Sync> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync> Copy for Paged<T> {}

impl<T: Clone + Send + Sync + 'static> Paged<T> {
    /// `fetch` reads one page after the cursor it is given (`None`: the first page) and answers
    /// its rows and the next cursor. The first page is loaded at once.
    pub fn new<Fut>(fetch: impl Fn(Option<String>) -> Fut + 'static) -> Paged<T>
    where
        Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>> + 'static,
    {
        let fetch: PageFetch<T> = Rc::new(move |cursor| Box::pin(fetch(cursor)));
        let paged = Paged {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            state: RwSignal::new(None),
            generation: StoredValue::new(0),
            fetch: StoredValue::new_local(fetch),
        };
        paged.reload();
        paged
    }

    /// Loads the first page again (new filters, a write that changed the list).
    pub fn reload(&self) {
        self.load(None);
    }

    /// Loads the next page, adding it to the rows.
    pub fn more(&self) {
        if let Some(cursor) = self.next.get_untracked() {
            self.load(Some(cursor));
        }
    }

    fn load(&self, cursor: Option<String>) {
        let Some(fetch) = self.fetch.try_get_value() else {
            return;
        };
        let paged = *self;
        let fresh = cursor.is_none();
        let this = paged.generation.get_value() + 1;
        paged.generation.set_value(this);
        if fresh {
            paged.state.set(None);
        }
        let request = fetch(cursor);
        leptos::task::spawn_local(async move {
            let answer = request.await;
            if paged.generation.try_get_value() != Some(this) {
                return;
            }
            match answer {
                Ok((rows, next)) => {
                    if fresh {
                        paged.items.set(rows);
                    } else {
                        paged.items.update(|list| list.extend(rows));
                    }
                    paged.next.set(next);
                    paged.state.set(Some(Ok(())));
                }
                Err(error) => {
                    paged.state.try_set(Some(Err(error)));
                }
            }
        });
    }
}

/// Renders a [`Paged`] list: loading, an error with Retry, `empty` when there are no rows, else
/// `ready` (which reads the rows itself, so that a new page does not redraw what surrounds
/// them), and a "Load more" button while there are more pages.
pub fn paged_view<T, V>(
    paged: Paged<T>,
    empty: fn(Lang) -> &'static str,
    ready: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let lang = use_lang();
    let is_empty = Memo::new(move |_| paged.items.with(Vec::is_empty));
    let body = move || {
        let lang = lang.get();
        match paged.state.get() {
            None => loading_state(lang).into_any(),
            Some(Err(error)) => {
                error_state(lang, &error, Some(Callback::new(move |()| paged.reload()))).into_any()
            }
            Some(Ok(())) if is_empty.get() => empty_state(empty(lang)).into_any(),
            Some(Ok(())) => ready().into_any(),
        }
    };
    view! {
        {body}
        {move || paged.next.get().is_some().then(|| view! {
            <button type="button" class="button load-more" on:click=move |_| paged.more()>
                {lang.get().load_more()}
            </button>
        })}
    }
}
