//! What every widget shares: the card it renders into (theme, language, the status line read to
//! screen readers), loading its data from the API with a retry, the states that loading can be
//! in, the failure message with its Retry button, and the `engage:*` events it reports.
//!
//! A widget component builds a [`Shell`] from its props, loads with a [`Remote`], and renders
//! its own body inside [`card`]. The shared styles are in `card.css`; the widget's own
//! stylesheet adds to them.
//!
//! ## Static markup, without HTML strings
//!
//! `view!` compiles an element whose attributes and children are all literals into one HTML
//! string, which the DOM renderer turns into nodes by assigning it to a `<template>`'s
//! `innerHTML` (tachys' `InertElement`). A host page that enforces Trusted Types
//! (`require-trusted-types-for 'script'`) refuses that string, and the refusal, thrown through
//! the wasm, leaves the renderer's template cache borrowed: every widget on the page stops. So
//! no widget writes a wholly static element: an empty box is [`blank`], a character for the eye
//! only is [`glyph`], and any other static element has a `{…}` part. Every node is then made
//! with `createElement`/`createTextNode`, the widgets parse no HTML at all, and they need no
//! Trusted Types policy (and create none). `tests/e2e/trusted-types.test.mjs` checks that the
//! bundle's glue holds no HTML sink and runs all five widgets under enforcement.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::html::Section;
use leptos::prelude::*;
use serde::Serialize;

use crate::api::{ApiClient, ApiError, Endpoint};
use crate::element::{adopt_stylesheet, dispatch_widget_event};
use crate::i18n::Lang;
use crate::{Theme, Widget};

/// The styles every widget's card shares: theme properties, the frame, messages, skeleton bones
/// and the status line. Adopted before the widget's own stylesheet.
pub static CARD_CSS: &str = include_str!("card.css");

/// The props every widget takes, resolved once per mount and shared by its parts.
#[derive(Debug, Clone, Copy)]
pub struct Shell {
    pub widget: Widget,
    pub client: ApiClient,
    pub lang: Memo<Lang>,
    pub theme: Memo<Theme>,
    /// The `<section>` of the card: events are dispatched from it.
    pub card: NodeRef<Section>,
    /// The text of the polite live region at the bottom of the card.
    pub status: RwSignal<String>,
    /// More of it, for screen readers only (what the card already shows to the eye).
    pub status_detail: RwSignal<String>,
    /// Whether the status line says that a write failed (shown in the danger colour).
    pub status_failed: RwSignal<bool>,
    /// The badges the last write earned, said last in the status line.
    pub status_badges: RwSignal<String>,
    /// This mount's number on the page, so that it does not hear its own balance news.
    id: u32,
}

/// A listener on the balance news of the page: the endpoint it is for, and the new balance.
type BalanceListener = Rc<dyn Fn(&Endpoint, i64)>;

thread_local! {
    /// The widgets of this page that show a member's balance (see [`Shell::share_balance`]).
    static BALANCE_LISTENERS: RefCell<Vec<(u32, BalanceListener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_SHELL: Cell<u32> = const { Cell::new(0) };
}

impl Shell {
    /// Resolves the common props (see `Checkin` for their meaning), provides the [`ApiClient`]
    /// as context, and adopts the card's and the widget's stylesheet (`css`) into whatever
    /// root the card lands in — the custom-element bridge has already done so for its shadow
    /// roots, a Leptos app has not.
    pub fn new(
        widget: Widget,
        css: &'static str,
        site: Signal<String>,
        member_token: MaybeProp<String>,
        server: MaybeProp<String>,
        lang: MaybeProp<Lang>,
        theme: MaybeProp<Theme>,
    ) -> Shell {
        let client = ApiClient {
            server: Signal::derive(move || server.get().unwrap_or_default()),
            site,
            token: Signal::derive(move || member_token.get()),
        };
        provide_context(client);
        let shell = Shell {
            widget,
            client,
            lang: Memo::new(move |_| lang.get().unwrap_or_else(|| Lang::detect(None))),
            theme: Memo::new(move |_| theme.get().unwrap_or_default()),
            card: NodeRef::new(),
            status: RwSignal::new(String::new()),
            status_detail: RwSignal::new(String::new()),
            status_failed: RwSignal::new(false),
            status_badges: RwSignal::new(String::new()),
            id: NEXT_SHELL.replace(NEXT_SHELL.get().wrapping_add(1)),
        };
        let card = shell.card;
        Effect::new(move |_| {
            if let Some(card) = card.get() {
                adopt_stylesheet(&card, CARD_CSS);
                adopt_stylesheet(&card, css);
            }
        });
        shell
    }

    /// Dispatches `engage:<name>` from the card.
    pub fn report(&self, name: &str, detail: &impl Serialize) {
        if let Some(card) = self.card.get_untracked() {
            dispatch_widget_event(&card, name, detail);
        }
    }

    /// Dispatches `engage:error` for `error`, with the message the member is shown.
    pub fn report_error(&self, error: &ApiError) {
        self.report(
            "error",
            &ErrorDetail {
                widget: self.widget.as_str(),
                code: error.code().to_owned(),
                message: self.message(error),
                status: error.status(),
            },
        );
    }

    /// What to tell the member about `error`, in the current language.
    pub fn message(&self, error: &ApiError) -> String {
        error.user_message(self.lang.get_untracked(), self.widget)
    }

    /// Says `text` in the status line (a polite live region), e.g. the outcome of a write.
    pub fn announce(&self, text: String) {
        self.announce_with_detail(text, String::new());
    }

    /// Says `text` in the status line, followed by `detail` for screen readers only.
    pub fn announce_with_detail(&self, text: String, detail: String) {
        self.status.try_set(text);
        self.status_detail.try_set(detail);
        self.status_failed.try_set(false);
        self.status_badges.try_set(String::new());
    }

    /// Says in the status line, as a failure, why a write did not go through, and reports it
    /// with `engage:error`.
    pub fn announce_failure(&self, error: &ApiError) {
        self.announce(self.message(error));
        self.status_failed.try_set(true);
        self.report_error(error);
    }

    /// Reports the badges a write newly earned (`badges`, their ids as the write's answer lists
    /// them): one `engage:badge` for each, and "New badge: …" said last in the status line. The
    /// answer names no badge, so the names are read from `/me` first; where that fails the
    /// ids stand in for them.
    pub fn announce_badges(&self, badges: &[String]) {
        if badges.is_empty() {
            return;
        }
        let shell = *self;
        let ids = badges.to_vec();
        let endpoint = self.client.endpoint_untracked();
        leptos::task::spawn_local(async move {
            let me = endpoint.me().await.ok();
            let name_of = |id: &String| {
                me.as_ref()
                    .and_then(|me| me.badges.iter().find(|b| &b.id == id))
                    .map_or_else(|| id.clone(), |b| b.name.clone())
            };
            let names: Vec<String> = ids.iter().map(name_of).collect();
            let Some(lang) = shell.lang.try_get_untracked() else {
                return;
            };
            for (id, name) in ids.iter().zip(&names) {
                shell.report(
                    "badge",
                    &BadgeDetail {
                        badge: id,
                        name,
                        widget: shell.widget.as_str(),
                    },
                );
            }
            shell
                .status_badges
                .try_set(format!(" {}", lang.new_badges(&names)));
        });
    }

    /// Tells the other widgets of the page that the balance of the member `sent_with` names
    /// (on that server and site) is now `points`, the answer of a write: every widget shows
    /// the same balance without asking the server again. All widgets of a page share one wasm
    /// instance, so this is a plain list of listeners, no DOM event.
    pub fn share_balance(&self, sent_with: &Endpoint, points: i64) {
        let listeners: Vec<BalanceListener> = BALANCE_LISTENERS.with_borrow(|listeners| {
            listeners
                .iter()
                .filter(|(id, _)| *id != self.id)
                .map(|(_, listener)| Rc::clone(listener))
                .collect()
        });
        for listener in listeners {
            listener(sent_with, points);
        }
    }

    /// Calls `on_change` with the member's new balance whenever another widget of the page
    /// shares one for this widget's member, site and server; until the widget unmounts.
    pub fn follow_balance(&self, on_change: impl Fn(i64) + 'static) {
        let client = self.client;
        let id = self.id;
        let listener: BalanceListener = Rc::new(move |endpoint, points| {
            let same = client.server.try_get_untracked() == Some(endpoint.server.clone())
                && client.site.try_get_untracked() == Some(endpoint.site.clone())
                && endpoint.token.is_some()
                && client
                    .token
                    .try_get_untracked()
                    .flatten()
                    .filter(|t| !t.trim().is_empty())
                    == endpoint.token;
            if same {
                on_change(points);
            }
        });
        BALANCE_LISTENERS.with_borrow_mut(|listeners| listeners.push((id, listener)));
        on_cleanup(move || {
            BALANCE_LISTENERS.with_borrow_mut(|listeners| listeners.retain(|(l, _)| *l != id));
        });
    }

    /// Reports the life of a load: `engage:ready` once per mount, the first time it is ready
    /// (with `ready_detail`), and `engage:error` for every failed load. The status line is
    /// cleared while loading, so an old outcome is not read out over new data.
    pub fn report_phases<T>(
        &self,
        phase: Memo<Phase<T>>,
        ready_detail: impl Fn() -> ReadyDetail + 'static,
    ) where
        T: Clone + PartialEq + Send + Sync + 'static,
    {
        let shell = *self;
        let ready_sent = StoredValue::new(false);
        Effect::new(move |_| {
            phase.with(|phase| match phase {
                Phase::Ready(_) if !ready_sent.get_value() => {
                    ready_sent.set_value(true);
                    shell.report("ready", &ready_detail());
                }
                Phase::Failed(error) => shell.report_error(error),
                Phase::SignedOut | Phase::Loading => shell.announce(String::new()),
                Phase::Ready(_) => {}
            })
        });
    }
}

/// The detail of `engage:ready`.
#[derive(Debug, Serialize)]
pub struct ReadyDetail {
    pub widget: &'static str,
    pub site: String,
    /// The poll's id, for `<engage-poll>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<String>,
}

/// The detail of `engage:badge`: the badge's id and name, and the widget whose write earned it.
#[derive(Debug, Serialize)]
struct BadgeDetail<'a> {
    badge: &'a str,
    name: &'a str,
    widget: &'static str,
}

/// The detail of `engage:error`.
#[derive(Debug, Serialize)]
struct ErrorDetail {
    widget: &'static str,
    code: String,
    message: String,
    status: u16,
}

/// Where a widget's data stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase<T> {
    Loading,
    /// No member token, for a widget that shows nothing without one.
    SignedOut,
    Ready(T),
    Failed(ApiError),
}

/// [`Phase`] without its data, for views that only change with the kind of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseKind {
    Loading,
    SignedOut,
    Ready,
    Failed,
}

impl<T> Phase<T> {
    pub fn kind(&self) -> PhaseKind {
        match self {
            Phase::Loading => PhaseKind::Loading,
            Phase::SignedOut => PhaseKind::SignedOut,
            Phase::Ready(_) => PhaseKind::Ready,
            Phase::Failed(_) => PhaseKind::Failed,
        }
    }

    pub fn ready(&self) -> Option<&T> {
        match self {
            Phase::Ready(value) => Some(value),
            _ => None,
        }
    }

    pub fn failure(&self) -> Option<&ApiError> {
        match self {
            Phase::Failed(error) => Some(error),
            _ => None,
        }
    }
}

/// What a load was made with: server, site and member, the thing asked about (a poll's id;
/// empty for the check-in) and the retry counter. A loaded value is shown only while it
/// matches the current key, so a changed member never sees the previous member's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadKey {
    pub endpoint: Endpoint,
    pub subject: String,
    attempt: u32,
}

impl LoadKey {
    /// Whether an answer to a request sent with `self` belongs with `current`: the same
    /// server, site, member and subject, whatever the retries in between.
    fn same_target(&self, current: &LoadKey) -> bool {
        self.endpoint == current.endpoint && self.subject == current.subject
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Loaded<T> {
    key: LoadKey,
    result: Result<T, ApiError>,
}

/// A widget's data read from the API: a [`LocalResource`] keyed on server, site, member
/// token, subject and a retry counter, and the [`Phase`] it is in. Writes whose answer is the
/// new data put it in with [`Remote::accept`], so a write costs one request.
pub struct Remote<T: Send + Sync + 'static> {
    key: Memo<LoadKey>,
    attempt: RwSignal<u32>,
    resource: LocalResource<Loaded<T>>,
    pub phase: Memo<Phase<T>>,
}

impl<T: Send + Sync> Clone for Remote<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync> Copy for Remote<T> {}

impl<T> Remote<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    /// Loads with `fetch` whenever the key changes. With `members_only`, nothing is requested
    /// without a member token and the phase is [`Phase::SignedOut`].
    pub fn new<Fut>(
        client: ApiClient,
        subject: Signal<String>,
        members_only: bool,
        fetch: impl Fn(LoadKey) -> Fut + 'static,
    ) -> Remote<T>
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let attempt = RwSignal::new(0_u32);
        let key = Memo::new(move |_| LoadKey {
            endpoint: client.endpoint(),
            subject: subject.get(),
            attempt: attempt.get(),
        });
        let resource = LocalResource::new(move || {
            let key = key.get();
            let request = fetch(key.clone());
            async move {
                Loaded {
                    key,
                    result: request.await,
                }
            }
        });
        let phase = Memo::new(move |_| {
            let key = key.get();
            if members_only && key.endpoint.token.is_none() {
                return Phase::SignedOut;
            }
            resource.with(|loaded| match loaded {
                Some(loaded) if loaded.key == key => match &loaded.result {
                    Ok(value) => Phase::Ready(value.clone()),
                    Err(ApiError::NotSignedIn) if members_only => Phase::SignedOut,
                    Err(error) => Phase::Failed(error.clone()),
                },
                _ => Phase::Loading,
            })
        });
        Remote {
            key,
            attempt,
            resource,
            phase,
        }
    }

    /// The key of the data shown now, for a write to send with.
    pub fn key_untracked(&self) -> LoadKey {
        self.key.get_untracked()
    }

    /// Loads again from scratch, showing the skeleton meanwhile.
    pub fn retry(&self) {
        self.attempt.update(|n| *n += 1);
    }

    /// Changes the data shown in place (a balance another widget shared), if any is loaded.
    pub fn modify(&self, change: impl FnOnce(&mut T)) {
        self.resource.try_update(|loaded| {
            if let Some(Loaded {
                result: Ok(value), ..
            }) = loaded
            {
                change(value);
            }
        });
    }

    /// Shows `value`, the answer of a write sent with `sent_with`, unless the member, site,
    /// server or subject changed while it was on the way. Returns whether it was taken.
    pub fn accept(&self, sent_with: &LoadKey, value: T) -> bool {
        let Some(current) = self.key.try_get_untracked() else {
            return false;
        };
        if !sent_with.same_target(&current) {
            return false;
        }
        self.resource.set(Some(Loaded {
            key: current,
            result: Ok(value),
        }));
        true
    }
}

/// A write to the API (check in, make up, vote): the part of an [`Action`] the widgets use —
/// start it, and whether one is on its way — without the rest of `Action`'s machinery, which
/// the wasm would carry once per input type.
pub struct Write<I: 'static> {
    pending: RwSignal<bool>,
    run: StoredValue<WriteFn<I>, LocalStorage>,
}

type WriteFn<I> = Rc<dyn Fn(I) -> Pin<Box<dyn Future<Output = ()>>>>;

impl<I> Clone for Write<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Write<I> {}

impl<I: 'static> Write<I> {
    pub fn new<Fut>(run: impl Fn(I) -> Fut + 'static) -> Write<I>
    where
        Fut: Future<Output = ()> + 'static,
    {
        let run: WriteFn<I> = Rc::new(move |input| Box::pin(run(input)));
        Write {
            pending: RwSignal::new(false),
            run: StoredValue::new_local(run),
        }
    }

    /// Whether a write is on its way.
    pub fn pending(&self) -> Signal<bool> {
        self.pending.into()
    }

    /// Starts the write with `input`.
    pub fn dispatch(&self, input: I) {
        if let Some(run) = self.run.try_get_value() {
            spawn_write(self.pending, run(input));
        }
    }
}

/// Runs `write` in the background, with `pending` set until it is done.
pub fn spawn_write(pending: RwSignal<bool>, write: impl Future<Output = ()> + 'static) {
    pending.set(true);
    leptos::task::spawn_local(async move {
        write.await;
        pending.try_set(false);
    });
}

/// The card every widget renders: a themed `<section>` (`part="card"`) in the widget's
/// language, named `label`, busy while `busy`, holding the widget's `header` and `body` and,
/// last, the status line (`part="status"`). `block` is the widget's class name.
pub fn card(
    shell: Shell,
    block: &'static str,
    label: impl Fn(Lang) -> &'static str + Send + Sync + 'static,
    busy: impl Fn() -> bool + Send + Sync + 'static,
    header: impl IntoView + 'static,
    body: impl IntoView + 'static,
) -> impl IntoView {
    let Shell {
        card,
        lang,
        theme,
        status,
        status_detail,
        status_failed,
        status_badges,
        ..
    } = shell;
    view! {
        <section
            node_ref=card
            class=move || format!("engage-card engage-card--{} {block}", theme.get().as_str())
            part="card"
            lang=move || lang.get().tag()
            aria-label=move || label(lang.get())
            aria-busy=move || if busy() { "true" } else { "false" }
        >
            {header}
            {body}
            <p
                class=format!("engage-card__status {block}__status")
                class:engage-card__status--failed=move || status_failed.get()
                part="status"
                role="status"
                aria-live="polite"
            >
                {move || status.get()}
                <span class="engage-card__sr">{move || status_detail.get()}</span>
                {move || status_badges.get()}
            </p>
        </section>
    }
}

/// The message that replaces a widget's body when its data could not be loaded (`part`
/// "message"): what went wrong and, where trying again can help, a Retry button — not when
/// the thing does not exist (404) nor when the member token was refused (401: only a new token
/// helps, and the widget loads again by itself when the page gives it one).
pub fn failure_message<T>(shell: Shell, remote: Remote<T>) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let lang = shell.lang;
    let error = Memo::new(move |_| remote.phase.with(|p| p.failure().cloned()));
    let message = move || {
        error
            .get()
            .map(|e| e.user_message(lang.get(), shell.widget))
    };
    let offline = move || error.with(|e| matches!(e, Some(ApiError::Offline)));
    let can_retry =
        move || error.with(|e| e.as_ref().is_some_and(|e| !matches!(e.status(), 401 | 404)));
    view! {
        <div
            class="engage-card__message engage-card__message--error"
            class:engage-card__message--offline=offline
            part="message"
        >
            <p class="engage-card__message-title" role="alert">
                {message}
            </p>
            {move || {
                can_retry()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="engage-card__retry"
                                part="button retry"
                                on:click=move |_| remote.retry()
                            >
                                {move || lang.get().retry()}
                            </button>
                        }
                    })
            }}
        </div>
    }
}

/// An empty `<div>` of `class`, hidden from assistive technology: a skeleton's bone, or a
/// spacer (see "Static markup" above).
pub fn blank(class: &'static str) -> impl IntoView {
    leptos::html::div().class(class).attr("aria-hidden", "true")
}

/// A character for the eye only (`aria-hidden`), with `class` if any: the control around it
/// has the words (see "Static markup" above).
pub fn glyph(class: Option<&'static str>, text: &'static str) -> impl IntoView {
    leptos::html::span()
        .class(class)
        .attr("aria-hidden", "true")
        .child(text)
}

/// The one-off label of a loading card, for screen readers (the skeleton itself is hidden).
pub fn loading_label(lang: Memo<Lang>) -> impl IntoView {
    view! { <p class="engage-card__sr">{move || lang.get().loading()}</p> }
}
