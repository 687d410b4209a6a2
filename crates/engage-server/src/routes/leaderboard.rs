//! The points leaderboard (积分榜): `GET /api/v1/sites/{site}/leaderboard?period=&limit=` for
//! anyone (a member token adds the member's own place), and its live stream
//! `…/leaderboard/events`, which says when to read it again.
//!
//! Points are those earned in the period (positive ledger entries on its site-local days; all
//! time: every one); ranks are competition ranks, ties ordered by who reached the points first.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use engage_core::api::leaderboard::{LeaderboardRow, LeaderboardView, MyRank, Period};
use engage_core::badges::member_title;
use engage_core::calendar::calendar_day;
use engage_core::leaderboard::period_bounds;
use engage_core::rules::Rules;
use engage_core::text::display_name;
use serde::Deserialize;

use crate::auth::Visitor;
use crate::error::ApiError;
use crate::extract::{ApiQuery, query_limit};
use crate::live::version_events;
use crate::routes::stream::sse_response;
use crate::state::AppState;
use crate::store::RankedRow;

/// The most rows one answer lists.
pub const MAX_LIMIT: u32 = 100;
const DEFAULT_LIMIT: u32 = 10;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardQuery {
    /// `day`, `week` (the default), `month` or `all`.
    period: Option<String>,
    /// 1 to 100 (default 10).
    limit: Option<String>,
}

/// `GET /api/v1/sites/{site}/leaderboard?period=day|week|month|all&limit=1..100`
pub async fn leaderboard(
    State(state): State<AppState>,
    visitor: Visitor,
    ApiQuery(query): ApiQuery<LeaderboardQuery>,
) -> Result<Json<LeaderboardView>, ApiError> {
    let period = match query.period.as_deref() {
        None | Some("") => Period::default(),
        Some(text) => Period::parse(text).ok_or_else(|| {
            ApiError::InvalidQuery(format!(
                "period '{}' is not one of day, week, month, all",
                text.chars().take(32).collect::<String>()
            ))
        })?,
    };
    let limit = query_limit(query.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let site = visitor.site();
    let today = calendar_day(state.now(), &site.zone);
    let viewer = match &visitor {
        Visitor::Member(member) => Some(&member.id),
        Visitor::Anonymous { .. } => None,
    };
    let rules = state.rules(&site.id).await?;
    let read = state
        .store
        .leaderboard(&site.id, period, today, limit, viewer)
        .await?;
    let bounds = period_bounds(period, today);
    Ok(Json(LeaderboardView {
        period,
        from: bounds.map(|(first, _)| first),
        to: bounds.map(|(_, last)| last),
        top: read
            .top
            .into_iter()
            .map(|row| view_row(&rules, row))
            .collect(),
        me: read.me.map(|(mine, neighbours)| {
            let mine = view_row(&rules, mine);
            MyRank {
                rank: mine.rank,
                points: mine.points,
                title: mine.title,
                badges: mine.badges,
                neighbours: neighbours
                    .into_iter()
                    .map(|row| view_row(&rules, row))
                    .collect(),
            }
        }),
    }))
}

fn view_row(rules: &Rules, row: RankedRow) -> LeaderboardRow {
    let held: Vec<&str> = row.badges.iter().map(String::as_str).collect();
    let title = member_title(rules, row.balance, &held);
    LeaderboardRow {
        rank: row.rank,
        // Names are cleaned where they enter; this also cleans those stored before that.
        name: display_name(&row.name, &row.member),
        member: row.member,
        points: row.points,
        title,
        badges: row.badges,
    }
}

/// `GET /api/v1/sites/{site}/leaderboard/events`: a server-sent event stream. It sends
/// `event: leaderboard` with `data: {"change": "<random token>"}` at once and after ledger
/// changes on the site (several within `leaderboard_event_interval` become one event);
/// listeners read the leaderboard again.
pub async fn leaderboard_events(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<impl IntoResponse, ApiError> {
    let site = &visitor.site().id;
    let (version, receiver) = match state.store.watch.leaderboards.subscribe(site) {
        Some((version, receiver)) => (version, Some(receiver)),
        None => (0, None),
    };
    let events = version_events(
        "leaderboard".into(),
        version,
        receiver,
        state.config.leaderboard_event_interval,
        None,
    );
    Ok(sse_response(events))
}
