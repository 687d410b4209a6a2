//! The daily check-in widget (签到, `<engage-checkin>`): today's state, streaks and points, the
//! check-in button, a month calendar of check-in days and make-up check-ins (补签) for missed
//! days.
//!
//! The state is read with a [`LocalResource`] keyed on the server, site, member token, the shown
//! month and a retry counter; check-ins and make-ups are [`Action`]s whose answers (a full
//! [`CheckinState`]) are written back into that resource, so a write costs one request.

use std::collections::BTreeSet;

use engage_core::api::CheckinState;
use engage_core::calendar::{YearMonth, month_grid};
use engage_core::jiff::civil::{Date, Weekday};
use leptos::prelude::*;
use serde::Serialize;

use crate::Theme;
use crate::api::{ApiClient, ApiError, Endpoint};
use crate::element::{adopt_stylesheet, dispatch_widget_event};
use crate::i18n::Lang;

/// The widget's styles, adopted into its shadow root (or the document) as a constructed
/// stylesheet.
pub static CHECKIN_CSS: &str = include_str!("checkin.css");

/// The daily check-in card.
///
/// Without a member token it shows "Sign in to check in" and sends no request.
#[component]
pub fn Checkin(
    /// The site id the owner registered on the Engage server (the `site` attribute).
    #[prop(into)]
    site: Signal<String>,
    /// The member token minted by the host site's backend (the `member-token` attribute or
    /// `Engage.identify`); without one the widget is signed out.
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
) -> impl IntoView {
    let client = ApiClient {
        server: Signal::derive(move || server.get().unwrap_or_default()),
        site,
        token: Signal::derive(move || member_token.get()),
    };
    provide_context(client);
    let lang = Memo::new(move |_| lang.get().unwrap_or_else(|| Lang::detect(None)));
    let theme = Memo::new(move |_| theme.get().unwrap_or_default());

    let attempt = RwSignal::new(0_u32);
    let requested_month = RwSignal::new(None::<YearMonth>);
    let key = Memo::new(move |_| LoadKey {
        endpoint: client.endpoint(),
        attempt: attempt.get(),
    });
    let resource = LocalResource::new(move || {
        let key = key.get();
        let month = requested_month.get();
        async move {
            let result = key.endpoint.checkin_state(month).await;
            Loaded { key, result }
        }
    });
    let phase = Memo::new(move |_| {
        let key = key.get();
        if key.endpoint.token.is_none() {
            return Phase::SignedOut;
        }
        resource.with(|loaded| match loaded {
            Some(loaded) if loaded.key == key => match &loaded.result {
                Ok(state) => Phase::Ready(state.clone()),
                Err(ApiError::NotSignedIn) => Phase::SignedOut,
                Err(error) => Phase::Failed(error.clone()),
            },
            _ => Phase::Loading,
        })
    });
    let state = Memo::new(move |_| match phase.get() {
        Phase::Ready(state) => Some(state),
        _ => None,
    });

    let card = NodeRef::<leptos::html::Section>::new();
    let status = RwSignal::new(String::new());
    let report = move |name: &str, detail: &dyn ErasedDetail| {
        if let Some(card) = card.get_untracked() {
            detail.dispatch(&card, name);
        }
    };
    let report_error = move |error: &ApiError| {
        let message = error.user_message(lang.get_untracked());
        report(
            "error",
            &ErrorDetail {
                widget: "checkin",
                code: error.code().to_owned(),
                message,
                status: error.status(),
            },
        );
    };

    // Styles: the custom-element bridge adopts them before mounting; from a Leptos app the
    // card adopts them into whatever root (document or shadow root) it lands in.
    Effect::new(move |_| {
        if let Some(card) = card.get() {
            adopt_stylesheet(&card, CHECKIN_CSS);
        }
    });

    // `engage:ready` once per mount, `engage:error` for every failed load.
    let ready_sent = StoredValue::new(false);
    Effect::new(move |_| match phase.get() {
        Phase::Ready(_) if !ready_sent.get_value() => {
            ready_sent.set_value(true);
            report(
                "ready",
                &ReadyDetail {
                    widget: "checkin",
                    site: site.get_untracked(),
                },
            );
        }
        Phase::Failed(error) => report_error(&error),
        Phase::SignedOut | Phase::Loading => status.set(String::new()),
        Phase::Ready(_) => {}
    });

    // A write's answer is the new state: show it without another request, unless the member,
    // site or server changed while it was on the way.
    let accept_written_state = move |sent_with: &Endpoint, state: &CheckinState| {
        let current = key.get_untracked();
        if current.endpoint == *sent_with {
            resource.set(Some(Loaded {
                key: current,
                result: Ok(state.clone()),
            }));
            report("checkin", state);
        }
    };

    let checkin = Action::new_local(move |_: &()| {
        let endpoint = client.endpoint_untracked();
        async move {
            let result = endpoint.check_in().await;
            let lang = lang.get_untracked();
            match &result {
                Ok(state) => {
                    status.try_set(if state.already {
                        lang.already_checked_in().to_owned()
                    } else {
                        lang.checked_in_award(state.awarded)
                    });
                    accept_written_state(&endpoint, state);
                }
                Err(error) => {
                    status.try_set(error.user_message(lang));
                    report_error(error);
                }
            }
        }
    });

    let confirming = RwSignal::new(None::<Date>);
    let makeup = Action::new_local(move |day: &Date| {
        let endpoint = client.endpoint_untracked();
        let day = *day;
        async move {
            let result = endpoint.make_up(day).await;
            let lang = lang.get_untracked();
            confirming.try_set(None);
            match &result {
                Ok(state) => {
                    status.try_set(lang.made_up(day, state.spent));
                    accept_written_state(&endpoint, state);
                }
                Err(error) => {
                    status.try_set(error.user_message(lang));
                    report_error(error);
                }
            }
        }
    });

    let kind = Memo::new(move |_| phase.with(Phase::kind));
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::SignedOut => view! {
            <div class="engage-checkin__message" part="message">
                <p class="engage-checkin__message-title">
                    {move || lang.get().sign_in_to_check_in()}
                </p>
                <p class="engage-checkin__message-hint">{move || lang.get().sign_in_hint()}</p>
            </div>
        }
        .into_any(),
        PhaseKind::Failed => {
            let message = move || match phase.get() {
                Phase::Failed(error) => error.user_message(lang.get()),
                _ => String::new(),
            };
            let offline = move || phase.with(|p| matches!(p, Phase::Failed(ApiError::Offline)));
            view! {
                <div
                    class="engage-checkin__message engage-checkin__message--error"
                    class:engage-checkin__message--offline=offline
                    part="message"
                >
                    <p class="engage-checkin__message-title" role="alert">
                        {message}
                    </p>
                    <button
                        type="button"
                        class="engage-checkin__retry"
                        part="button retry"
                        on:click=move |_| attempt.update(|n| *n += 1)
                    >
                        {move || lang.get().retry()}
                    </button>
                </div>
            }
            .into_any()
        }
        PhaseKind::Ready => ready(
            lang,
            state,
            checkin,
            makeup,
            confirming,
            requested_month,
            status,
        )
        .into_any(),
    };

    view! {
        <section
            node_ref=card
            class=move || format!("engage-checkin engage-checkin--{}", theme.get().as_str())
            part="card"
            lang=move || lang.get().tag()
            aria-label=move || lang.get().checkin_title()
            aria-busy=move || if kind.get() == PhaseKind::Loading { "true" } else { "false" }
        >
            <header class="engage-checkin__header" part="header">
                <h2 class="engage-checkin__title" part="title">
                    {move || lang.get().checkin_title()}
                </h2>
                <p class="engage-checkin__date">
                    {move || state.with(|s| s.as_ref().map(|s| lang.get().long_date(s.date)))}
                </p>
            </header>
            {body}
            <p class="engage-checkin__status" part="status" role="status" aria-live="polite">
                {move || status.get()}
            </p>
        </section>
    }
}

/// What a load was made with; a loaded state is shown only while it matches the current key,
/// so a changed member never sees the previous member's data.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LoadKey {
    endpoint: Endpoint,
    attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Loaded {
    key: LoadKey,
    result: Result<CheckinState, ApiError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Loading,
    SignedOut,
    Ready(CheckinState),
    Failed(ApiError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhaseKind {
    Loading,
    SignedOut,
    Ready,
    Failed,
}

impl Phase {
    fn kind(&self) -> PhaseKind {
        match self {
            Phase::Loading => PhaseKind::Loading,
            Phase::SignedOut => PhaseKind::SignedOut,
            Phase::Ready(_) => PhaseKind::Ready,
            Phase::Failed(_) => PhaseKind::Failed,
        }
    }
}

#[derive(Serialize)]
struct ReadyDetail {
    widget: &'static str,
    site: String,
}

#[derive(Serialize)]
struct ErrorDetail {
    widget: &'static str,
    code: String,
    message: String,
    status: u16,
}

/// An event detail of any shape, so one `report` closure serves every event.
trait ErasedDetail {
    fn dispatch(&self, target: &web_sys::EventTarget, name: &str);
}

impl<T: Serialize> ErasedDetail for T {
    fn dispatch(&self, target: &web_sys::EventTarget, name: &str) {
        dispatch_widget_event(target, name, self);
    }
}

/// The placeholder shown while loading: the same boxes as the loaded card, so nothing moves
/// when the data arrives.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-checkin__skeleton" aria-hidden="true">
            <div class="engage-checkin__stats engage-checkin__stats--skeleton">
                <div class="engage-checkin__bone"></div>
                <div class="engage-checkin__bone"></div>
                <div class="engage-checkin__bone"></div>
            </div>
            <div class="engage-checkin__bone engage-checkin__bone--button"></div>
            <div class="engage-checkin__notice"></div>
            <div class="engage-checkin__bone engage-checkin__bone--calendar"></div>
        </div>
        <p class="engage-checkin__sr">{move || lang.get().loading()}</p>
    }
}

fn ready(
    lang: Memo<Lang>,
    state: Memo<Option<CheckinState>>,
    checkin: Action<(), ()>,
    makeup: Action<Date, ()>,
    confirming: RwSignal<Option<Date>>,
    requested_month: RwSignal<Option<YearMonth>>,
    status: RwSignal<String>,
) -> impl IntoView {
    let read = move |f: fn(&CheckinState) -> u32| state.with(|s| s.as_ref().map_or(0, f));
    let points = move || state.with(|s| s.as_ref().map_or(0, |s| s.points));
    let checked_in = move || state.with(|s| s.as_ref().is_some_and(|s| s.checked_in));
    let pending = checkin.pending();
    let button_label = move || {
        let lang = lang.get();
        if pending.get() {
            lang.checking_in()
        } else if checked_in() {
            lang.checked_in_today()
        } else {
            lang.check_in()
        }
    };

    view! {
        <dl class="engage-checkin__stats" part="stats">
            <div class="engage-checkin__stat">
                <dt>{move || lang.get().current_streak()}</dt>
                <dd class="engage-checkin__stat-value">
                    {move || lang.get().days(read(|s| s.streak))}
                </dd>
            </div>
            <div class="engage-checkin__stat">
                <dt>{move || lang.get().longest_streak()}</dt>
                <dd class="engage-checkin__stat-value">
                    {move || lang.get().days(read(|s| s.longest_streak))}
                </dd>
            </div>
            <div class="engage-checkin__stat">
                <dt>{move || lang.get().points_balance()}</dt>
                <dd class="engage-checkin__stat-value">{points}</dd>
            </div>
        </dl>
        <button
            type="button"
            class="engage-checkin__button"
            class:engage-checkin__button--done=checked_in
            part="button"
            disabled=move || pending.get() || checked_in()
            on:click=move |_| {
                status.set(String::new());
                checkin.dispatch(());
            }
        >
            {button_label}
        </button>
        {notice(lang, state, makeup, confirming)}
        {calendar(lang, state, confirming, requested_month)}
    }
}

/// The one-line slot under the button: the make-up confirmation while one is open, else the
/// next milestone, else how make-ups work. Its height is fixed, so opening a confirmation does
/// not move the calendar.
fn notice(
    lang: Memo<Lang>,
    state: Memo<Option<CheckinState>>,
    makeup: Action<Date, ()>,
    confirming: RwSignal<Option<Date>>,
) -> impl IntoView {
    let confirm_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm_ref.get() {
            let _ = button.focus();
        }
    });
    let pending = makeup.pending();
    move || {
        let lang = lang.get();
        let Some(state) = state.get() else {
            return ().into_any();
        };
        if let (Some(day), Some(offer)) = (confirming.get(), state.makeup.as_ref()) {
            let no_makeups_left = offer.left_this_month == Some(0);
            let affordable = state.points >= offer.cost;
            let question = if no_makeups_left {
                lang.makeup_monthly_limit().to_owned()
            } else if affordable {
                lang.makeup_question(day, offer.cost)
            } else {
                lang.makeup_too_expensive(day, offer.cost, state.points)
            };
            let can_confirm = affordable && !no_makeups_left;
            return view! {
                <div class="engage-checkin__notice engage-checkin__confirm" part="confirm">
                    <p class="engage-checkin__confirm-text">{question}</p>
                    <button
                        type="button"
                        class="engage-checkin__small-button engage-checkin__small-button--primary"
                        part="button confirm-button"
                        node_ref=confirm_ref
                        disabled=move || !can_confirm || pending.get()
                        on:click=move |_| {
                            makeup.dispatch(day);
                        }
                    >
                        {lang.confirm()}
                    </button>
                    <button
                        type="button"
                        class="engage-checkin__small-button"
                        part="button cancel-button"
                        on:click=move |_| confirming.set(None)
                    >
                        {lang.cancel()}
                    </button>
                </div>
            }
            .into_any();
        }
        let hint = match (&state.next_milestone, &state.makeup) {
            (Some(milestone), _) if milestone.day > state.streak => {
                lang.next_milestone(milestone.day - state.streak, milestone.bonus)
            }
            (_, Some(offer)) if !offer.missed.is_empty() => lang.makeup_hint().to_owned(),
            _ => String::new(),
        };
        view! { <p class="engage-checkin__notice engage-checkin__hint" part="hint">{hint}</p> }
            .into_any()
    }
}

fn calendar(
    lang: Memo<Lang>,
    state: Memo<Option<CheckinState>>,
    confirming: RwSignal<Option<Date>>,
    requested_month: RwSignal<Option<YearMonth>>,
) -> impl IntoView {
    let shown_month = Memo::new(move |_| {
        state.with(|s| {
            s.as_ref()
                .map(|s| YearMonth::parse(&s.month_of).unwrap_or_else(|_| YearMonth::of(s.date)))
        })
    });
    let this_month = Memo::new(move |_| state.with(|s| s.as_ref().map(|s| YearMonth::of(s.date))));
    let busy = move || {
        requested_month
            .get()
            .is_some_and(|requested| Some(requested) != shown_month.get())
    };
    let go = move |step: fn(YearMonth) -> YearMonth| {
        if let Some(month) = shown_month.get_untracked() {
            confirming.set(None);
            requested_month.set(Some(step(month)));
        }
    };
    let at_this_month = move || {
        let (Some(shown), Some(this)) = (shown_month.get(), this_month.get()) else {
            return true;
        };
        shown >= this
    };

    view! {
        <div
            class="engage-checkin__calendar"
            part="calendar"
            aria-busy=move || if busy() { "true" } else { "false" }
        >
            <div class="engage-checkin__calendar-nav">
                <button
                    type="button"
                    class="engage-checkin__nav-button"
                    part="button nav-button"
                    aria-label=move || lang.get().previous_month()
                    on:click=move |_| go(YearMonth::previous)
                >
                    <span aria-hidden="true">"‹"</span>
                </button>
                <p class="engage-checkin__month" aria-live="polite">
                    {move || shown_month.get().map(|m| lang.get().month_title(m.year, m.month))}
                </p>
                <button
                    type="button"
                    class="engage-checkin__nav-button"
                    part="button nav-button"
                    aria-label=move || lang.get().next_month()
                    disabled=at_this_month
                    on:click=move |_| go(YearMonth::next)
                >
                    <span aria-hidden="true">"›"</span>
                </button>
            </div>
            <table class="engage-checkin__grid" aria-label=move || lang.get().calendar_label()>
                <thead>
                    <tr>
                        {move || {
                            lang.get()
                                .weekday_headers()
                                .into_iter()
                                .map(|(short, full)| {
                                    view! {
                                        <th scope="col" class="engage-checkin__weekday" abbr=full>
                                            {short}
                                        </th>
                                    }
                                })
                                .collect_view()
                        }}
                    </tr>
                </thead>
                <tbody>{move || grid_rows(lang.get(), state.get(), shown_month.get(), confirming)}</tbody>
            </table>
        </div>
    }
}

fn grid_rows(
    lang: Lang,
    state: Option<CheckinState>,
    month: Option<YearMonth>,
    confirming: RwSignal<Option<Date>>,
) -> impl IntoView {
    let (Some(state), Some(month)) = (state, month) else {
        return ().into_any();
    };
    let checked: BTreeSet<Date> = state.month.iter().copied().collect();
    let missed: BTreeSet<Date> = state
        .makeup
        .as_ref()
        .map(|offer| offer.missed.iter().copied().collect())
        .unwrap_or_default();
    let cells = month_grid(month, Weekday::Monday);
    cells
        .chunks(7)
        .map(|week| {
            let days = week
                .iter()
                .map(|cell| {
                    let Some(day) = *cell else {
                        return view! { <td class="engage-checkin__day engage-checkin__day--empty" part="day"></td> }
                            .into_any();
                    };
                    let is_checked = checked.contains(&day);
                    let is_today = day == state.date;
                    let is_missed = missed.contains(&day);
                    let mut class = String::from("engage-checkin__day");
                    for (on, modifier) in [
                        (is_checked, " engage-checkin__day--checked"),
                        (is_today, " engage-checkin__day--today"),
                        (is_missed, " engage-checkin__day--missed"),
                    ] {
                        if on {
                            class.push_str(modifier);
                        }
                    }
                    let number = day.day();
                    let content = if is_missed {
                        view! {
                            <button
                                type="button"
                                class="engage-checkin__day-button"
                                part="day-button"
                                aria-label=lang.makeup_day_label(day)
                                aria-pressed=move || {
                                    if confirming.get() == Some(day) { "true" } else { "false" }
                                }
                                on:click=move |_| confirming.set(Some(day))
                            >
                                {number}
                            </button>
                        }
                        .into_any()
                    } else {
                        view! {
                            <span class="engage-checkin__day-number" aria-hidden="true">{number}</span>
                            <span class="engage-checkin__sr">
                                {lang.day_label(day, is_checked, is_today)}
                            </span>
                        }
                        .into_any()
                    };
                    view! {
                        <td
                            class=class
                            part="day"
                            aria-current=if is_today { Some("date") } else { None }
                        >
                            {content}
                        </td>
                    }
                    .into_any()
                })
                .collect_view();
            view! { <tr>{days}</tr> }
        })
        .collect_view()
        .into_any()
}
