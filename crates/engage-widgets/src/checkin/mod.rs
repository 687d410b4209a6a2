//! The daily check-in widget (签到, `<engage-checkin>`): today's state, streaks and points, the
//! check-in button, a month calendar of check-in days and make-up check-ins (补签) for missed
//! days.
//!
//! The state is read with a [`LocalResource`] keyed on the server, site, member token, the shown
//! month and a retry counter; check-ins and make-ups are [`Write`]s whose answers (a full
//! [`CheckinState`]) are written back into that resource, so a write costs one request.

use std::collections::BTreeSet;

use engage_core::api::CheckinState;
use engage_core::calendar::{YearMonth, month_grid};
use engage_core::jiff::civil::{Date, Weekday};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::Lang;
use crate::widget::{
    LoadKey, Phase, PhaseKind, ReadyDetail, Remote, Shell, Write, blank, card, failure_message,
    glyph, loading_label,
};
use crate::{Theme, Widget};

/// The widget's own styles, adopted after the shared card styles into its shadow root (or the
/// document) as a constructed stylesheet.
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
    let shell = Shell::new(
        Widget::Checkin,
        CHECKIN_CSS,
        site,
        member_token,
        server,
        lang,
        theme,
    );
    let lang = shell.lang;

    let requested_month = RwSignal::new(None::<YearMonth>);
    let remote = Remote::new(
        shell.client,
        Signal::stored(String::new()),
        true,
        move |key| {
            let month = requested_month.get();
            async move { key.endpoint.checkin_state(month).await }
        },
    );
    // A spin or a redemption elsewhere on the page changes the balance shown here.
    shell.follow_balance(move |points| remote.modify(|state| state.points = points));
    let phase = remote.phase;
    let state = Memo::new(move |_| phase.with(|p| p.ready().cloned()));
    shell.report_phases(phase, move || ReadyDetail {
        widget: Widget::Checkin.as_str(),
        site: site.get_untracked(),
        poll: None,
    });

    // A write's answer is the new state: show it without another request, unless the member,
    // site or server changed while it was on the way.
    let accept_written_state = move |sent_with: &LoadKey, state: &CheckinState| {
        if remote.accept(sent_with, state.clone()) {
            shell.share_balance(&sent_with.endpoint, state.points);
            shell.report("checkin", state);
            shell.announce_badges(&state.badges);
        }
    };

    let checkin = Write::new(move |()| {
        let key = remote.key_untracked();
        async move {
            let result = key.endpoint.check_in().await;
            let lang = lang.get_untracked();
            match &result {
                Ok(state) => {
                    shell.announce(if state.already {
                        lang.already_checked_in().to_owned()
                    } else {
                        // What a check-in gives beyond its usual points is a milestone's bonus.
                        let base = state.awarded.min(state.points_per_checkin);
                        lang.checked_in_award(base, state.awarded - base, state.streak)
                    });
                    accept_written_state(&key, state);
                }
                Err(error) => {
                    shell.announce_failure(error);
                }
            }
        }
    });

    let confirming = RwSignal::new(None::<Date>);
    let makeup = Write::new(move |day: Date| {
        let key = remote.key_untracked();
        async move {
            let result = key.endpoint.make_up(day).await;
            let lang = lang.get_untracked();
            confirming.try_set(None);
            match &result {
                Ok(state) => {
                    shell.announce(lang.made_up(day, state.spent));
                    accept_written_state(&key, state);
                }
                Err(error) => {
                    shell.announce_failure(error);
                }
            }
        }
    });

    let kind = Memo::new(move |_| phase.with(Phase::kind));
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::SignedOut => view! {
            <div class="engage-card__message" part="message">
                <p class="engage-card__message-title">
                    {move || lang.get().sign_in_to_check_in()}
                </p>
                <p class="engage-card__message-hint">{move || lang.get().sign_in_hint()}</p>
            </div>
        }
        .into_any(),
        PhaseKind::Failed => failure_message(shell, remote).into_any(),
        PhaseKind::Ready => {
            ready(shell, state, checkin, makeup, confirming, requested_month).into_any()
        }
    };

    let header = view! {
        <header class="engage-card__header" part="header">
            <h2 class="engage-card__title engage-checkin__title" part="title">
                {move || lang.get().checkin_title()}
            </h2>
            <p class="engage-checkin__date">
                {move || state.with(|s| s.as_ref().map(|s| lang.get().long_date(s.date)))}
                {move || {
                    let freezes = state.with(|s| s.as_ref().map_or(0, |s| s.freezes));
                    (freezes > 0).then(|| {
                        view! {
                            <span class="engage-checkin__freezes" part="freezes">
                                {glyph(Some("engage-checkin__freeze-icon"), "❄")}
                                {lang.get().freezes_held(freezes)}
                            </span>
                        }
                    })
                }}
            </p>
        </header>
    };
    card(
        shell,
        "engage-checkin",
        Lang::checkin_title,
        move || kind.get() == PhaseKind::Loading,
        header,
        body,
    )
}

/// The placeholder shown while loading: the same boxes as the loaded card, so nothing moves
/// when the data arrives.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-checkin__skeleton" aria-hidden="true">
            <div class="engage-checkin__stats engage-checkin__stats--skeleton">
                {blank("engage-card__bone")}
                {blank("engage-card__bone")}
                {blank("engage-card__bone")}
            </div>
            {blank("engage-card__bone engage-checkin__bone--button")}
            {blank("engage-checkin__notice")}
            {blank("engage-card__bone engage-checkin__bone--calendar")}
        </div>
        {loading_label(lang)}
    }
}

fn ready(
    shell: Shell,
    state: Memo<Option<CheckinState>>,
    checkin: Write<()>,
    makeup: Write<Date>,
    confirming: RwSignal<Option<Date>>,
    requested_month: RwSignal<Option<YearMonth>>,
) -> impl IntoView {
    let lang = shell.lang;
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
                    {move || read(|s| s.streak)}
                    " "
                    <span class="engage-checkin__unit">
                        {move || lang.get().day_unit(read(|s| s.streak))}
                    </span>
                </dd>
            </div>
            <div class="engage-checkin__stat">
                <dt>{move || lang.get().longest_streak()}</dt>
                <dd class="engage-checkin__stat-value">
                    {move || read(|s| s.longest_streak)}
                    " "
                    <span class="engage-checkin__unit">
                        {move || lang.get().day_unit(read(|s| s.longest_streak))}
                    </span>
                </dd>
            </div>
            <div class="engage-checkin__stat">
                <dt>{move || lang.get().points_balance()}</dt>
                <dd class="engage-checkin__stat-value">{points}</dd>
            </div>
        </dl>
        <button
            type="button"
            class="engage-card__primary engage-checkin__button"
            class:engage-checkin__button--done=checked_in
            part="button"
            disabled=move || pending.get() || checked_in()
            on:click=move |_| {
                shell.announce(String::new());
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
    makeup: Write<Date>,
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
            // A make-up that cannot be confirmed offers no Confirm button, only Close, which
            // leaves its reason the room of two lines.
            let can_confirm = affordable && !no_makeups_left;
            let confirm = can_confirm.then(|| {
                view! {
                    <button
                        type="button"
                        class="engage-checkin__small-button engage-checkin__small-button--primary"
                        part="button confirm-button"
                        node_ref=confirm_ref
                        disabled=move || pending.get()
                        on:click=move |_| {
                            makeup.dispatch(day);
                        }
                    >
                        {lang.confirm()}
                    </button>
                }
            });
            return view! {
                <div class="engage-checkin__notice engage-checkin__confirm" part="confirm">
                    <p class="engage-checkin__confirm-text">{question}</p>
                    {confirm}
                    <button
                        type="button"
                        class="engage-checkin__small-button"
                        part="button cancel-button"
                        node_ref=if can_confirm { NodeRef::new() } else { confirm_ref }
                        on:click=move |event| {
                            focus_pressed_day(&event);
                            confirming.set(None);
                        }
                    >
                        {if can_confirm { lang.cancel() } else { lang.close() }}
                    </button>
                </div>
            }
            .into_any();
        }
        // Up to two lines: the next milestone, and what the dashed days in the calendar are.
        let milestone = state
            .next_milestone
            .as_ref()
            .filter(|milestone| milestone.day > state.streak)
            .map(|milestone| lang.next_milestone(milestone.day - state.streak, milestone.bonus));
        let makeup = state
            .makeup
            .as_ref()
            .filter(|offer| !offer.missed.is_empty())
            .map(|offer| lang.makeup_hint(offer.cost));
        view! {
            <p class="engage-checkin__notice engage-checkin__hint" part="hint">
                {milestone.map(|text| view! { <span class="engage-checkin__hint-line">{text}</span> })}
                {makeup.map(|text| view! { <span class="engage-checkin__hint-line">{text}</span> })}
            </p>
        }
        .into_any()
    }
}

/// Gives the focus back to the calendar day whose make-up notice `event` closes, so that a
/// keyboard user goes on from where they were rather than from the top of the page.
fn focus_pressed_day(event: &leptos::ev::MouseEvent) {
    let day = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|button| button.closest(".engage-checkin").ok().flatten())
        .and_then(|card| {
            card.query_selector(r#".engage-checkin__day-button[aria-pressed="true"]"#)
                .ok()
                .flatten()
        })
        .and_then(|day| day.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(day) = day {
        let _ = day.focus();
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
                    {glyph(None, "‹")}
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
                    {glyph(None, "›")}
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
    let frozen: BTreeSet<Date> = state.frozen.iter().copied().collect();
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
                    let is_frozen = frozen.contains(&day);
                    let mut class = String::from("engage-checkin__day");
                    for (on, modifier) in [
                        (is_checked, " engage-checkin__day--checked"),
                        (is_today, " engage-checkin__day--today"),
                        (is_missed, " engage-checkin__day--missed"),
                        (is_frozen, " engage-checkin__day--frozen"),
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
                            <span class="engage-card__sr">
                                {lang.day_label(day, is_checked, is_today, is_frozen)}
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
