//! The owner's API under `/api/v1/admin`, called with the site's API key: creating and editing
//! polls. Answers show the poll as its owner sees it: always with the tally, and `ip_limit`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use engage_core::api::{CreatePoll, PollView, UpdatePoll};
use engage_core::poll::{owner_poll_view, validate_poll};

use crate::auth::SiteKey;
use crate::error::ApiError;
use crate::extract::{ApiJson, PollPath};
use crate::state::AppState;
use crate::store::PollUpdated;

/// `POST /api/v1/admin/sites/{site}/polls`: 201 with the new poll; 409 `poll_exists` when the
/// id is taken, 422 `invalid_poll` naming the field at fault.
pub async fn create_poll(
    State(state): State<AppState>,
    key: SiteKey,
    ApiJson(definition): ApiJson<CreatePoll>,
) -> Result<(StatusCode, Json<PollView>), ApiError> {
    let poll = validate_poll(definition).map_err(ApiError::Poll)?;
    let now = state.now();
    let record = state.store.create_poll(&key.site.id, &poll, now).await?;
    let view = owner_poll_view(&record.poll, &record.tally, now);
    Ok((StatusCode::CREATED, Json(view)))
}

/// `PATCH /api/v1/admin/sites/{site}/polls/{poll}`: any subset of the fields, or
/// `{"closed": true}`; 409 `option_has_votes` when an option with votes would be removed.
pub async fn update_poll(
    State(state): State<AppState>,
    key: SiteKey,
    PollPath(poll_id): PollPath,
    ApiJson(update): ApiJson<UpdatePoll>,
) -> Result<Json<PollView>, ApiError> {
    let now = state.now();
    let updated = state
        .store
        .update_poll(&key.site.id, &poll_id, &update, now)
        .await?;
    match updated {
        PollUpdated::Refused(reason) => Err(ApiError::Poll(reason)),
        PollUpdated::Done { record, changed } => {
            if changed {
                state
                    .tallies
                    .publish(&key.site.id, &poll_id, record.version);
            }
            Ok(Json(owner_poll_view(&record.poll, &record.tally, now)))
        }
    }
}
