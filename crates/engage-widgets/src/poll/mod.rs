//! The poll widget (投票, `<engage-poll>`): a question with single or multiple choice as a real
//! form (`<fieldset>`, `<legend>`, native radios or checkboxes and a submit button), the tally
//! as bars where the owner lets the caller see it, and live updates while it is on screen.
//!
//! The poll is read with a [`Remote`] keyed on server, site, member token and poll id; the
//! answer to a vote (the poll as the voter now sees it) replaces what is shown. The server's
//! event stream only says *that* the poll changed; the widget then reads it again in the
//! background, so the visibility rules are the server's alone.
//!
//! The view is built in two layers, which also keeps the wasm small: a [`Frame`] (question,
//! options, mode, texts) rebuilt only when one of those changes, and inside it the few parts
//! that follow every tally (counts, bars, the number of voters) and the member's ticks. A new
//! tally therefore never rebuilds an input, and a keyboard user keeps their focus.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use engage_core::api::{PollView, ResultsVisibility};
use engage_core::jiff::Timestamp;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::Lang;
use crate::live;
use crate::widget::{
    Phase, PhaseKind, ReadyDetail, Remote, Shell, blank, card, failure_message, loading_label,
    spawn_write,
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
    shell.report_phases(phase, move || ReadyDetail {
        widget: Widget::Poll.as_str(),
        site: site.get_untracked(),
        poll: Some(poll.get_untracked()),
    });
    let kind = Memo::new(move |_| phase.with(Phase::kind));

    // Live tally: once the poll is loaded, listen to its channel of the page's stream (again
    // whenever the server, site or poll changes) and read the poll again on every change.
    let reads = StoredValue::new(0_u32);
    live::follow(
        move || {
            let channel = format!("poll:{}", poll.get());
            (kind.get() == PhaseKind::Ready).then(|| (shell.client.endpoint(), channel))
        },
        move || reread(remote, reads),
    );

    let token = shell.client.token;
    let frame = Memo::new(move |_| {
        let lang = lang.get();
        let signed_in = token.with(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()));
        phase.with(|p| p.ready().map(|poll| Frame::new(poll, lang, signed_in)))
    });
    let form = Form {
        shell,
        remote,
        reads,
        picked: RwSignal::new(None),
        pending: RwSignal::new(false),
    };
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::Failed => failure_message(shell, remote).into_any(),
        PhaseKind::Ready | PhaseKind::SignedOut => {
            (move || frame.get().map(|frame| ready(form, frame))).into_any()
        }
    };
    let header = view! {
        <header class="engage-card__header engage-card__header--compact engage-poll__header" part="header">
            <p class="engage-card__kicker engage-poll__kicker" part="title">
                {move || lang.get().poll_title()}
            </p>
            {move || frame.with(|f| f.as_ref().map(closing))}
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

/// What the poll's view is built from: everything but the counts. Choices are bit sets over
/// the options (a poll has at most 20).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frame {
    lang: Lang,
    question: String,
    /// (id, label) in the owner's order.
    options: Vec<(String, String)>,
    multiple: bool,
    max_choices: u32,
    mode: Mode,
    /// The caller's stored choices.
    mine: u32,
    closed: bool,
    /// When voting ends or ended, in the viewer's local time.
    when: Option<String>,
    /// The line under the options.
    hint: String,
}

impl Frame {
    fn new(poll: &PollView, lang: Lang, signed_in: bool) -> Frame {
        let voted = !poll.my_choices.is_empty();
        let mode = if poll.closed || (voted && !poll.allow_change) {
            Mode::Results
        } else if !poll.anonymous && !signed_in {
            Mode::SignInToVote
        } else {
            Mode::Vote
        };
        let hint = match mode {
            Mode::Results if poll.closed => lang.voting_ended().to_owned(),
            Mode::Results => lang.you_voted().to_owned(),
            Mode::SignInToVote => lang.sign_in_to_vote().to_owned(),
            // Once voted, the button reads "Change vote" and waits for a new choice: say so.
            Mode::Vote if voted => lang.you_voted_can_change().to_owned(),
            Mode::Vote => {
                let choose = poll.multiple.then(|| {
                    if poll.max_choices as usize >= poll.options.len() {
                        lang.choose_any().to_owned()
                    } else {
                        lang.choose_up_to(poll.max_choices)
                    }
                });
                let earn = (signed_in && poll.points_per_vote > 0)
                    .then(|| lang.vote_to_earn(poll.points_per_vote));
                match (choose, earn) {
                    (Some(choose), Some(earn)) => format!("{choose} · {earn}"),
                    (one, other) => one.or(other).unwrap_or_default(),
                }
            }
        };
        // A closed poll shows the time beside its "Closed" badge, which says the rest.
        let when = poll.closes_at.map(|at| {
            let at = local_time(lang, at);
            if poll.closed { at } else { lang.closes_at(&at) }
        });
        Frame {
            lang,
            question: poll.question.clone(),
            options: poll
                .options
                .iter()
                .map(|o| (o.id.clone(), o.label.clone()))
                .collect(),
            multiple: poll.multiple,
            max_choices: poll.max_choices,
            mode,
            mine: poll
                .options
                .iter()
                .enumerate()
                .filter(|(_, o)| poll.my_choices.contains(&o.id))
                .fold(0, |set, (i, _)| set | bit(i)),
            closed: poll.closed,
            when,
            hint,
        }
    }

    /// The option ids in the bit set `choices`, in the owner's order.
    fn ids(&self, choices: u32) -> Vec<String> {
        self.options
            .iter()
            .enumerate()
            .filter(|(i, _)| choices & bit(*i) != 0)
            .map(|(_, (id, _))| id.clone())
            .collect()
    }
}

/// The bit of option `index` in a choice set; options past the 32nd (more than a poll may
/// have) have none.
fn bit(index: usize) -> u32 {
    u32::try_from(index)
        .ok()
        .and_then(|i| 1_u32.checked_shl(i))
        .unwrap_or(0)
}

/// `at` as a short date and time in the viewer's zone ("Nov 30, 18:00", "11月30日 18:00"),
/// formatted by the browser's `Intl` rather than a time-zone database in the wasm.
pub(crate) fn local_time(lang: Lang, at: Timestamp) -> String {
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

/// The header's right side: when voting ends or ended, and the "Closed" badge.
fn closing(frame: &Frame) -> impl IntoView + use<> {
    let when = frame.when.clone();
    let badge = frame.closed.then(|| frame.lang.closed());
    view! {
        <p class="engage-card__when engage-poll__closing">
            {when.map(|when| view! { <span class="engage-poll__when">{when}</span> })}
            {badge.map(|text| view! { <span class="engage-card__pill engage-poll__badge" part="badge">{text}</span> })}
        </p>
    }
}

/// The loaded poll's moving parts: what the caller has ticked and whether a vote is on its way.
#[derive(Clone, Copy)]
struct Form {
    shell: Shell,
    remote: Remote<PollView>,
    /// Background reads started, so that only the latest one's answer is shown.
    reads: StoredValue<u32>,
    /// What the caller has ticked since the last vote; `None`: their stored choices.
    picked: RwSignal<Option<u32>>,
    /// Whether a vote is on its way.
    pending: RwSignal<bool>,
}

impl Form {
    /// (votes, percent of voters) of the option at `index`, while the caller may see the tally.
    fn result(&self, index: usize) -> Option<(u64, u64)> {
        self.remote.phase.with(|phase| {
            let poll = phase.ready().filter(|p| p.results_visible)?;
            let votes = poll.options.get(index)?.votes.unwrap_or(0);
            Some((votes, percent(votes, poll.total_votes.unwrap_or(0))))
        })
    }

    /// Sends `choices` (made in `frame`) as the caller's vote.
    fn vote(self, frame: &Frame, choices: u32) {
        self.shell.announce(String::new());
        spawn_write(
            self.pending,
            send_vote(self, frame.ids(choices), frame.mine != 0),
        );
    }
}

/// Votes, and shows the answer: the announcement, the new tally, `engage:vote`.
async fn send_vote(form: Form, choices: Vec<String>, changing: bool) {
    let Form {
        shell,
        remote,
        reads,
        picked,
        ..
    } = form;
    let key = remote.key_untracked();
    let result = key.endpoint.vote(&key.subject, choices).await;
    let lang = shell.lang.get_untracked();
    match result {
        Ok(poll) => {
            let results: Vec<_> = poll
                .options
                .iter()
                .filter(|_| poll.results_visible)
                .map(|o| {
                    let share = percent(o.votes.unwrap_or(0), poll.total_votes.unwrap_or(0));
                    (o.label.as_str(), share)
                })
                .collect();
            shell.announce_with_detail(
                lang.vote_recorded(changing, poll.awarded.unwrap_or(0)),
                lang.results_read_out(&results),
            );
            let detail = VoteDetail {
                poll: poll.id.to_string(),
                choices: poll.my_choices.clone(),
                awarded: poll.awarded,
                points: poll.points,
            };
            let badges = poll.badges.clone().unwrap_or_default();
            // A background read that started before the vote must not undo its answer.
            reads.try_update_value(|n| *n = n.wrapping_add(1));
            if remote.accept(&key, poll) {
                if let Some(points) = detail.points {
                    shell.share_balance(&key.endpoint, points);
                }
                picked.try_set(None);
                shell.report("vote", &detail);
                shell.announce_badges(&badges);
                focus_after_vote(shell);
            }
        }
        Err(error) => {
            shell.announce_failure(&error);
            // The poll may have closed or changed, or the vote been cast in another
            // tab: show it as it is now.
            if matches!(error.status(), 401 | 409 | 422) {
                reread(remote, form.reads);
            }
        }
    }
}

/// Reads the poll again in the background and shows it. A failed read keeps what is shown
/// (the next event, or the next tick of the fallback timer, tries again), and an answer
/// overtaken by a later read is dropped.
fn reread(remote: Remote<PollView>, reads: StoredValue<u32>) {
    let Some(read) = reads.try_update_value(|n| {
        *n = n.wrapping_add(1);
        *n
    }) else {
        return;
    };
    let key = remote.key_untracked();
    leptos::task::spawn_local(async move {
        let answer = key.endpoint.poll(&key.subject).await;
        if let Ok(poll) = answer
            && reads.try_get_value() == Some(read)
        {
            remote.accept(&key, poll);
        }
    });
}

/// `votes` as a whole percentage of `total`, rounded half up; 0 when nobody voted.
fn percent(votes: u64, total: u64) -> u64 {
    (votes * 100 + total / 2)
        .checked_div(total)
        .unwrap_or(0)
        .min(100)
}

/// After a vote the view is rebuilt; once it is, the focus goes where the member can go on:
/// the button (to change the vote again) or the heading of the results.
fn focus_after_vote(shell: Shell) {
    let _ = set_timeout_with_handle(
        move || {
            let target = shell.card.get_untracked().and_then(|card| {
                card.query_selector(".engage-poll__button, h2.engage-poll__question")
                    .ok()
                    .flatten()
            });
            if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = target.focus();
            }
        },
        Duration::ZERO,
    );
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

/// The placeholder shown while loading: a question, four options and the button, as tall as
/// a loaded poll of four options, which is what the loader reserves.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-poll__skeleton" aria-hidden="true">
            {blank("engage-card__bone engage-poll__bone--question")}
            <div class="engage-poll__options">
                {blank("engage-card__bone engage-poll__bone--option")}
                {blank("engage-card__bone engage-poll__bone--option")}
                {blank("engage-card__bone engage-poll__bone--option")}
                {blank("engage-card__bone engage-poll__bone--option")}
            </div>
            {blank("engage-poll__hint")}
            <div class="engage-poll__actions">
                {blank("engage-card__bone engage-poll__bone--button")}
            </div>
        </div>
        {loading_label(lang)}
    }
}

fn ready(form: Form, frame: Frame) -> AnyView {
    if frame.mode == Mode::Results {
        results(form, frame).into_any()
    } else {
        vote_form(form, frame).into_any()
    }
}

/// A fresh id for an element, unique in the document even without a shadow root (a Leptos app
/// with several polls).
pub(crate) fn element_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn vote_form(form: Form, frame: Frame) -> impl IntoView {
    let Form {
        picked, pending, ..
    } = form;
    let Frame {
        lang,
        mine,
        multiple,
        max_choices,
        ..
    } = frame;
    let signed_out = frame.mode == Mode::SignInToVote;
    let chosen = move || picked.get().unwrap_or(mine);
    let initially = picked.get_untracked().unwrap_or(mine);
    let rows = frame
        .options
        .iter()
        .enumerate()
        .map(|(index, (id, label))| {
            let bit = bit(index);
            let full = move || {
                let chosen = chosen();
                multiple && chosen & bit == 0 && chosen.count_ones() >= max_choices
            };
            let tick = move |event: leptos::ev::Event| {
                let before = picked.get_untracked().unwrap_or(mine);
                let others = if multiple { before & !bit } else { 0 };
                let this = if event_target_checked(&event) { bit } else { 0 };
                picked.set(Some(others | this));
            };
            view! {
                <label class="engage-poll__option" part="option">
                    <input
                        class="engage-poll__input"
                        type=if multiple { "checkbox" } else { "radio" }
                        name="choice"
                        value=id.clone()
                        checked=initially & bit != 0
                        disabled=move || signed_out || pending.get() || full()
                        on:change=tick
                    />
                    <span class="engage-poll__label">{label.clone()}</span>
                    {result_bits(form, lang, index)}
                </label>
            }
        })
        .collect_view();
    let hint_id = element_id("engage-poll-hint");
    let submit = {
        let frame = frame.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            let choices = picked.get_untracked().unwrap_or(mine);
            if !signed_out && !pending.get_untracked() && choices != 0 && choices != mine {
                form.vote(&frame, choices);
            }
        }
    };
    view! {
        <form class="engage-poll__form" part="form" on:submit=submit>
            <fieldset class="engage-poll__fieldset" aria-describedby=hint_id.clone()>
                <legend class="engage-poll__question" part="question">
                    {frame.question.clone()}
                </legend>
                <div class="engage-poll__options">{rows}</div>
            </fieldset>
            <p
                id=hint_id
                class=if signed_out {
                    "engage-poll__hint engage-poll__hint--sign-in"
                } else {
                    "engage-poll__hint"
                }
                part="hint"
            >
                {frame.hint.clone()}
            </p>
            <div class="engage-poll__actions">
                <button
                    type="submit"
                    class="engage-card__primary engage-poll__button"
                    part="button"
                    disabled=move || {
                        let chosen = chosen();
                        signed_out || pending.get() || chosen == 0 || chosen == mine
                    }
                >
                    {move || {
                        if pending.get() {
                            lang.voting()
                        } else if mine != 0 {
                            lang.change_vote()
                        } else {
                            lang.vote()
                        }
                    }}
                </button>
                {summary(form, lang)}
            </div>
        </form>
    }
}

/// The poll without a form: closed, or voted for good. The caller's choices are marked.
fn results(form: Form, frame: Frame) -> impl IntoView {
    let lang = frame.lang;
    let rows = frame
        .options
        .iter()
        .enumerate()
        .map(|(index, (_, label))| {
            let mine = frame.mine & bit(index) != 0;
            view! {
                <li
                    class=if mine {
                        "engage-poll__option engage-poll__option--result engage-poll__option--mine"
                    } else {
                        "engage-poll__option engage-poll__option--result"
                    }
                    part="option"
                >
                    <span class="engage-poll__mark" aria-hidden="true">
                        {if mine { "✓" } else { "" }}
                    </span>
                    <span class="engage-poll__label">{label.clone()}</span>
                    {mine.then(|| view! { <span class="engage-card__sr">{lang.your_choice()}</span> })}
                    {result_bits(form, lang, index)}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2 class="engage-poll__question" part="question" tabindex="-1">
            {frame.question}
        </h2>
        <ol class="engage-poll__options" part="results">{rows}</ol>
        <p class="engage-poll__hint" part="hint">{frame.hint}</p>
        <div class="engage-poll__actions">{summary(form, lang)}</div>
    }
}

/// An option's count and share of the voters, and its bar, while the tally is visible. A new
/// tally updates them in place; the bar's width is set through the CSSOM (`style:width`),
/// which a strict `style-src` allows.
fn result_bits(form: Form, lang: Lang, index: usize) -> impl IntoView {
    move || {
        form.result(index).map(|(votes, percent)| {
            view! {
                <span class="engage-poll__count">
                    {format!("{} · {percent}%", lang.votes(votes))}
                </span>
                <span class="engage-poll__bar" aria-hidden="true">
                    <span class="engage-poll__fill" style:width=format!("{percent}%")></span>
                </span>
            }
        })
    }
}

/// Beside the button (or alone, without a form): how many voted, or when the results appear.
fn summary(form: Form, lang: Lang) -> impl IntoView {
    let text = move || {
        form.remote.phase.with(|phase| {
            let poll = phase.ready()?;
            Some(match (poll.results_visible, poll.results) {
                (true, _) => lang.voters(poll.total_votes.unwrap_or(0)),
                (false, ResultsVisibility::AfterVote) => lang.results_after_vote().to_owned(),
                (false, _) => lang.results_after_close().to_owned(),
            })
        })
    };
    view! { <p class="engage-poll__summary" part="summary">{text}</p> }
}
