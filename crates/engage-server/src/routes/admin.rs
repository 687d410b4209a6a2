//! The owner's API under `/api/v1/admin`, called with the site's API key or an owner's console
//! session ([`SiteAdmin`]): listing, reading, creating and editing polls (answers show the poll
//! as its owner sees it: always with the tally, and `ip_limit`), and the site's webhook with its
//! delivery log (failures shown only as coarse categories) and redelivery.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use engage_core::api::webhooks::{DeliveryLog, DeliveryView, SetWebhook, WebhookView};
use engage_core::api::{CreatePoll, PollView, UpdatePoll};
use engage_core::jiff::Timestamp;
use engage_core::poll::{owner_poll_view, validate_poll};
use serde::Deserialize;

use crate::auth::SiteAdmin;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, PollPath, path_param, query_limit};
use crate::state::AppState;
use crate::store::{DeliveryRow, PollUpdated, WebhookSettings};
use crate::webhooks::{WebhookUrlError, check_webhook_url, new_webhook_secret};

/// `POST /api/v1/admin/sites/{site}/polls`: 201 with the new poll; 409 `poll_exists` when the
/// id is taken, 422 `invalid_poll` naming the field at fault.
pub async fn create_poll(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(definition): ApiJson<CreatePoll>,
) -> Result<(StatusCode, Json<PollView>), ApiError> {
    let poll = validate_poll(definition).map_err(ApiError::Poll)?;
    let now = state.now();
    let record = state
        .store
        .create_poll(&admin.site.id, &poll, now, Some(&admin.actor))
        .await?;
    let view = owner_poll_view(&record.poll, &record.tally, now);
    Ok((StatusCode::CREATED, Json(view)))
}

/// `GET /api/v1/admin/sites/{site}/polls`: every poll of the site, newest first, with counts.
pub async fn owner_polls(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<Vec<PollView>>, ApiError> {
    let now = state.now();
    let records = state.store.owner_polls(&admin.site.id).await?;
    Ok(Json(
        records
            .iter()
            .map(|record| owner_poll_view(&record.poll, &record.tally, now))
            .collect(),
    ))
}

/// `GET /api/v1/admin/sites/{site}/polls/{poll}`: the poll with its counts; 404 `poll_not_found`.
pub async fn owner_poll(
    State(state): State<AppState>,
    admin: SiteAdmin,
    PollPath(poll_id): PollPath,
) -> Result<Json<PollView>, ApiError> {
    let record = state
        .store
        .poll(&admin.site.id, &poll_id, None)
        .await?
        .ok_or_else(|| ApiError::PollNotFound(poll_id.to_string()))?;
    Ok(Json(owner_poll_view(
        &record.poll,
        &record.tally,
        state.now(),
    )))
}

/// `PATCH /api/v1/admin/sites/{site}/polls/{poll}`: any subset of the fields, or
/// `{"closed": true}`; 409 `option_has_votes` when an option with votes would be removed.
pub async fn update_poll(
    State(state): State<AppState>,
    admin: SiteAdmin,
    PollPath(poll_id): PollPath,
    ApiJson(update): ApiJson<UpdatePoll>,
) -> Result<Json<PollView>, ApiError> {
    let now = state.now();
    let updated = state
        .store
        .update_poll(&admin.site.id, &poll_id, &update, now, Some(&admin.actor))
        .await?;
    match updated {
        PollUpdated::Refused(reason) => Err(ApiError::Poll(reason)),
        PollUpdated::Done { record, changed } => {
            if changed {
                state
                    .tallies
                    .publish(&admin.site.id, &poll_id, record.version);
            }
            Ok(Json(owner_poll_view(&record.poll, &record.tally, now)))
        }
    }
}

impl From<WebhookSettings> for WebhookView {
    fn from(settings: WebhookSettings) -> WebhookView {
        WebhookView {
            url: settings.url,
            secret: settings.secret,
            events: WEBHOOK_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
        }
    }
}

/// The event types a webhook receives.
pub const WEBHOOK_EVENTS: [&str; 3] = ["checkin", "badge", "prize"];

/// `PUT /api/v1/admin/sites/{site}/webhook` with `{"url", "rotate_secret"?}`: sets where events
/// go; answers the URL and the signing secret (kept across edits unless rotated). 422
/// `invalid_body` for a URL that is not http(s) with a host, `webhook_url_forbidden` for one
/// that points into a private network (see `webhooks::check_webhook_url`).
pub async fn set_webhook(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(request): ApiJson<SetWebhook>,
) -> Result<Json<WebhookView>, ApiError> {
    let url = request.url.trim();
    check_webhook_url(url, &state.config.webhooks)
        .await
        .map_err(|refused| match refused {
            WebhookUrlError::Invalid(_) => ApiError::InvalidBody(refused.to_string()),
            WebhookUrlError::Forbidden { .. } => ApiError::WebhookUrlForbidden(refused.to_string()),
        })?;
    let settings = state
        .store
        .set_webhook(
            &admin.site.id,
            url,
            &new_webhook_secret(),
            request.rotate_secret,
            state.now(),
            Some(&admin.actor),
        )
        .await?;
    Ok(Json(settings.into()))
}

/// `GET /api/v1/admin/sites/{site}/webhook`: the URL and secret; 404 `webhook_not_found`.
pub async fn webhook(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<WebhookView>, ApiError> {
    let settings = state.store.webhook(&admin.site.id).await?;
    Ok(Json(settings.ok_or(ApiError::WebhookNotSet)?.into()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// 1 to 100 (default 50).
    limit: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/webhook/deliveries?limit=`: the delivery log.
pub async fn webhook_deliveries(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<DeliveryLog>, ApiError> {
    let limit = query_limit(query.limit.as_deref(), 50, 100)?;
    let rows = state
        .store
        .webhook_deliveries(&admin.site.id, limit)
        .await?;
    Ok(Json(DeliveryLog {
        deliveries: rows.into_iter().map(DeliveryView::from).collect(),
    }))
}

impl From<DeliveryRow> for DeliveryView {
    fn from(row: DeliveryRow) -> DeliveryView {
        DeliveryView {
            id: row.event_id,
            kind: row.kind,
            status: row.status,
            attempts: row.attempts,
            last_status_code: row.last_status,
            last_failure: row.last_failure,
            last_error: row
                .last_failure
                .map(|failure| failure.message(row.last_status)),
            created_at: row.created_at,
            last_attempt_at: row.last_attempt_at,
            next_attempt_at: row
                .next_attempt_ms
                .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
            delivered_at: row.delivered_at,
        }
    }
}

/// The `{delivery}` of the path: a webhook event id (`evt_…`).
#[derive(Debug, Clone)]
pub struct DeliveryPath(pub String);

/// The longest event id the path may name (ids are `evt_` and 32 hex digits).
const MAX_EVENT_ID_CHARS: usize = 64;

impl<S: Send + Sync> FromRequestParts<S> for DeliveryPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<DeliveryPath, ApiError> {
        let raw = path_param(parts, "delivery").await?;
        if raw.chars().count() > MAX_EVENT_ID_CHARS {
            return Err(ApiError::DeliveryNotFound(
                raw.chars().take(MAX_EVENT_ID_CHARS).collect(),
            ));
        }
        Ok(DeliveryPath(raw))
    }
}

/// `POST /api/v1/admin/sites/{site}/webhook/deliveries/{delivery}/redeliver`: 202 with the
/// event queued again (due at once, its retry schedule started over; the receiver sees the same
/// event id). 404 `delivery_not_found`. Audited (`webhook_redeliver`).
pub async fn redeliver(
    State(state): State<AppState>,
    admin: SiteAdmin,
    DeliveryPath(event_id): DeliveryPath,
) -> Result<(StatusCode, Json<DeliveryView>), ApiError> {
    let row = state
        .store
        .redeliver(&admin.site.id, &event_id, state.now(), Some(&admin.actor))
        .await?
        .ok_or(ApiError::DeliveryNotFound(event_id))?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}
