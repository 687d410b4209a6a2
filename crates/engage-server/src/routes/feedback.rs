//! Feedback (反馈): members and visitors send it, read the form's settings and their own
//! feedback with the owner's replies; the owner (with the site's API key or a console session)
//! lists and filters it (`q` searches its text, contact and the member's name), sets its status
//! (one at a time or in bulk), replies, and reads the numbers (star averages, NPS) over time.
//!
//! Every answer is JSON; feedback text travels as JSON strings exactly as it was sent and is
//! never rendered as HTML by the server.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use engage_core::api::console::{BulkFeedbackStatus, BulkUpdated};
use engage_core::api::feedback::{
    FeedbackForm, FeedbackItem, FeedbackList, FeedbackReply, FeedbackSent, FeedbackStats,
    FeedbackStatus, MyFeedback, SendFeedback, SendReply, StatsBucket, UpdateFeedback,
};
use engage_core::calendar::calendar_day;
use engage_core::feedback::{
    FeedbackError, FeedbackFilter, check_feedback, check_reply, days_spanned, feedback_form,
    feedback_stats, sender_view,
};
use engage_core::jiff::civil::Date;
use engage_core::ymd;
use serde::Deserialize;

use crate::auth::{SiteAdmin, Visitor};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, ClientIp, path_param};
use crate::state::AppState;

/// Inbox pages hold this many items unless `limit` says otherwise (at most [`MAX_PAGE`]).
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 100;
/// The longest text search, in characters.
const MAX_SEARCH_CHARS: usize = 200;
/// The longest range the numbers cover, in days.
const MAX_STATS_DAYS: i64 = 731;

/// `POST /api/v1/sites/{site}/feedback`: 201 `{"id", "status"}`, plus `awarded` and `points`
/// for members. Feedback the rules judge suspect is stored as spam with the same answer.
pub async fn send_feedback(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<SendFeedback>,
) -> Result<(StatusCode, Json<FeedbackSent>), ApiError> {
    let site = visitor.site();
    let rules = state.rules(&site.id).await?;
    let accepted =
        check_feedback(&rules.feedback, visitor.voter(), request).map_err(ApiError::Feedback)?;
    state
        .limits
        .check_feedback(&site.id, &accepted.sender, ip)?;
    let now = state.now();
    let today = calendar_day(now, &site.zone);
    let sent = state
        .store
        .record_feedback(&site.id, &accepted, visitor.name(), today, now, &rules)
        .await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// `GET /api/v1/sites/{site}/feedback/form`: anyone; what the widget needs to draw the form.
pub async fn form(
    State(state): State<AppState>,
    Path(site): Path<String>,
) -> Result<Json<FeedbackForm>, ApiError> {
    let site = state.site(&site).await?;
    let rules = state.rules(&site.id).await?;
    Ok(Json(feedback_form(&rules.feedback)))
}

/// `GET /api/v1/sites/{site}/feedback/mine`: the caller's feedback (a member's, or a visitor's
/// by `X-Engage-Visitor`), newest first, with the owner's replies.
pub async fn mine(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<MyFeedback>, ApiError> {
    let sender = visitor
        .voter()
        .ok_or(ApiError::Feedback(FeedbackError::MissingVisitorId))?;
    let items = state.store.my_feedback(&visitor.site().id, &sender).await?;
    Ok(Json(MyFeedback {
        items: items.into_iter().map(sender_view).collect(),
    }))
}

/// The owner's inbox filters, as sent in the query string; an empty value means "any".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    status: Option<String>,
    category: Option<String>,
    rating: Option<String>,
    nps: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/feedback`: newest first, filtered, a page at a time.
pub async fn inbox(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> Result<Json<FeedbackList>, ApiError> {
    let filter = inbox_filter(query)?;
    let (items, more) = state.store.list_feedback(&admin.site.id, &filter).await?;
    let next_cursor = more
        .then(|| items.last().map(|item| item.id.to_string()))
        .flatten();
    Ok(Json(FeedbackList { items, next_cursor }))
}

fn inbox_filter(query: InboxQuery) -> Result<FeedbackFilter, ApiError> {
    let status = given(query.status)
        .map(|text| {
            FeedbackStatus::parse(&text).ok_or_else(|| {
                invalid(format!(
                    "status must be new, in_progress, done or spam, not '{}'",
                    shown(&text)
                ))
            })
        })
        .transpose()?;
    let search = given(query.q)
        .map(|q| {
            if q.chars().count() > MAX_SEARCH_CHARS {
                Err(invalid(format!(
                    "q must have at most {MAX_SEARCH_CHARS} characters"
                )))
            } else {
                Ok(q)
            }
        })
        .transpose()?;
    let limit = number(query.limit, "limit", 1, i64::from(MAX_PAGE))?;
    Ok(FeedbackFilter {
        status,
        category: given(query.category),
        rating: small(query.rating, "rating", 1, 5)?,
        nps: small(query.nps, "nps", 0, 10)?,
        from: day(query.from, "from")?,
        to: day(query.to, "to")?,
        search,
        before_id: number(query.cursor, "cursor", 1, i64::MAX)?,
        limit: limit.map_or(DEFAULT_PAGE, |n| u32::try_from(n).unwrap_or(MAX_PAGE)),
    })
}

/// The most pieces of feedback one bulk change may name.
pub const MAX_BULK_IDS: usize = 100;

/// `POST /api/v1/admin/sites/{site}/feedback/bulk` with `{"ids", "status"}`: sets the status of
/// each listed piece of the site's feedback in one transaction; answers how many changed (ids
/// of other sites, of no feedback, or already with that status count for nothing). 422
/// `invalid_body` for no ids, more than 100, or one below 1. Audited (`feedback_status`).
pub async fn bulk_status(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(request): ApiJson<BulkFeedbackStatus>,
) -> Result<Json<BulkUpdated>, ApiError> {
    if request.ids.is_empty() || request.ids.len() > MAX_BULK_IDS {
        return Err(ApiError::InvalidBody(format!(
            "ids must list 1 to {MAX_BULK_IDS} feedback ids"
        )));
    }
    if let Some(bad) = request.ids.iter().find(|id| **id < 1) {
        return Err(ApiError::InvalidBody(format!(
            "ids must be feedback ids (1 or more), not {bad}"
        )));
    }
    let updated = state
        .store
        .set_feedback_statuses(
            &admin.site.id,
            &request.ids,
            request.status,
            state.now(),
            Some(&admin.actor),
        )
        .await?;
    Ok(Json(BulkUpdated { updated }))
}

/// `GET /api/v1/admin/sites/{site}/feedback/{feedback}`.
pub async fn item(
    State(state): State<AppState>,
    admin: SiteAdmin,
    FeedbackPath(id): FeedbackPath,
) -> Result<Json<FeedbackItem>, ApiError> {
    let item = state.store.feedback_item(&admin.site.id, id).await?;
    found(id, item)
}

/// `PATCH /api/v1/admin/sites/{site}/feedback/{feedback}` with `{"status"}`: triage, or
/// restore feedback held as spam (`"new"`). Answers the feedback as the owner sees it.
pub async fn update(
    State(state): State<AppState>,
    admin: SiteAdmin,
    FeedbackPath(id): FeedbackPath,
    ApiJson(update): ApiJson<UpdateFeedback>,
) -> Result<Json<FeedbackItem>, ApiError> {
    let item = state
        .store
        .set_feedback_status(
            &admin.site.id,
            id,
            update.status,
            state.now(),
            Some(&admin.actor),
        )
        .await?;
    found(id, item)
}

/// `POST /api/v1/admin/sites/{site}/feedback/{feedback}/replies` with `{"text"}`: 201 with the
/// reply, which the sender sees in `/feedback/mine`.
pub async fn reply(
    State(state): State<AppState>,
    admin: SiteAdmin,
    FeedbackPath(id): FeedbackPath,
    ApiJson(reply): ApiJson<SendReply>,
) -> Result<(StatusCode, Json<FeedbackReply>), ApiError> {
    check_reply(&reply.text).map_err(ApiError::Feedback)?;
    let stored = state
        .store
        .add_feedback_reply(
            &admin.site.id,
            id,
            &reply.text,
            state.now(),
            Some(&admin.actor),
        )
        .await?
        .ok_or_else(|| ApiError::FeedbackNotFound(id.to_string()))?;
    Ok((StatusCode::CREATED, Json(stored)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/feedback/stats?from=&to=&bucket=day|week`: star averages and
/// NPS per bucket of site-local days, and totals. By default the 30 days (day buckets) or 12
/// weeks (week buckets) up to today.
pub async fn stats(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<FeedbackStats>, ApiError> {
    let bucket = given(query.bucket)
        .map(|text| {
            StatsBucket::parse(&text).ok_or_else(|| {
                invalid(format!(
                    "bucket must be day or week, not '{}'",
                    shown(&text)
                ))
            })
        })
        .transpose()?
        .unwrap_or_default();
    let today = calendar_day(state.now(), &admin.site.zone);
    let to = day(query.to, "to")?.unwrap_or(today);
    let default_days = match bucket {
        StatsBucket::Day => 30,
        StatsBucket::Week => 12 * 7,
    };
    let from = match day(query.from, "from")? {
        Some(from) => from,
        None => to
            .checked_sub(engage_core::jiff::Span::new().days(default_days - 1))
            .map_err(|_| invalid("to is too early".into()))?,
    };
    if from > to {
        return Err(invalid(format!("from ({from}) is after to ({to})")));
    }
    if days_spanned(from, to) > MAX_STATS_DAYS {
        return Err(invalid(format!(
            "from..to may span at most {MAX_STATS_DAYS} days"
        )));
    }
    let counts = state
        .store
        .feedback_counts(&admin.site.id, from, to)
        .await?;
    Ok(Json(feedback_stats(&counts, from, to, bucket)))
}

/// The `{feedback}` of the path: an id that cannot exist is "not found", like a missing one.
#[derive(Debug, Clone, Copy)]
pub struct FeedbackPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for FeedbackPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<FeedbackPath, ApiError> {
        let raw = path_param(parts, "feedback").await?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(FeedbackPath)
            .ok_or_else(|| ApiError::FeedbackNotFound(shown(&raw)))
    }
}

/// The answer for the feedback `id` of a site, if it has one.
fn found<T>(id: i64, item: Option<T>) -> Result<Json<T>, ApiError> {
    item.map(Json)
        .ok_or_else(|| ApiError::FeedbackNotFound(id.to_string()))
}

fn invalid(message: String) -> ApiError {
    ApiError::InvalidQuery(message)
}

/// A query value, with an empty one read as absent.
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// At most 32 characters of a caller's value, for messages.
fn shown(text: &str) -> String {
    text.chars().take(32).collect()
}

fn number(value: Option<String>, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
    given(value)
        .map(|text| {
            text.parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    invalid(format!(
                        "{name} must be a whole number from {min} to {max}, not '{}'",
                        shown(&text)
                    ))
                })
        })
        .transpose()
}

fn small(value: Option<String>, name: &str, min: i64, max: i64) -> Result<Option<u8>, ApiError> {
    Ok(number(value, name, min, max)?.and_then(|n| u8::try_from(n).ok()))
}

fn day(value: Option<String>, name: &str) -> Result<Option<Date>, ApiError> {
    given(value)
        .map(|text| {
            ymd::parse(&text).ok_or_else(|| {
                invalid(format!(
                    "{name} must be a date (YYYY-MM-DD), not '{}'",
                    shown(&text)
                ))
            })
        })
        .transpose()
}
