//! Daily check-in (签到): today's state, checking in, and make-up check-ins (补签).

use axum::Json;
use axum::extract::State;
use engage_core::api::{CheckinState, MakeupRequest};
use engage_core::calendar::{YearMonth, calendar_day};
use engage_core::checkin::{
    current_streak, days_in_month, freezes_for_checkin, longest_streak, makeup_offer,
    next_milestone,
};
use engage_core::jiff::civil::Date;
use engage_core::rules::Rules;
use serde::Deserialize;

use crate::auth::Member;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{CheckinSummary, MakeupRecorded};

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    /// The month to show, `YYYY-MM`; the current month when absent.
    month: Option<String>,
}

/// `GET /api/v1/sites/{site}/checkin[?month=YYYY-MM]`
pub async fn checkin_state(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MonthQuery>,
    member: Member,
) -> Result<Json<CheckinState>, ApiError> {
    let now = state.now();
    let today = calendar_day(now, &member.site.zone);
    let month = match query.month.as_deref() {
        None => YearMonth::of(today),
        Some(text) => YearMonth::parse(text).map_err(|e| ApiError::InvalidQuery(e.to_string()))?,
    };
    let rules = state.rules(&member.site.id).await?;
    state
        .store
        .note_member_seen(&member.site.id, &member.id, &member.name, now)
        .await?;
    let summary = state
        .store
        .checkin_summary(&member.site.id, &member.id, today)
        .await?;
    Ok(Json(checkin_view(&rules, today, month, &summary)))
}

/// `POST /api/v1/sites/{site}/checkin`: checks in for today, once; a repeat answers
/// `already: true` and awards nothing.
pub async fn check_in(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<CheckinState>, ApiError> {
    let now = state.now();
    let today = calendar_day(now, &member.site.zone);
    let rules = state.rules(&member.site.id).await?;
    let recorded = state
        .store
        .record_checkin(
            &member.site.id,
            &member.id,
            &member.name,
            today,
            now,
            &rules,
        )
        .await?;
    let mut view = checkin_view(&rules, today, YearMonth::of(today), &recorded.summary);
    view.already = !recorded.inserted;
    view.awarded = recorded.awarded;
    view.badges = recorded.badges;
    Ok(Json(view))
}

/// `POST /api/v1/sites/{site}/checkin/makeup` with `{"date": "YYYY-MM-DD"}`: repairs a missed
/// day for points, if the site's rules allow it.
pub async fn make_up(
    State(state): State<AppState>,
    member: Member,
    ApiJson(request): ApiJson<MakeupRequest>,
) -> Result<Json<CheckinState>, ApiError> {
    let now = state.now();
    let today = calendar_day(now, &member.site.zone);
    let rules = state.rules(&member.site.id).await?;
    let recorded = state
        .store
        .record_makeup(
            &member.site.id,
            &member.id,
            &member.name,
            today,
            request.date,
            now,
            &rules,
        )
        .await?;
    match recorded {
        MakeupRecorded::Refused(refused) => Err(ApiError::Makeup(refused)),
        MakeupRecorded::Done {
            spent,
            summary,
            badges,
        } => {
            let mut view = checkin_view(&rules, today, YearMonth::of(request.date), &summary);
            view.spent = spent;
            view.badges = badges;
            Ok(Json(view))
        }
    }
}

/// The check-in state as the widget shows it, every number from the core's rules.
fn checkin_view(
    rules: &Rules,
    today: Date,
    month: YearMonth,
    summary: &CheckinSummary,
) -> CheckinState {
    let days = &summary.days;
    // While today is open, a gap the freezes held will cover at the next check-in does not
    // break the streak shown.
    let mut kept = summary.frozen.clone();
    kept.extend(freezes_for_checkin(
        days,
        &summary.frozen,
        summary.freezes,
        today,
    ));
    let streak = current_streak(days, &kept, today);
    CheckinState {
        date: today,
        checked_in: days.contains(&today),
        already: false,
        streak,
        longest_streak: longest_streak(days, &summary.frozen),
        awarded: 0,
        points: summary.balance,
        month: days_in_month(days, month),
        badges: Vec::new(),
        month_of: month.to_string(),
        total_checkins: u32::try_from(days.len()).unwrap_or(u32::MAX),
        spent: 0,
        points_per_checkin: rules.checkin.points,
        next_milestone: next_milestone(&rules.checkin, streak),
        makeup: makeup_offer(
            &rules.checkin,
            days,
            &summary.frozen,
            today,
            summary.makeups_this_month,
        ),
        freezes: summary.freezes,
        frozen: days_in_month(&summary.frozen, month),
    }
}
