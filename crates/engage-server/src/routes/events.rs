//! `POST /api/v1/sites/{site}/events`: a host backend awards points for its own event, once per
//! idempotency key and member. Without `points`, the rules' `[points.events]` entry for the
//! event's kind decides (0 when the rules name no such kind). A repeated key changes nothing and
//! answers exactly what the first call answered, with `duplicate: true`.

use axum::Json;
use axum::extract::State;
use engage_core::MemberId;
use engage_core::calendar::calendar_day;
use engage_core::ids::parse_slug;
use engage_core::rules::Rules;
use engage_core::text::strip_invisible;
use serde::{Deserialize, Serialize};

use crate::auth::SiteKey;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::HostEvent;

/// The most points one host event may award.
const MAX_EVENT_POINTS: i64 = 1_000_000;
const MAX_KEY_CHARS: usize = 128;
const MAX_NAME_CHARS: usize = 128;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostEventRequest {
    pub member: MemberId,
    /// The host's name for the event, a slug such as `post_created`.
    pub kind: String,
    pub idempotency_key: String,
    /// Points to award; when absent, the rules' points for `kind` (or 0).
    #[serde(default)]
    pub points: Option<i64>,
    /// The member's display name, stored when given.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct HostEventResponse {
    /// Points the event added (cut by a daily cap); a duplicate repeats the first answer.
    pub awarded: i64,
    /// The member's balance after the event (for a duplicate: as the first call answered).
    pub points: i64,
    /// True when the idempotency key was seen before: nothing changed.
    pub duplicate: bool,
    /// Badge ids the event earned (for a duplicate: as the first call answered).
    #[serde(default)]
    pub badges: Vec<String>,
}

pub async fn record_host_event(
    State(state): State<AppState>,
    key: SiteKey,
    ApiJson(request): ApiJson<HostEventRequest>,
) -> Result<Json<HostEventResponse>, ApiError> {
    let rules = state.rules(&key.site.id).await?;
    let event = validate(request, &rules)?;
    let now = state.now();
    let today = calendar_day(now, &key.site.zone);
    let recorded = state
        .store
        .record_host_event(&key.site.id, &event, today, now, &rules)
        .await?;
    Ok(Json(HostEventResponse {
        awarded: recorded.awarded,
        points: recorded.balance,
        duplicate: recorded.duplicate,
        badges: recorded.badges,
    }))
}

fn validate(request: HostEventRequest, rules: &Rules) -> Result<HostEvent, ApiError> {
    let invalid = |message: String| ApiError::InvalidBody(message);
    let kind = parse_slug("event kind", &request.kind, 64).map_err(|e| invalid(e.to_string()))?;
    let key = &request.idempotency_key;
    if key.trim().is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(invalid(format!(
            "idempotency_key must have 1 to {MAX_KEY_CHARS} characters"
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(invalid(
            "idempotency_key must not contain control characters".into(),
        ));
    }
    let points = request
        .points
        .unwrap_or_else(|| rules.event_points(&kind).unwrap_or(0));
    if !(0..=MAX_EVENT_POINTS).contains(&points) {
        return Err(invalid(format!(
            "points {points} is out of range (0..={MAX_EVENT_POINTS})"
        )));
    }
    // Others see this name: bidi and invisible characters go, and a name of nothing else is
    // no name.
    let name = request.name.as_deref().map(strip_invisible);
    let name = match name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name)
            if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) =>
        {
            return Err(invalid(format!(
                "name must have at most {MAX_NAME_CHARS} printable characters"
            )));
        }
        Some(name) => Some(name.to_owned()),
    };
    Ok(HostEvent {
        member: request.member,
        name,
        kind,
        idempotency_key: request.idempotency_key,
        points,
    })
}
