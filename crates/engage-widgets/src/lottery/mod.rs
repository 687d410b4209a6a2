//! The lottery widget (抽奖, `<engage-lottery>`): a lucky wheel drawn in SVG with one segment
//! per prize in stock and the no-prize slot, sized by weight; a native Spin button; the prizes
//! as a real list with their stock and odds for screen readers (the wheel itself is hidden from
//! them); the outcome in a `<dialog>` and the status line; and the fairness details — the
//! published seed hash, and after close the seed and how to verify every spin. A giveaway
//! shows an Enter button, the entrants and, after close, the winners instead of a wheel.
//!
//! The server decides every outcome. The wheel only turns, through the CSSOM
//! (`style:transform`, which a strict `style-src` allows), to land on the segment of the prize
//! the server chose; with `prefers-reduced-motion` it does not animate and the outcome shows
//! at once. The answer of a spin (balance, spins left, stock) is shown once the wheel stops,
//! so the list does not give the outcome away before the wheel does.
//!
//! Like the poll, the view is built from a [`Frame`] rebuilt only when the loaded lottery
//! changes; the outcome dialog lives outside it, so a rebuild never takes the focus from it.

mod i18n;
mod verify;

pub use verify::verify_lottery_proof;

use engage_core::api::lottery::{
    EntryResult, LotteryMode, LotteryStatus, LotteryView, PrizeRef, SpinResult,
};
use leptos::html::Dialog;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;

use crate::i18n::Lang;
use crate::live;
use crate::poll::{element_id, local_time};
use crate::widget::{
    Phase, PhaseKind, ReadyDetail, Remote, Shell, blank, card, failure_message, loading_label,
    spawn_write,
};
use crate::{Theme, Widget};

/// The widget's own styles, adopted after the shared card styles.
pub static LOTTERY_CSS: &str = include_str!("lottery.css");

/// How long the wheel turns, as `lottery.css` animates it (`transition: transform 4s`).
const SPIN_MILLIS: i32 = 4_000;
/// Whole turns the wheel makes before it lands.
const TURNS: f64 = 5.0;

/// A lottery: spin the wheel (or enter the giveaway), see what you won, check it was fair.
///
/// Anyone may look at a lottery; spinning and entering need a member token. Without one the
/// wheel and the prizes are shown with "Sign in to spin".
#[component]
pub fn Lottery(
    /// The site id the owner registered on the Engage server (the `site` attribute).
    #[prop(into)]
    site: Signal<String>,
    /// The lottery's id, as the owner created it (the `lottery` attribute).
    #[prop(into)]
    lottery: Signal<String>,
    /// The member token minted by the host site's backend (the `member-token` attribute or
    /// `Engage.identify`); without one the member can look but not spin.
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
        Widget::Lottery,
        LOTTERY_CSS,
        site,
        member_token,
        server,
        lang,
        theme,
    );
    let lang = shell.lang;
    let remote = Remote::new(shell.client, lottery, false, |key| async move {
        key.endpoint.lottery(&key.subject).await
    });
    shell.follow_balance(move |points| {
        remote.modify(|view| {
            if view.points.is_some() {
                view.points = Some(points);
            }
        });
    });
    let phase = remote.phase;
    shell.report_phases(phase, move || ReadyDetail {
        widget: Widget::Lottery.as_str(),
        site: site.get_untracked(),
        poll: None,
    });
    let kind = Memo::new(move |_| phase.with(Phase::kind));
    let token = shell.client.token;
    let frame = Memo::new(move |_| {
        let lang = lang.get();
        let signed_in = token.with(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()));
        phase.with(|p| p.ready().map(|view| Frame::new(view, lang, signed_in)))
    });
    // Live stock: once the lottery is loaded, listen to its channel of the page's stream (again
    // whenever the server, site or lottery changes) and read it again on every change — except
    // during a spin, whose own answer brings the new stock after the wheel stops.
    let pending = RwSignal::new(false);
    live::follow(
        move || {
            let channel = format!("lottery:{}", lottery.get());
            (kind.get() == PhaseKind::Ready).then(|| (shell.client.endpoint(), channel))
        },
        move || {
            if !pending.get_untracked() {
                reread(remote);
            }
        },
    );
    let play = Play {
        shell,
        remote,
        frame,
        rotation: RwSignal::new(0.0),
        pending,
        outcome: RwSignal::new(None),
        dialog: NodeRef::new(),
        fairness_open: RwSignal::new(false),
    };
    let body = move || match kind.get() {
        PhaseKind::Loading => skeleton(lang).into_any(),
        PhaseKind::Failed => failure_message(shell, remote).into_any(),
        PhaseKind::Ready | PhaseKind::SignedOut => {
            (move || frame.get().map(|frame| ready(play, frame))).into_any()
        }
    };
    let header = view! {
        <header class="engage-card__header engage-card__header--compact engage-lottery__header" part="header">
            <p class="engage-card__kicker engage-lottery__kicker" part="title">
                {move || title(lang.get(), frame.with(|f| f.as_ref().map(|f| f.mode)))}
            </p>
            {move || frame.with(|f| f.as_ref().map(timing))}
        </header>
    };
    let body = view! {
        {body}
        {outcome_dialog(play)}
    };
    card(
        shell,
        "engage-lottery",
        Lang::lottery_title,
        move || kind.get() == PhaseKind::Loading,
        header,
        body,
    )
}

fn title(lang: Lang, mode: Option<LotteryMode>) -> &'static str {
    match mode {
        Some(LotteryMode::Giveaway) => lang.giveaway_title(),
        _ => lang.lottery_title(),
    }
}

/// One row of the prize list, and what its wheel segment is drawn from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PrizeRow {
    id: String,
    name: String,
    stock: u32,
    weight: u32,
}

/// A slice of the wheel: the prize (an index into [`Frame::prizes`], `None` for the no-prize
/// slot) and the angles it spans, in degrees clockwise from the pointer at the top.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    prize: Option<usize>,
    start: f64,
    end: f64,
}

/// What the lottery's view is built from.
#[derive(Debug, Clone, PartialEq)]
struct Frame {
    lang: Lang,
    mode: LotteryMode,
    status: LotteryStatus,
    signed_in: bool,
    prizes: Vec<PrizeRow>,
    no_prize_weight: u32,
    segments: Vec<Segment>,
    cost: i64,
    daily_spins: u32,
    points: Option<i64>,
    spins_left: Option<u32>,
    /// The header's line: when it opens or ends.
    when: Option<String>,
    /// Why the button cannot be used now, or `None` when it can.
    blocked: Option<String>,
    seed_hash: Option<String>,
    seed: Option<String>,
    entrants: Option<u64>,
    entered: bool,
    winners: u32,
    drawn_winners: Option<Vec<String>>,
}

impl Frame {
    fn new(view: &LotteryView, lang: Lang, signed_in: bool) -> Frame {
        let prizes: Vec<PrizeRow> = view
            .prizes
            .iter()
            .map(|p| PrizeRow {
                id: p.id.clone(),
                name: p.name.clone(),
                stock: p.stock,
                weight: p.weight,
            })
            .collect();
        let sold_out = prizes.iter().all(|p| p.stock == 0);
        let giveaway = view.mode == LotteryMode::Giveaway;
        let entered = view.entered == Some(true);
        let blocked = match view.status {
            LotteryStatus::Closed => Some(lang.lottery_has_closed().to_owned()),
            LotteryStatus::Scheduled => Some(lang.lottery_not_open_yet().to_owned()),
            LotteryStatus::Open if !signed_in && giveaway => {
                Some(lang.sign_in_to_enter().to_owned())
            }
            LotteryStatus::Open if !signed_in => Some(lang.sign_in_to_spin().to_owned()),
            LotteryStatus::Open if giveaway && entered => Some(lang.entered_giveaway().to_owned()),
            LotteryStatus::Open if !giveaway && sold_out => {
                Some(lang.lottery_sold_out().to_owned())
            }
            LotteryStatus::Open if !giveaway && view.spins_left == Some(0) => {
                Some(lang.no_spins_left_today().to_owned())
            }
            LotteryStatus::Open => view
                .points
                .filter(|&points| points < view.cost)
                .map(|points| lang.not_enough_points_to_spin(view.cost, points)),
        };
        let when = match view.status {
            LotteryStatus::Scheduled => Some(lang.opens_at(&local_time(lang, view.opens_at))),
            LotteryStatus::Open => Some(lang.ends_at(&local_time(lang, view.closes_at))),
            LotteryStatus::Closed => view.closed_at.map(|at| local_time(lang, at)),
        };
        Frame {
            lang,
            mode: view.mode,
            status: view.status,
            signed_in,
            segments: segments(&prizes, view.no_prize_weight),
            prizes,
            no_prize_weight: view.no_prize_weight,
            cost: view.cost,
            daily_spins: view.daily_spins,
            points: view.points,
            spins_left: view.spins_left,
            when,
            blocked,
            seed_hash: view.seed_hash.clone(),
            seed: view.seed.clone(),
            entrants: view.entrants,
            entered,
            winners: view.winners,
            drawn_winners: view
                .drawn_winners
                .as_ref()
                .map(|w| w.iter().map(|w| w.name.clone()).collect()),
        }
    }

    /// The weight a spin draws from now: the prizes in stock and the no-prize slot.
    fn total_weight(&self) -> u64 {
        self.prizes
            .iter()
            .filter(|p| p.stock > 0)
            .map(|p| u64::from(p.weight))
            .sum::<u64>()
            + u64::from(self.no_prize_weight)
    }

    /// The segment the prize `id` (`None`: no prize) is won on.
    fn segment_of(&self, id: Option<&str>) -> Option<&Segment> {
        self.segments
            .iter()
            .find(|s| s.prize.map(|i| self.prizes[i].id.as_str()) == id)
    }
}

/// The wheel's segments: the prizes in stock in the published order, then the no-prize slot,
/// each as wide as its share of the weight. A wheel with nothing left to win is one grey slot.
fn segments(prizes: &[PrizeRow], no_prize_weight: u32) -> Vec<Segment> {
    let slots: Vec<(Option<usize>, u32)> = prizes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.stock > 0 && p.weight > 0)
        .map(|(i, p)| (Some(i), p.weight))
        .chain((no_prize_weight > 0).then_some((None, no_prize_weight)))
        .collect();
    let total: f64 = slots.iter().map(|(_, w)| f64::from(*w)).sum();
    if total <= 0.0 {
        return vec![Segment {
            prize: None,
            start: 0.0,
            end: 360.0,
        }];
    }
    let mut start = 0.0;
    slots
        .into_iter()
        .map(|(prize, weight)| {
            let end = start + 360.0 * f64::from(weight) / total;
            let segment = Segment { prize, start, end };
            start = end;
            segment
        })
        .collect()
}

/// `weight` as a share of `total`: whole percent, or one decimal below 10% ("0.5%", "12%").
fn odds(weight: u32, total: u64) -> String {
    let Some(tenths) = (u64::from(weight) * 1000 + total / 2).checked_div(total) else {
        return "0%".to_owned();
    };
    if tenths >= 100 || tenths % 10 == 0 {
        format!("{}%", (tenths + 5) / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// The header's right side: when it opens or ends, or the "Closed" badge and when.
fn timing(frame: &Frame) -> impl IntoView + use<> {
    let when = frame.when.clone();
    let badge = (frame.status == LotteryStatus::Closed).then(|| frame.lang.closed());
    view! {
        <p class="engage-card__when engage-lottery__timing">
            {when.map(|when| view! { <span class="engage-lottery__when">{when}</span> })}
            {badge
                .map(|text| view! { <span class="engage-card__pill engage-lottery__badge" part="badge">{text}</span> })}
        </p>
    }
}

/// The loaded lottery's moving parts.
#[derive(Clone, Copy)]
struct Play {
    shell: Shell,
    remote: Remote<LotteryView>,
    frame: Memo<Option<Frame>>,
    /// The wheel's rotation in degrees; it only grows, so the wheel always turns forwards.
    rotation: RwSignal<f64>,
    /// From the click until the wheel has landed (or the entry is answered).
    pending: RwSignal<bool>,
    /// The outcome the dialog shows.
    outcome: RwSignal<Option<Outcome>>,
    dialog: NodeRef<Dialog>,
    /// Whether the fairness details are open, kept across rebuilds.
    fairness_open: RwSignal<bool>,
}

/// A landed spin, as the dialog tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    headline: String,
    summary: String,
}

impl Play {
    fn spin(self) {
        if self.pending.get_untracked() {
            return;
        }
        self.shell.announce(String::new());
        spawn_write(self.pending, send_spin(self));
    }

    fn enter(self) {
        if self.pending.get_untracked() {
            return;
        }
        self.shell.announce(String::new());
        spawn_write(self.pending, send_entry(self));
    }
}

/// Spins: asks the server, turns the wheel to the segment of its answer, and once it has
/// landed shows the outcome, the new balance and stock, and reports `engage:spin`.
async fn send_spin(play: Play) {
    let Play {
        shell,
        remote,
        frame,
        rotation,
        ..
    } = play;
    let key = remote.key_untracked();
    let result = match key.endpoint.spin(&key.subject).await {
        Ok(result) => result,
        Err(error) => {
            shell.announce_failure(&error);
            // The lottery may have closed, sold out or the day's spins run out elsewhere.
            if matches!(error.status(), 401 | 402 | 409) {
                reread(remote);
            }
            return;
        }
    };
    let won = result.prize.as_ref().map(|p| p.id.as_str());
    let target = frame.try_with_untracked(|f| {
        f.as_ref()
            .and_then(|f| f.segment_of(won))
            .map(|s| (s.start, s.end))
    });
    let target = target.flatten();
    let reduced = prefers_reduced_motion();
    if let Some((start, end)) = target {
        let jitter = js_sys::Math::random();
        rotation.try_update(|r| *r = landing_rotation(*r, start, end, jitter));
    }
    if !reduced {
        sleep(SPIN_MILLIS).await;
    }
    land(play, &key, result);
}

/// The rotation after `current` that brings a point of the segment `start..end` (chosen by
/// `jitter` in 0..1 within its middle 60%) under the pointer, after [`TURNS`] whole turns.
fn landing_rotation(current: f64, start: f64, end: f64, jitter: f64) -> f64 {
    let at = start + (end - start) * (0.2 + 0.6 * jitter);
    (current / 360.0).ceil() * 360.0 + 360.0 * TURNS + (360.0 - at)
}

fn land(play: Play, key: &crate::widget::LoadKey, result: SpinResult) {
    let Play {
        shell,
        remote,
        outcome,
        dialog,
        ..
    } = play;
    // The widget may have been removed while the wheel turned.
    let Some(lang) = shell.lang.try_get_untracked() else {
        return;
    };
    let headline = match &result.prize {
        Some(prize) => lang.you_won(&prize.name),
        None => lang.not_this_time().to_owned(),
    };
    let summary = lang.spin_summary(result.spin, result.points);
    let updated = remote.phase.try_with_untracked(|p| p.ready().cloned());
    if let Some(mut view) = updated.flatten() {
        view.points = Some(result.points);
        view.spins_left = Some(result.spins_left);
        for prize in &mut view.prizes {
            if let Some(left) = result.stock.iter().find(|s| s.id == prize.id) {
                prize.stock = left.stock;
            }
        }
        if !remote.accept(key, view) {
            return;
        }
        shell.share_balance(&key.endpoint, result.points);
    }
    shell.announce_with_detail(headline.clone(), summary.clone());
    outcome.try_set(Some(Outcome { headline, summary }));
    if let Some(dialog) = dialog.get_untracked() {
        let _ = dialog.show_modal();
    }
    shell.report(
        "spin",
        &SpinDetail {
            lottery: key.subject.clone(),
            spin: result.spin,
            prize: result.prize,
            points: result.points,
        },
    );
    shell.announce_badges(&result.badges);
}

/// Enters the giveaway and shows the answer.
async fn send_entry(play: Play) {
    let Play { shell, remote, .. } = play;
    let key = remote.key_untracked();
    match key.endpoint.enter_giveaway(&key.subject).await {
        Ok(EntryResult {
            entrants,
            points,
            badges,
            ..
        }) => {
            let Some(lang) = shell.lang.try_get_untracked() else {
                return;
            };
            let updated = remote.phase.try_with_untracked(|p| p.ready().cloned());
            if let Some(mut view) = updated.flatten() {
                view.entered = Some(true);
                view.entrants = Some(entrants);
                view.points = Some(points);
                if remote.accept(&key, view) {
                    shell.share_balance(&key.endpoint, points);
                    shell.announce_with_detail(
                        lang.entered_giveaway().to_owned(),
                        format!(" {}", lang.entrants(entrants)),
                    );
                    shell.announce_badges(&badges);
                }
            }
        }
        Err(error) => {
            shell.announce_failure(&error);
            if matches!(error.status(), 401 | 402 | 409) {
                reread(remote);
            }
        }
    }
}

/// Reads the lottery again in the background and shows it; a failed read keeps what is shown.
fn reread(remote: Remote<LotteryView>) {
    let key = remote.key_untracked();
    leptos::task::spawn_local(async move {
        if let Ok(view) = key.endpoint.lottery(&key.subject).await {
            remote.accept(&key, view);
        }
    });
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok())
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Waits `millis` milliseconds (a browser timer).
async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The detail of `engage:spin`.
#[derive(Debug, Serialize)]
struct SpinDetail {
    lottery: String,
    spin: u32,
    /// `null` for the no-prize slot.
    prize: Option<PrizeRef>,
    points: i64,
}

/// After the outcome dialog closes, the focus goes back to the Spin button, or to the line
/// that says why there is no spinning now.
fn focus_after_outcome(shell: Shell) {
    let target = shell.card.get_untracked().and_then(|card| {
        card.query_selector(".engage-lottery__button:not(:disabled), .engage-lottery__hint")
            .ok()
            .flatten()
    });
    if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = target.focus();
    }
}

/// The outcome, in a modal `<dialog>`: the browser moves the focus into it and closes it on
/// Escape; the focus then goes back to the wheel's button.
fn outcome_dialog(play: Play) -> impl IntoView {
    let Play {
        shell,
        outcome,
        dialog,
        ..
    } = play;
    let lang = shell.lang;
    let headline = move || outcome.with(|o| o.as_ref().map(|o| o.headline.clone()));
    let close = move |_| {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="engage-card__dialog engage-lottery__dialog"
            part="dialog"
            aria-label=headline
            on:close=move |_| focus_after_outcome(shell)
        >
            <p class="engage-lottery__outcome">{headline}</p>
            <p class="engage-lottery__summary">
                {move || outcome.with(|o| o.as_ref().map(|o| o.summary.clone()))}
            </p>
            <button
                type="button"
                class="engage-card__primary engage-lottery__ok"
                part="button"
                autofocus
                on:click=close
            >
                {move || lang.get().ok()}
            </button>
        </dialog>
    }
}

/// The placeholder shown while loading, as tall as a loaded wheel of four prizes.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        <div class="engage-lottery__skeleton" aria-hidden="true">
            <div class="engage-lottery__wheel">
                {blank("engage-card__bone engage-lottery__bone--wheel")}
            </div>
            {blank("engage-card__bone engage-lottery__bone--line")}
            {blank("engage-card__bone engage-lottery__bone--button")}
            {blank("engage-lottery__hint")}
            {blank("engage-card__bone engage-lottery__bone--list")}
        </div>
        {loading_label(lang)}
    }
}

fn ready(play: Play, frame: Frame) -> impl IntoView {
    let giveaway = frame.mode == LotteryMode::Giveaway;
    view! {
        {(!giveaway).then(|| wheel(play, &frame))}
        {stats(&frame)}
        {action(play, &frame)}
        {prize_list(&frame)}
        {giveaway.then(|| winners(&frame))}
        {fairness(play, &frame)}
    }
}

/// The class of a segment (and of its swatch in the list): prizes take three colours in turn.
fn segment_class(prize: Option<usize>) -> &'static str {
    match prize.map(|i| i % 3) {
        None => "engage-lottery__segment engage-lottery__segment--none",
        Some(0) => "engage-lottery__segment engage-lottery__segment--a",
        Some(1) => "engage-lottery__segment engage-lottery__segment--b",
        Some(_) => "engage-lottery__segment engage-lottery__segment--c",
    }
}

/// A point on the wheel (radius `r` around 100,100) at `degrees` clockwise from the top.
fn point(r: f64, degrees: f64) -> (f64, f64) {
    let (sin, cos) = degrees.to_radians().sin_cos();
    (100.0 + r * sin, 100.0 - r * cos)
}

fn segment_path(start: f64, end: f64) -> String {
    const R: f64 = 96.0;
    if end - start >= 359.99 {
        return format!("M100 4A{R} {R} 0 1 1 99.99 4Z");
    }
    let (x1, y1) = point(R, start);
    let (x2, y2) = point(R, end);
    let large = u8::from(end - start > 180.0);
    format!("M100 100L{x1:.2} {y1:.2}A{R} {R} 0 {large} 1 {x2:.2} {y2:.2}Z")
}

/// A label short enough for a segment.
fn short_label(name: &str) -> String {
    const MAX: usize = 12;
    if name.chars().count() <= MAX {
        name.to_owned()
    } else {
        let mut short: String = name.chars().take(MAX - 1).collect();
        short.push('…');
        short
    }
}

/// The pointer's outline: a triangle pointing down, in a 24 × 24 box.
const POINTER: &str = "M3 2h18L12 22z";

/// The wheel, hidden from screen readers (the prize list says the same): the segments turn
/// under a fixed pointer at the top. The hub's numbers and the pointer's `d=POINTER` are
/// expressions, not string literals, so `view!` builds those shapes node by node instead of
/// parsing them from an HTML string (see "Static markup" in `widget.rs`).
fn wheel(play: Play, frame: &Frame) -> impl IntoView + use<> {
    let rotation = play.rotation;
    let lang = frame.lang;
    let slices = frame
        .segments
        .iter()
        .map(|segment| {
            let name = match segment.prize {
                Some(i) => frame.prizes[i].name.as_str(),
                None => lang.no_prize(),
            };
            let mid = f64::midpoint(segment.start, segment.end);
            let label = (segment.end - segment.start >= 16.0).then(|| {
                view! {
                    <text
                        class="engage-lottery__label"
                        x="186"
                        y="100"
                        text-anchor="end"
                        dominant-baseline="central"
                        transform=format!("rotate({:.2} 100 100)", mid - 90.0)
                    >
                        {short_label(name)}
                    </text>
                }
            });
            view! {
                <path class=segment_class(segment.prize) d=segment_path(segment.start, segment.end)></path>
                {label}
            }
        })
        .collect_view();
    view! {
        <div class="engage-lottery__wheel" part="wheel" aria-hidden="true">
            <div
                class="engage-lottery__disc"
                style:transform=move || format!("rotate({:.2}deg)", rotation.get())
            >
                <svg viewBox="0 0 200 200" class="engage-lottery__svg" focusable="false">
                    {slices}
                    <circle class="engage-lottery__hub" cx=100 cy=100 r=12></circle>
                </svg>
            </div>
            <svg viewBox="0 0 24 24" class="engage-lottery__pointer" focusable="false">
                <path d=POINTER></path>
            </svg>
        </div>
    }
}

/// The member's points and spins left, or the terms for a visitor.
fn stats(frame: &Frame) -> impl IntoView + use<> {
    let lang = frame.lang;
    let giveaway = frame.mode == LotteryMode::Giveaway;
    let parts: Vec<(String, String)> = if giveaway {
        let mut parts = vec![(
            frame.entrants.map(|n| lang.entrants(n)).unwrap_or_default(),
            String::new(),
        )];
        if frame.status != LotteryStatus::Closed {
            parts.push((lang.winners_drawn_at_close(frame.winners), String::new()));
        }
        parts
    } else if let (true, Some(points)) = (frame.signed_in, frame.points) {
        vec![
            (lang.points_balance().to_owned(), points.to_string()),
            (
                lang.spins_left_today().to_owned(),
                frame.spins_left.unwrap_or(0).to_string(),
            ),
        ]
    } else {
        vec![(
            lang.spin_terms(frame.cost, frame.daily_spins),
            String::new(),
        )]
    };
    let parts = parts
        .into_iter()
        .map(|(label, value)| {
            let value = (!value.is_empty()).then(|| {
                view! { <strong class="engage-lottery__stat-value">{value}</strong> }
            });
            view! {
                <span class="engage-lottery__stat">
                    {label}
                    {value.is_some().then_some(" ")}
                    {value}
                </span>
            }
        })
        .collect_view();
    view! { <p class="engage-lottery__stats" part="stats">{parts}</p> }
}

/// The Spin (or Enter) button, with the reason on the line under it when it cannot be used.
/// A closed lottery has no button: the line says it closed and the details how to check it.
fn action(play: Play, frame: &Frame) -> impl IntoView + use<> {
    let lang = frame.lang;
    let pending = play.pending;
    let giveaway = frame.mode == LotteryMode::Giveaway;
    let closed = frame.status == LotteryStatus::Closed;
    let disabled = frame.blocked.is_some();
    let hint = if closed {
        lang.closed_explained().to_owned()
    } else {
        frame.blocked.clone().unwrap_or_default()
    };
    let cost = frame.cost;
    let hint_id = element_id("engage-lottery-hint");
    let button = (!closed).then(|| {
        let label = move || match (pending.get(), giveaway) {
            (true, false) => lang.spinning().to_owned(),
            (true, true) => lang.entering().to_owned(),
            (false, false) => lang.spin_for(cost),
            (false, true) => lang.enter_for(cost),
        };
        let press = move |_| {
            if giveaway {
                play.enter();
            } else {
                play.spin();
            }
        };
        view! {
            <button
                type="button"
                class="engage-card__primary engage-lottery__button"
                part="button"
                disabled=disabled
                aria-disabled=move || if pending.get() { "true" } else { "false" }
                aria-describedby=hint_id.clone()
                on:click=press
            >
                {label}
            </button>
        }
    });
    let entered = giveaway && frame.entered;
    view! {
        <div class="engage-lottery__actions">
            {button}
            <p
                id=hint_id
                class="engage-lottery__hint"
                class:engage-lottery__hint--done=entered
                part="hint"
                tabindex="-1"
            >
                {hint}
            </p>
        </div>
    }
}

/// The prizes as a list: name, stock left and the odds of the next spin.
fn prize_list(frame: &Frame) -> impl IntoView + use<> {
    let lang = frame.lang;
    let total = frame.total_weight();
    let wheel = frame.mode == LotteryMode::Wheel;
    let rows = frame
        .prizes
        .iter()
        .enumerate()
        .map(|(i, prize)| {
            let weight = if prize.stock > 0 { prize.weight } else { 0 };
            row(
                lang,
                Some(i),
                prize.name.clone(),
                Some(prize.stock),
                wheel.then(|| odds(weight, total)),
            )
        })
        .collect_view();
    let none = (wheel && frame.no_prize_weight > 0).then(|| {
        row(
            lang,
            None,
            lang.no_prize().to_owned(),
            None,
            Some(odds(frame.no_prize_weight, total)),
        )
    });
    view! {
        <ul class="engage-lottery__prizes" part="prizes" aria-label=lang.prizes()>
            {rows}
            {none}
        </ul>
    }
}

fn row(
    lang: Lang,
    prize: Option<usize>,
    name: String,
    stock: Option<u32>,
    odds: Option<String>,
) -> impl IntoView {
    let gone = stock == Some(0);
    view! {
        <li class="engage-lottery__prize" class:engage-lottery__prize--gone=gone part="prize">
            <svg class="engage-lottery__swatch" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
                <circle class=segment_class(prize) cx="5" cy="5" r="5"></circle>
            </svg>
            <span class="engage-lottery__prize-name">{name}</span>
            {stock.map(|s| view! { <span class="engage-lottery__stock">{lang.stock_left(s)}</span> })}
            {odds
                .map(|odds| {
                    view! {
                        <span class="engage-lottery__odds">
                            <span class="engage-card__sr">{format!("{} ", lang.chance())}</span>
                            {odds}
                        </span>
                    }
                })}
        </li>
    }
}

/// A closed giveaway's winners, in draw order.
fn winners(frame: &Frame) -> impl IntoView + use<> {
    let lang = frame.lang;
    frame.drawn_winners.clone().map(|names| {
        let list = if names.is_empty() {
            view! { <p class="engage-lottery__no-winners">{lang.no_winners()}</p> }.into_any()
        } else {
            let items = names
                .into_iter()
                .map(|name| view! { <li>{name}</li> })
                .collect_view();
            view! { <ol class="engage-lottery__winner-list">{items}</ol> }.into_any()
        };
        view! {
            <div class="engage-lottery__winners" part="winners">
                <h3 class="engage-lottery__winners-title">{lang.winners()}</h3>
                {list}
            </div>
        }
    })
}

/// "Fairness details": the seed hash now; after close the seed, the proof and how to check it.
fn fairness(play: Play, frame: &Frame) -> impl IntoView + use<> {
    let lang = frame.lang;
    let open = play.fairness_open;
    let hash = match &frame.seed_hash {
        Some(hash) => view! {
            <p class="engage-lottery__fact">{lang.seed_hash_label()}</p>
            <code class="engage-lottery__code">{hash.clone()}</code>
        }
        .into_any(),
        None => view! { <p class="engage-lottery__fact">{lang.seed_hash_pending()}</p> }.into_any(),
    };
    let revealed = frame.seed.clone().map(|seed| {
        let key = play.remote.key_untracked();
        let proof = key.endpoint.lottery_proof_url(&key.subject);
        let server = key.endpoint.server.trim_end_matches('/').to_owned();
        let verify = format!(
            "{server}/verify.html?site={}&lottery={}",
            js_sys::encode_uri_component(&key.endpoint.site),
            js_sys::encode_uri_component(&key.subject),
        );
        view! {
            <p class="engage-lottery__fact">{lang.seed_label()}</p>
            <code class="engage-lottery__code">{seed}</code>
            <p class="engage-lottery__fact">
                <a class="engage-lottery__link" href=proof part="link">{lang.proof_label()}</a>
            </p>
            <p class="engage-lottery__fact">{lang.verify_command_intro()}</p>
            <code class="engage-lottery__code">"engage-server verify-lottery proof.json"</code>
            <p class="engage-lottery__fact">
                <a
                    class="engage-lottery__link engage-lottery__verify"
                    href=verify
                    part="link verify"
                >
                    {lang.verify_the_draw()}
                </a>
            </p>
        }
    });
    view! {
        <details
            class="engage-lottery__fairness"
            part="fairness"
            open=open.get_untracked()
            on:toggle=move |event| {
                let now = event_target::<web_sys::Element>(&event).has_attribute("open");
                open.set(now);
            }
        >
            <summary class="engage-lottery__summary-line">{lang.fairness_details()}</summary>
            <div class="engage-lottery__fairness-body">
                <p class="engage-lottery__explained">{lang.fairness_explained()}</p>
                {hash}
                {revealed}
            </div>
        </details>
    }
}
