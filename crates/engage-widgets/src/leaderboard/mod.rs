//! The points leaderboard (积分榜, `<engage-leaderboard>`): a tab per period (today, this week,
//! this month, all time), the top N with competition ranks (1, 2, 2, 4) as the server gives
//! them, the viewing member's own row highlighted — below a gap with their neighbours when they
//! are outside the top — and their own card: points, level and title with the way to the next
//! level, badges earned and still to earn.
//!
//! The ranking and, for a member, their card (`/me`) are read together with one [`Remote`]
//! keyed on server, site, member token, period and limit — one resource rather than two keeps
//! the wasm smaller. The server's event stream only says *that* points changed on the site; the
//! widget then reads both again in the background, so ranks follow every check-in, vote or
//! spin without a reload.

use engage_core::api::Me;
use engage_core::api::leaderboard::{LeaderboardView, Period};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::Lang;
use crate::live;
use crate::poll::element_id;
use crate::widget::{
    LoadKey, Phase, PhaseKind, ReadyDetail, Remote, Shell, blank, card, failure_message, glyph,
    loading_label,
};
use crate::{Theme, Widget};

mod strings;

/// The widget's own styles, adopted after the shared card styles.
pub static LEADERBOARD_CSS: &str = include_str!("leaderboard.css");

const DEFAULT_LIMIT: u32 = 10;
/// The most rows the server lists.
const MAX_LIMIT: u32 = 100;
/// The height of one row and of the column heads in px, as `leaderboard.css` draws them: the
/// panel reserves the heads and `limit` rows.
const ROW_HEIGHT: u32 = 40;
const HEADS_HEIGHT: u32 = 20;

/// The points ranking of a period and, for a signed-in member, their own place and card.
///
/// Anyone may read the ranking; without a member token the widget shows it with "Sign in to
/// see your rank" in place of the member's card.
#[component]
pub fn Leaderboard(
    /// The site id the owner registered on the Engage server (the `site` attribute).
    #[prop(into)]
    site: Signal<String>,
    /// The member token minted by the host site's backend (the `member-token` attribute or
    /// `Engage.identify`); with one the member's own rank, neighbours and card are shown.
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
    /// The period shown first (the `period` attribute: `day`, `week`, `month`, `all`); by
    /// default the week. The member can switch with the tabs.
    #[prop(optional, into)]
    period: MaybeProp<Period>,
    /// How many of the top members to list (the `limit` attribute), 1 to 100; by default 10.
    #[prop(optional, into)]
    limit: MaybeProp<u32>,
) -> impl IntoView {
    let shell = Shell::new(
        Widget::Leaderboard,
        LEADERBOARD_CSS,
        site,
        member_token,
        server,
        lang,
        theme,
    );
    let lang = shell.lang;
    let selected = RwSignal::new(period.get_untracked().unwrap_or_default());
    // A changed `period` attribute switches the tab; the member's own switching stays until then.
    Effect::new(move |_| {
        if let Some(period) = period.get()
            && period != selected.get_untracked()
        {
            selected.set(period);
        }
    });
    let limit = Memo::new(move |_| limit.get().unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT));
    let subject = Signal::derive(move || format!("{}:{}", selected.get(), limit.get()));
    let board = Remote::new(shell.client, subject, false, read_board);
    // The balance follows another widget's write at once; the ranking, on the stream's event.
    shell.follow_balance(move |points| {
        board.modify(|board| {
            if let Some(me) = &mut board.me {
                me.points = points;
            }
        });
    });
    let phase = board.phase;
    shell.report_phases(phase, move || ReadyDetail {
        widget: Widget::Leaderboard.as_str(),
        site: site.get_untracked(),
        poll: None,
    });
    let kind = Memo::new(move |_| phase.with(Phase::kind));

    // Live: listen to the `leaderboard` channel of the page's stream while the ranking can be
    // shown (a new tab or a new limit keeps the subscription: server and site are the same) and read both again on every change.
    let reads = StoredValue::new(0_u32);
    let live_on = Memo::new(move |_| {
        (kind.get() != PhaseKind::Failed).then(|| {
            let endpoint = shell.client.endpoint();
            (endpoint.server, endpoint.site)
        })
    });
    live::follow(
        move || {
            live_on
                .get()
                .map(|_| (shell.client.endpoint_untracked(), "leaderboard".to_owned()))
        },
        move || reread(board, reads),
    );

    let rows = Memo::new(move |_| {
        phase.with(|p| {
            p.ready()
                .map(|board| ranked_rows(&board.view, board.me.as_ref(), lang.get()))
        })
    });
    let panel_id = element_id("engage-leaderboard-panel");
    let tab_id = element_id("engage-leaderboard-tab");
    let panel = {
        let tab_id = tab_id.clone();
        let body = move || match kind.get() {
            PhaseKind::Loading => skeleton(lang).into_any(),
            PhaseKind::Failed | PhaseKind::SignedOut => failure_message(shell, board).into_any(),
            PhaseKind::Ready => (move || rows.get().map(|rows| ranking(lang, rows))).into_any(),
        };
        let panel_id = panel_id.clone();
        view! {
            <div
                id=panel_id
                class="engage-leaderboard__panel"
                part="panel"
                role="tabpanel"
                tabindex="0"
                aria-labelledby=move || format!("{tab_id}-{}", selected.get())
                style:min-height=move || format!("{}px", HEADS_HEIGHT + ROW_HEIGHT * limit.get())
            >
                {body}
            </div>
            {own_card(shell, board)}
        }
    };
    let header = view! {
        <header class="engage-card__header engage-leaderboard__header" part="header">
            <h2 class="engage-card__title engage-leaderboard__title" part="title">
                {move || lang.get().leaderboard_title()}
            </h2>
        </header>
        {tabs(shell, selected, tab_id, panel_id)}
    };
    card(
        shell,
        "engage-leaderboard",
        Lang::leaderboard_title,
        move || kind.get() == PhaseKind::Loading,
        header,
        panel,
    )
}

/// What the widget shows: the ranking and, for a member, their card.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Board {
    view: LeaderboardView,
    /// `None` without a member token, or when `/me` could not be read (the ranking still
    /// shows, and the next change reads it again).
    me: Option<Me>,
}

/// Reads the ranking (the key's subject is `period:limit`), then the member's card.
async fn read_board(key: LoadKey) -> Result<Board, ApiError> {
    let (period, limit) = key.subject.split_once(':').unwrap_or_default();
    let period = Period::parse(period).unwrap_or_default();
    let limit = limit.parse().unwrap_or(DEFAULT_LIMIT);
    let view = key.endpoint.leaderboard(period, limit).await?;
    let me = match key.endpoint.token {
        Some(_) => key.endpoint.me().await.ok(),
        None => None,
    };
    Ok(Board { view, me })
}

/// Reads the board again in the background and shows the answer; a failed read keeps what is
/// shown, and an answer overtaken by a later read is dropped.
fn reread(remote: Remote<Board>, reads: StoredValue<u32>) {
    let Some(this_read) = reads.try_update_value(|n| {
        *n = n.wrapping_add(1);
        *n
    }) else {
        return;
    };
    let key = remote.key_untracked();
    leptos::task::spawn_local(async move {
        if let Ok(value) = read_board(key.clone()).await
            && reads.try_get_value() == Some(this_read)
        {
            remote.accept(&key, value);
        }
    });
}

/// The tab list: one tab per period, the selected one in the tab order, arrow keys (and Home,
/// End) moving between them and selecting as they go.
fn tabs(
    shell: Shell,
    selected: RwSignal<Period>,
    tab_id: String,
    panel_id: String,
) -> impl IntoView {
    let lang = shell.lang;
    let tabs = Period::ALL
        .into_iter()
        .enumerate()
        .map(|(index, period)| {
            let is_selected = move || selected.get() == period;
            let keydown = move |event: leptos::ev::KeyboardEvent| {
                let last = Period::ALL.len() - 1;
                let next = match event.key().as_str() {
                    "ArrowRight" | "ArrowDown" => (index + 1) % Period::ALL.len(),
                    "ArrowLeft" | "ArrowUp" => (index + last) % Period::ALL.len(),
                    "Home" => 0,
                    "End" => last,
                    _ => return,
                };
                event.prevent_default();
                selected.set(Period::ALL[next]);
                focus_tab(shell, next);
            };
            view! {
                <button
                    type="button"
                    role="tab"
                    id=format!("{tab_id}-{period}")
                    class="engage-leaderboard__tab"
                    part="tab"
                    aria-selected=move || if is_selected() { "true" } else { "false" }
                    aria-controls=panel_id.clone()
                    tabindex=move || if is_selected() { "0" } else { "-1" }
                    on:click=move |_| selected.set(period)
                    on:keydown=keydown
                >
                    {move || lang.get().period_name(period)}
                </button>
            }
        })
        .collect_view();
    view! {
        <div
            class="engage-leaderboard__tabs"
            part="tabs"
            role="tablist"
            aria-label=move || lang.get().leaderboard_periods()
        >
            {tabs}
        </div>
    }
}

fn focus_tab(shell: Shell, index: usize) {
    let selector = format!(".engage-leaderboard__tab:nth-child({})", index + 1);
    let tab = shell
        .card
        .get_untracked()
        .and_then(|card| card.query_selector(&selector).ok().flatten());
    if let Some(tab) = tab.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = tab.focus();
    }
}

/// One row as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    rank: u32,
    name: String,
    title: String,
    badges: usize,
    points: i64,
    mine: bool,
}

/// What the panel lists: the top rows, then — when the member is outside the top — their
/// neighbours and own row after a gap (`gap_before`: the index of the first of those).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rows {
    period: Period,
    rows: Vec<Row>,
    gap_before: Option<usize>,
}

/// The rows of `view` for the member `me` (when `/me` has answered): their own row marked in
/// the top, or appended with their neighbours in ranking order when outside it.
fn ranked_rows(view: &LeaderboardView, me: Option<&Me>, lang: Lang) -> Rows {
    let my_id = me.map(|me| me.member.as_str());
    let row = |r: &engage_core::api::leaderboard::LeaderboardRow| Row {
        rank: r.rank,
        name: r.name.clone(),
        title: r.title.clone(),
        badges: r.badges.len(),
        points: r.points,
        mine: Some(r.member.as_str()) == my_id,
    };
    let mut rows: Vec<Row> = view.top.iter().map(row).collect();
    let last_rank = view.top.last().map_or(0, |r| r.rank);
    let mut gap_before = None;
    let outside = view.me.as_ref().filter(|mine| {
        !view.top.is_empty()
            && match my_id {
                Some(id) => !view.top.iter().any(|r| r.member == id),
                // Until `/me` names the member, only a rank below the top says where they are.
                None => mine.rank > last_rank,
            }
    });
    if let Some(mine) = outside {
        let mut extra: Vec<Row> = mine
            .neighbours
            .iter()
            .filter(|n| !view.top.iter().any(|r| r.member == n.member))
            .map(row)
            .collect();
        // The server lists up to two neighbours above and two below; a tie may stand on
        // either side, so it goes above while there is room.
        let above = extra.iter().filter(|n| n.rank < mine.rank).count();
        let tied = extra.iter().filter(|n| n.rank == mine.rank).count();
        let at = (above + tied)
            .min(above.max(2))
            .max(extra.len().saturating_sub(2));
        extra.insert(
            at.min(extra.len()),
            Row {
                rank: mine.rank,
                name: me.map_or_else(|| lang.you().to_owned(), |me| me.name.clone()),
                title: mine.title.clone(),
                badges: mine.badges.len(),
                points: mine.points,
                mine: true,
            },
        );
        if extra.first().is_some_and(|r| r.rank > last_rank + 1) {
            gap_before = Some(rows.len());
        }
        rows.extend(extra);
    }
    Rows {
        period: view.period,
        rows,
        gap_before,
    }
}

/// The loaded panel: the ranking, or what an empty period says.
fn ranking(lang: Memo<Lang>, shown: Rows) -> AnyView {
    let lang = lang.get_untracked();
    if shown.rows.is_empty() {
        return view! {
            <div class="engage-card__message engage-leaderboard__empty" part="message">
                <p class="engage-card__message-title">{lang.leaderboard_empty(shown.period)}</p>
            </div>
        }
        .into_any();
    }
    let rows = shown
        .rows
        .into_iter()
        .enumerate()
        .map(|(index, row)| {
            let gap = (shown.gap_before == Some(index)).then(|| {
                view! {
                    <li class="engage-leaderboard__gap" part="gap">
                        {glyph(None, "…")}
                        <span class="engage-card__sr">{lang.more_ranks()}</span>
                    </li>
                }
            });
            view! {
                {gap}
                {row_view(lang, row)}
            }
        })
        .collect_view();
    view! {
        <div class="engage-leaderboard__heads" aria-hidden="true">
            <span>{lang.rank_heading()}</span>
            <span>{lang.member_heading()}</span>
            <span>{lang.badges_heading()}</span>
            <span>{lang.points_balance()}</span>
        </div>
        <ol class="engage-leaderboard__list" part="list">{rows}</ol>
    }
    .into_any()
}

fn row_view(lang: Lang, row: Row) -> impl IntoView {
    let Row {
        rank,
        name,
        title,
        badges,
        points,
        mine,
    } = row;
    let class = match (mine, rank) {
        (true, _) => "engage-leaderboard__row engage-leaderboard__row--mine",
        (false, 1..=3) => "engage-leaderboard__row engage-leaderboard__row--podium",
        _ => "engage-leaderboard__row",
    };
    view! {
        <li class=class part="row" aria-current=mine.then_some("true")>
            <span class="engage-leaderboard__rank">
                <span class="engage-card__sr">{lang.rank_label(rank)}</span>
                <span aria-hidden="true">{rank}</span>
            </span>
            <span class="engage-leaderboard__who">
                <span class="engage-leaderboard__name">{name}</span>
                {mine.then(|| view! { <span class="engage-card__sr">{lang.your_rank()}</span> })}
                <span class="engage-leaderboard__member-title">{title}</span>
            </span>
            <span class="engage-leaderboard__badges">
                <span aria-hidden="true">{badges}</span>
                <span class="engage-card__sr">{lang.badge_count(badges)}</span>
            </span>
            <span class="engage-leaderboard__points">{lang.period_points(points)}</span>
        </li>
    }
}

/// The placeholder shown while loading: one bone, drawn as rows, filling the room the panel
/// reserves for the list.
fn skeleton(lang: Memo<Lang>) -> impl IntoView {
    view! {
        {blank("engage-card__bone engage-leaderboard__bone")}
        {loading_label(lang)}
    }
}

/// The member's own card under the ranking: points, level and title with the way to the next
/// level, badges earned and still to earn; "Sign in to see your rank" without a member. While
/// loading (or where `/me` failed) its room stays reserved, empty.
fn own_card(shell: Shell, board: Remote<Board>) -> impl IntoView {
    let Shell { lang, client, .. } = shell;
    let body = move || {
        let lang = lang.get();
        if client
            .token
            .with(|t| t.as_deref().is_none_or(|t| t.trim().is_empty()))
        {
            return view! {
                <div class="engage-leaderboard__sign-in">
                    <p class="engage-card__message-title">{lang.sign_in_to_see_rank()}</p>
                    <p class="engage-card__message-hint">{lang.sign_in_to_see_rank_hint()}</p>
                </div>
            }
            .into_any();
        }
        board
            .phase
            .with(|p| {
                p.ready()
                    .and_then(|b| b.me.as_ref())
                    .map(|me| my_progress(lang, me))
            })
            .into_any()
    };
    view! { <div class="engage-leaderboard__me" part="me">{body}</div> }
}

fn my_progress(lang: Lang, me: &Me) -> impl IntoView + use<> {
    let (value, max, next) = match &me.next_level {
        Some(next) => (
            me.points.clamp(0, next.min_points),
            next.min_points.max(1),
            lang.to_next_level(next.min_points - me.points, next.level, &next.title),
        ),
        None => (1, 1, lang.top_level_reached().to_owned()),
    };
    let earned: Vec<String> = me.badges.iter().map(|b| b.name.clone()).collect();
    let to_earn: Vec<String> = me.badges_available.iter().map(|b| b.name.clone()).collect();
    view! {
        <p class="engage-leaderboard__level">
            <span class="engage-leaderboard__level-title">{lang.level_line(me.level, &me.title)}</span>
            <span class="engage-leaderboard__balance">{lang.balance(me.points)}</span>
        </p>
        // The text under the bar says the same, so the bar is named by it.
        <progress
            class="engage-leaderboard__progress"
            part="progress"
            max=max.to_string()
            value=value.to_string()
            aria-label=next.clone()
        ></progress>
        <p class="engage-leaderboard__next">{next}</p>
        {badge_line(lang.badges_earned(), earned, lang, false)}
        {badge_line(lang.badges_to_earn(), to_earn, lang, true)}
    }
}

/// A labelled line of badge chips (names as text), or "None yet".
fn badge_line(label: &'static str, names: Vec<String>, lang: Lang, locked: bool) -> impl IntoView {
    let id = element_id("engage-leaderboard-badges");
    let chip_class = if locked {
        "engage-leaderboard__chip engage-leaderboard__chip--locked"
    } else {
        "engage-leaderboard__chip"
    };
    let chips = if names.is_empty() {
        view! { <li class="engage-leaderboard__none">{lang.no_badges_yet()}</li> }.into_any()
    } else {
        names
            .into_iter()
            .map(|name| view! { <li class=chip_class part="badge">{name}</li> })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="engage-leaderboard__badge-line">
            <span class="engage-leaderboard__badge-label" id=id.clone()>{label}</span>
            <ul class="engage-leaderboard__chips" aria-labelledby=id>{chips}</ul>
        </div>
    }
}
