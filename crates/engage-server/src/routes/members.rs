//! The owner's members under `/api/v1/admin/sites/{site}/members`: search by id prefix or name,
//! one member in full (balance, level, title, badges, streaks), their whole ledger a page at a
//! time, and points adjustments — a ledger entry with source `admin` and the owner's reason,
//! which the member sees in their `/me` ledger, never taking a balance below zero.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use engage_core::MemberId;
use engage_core::api::console::{
    AdjustPoints, LedgerPage, MemberDetail, MemberList, MemberSummary, PointsAdjusted,
};
use engage_core::badges::member_title;
use engage_core::calendar::calendar_day;
use engage_core::checkin::{current_streak, longest_streak};
use engage_core::level::level_for;
use engage_core::rules::Rules;
use serde::Deserialize;

use crate::auth::SiteAdmin;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, path_param, query_cursor, query_limit};
use crate::routes::me::badge_views;
use crate::state::AppState;
use crate::store::{Adjustment, MemberRecord, PointsAdjustment};
use crate::webhooks::random_hex;

/// The longest search text, in characters.
const MAX_QUERY_CHARS: usize = 128;
/// The most points one adjustment adds or takes away.
pub const MAX_ADJUSTMENT: i64 = 1_000_000;
/// The longest reason, in characters (after trimming).
pub const MAX_REASON_CHARS: usize = 200;

/// The `{member}` of the path. An id that cannot exist is "not found", like a missing member.
#[derive(Debug, Clone)]
pub struct MemberPath(pub MemberId);

impl<S: Send + Sync> FromRequestParts<S> for MemberPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<MemberPath, ApiError> {
        let raw = path_param(parts, "member").await?;
        MemberId::parse(&raw)
            .map(MemberPath)
            .map_err(|_| ApiError::MemberNotFound(raw.chars().take(MemberId::MAX_LEN).collect()))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersQuery {
    /// An id prefix or a part of the name.
    q: Option<String>,
    /// 1 to 100 (default 50).
    limit: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/members?q=&limit=&after=`: in member id order.
pub async fn members(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<MembersQuery>,
) -> Result<Json<MemberList>, ApiError> {
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if search.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        return Err(ApiError::InvalidQuery(format!(
            "q must have at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let after = query.after.as_deref().filter(|after| !after.is_empty());
    if after.is_some_and(|after| after.chars().count() > MemberId::MAX_LEN) {
        return Err(ApiError::InvalidQuery(format!(
            "after must be a member id of at most {} characters",
            MemberId::MAX_LEN
        )));
    }
    let limit = query_limit(query.limit.as_deref(), 50, 100)?;
    let rules = state.rules(&admin.site.id).await?;
    let (records, next) = state
        .store
        .search_members(&admin.site.id, search, after, limit)
        .await?;
    Ok(Json(MemberList {
        members: records
            .into_iter()
            .map(|record| {
                let (level, title) = standing(&rules, &record);
                MemberSummary {
                    member: record.member.to_string(),
                    name: record.name,
                    points: record.points,
                    level,
                    title,
                    last_seen: record.last_seen,
                }
            })
            .collect(),
        next,
    }))
}

/// A member's level and title under `rules`.
fn standing(rules: &Rules, record: &MemberRecord) -> (u32, String) {
    let (level, _, _) = level_for(&rules.levels, record.points);
    let held: Vec<&str> = record.badges.iter().map(String::as_str).collect();
    (level, member_title(rules, record.points, &held))
}

/// `GET /api/v1/admin/sites/{site}/members/{member}`; 404 `member_not_found`.
pub async fn member(
    State(state): State<AppState>,
    admin: SiteAdmin,
    MemberPath(member): MemberPath,
) -> Result<Json<MemberDetail>, ApiError> {
    let detail = state
        .store
        .member_detail(&admin.site.id, &member)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(member.to_string()))?;
    let rules = state.rules(&admin.site.id).await?;
    let (level, title) = standing(&rules, &detail.member);
    let today = calendar_day(state.now(), &admin.site.zone);
    let record = detail.member;
    Ok(Json(MemberDetail {
        member: record.member.to_string(),
        name: record.name,
        points: record.points,
        level,
        title,
        badges: badge_views(&rules, &detail.earned),
        streak: current_streak(&detail.days, &detail.frozen, today),
        longest_streak: longest_streak(&detail.days, &detail.frozen),
        first_seen: record.first_seen,
        last_seen: record.last_seen,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// The `next_before` of the previous page.
    before: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/members/{member}/ledger?before=&limit=`: newest first.
pub async fn ledger(
    State(state): State<AppState>,
    admin: SiteAdmin,
    MemberPath(member): MemberPath,
    ApiQuery(query): ApiQuery<LedgerQuery>,
) -> Result<Json<LedgerPage>, ApiError> {
    let before = query_cursor(query.before.as_deref(), "before")?;
    let limit = query_limit(query.limit.as_deref(), 50, 200)?;
    let page = state
        .store
        .member_ledger(&admin.site.id, &member, before, limit)
        .await?
        .ok_or_else(|| ApiError::MemberNotFound(member.to_string()))?;
    Ok(Json(page))
}

/// `POST /api/v1/admin/sites/{site}/members/{member}/adjustments` with `{"amount", "reason"}`:
/// 200 with the balance and the entry; 409 `insufficient_points` when a deduction exceeds the
/// balance, 422 `invalid_body` for an amount of 0 (or beyond ±1,000,000) or a reason that is
/// blank or longer than 200 characters, 404 `member_not_found`. Audited (`points_adjust`).
pub async fn adjust(
    State(state): State<AppState>,
    admin: SiteAdmin,
    MemberPath(member): MemberPath,
    ApiJson(request): ApiJson<AdjustPoints>,
) -> Result<Json<PointsAdjusted>, ApiError> {
    if request.amount == 0 || request.amount.abs() > MAX_ADJUSTMENT {
        return Err(ApiError::InvalidBody(format!(
            "amount must be a whole number from -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}, not 0"
        )));
    }
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::InvalidBody(format!(
            "reason must have 1 to {MAX_REASON_CHARS} characters"
        )));
    }
    let rules = state.rules(&admin.site.id).await?;
    let now = state.now();
    let entry_key = format!("admin:{}", random_hex::<16>());
    let adjustment = Adjustment {
        member: &member,
        amount: request.amount,
        reason,
        key: &entry_key,
        today: calendar_day(now, &admin.site.zone),
    };
    let adjusted = state
        .store
        .adjust_points(&admin.site.id, adjustment, now, &rules, Some(&admin.actor))
        .await?;
    match adjusted {
        PointsAdjustment::Done { points, entry } => Ok(Json(PointsAdjusted { points, entry })),
        PointsAdjustment::InsufficientPoints { balance } => Err(ApiError::InsufficientPoints {
            balance,
            needed: -request.amount,
        }),
        PointsAdjustment::Overflow => Err(ApiError::InvalidBody(
            "the balance would exceed the largest number of points".into(),
        )),
        PointsAdjustment::MemberNotFound => Err(ApiError::MemberNotFound(member.to_string())),
    }
}
