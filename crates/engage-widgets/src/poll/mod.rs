//! The poll widget (投票, `<engage-poll>`): a question with single or multiple choice as a real
//! form (`<fieldset>`, `<legend>`, native radios or checkboxes and a submit button), the tally
//! as bars where the owner lets the caller see it, and live updates while it is on screen.
//!
//! The poll is read with a [`Remote`] keyed on server, site, member token and poll id; a vote
//! is an [`Action`] whose answer (the poll as the voter now sees it) replaces what is shown.
//! The server's event stream only says *that* the poll changed; the widget then reads it again
//! in the background, so the visibility rules are the server's alone.

use std::sync::atomic::{AtomicU32, Ordering};

use engage_core::api::{PollView, ResultsVisibility};
use engage_core::jiff::Timestamp;
use leptos::html::H2;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::i18n::Lang;
use crate::live::LiveUpdates;
use crate::widget::{
    Phase, PhaseKind, ReadyDetail, Remote, Shell, card, failure_message, loading_label,
};
use crate::{Theme, Widget};

/// The widget's own styles, adopted after the shared card styles.
pub static POLL_CSS: &str = include_str!("poll.css");

/// A poll: vote, see the results, watch them change.
///
/// Anyone may read a poll. Without a member token the widget votes as this browser's
/// anonymous visitor where the owner allows it; in a members-only poll it shows the options
/// disabled and "Sign in to vote".
#[component]
pub fn Poll(
    /// The site id the owner registered on the Engage server (the `site` attribute).
    #[prop(into)]
    site: Signal<String>,
    /// The poll's id, as the owner created it (the `poll` attribute).
    #[prop(into)]
    poll: Signal<String>,
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
) -> impl IntoView {
    let shell = Shell::new(
        Widget::Poll,
        POLL_CSS,
        site,
        member_token,
        server,
        lang,
        theme,
    );
    let lang = shell.lang;
    let remote = Remote::new(shell.client, poll, false, |key| async move {
        key.endpoint.poll(&key.subject).await
    });
    let phase = remote.phase;
    let data = Memo::new(move |_| phase.with(|p| p.ready().cloned()));
    shell.report_phases(phase, move || ReadyDetail {
        widget: Widget::Poll.as_str(),
        site: site.get_untracked(),
        poll: Some(poll.get_untracked()),
    });
    let kind = Memo::new(move |_| phase.with(Phase::kind));

    // Live tally: once the poll is loaded, listen to its event stream (again whenever the
    // server, site or poll changes) and read the poll again on every change.
    let events_url = Memo::new(move |_| {
        (kind.get() == PhaseKind::Ready)
            .then(|| shell.client.endpoint().poll_events_url(&poll.get()))
    });
    let live = StoredValue::new_local(None::<LiveUpdates>);
    Effect::new(move |_| {
        let url = events_url.get();
        live.update_value(|live| {
            *live = url.map(|url| LiveUpdates::connect(&url, "tally", move || remote.refresh()));
        });
    });
    on_cleanup(move || {
        live.try_update_value(|live| live.take());
    });

    let form = PollForm::new(shell, remote, data);
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::Failed => failure_message(shell, remote).into_any(),
        PhaseKind::Ready | PhaseKind::SignedOut => ready(form).into_any(),
    };
    let header = view! {
        <header class="engage-card__header engage-poll__header" part="header">
            <p class="engage-poll__kicker" part="title">
                {move || lang.get().poll_title()}
            </p>
            {move || closing(lang.get(), data.get())}
        </header>
    };
    card(
        shell,
        "engage-poll",
        Lang::poll_title,
        move || kind.get() == PhaseKind::Loading,
        header,
        body,
    )
}

/// The header's right side: the "Closed" badge and when voting ends or ended, in the
/// viewer's local time.
fn closing(lang: Lang, poll: Option<PollView>) -> Option<impl IntoView> {
    let poll = poll?;
    let when = poll.closes_at.map(|at| local_time(lang, at));
    let text = match (&when, poll.closed) {
        (Some(when), true) => Some(lang.closed_at(when)),
        (Some(when), false) => Some(lang.closes_at(when)),
        (None, _) => None,
    };
    Some(view! {
        <p class="engage-poll__closing">
            {text.map(|text| view! { <span class="engage-poll__when">{text}</span> })}
            {poll.closed.then(|| view! {
                <span class="engage-poll__badge" part="badge">{lang.closed()}</span>
            })}
        </p>
    })
}

/// `at` as a short date and time in the viewer's zone ("Nov 30, 18:00", "11月30日 18:00"),
/// formatted by the browser's `Intl` rather than a time-zone database in the wasm.
fn local_time(lang: Lang, at: Timestamp) -> String {
    // Milliseconds since 1970 are exact in an f64 for every time jiff accepts.
    #[allow(clippy::cast_precision_loss)]
    let date = js_sys::Date::new(&JsValue::from_f64(at.as_millisecond() as f64));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_string(lang.tag(), &options).into()
}

/// How the loaded poll is shown to this caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The form, ready to vote (or to change a vote).
    Vote,
    /// The form with everything disabled: a members-only poll and no member token.
    SignInToVote,
    /// No form: the poll is closed, or the caller voted and may not change it.
    Results,
}

/// What the option rows are built from; the counts are read per row, so a new tally does not
/// rebuild the rows (and a keyboard user keeps their focus).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    question: String,
    /// (id, label) in the owner's order.
    options: Vec<(String, String)>,
    multiple: bool,
    max_choices: usize,
}

/// The state of the form and the derived values its parts read.
#[derive(Clone, Copy)]
struct PollForm {
    shell: Shell,
    data: Memo<Option<PollView>>,
    layout: Memo<Option<Layout>>,
    mode: Memo<Option<Mode>>,
    /// The caller's stored choices, in option order.
    my_choices: Memo<Vec<String>>,
    /// What the caller has ticked since the stored choices last changed; `None` while they
    /// have not touched the form.
    picked: RwSignal<Option<Vec<String>>>,
    chosen: Memo<Vec<String>>,
    vote: Action<Vec<String>, ()>,
    /// Set by a vote that ends the form, so the results take the focus.
    focus_results: StoredValue<bool>,
}

impl PollForm {
    fn new(shell: Shell, remote: Remote<PollView>, data: Memo<Option<PollView>>) -> PollForm {
        let lang = shell.lang;
        let token = shell.client.token;
        let signed_in =
            Memo::new(move |_| token.with(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty())));
        let layout = Memo::new(move |_| {
            data.with(|d| {
                d.as_ref().map(|d| Layout {
                    question: d.question.clone(),
                    options: d
                        .options
                        .iter()
                        .map(|o| (o.id.clone(), o.label.clone()))
                        .collect(),
                    multiple: d.multiple,
                    max_choices: usize::try_from(d.max_choices).unwrap_or(usize::MAX),
                })
            })
        });
        let mode = Memo::new(move |_| {
            data.with(|d| {
                d.as_ref().map(|d| {
                    if d.closed || (!d.my_choices.is_empty() && !d.allow_change) {
                        Mode::Results
                    } else if !d.anonymous && !signed_in.get() {
                        Mode::SignInToVote
                    } else {
                        Mode::Vote
                    }
                })
            })
        });
        let my_choices = Memo::new(move |_| {
            data.with(|d| d.as_ref().map(|d| d.my_choices.clone()).unwrap_or_default())
        });
        let picked = RwSignal::new(None::<Vec<String>>);
        // A stored vote that changed (ours, or cast in another tab) replaces the ticks.
        Effect::new(move |_| {
            my_choices.track();
            picked.set(None);
        });
        let chosen = Memo::new(move |_| picked.get().unwrap_or_else(|| my_choices.get()));
        let focus_results = StoredValue::new(false);

        let vote = Action::new_local(move |choices: &Vec<String>| {
            let key = remote.key_untracked();
            let choices = choices.clone();
            let changing = !my_choices.get_untracked().is_empty();
            async move {
                match key.endpoint.vote(&key.subject, choices).await {
                    Ok(poll) => {
                        let lang = lang.get_untracked();
                        let results = result_lines(&poll);
                        shell.announce(lang.vote_recorded(
                            changing,
                            poll.awarded.unwrap_or(0),
                            &results,
                        ));
                        let detail = VoteDetail {
                            poll: poll.id.to_string(),
                            choices: poll.my_choices.clone(),
                            awarded: poll.awarded,
                            points: poll.points,
                        };
                        focus_results.set_value(true);
                        if remote.accept(&key, poll) {
                            shell.report("vote", &detail);
                        }
                    }
                    Err(error) => {
                        shell.announce(shell.message(&error));
                        shell.report_error(&error);
                        // The poll may have closed or changed, or the vote been cast in
                        // another tab: show it as it is now.
                        if matches!(error.status(), 401 | 409 | 422) {
                            remote.refresh();
                        }
                    }
                }
            }
        });
        PollForm {
            shell,
            data,
            layout,
            mode,
            my_choices,
            picked,
            chosen,
            vote,
            focus_results,
        }
    }

    /// The tick of option `id` changed to `checked`: the new choices, in option order.
    fn tick(&self, id: &str, checked: bool) {
        let Some(layout) = self.layout.get_untracked() else {
            return;
        };
        let before = self.chosen.get_untracked();
        let after = layout
            .options
            .into_iter()
            .map(|(option, _)| option)
            .filter(|option| {
                if option == id {
                    checked
                } else {
                    layout.multiple && before.contains(option)
                }
            })
            .collect();
        self.picked.set(Some(after));
    }

    /// (votes, percent of voters) of option `id`, when the caller may see the tally.
    fn result(&self, id: &str) -> Option<(u64, u64)> {
        self.data
            .with(|d| d.as_ref().and_then(|d| option_result(d, id)))
    }

    fn results_visible(&self) -> bool {
        self.data
            .with(|d| d.as_ref().is_some_and(|d| d.results_visible))
    }
}

/// (votes, percent of voters, rounded) of option `id` in `poll`, when its tally is visible.
fn option_result(poll: &PollView, id: &str) -> Option<(u64, u64)> {
    if !poll.results_visible {
        return None;
    }
    let votes = poll.options.iter().find(|o| o.id == id)?.votes.unwrap_or(0);
    let total = poll.total_votes.unwrap_or(0);
    let percent = (votes * 100 + total / 2).checked_div(total).unwrap_or(0);
    Some((votes, percent.min(100)))
}

/// The results as read out after a vote: "Dark mode 60%", one per option.
fn result_lines(poll: &PollView) -> Vec<String> {
    poll.options
        .iter()
        .filter_map(|o| {
            let (_, percent) = option_result(poll, &o.id)?;
            Some(format!("{} {percent}%", o.label))
        })
        .collect()
}

/// The detail of `engage:vote`.
#[derive(Debug, Serialize)]
struct VoteDetail {
    poll: String,
    choices: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    awarded: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<i64>,
}

/// A fresh id for an element of this widget, unique in the document even without a shadow
/// root (a Leptos app with several polls).
fn element_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The placeholder shown while loading: a question, four options and the button, as tall as
/// a loaded poll of four options, which is what the loader reserves.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-poll__skeleton" aria-hidden="true">
            <div class="engage-card__bone engage-poll__bone--question"></div>
            <div class="engage-poll__options">
                <div class="engage-card__bone engage-poll__bone--option"></div>
                <div class="engage-card__bone engage-poll__bone--option"></div>
                <div class="engage-card__bone engage-poll__bone--option"></div>
                <div class="engage-card__bone engage-poll__bone--option"></div>
            </div>
            <div class="engage-poll__hint"></div>
            <div class="engage-poll__actions">
                <div class="engage-card__bone engage-poll__bone--button"></div>
            </div>
        </div>
        {loading_label(lang)}
    }
}

fn ready(form: PollForm) -> impl IntoView {
    move || match form.mode.get() {
        Some(Mode::Results) => results(form).into_any(),
        Some(mode) => vote_form(form, mode == Mode::SignInToVote).into_any(),
        None => ().into_any(),
    }
}

fn vote_form(form: PollForm, signed_out: bool) -> impl IntoView {
    let PollForm {
        shell,
        data,
        layout,
        my_choices,
        chosen,
        vote,
        ..
    } = form;
    let lang = shell.lang;
    let pending = vote.pending();
    let hint_id = element_id("engage-poll-hint");
    let voted = move || my_choices.with(|c| !c.is_empty());
    let unchanged = move || chosen.with(|c| my_choices.with(|m| c == m));
    let hint = move || {
        let lang = lang.get();
        if signed_out {
            return lang.sign_in_to_vote().to_owned();
        }
        let mut parts = Vec::new();
        if let Some(layout) = layout.get().filter(|l| l.multiple) {
            parts.push(lang.choose_up_to(u32::try_from(layout.max_choices).unwrap_or(u32::MAX)));
        }
        let points = data.with(|d| d.as_ref().map_or(0, |d| d.points_per_vote));
        if points > 0 && !voted() && shell.client.token.with(Option::is_some) {
            parts.push(lang.vote_to_earn(points));
        }
        parts.join(" · ")
    };
    let button_label = move || {
        let lang = lang.get();
        if pending.get() {
            lang.voting()
        } else if voted() {
            lang.change_vote()
        } else {
            lang.vote()
        }
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let choices = chosen.get_untracked();
        if signed_out || pending.get_untracked() || choices.is_empty() || unchanged() {
            return;
        }
        shell.announce(String::new());
        vote.dispatch(choices);
    };
    let rows = move || {
        layout.with(|layout| {
            let layout = layout.as_ref()?;
            let (multiple, max) = (layout.multiple, layout.max_choices);
            let rows = layout
                .options
                .iter()
                .map(|(id, label)| {
                    let id = id.clone();
                    let is_chosen = {
                        let id = id.clone();
                        Memo::new(move |_| chosen.with(|c| c.contains(&id)))
                    };
                    let disabled = Memo::new(move |_| {
                        signed_out
                            || pending.get()
                            || (multiple && !is_chosen.get() && chosen.with(Vec::len) >= max)
                    });
                    let on_change = {
                        let id = id.clone();
                        move |event: leptos::ev::Event| form.tick(&id, event_target_checked(&event))
                    };
                    view! {
                        <label
                            class="engage-poll__option"
                            class:engage-poll__option--chosen=is_chosen
                            class:engage-poll__option--disabled=disabled
                            part="option"
                        >
                            <input
                                class="engage-poll__input"
                                type=if multiple { "checkbox" } else { "radio" }
                                name="choice"
                                value=id.clone()
                                prop:checked=is_chosen
                                disabled=disabled
                                on:change=on_change
                            />
                            <span class="engage-poll__label">{label.clone()}</span>
                            {result_bits(form, id)}
                        </label>
                    }
                })
                .collect_view();
            Some(rows)
        })
    };
    view! {
        <form class="engage-poll__form" part="form" on:submit=submit>
            <fieldset class="engage-poll__fieldset" aria-describedby=hint_id.clone()>
                <legend class="engage-poll__question" part="question">
                    {move || layout.with(|l| l.as_ref().map(|l| l.question.clone()))}
                </legend>
                <div class="engage-poll__options">{rows}</div>
            </fieldset>
            <p
                id=hint_id
                class="engage-poll__hint"
                class:engage-poll__hint--sign-in=signed_out
                part="hint"
            >
                {hint}
            </p>
            <div class="engage-poll__actions">
                <button
                    type="submit"
                    class="engage-poll__button"
                    part="button"
                    disabled=move || {
                        signed_out || pending.get() || chosen.with(Vec::is_empty) || unchanged()
                    }
                >
                    {button_label}
                </button>
                {summary(form)}
            </div>
        </form>
    }
}

/// The poll without a form: closed, or voted for good. The caller's choices are marked.
fn results(form: PollForm) -> impl IntoView {
    let PollForm {
        shell,
        data,
        layout,
        my_choices,
        focus_results,
        ..
    } = form;
    let lang = shell.lang;
    let heading = NodeRef::<H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get()
            && focus_results.get_value()
        {
            focus_results.set_value(false);
            let _ = heading.focus();
        }
    });
    let rows = move || {
        layout.with(|layout| {
            let layout = layout.as_ref()?;
            let rows = layout
                .options
                .iter()
                .map(|(id, label)| {
                    let mine = my_choices.with_untracked(|c| c.contains(id));
                    view! {
                        <li
                            class="engage-poll__option engage-poll__option--result"
                            class:engage-poll__option--mine=mine
                            part="option"
                        >
                            <span class="engage-poll__mark" aria-hidden="true">
                                {if mine { "✓" } else { "" }}
                            </span>
                            <span class="engage-poll__label">{label.clone()}</span>
                            {mine.then(|| view! {
                                <span class="engage-card__sr">{move || lang.get().your_choice()}</span>
                            })}
                            {result_bits(form, id.clone())}
                        </li>
                    }
                })
                .collect_view();
            Some(rows)
        })
    };
    let closed = move || data.with(|d| d.as_ref().is_some_and(|d| d.closed));
    view! {
        <h2 class="engage-poll__question" part="question" tabindex="-1" node_ref=heading>
            {move || layout.with(|l| l.as_ref().map(|l| l.question.clone()))}
        </h2>
        // Rebuilt when the stored choices change, which only a vote elsewhere does here.
        <ol class="engage-poll__options" part="results">
            {move || {
                my_choices.track();
                rows()
            }}
        </ol>
        <p class="engage-poll__hint" part="hint">
            {move || {
                let lang = lang.get();
                if closed() { lang.voting_ended() } else { lang.you_voted() }
            }}
        </p>
        <div class="engage-poll__actions">{summary(form)}</div>
    }
}

/// An option's count and share of the voters, and its bar, while the tally is visible. The
/// bar's width is set through the CSSOM (`style:width`), which a strict `style-src` allows.
fn result_bits(form: PollForm, id: String) -> impl IntoView {
    let lang = form.shell.lang;
    let result = Memo::new(move |_| form.result(&id));
    let percent = move || result.get().map_or(0, |(_, percent)| percent);
    let visible = Memo::new(move |_| form.results_visible());
    move || {
        visible.get().then(|| {
            view! {
                <span class="engage-poll__count">
                    {move || {
                        let (votes, percent) = result.get().unwrap_or_default();
                        format!("{} · {percent}%", lang.get().votes(votes))
                    }}
                </span>
                <span class="engage-poll__bar" aria-hidden="true">
                    <span class="engage-poll__fill" style:width=move || format!("{}%", percent())></span>
                </span>
            }
        })
    }
}

/// Beside the button (or alone, without a form): how many voted, or when the results appear.
fn summary(form: PollForm) -> impl IntoView {
    let lang = form.shell.lang;
    let data = form.data;
    let text = move || {
        let lang = lang.get();
        data.with(|d| {
            let d = d.as_ref()?;
            Some(match (d.results_visible, d.results) {
                (true, _) => lang.voters(d.total_votes.unwrap_or(0)),
                (false, ResultsVisibility::AfterVote) => lang.results_after_vote().to_owned(),
                (false, _) => lang.results_after_close().to_owned(),
            })
        })
    };
    view! { <p class="engage-poll__summary" part="summary">{text}</p> }
}
