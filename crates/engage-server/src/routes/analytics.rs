//! `GET /api/v1/admin/sites/{site}/analytics?from=&to=`: the owner's numbers (PRODUCT.md,
//! "Analytics") for the site-local days `from..=to`, and the same days as the `analytics` CSV
//! export.
//!
//! `to` defaults to today and `from` to 29 days before `to` (the 30 days ending today when
//! neither is given). A value that is not a `YYYY-MM-DD` date is 400 `invalid_query`; a
//! reversed range is 422 `range_reversed`, one of more than 366 days 422 `range_too_long`.

use axum::Json;
use axum::extract::State;
use engage_core::analytics::{
    DEFAULT_RANGE_DAYS, add_days, analytics_view, check_range, facts_start,
};
use engage_core::api::analytics::{AnalyticsView, BadgeCount};
use engage_core::calendar::calendar_day;
use engage_core::jiff::civil::Date;
use engage_core::jiff::tz::TimeZone;
use engage_core::jiff::{Timestamp, Zoned};
use engage_core::ymd;
use serde::Deserialize;

use crate::auth::SiteAdmin;
use crate::csv_encode::{Cell, push_header, push_row};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::{AppState, SiteContext};
use crate::store::AnalyticsSpan;

#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn analytics(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<AnalyticsView>, ApiError> {
    let (from, to) = range(&state, &admin.site, &query)?;
    Ok(Json(view(&state, &admin.site, from, to).await?))
}

/// The days `from..=to` asked for by `query` (defaults filled in), checked.
pub fn range(
    state: &AppState,
    site: &SiteContext,
    query: &RangeQuery,
) -> Result<(Date, Date), ApiError> {
    let to = match day(query.to.as_deref(), "to")? {
        Some(to) => to,
        None => calendar_day(state.now(), &site.zone),
    };
    let from = day(query.from.as_deref(), "from")?.unwrap_or(add_days(to, 1 - DEFAULT_RANGE_DAYS));
    check_range(from, to).map_err(ApiError::InvalidRange)?;
    Ok((from, to))
}

/// The whole answer for a checked range.
pub async fn view(
    state: &AppState,
    site: &SiteContext,
    from: Date,
    to: Date,
) -> Result<AnalyticsView, ApiError> {
    let span = AnalyticsSpan {
        start: facts_start(from, to),
        from,
        to,
        from_at: start_of(from, &site.zone)?,
        until_at: start_of(add_days(to, 1), &site.zone)?,
    };
    let read = state.store.analytics_facts(&site.id, span).await?;
    let rules = state.rules(&site.id).await?;
    let mut view = analytics_view(&read.facts, from, to);
    view.points_by_source = read.points_by_source;
    view.top_badges = read
        .top_badges
        .into_iter()
        .map(|(id, earned)| BadgeCount {
            name: rules
                .badges
                .iter()
                .find(|badge| badge.id == id)
                .map_or_else(|| id.clone(), |badge| badge.name.clone()),
            id,
            earned,
        })
        .collect();
    view.polls = read.polls;
    view.lotteries = read.lotteries;
    Ok(view)
}

/// The analytics days as CSV rows after a header: what `…/export/analytics.csv` sends.
pub fn days_csv(view: &AnalyticsView) -> String {
    let mut out = String::new();
    push_header(
        &mut out,
        &[
            "date",
            "dau",
            "wau",
            "mau",
            "engaged",
            "new_members",
            "checkins",
            "points_issued",
            "points_spent",
        ],
    );
    let count = |n: u64| Cell::Int(i64::try_from(n).unwrap_or(i64::MAX));
    for day in &view.days {
        let date = ymd::format(day.date);
        push_row(
            &mut out,
            &[
                Cell::Text(&date),
                count(day.dau),
                count(day.wau),
                count(day.mau),
                count(day.engaged),
                count(day.new_members),
                count(day.checkins),
                Cell::Int(day.points_issued),
                Cell::Int(day.points_spent),
            ],
        );
    }
    out
}

/// The instant a site-local day begins (its first instant, also on days a DST change skips).
fn start_of(day: Date, zone: &TimeZone) -> Result<Timestamp, ApiError> {
    day.to_zoned(zone.clone())
        .map(|zoned: Zoned| zoned.timestamp())
        .map_err(|e| ApiError::Internal(format!("start of {day}: {e}")))
}

fn day(value: Option<&str>, name: &str) -> Result<Option<Date>, ApiError> {
    match value {
        None | Some("") => Ok(None),
        Some(text) => ymd::parse(text).map(Some).ok_or_else(|| {
            ApiError::InvalidQuery(format!(
                "{name} must be a date (YYYY-MM-DD), not '{}'",
                text.chars().take(32).collect::<String>()
            ))
        }),
    }
}
