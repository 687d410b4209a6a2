//! A site's own settings under `/api/v1/admin/sites/{site}`, for its owner (console session or
//! API key): reading and changing its name, time zone and origins, and rotating its
//! member-token secret or API key.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use engage_core::api::console::{
    CredentialRotated, RotateCredential, SiteCredential, SiteView, UpdateSite,
};
use engage_core::jiff::SignedDuration;

use crate::audit::AuditAction;
use crate::auth::SiteAdmin;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::console::{valid_origins, valid_site_name, valid_time_zone};
use crate::state::AppState;
use crate::store::Credential;
use crate::store::SiteChanges;

/// The overlap when the request names none.
const DEFAULT_OVERLAP: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest overlap: a forgotten old key must not work for months.
const MAX_OVERLAP: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// `GET /api/v1/admin/sites/{site}`.
pub async fn site(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<SiteView>, ApiError> {
    let view = state.store.site_view(&admin.site.id).await?;
    Ok(Json(view.ok_or_else(|| {
        ApiError::SiteNotFound(admin.site.id.to_string())
    })?))
}

/// `PATCH /api/v1/admin/sites/{site}` with any of `{"name", "tz", "origins"}` (`origins` the
/// whole new list): the site as it is now. Browsers see new origins at once.
pub async fn update_site(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(update): ApiJson<UpdateSite>,
) -> Result<Json<SiteView>, ApiError> {
    let changes = SiteChanges {
        name: update.name.as_deref().map(valid_site_name).transpose()?,
        tz: update.tz.as_deref().map(valid_time_zone).transpose()?,
        origins: update.origins.as_deref().map(valid_origins).transpose()?,
    };
    let view = state.store.update_site(&admin.site.id, &changes).await?;
    state.forget_origins(admin.site.id.as_str());
    tracing::info!(site = %admin.site.id, actor = ?admin.actor, "site settings changed");
    let detail = serde_json::json!({
        "name": changes.name, "tz": changes.tz, "origins": changes.origins,
    });
    state
        .store
        .record_audit(
            &admin.site.id,
            &admin.actor,
            AuditAction::SiteUpdate,
            detail,
            state.now(),
        )
        .await?;
    Ok(Json(view))
}

/// `POST /api/v1/admin/sites/{site}/rotate` with `{"what": "secret"|"api_key", "overlap"?}`:
/// the new value (shown this once) and until when the previous one still works.
pub async fn rotate(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(request): ApiJson<RotateCredential>,
) -> Result<Json<CredentialRotated>, ApiError> {
    let overlap = match request.overlap.as_deref() {
        None => DEFAULT_OVERLAP,
        Some(text) => parse_overlap(text)?,
    };
    let rotated = state
        .store
        .rotate_credential(
            &admin.site.id,
            credential_of(request.what),
            overlap,
            state.now(),
        )
        .await?;
    tracing::info!(
        site = %admin.site.id, what = request.what.as_str(), actor = ?admin.actor,
        "site credential rotated"
    );
    let action = match request.what {
        SiteCredential::Secret => AuditAction::RotateSecret,
        SiteCredential::ApiKey => AuditAction::RotateApiKey,
    };
    let detail = serde_json::json!({ "overlap_seconds": overlap.as_secs() });
    state
        .store
        .record_audit(&admin.site.id, &admin.actor, action, detail, state.now())
        .await?;
    let (secret, api_key) = match request.what {
        SiteCredential::Secret => (Some(rotated.value), None),
        SiteCredential::ApiKey => (None, Some(rotated.value)),
    };
    Ok(Json(CredentialRotated {
        secret,
        api_key,
        // With no overlap the replaced value stopped working at once.
        previous_valid_until: (!overlap.is_zero()).then_some(rotated.previous_until),
    }))
}

fn credential_of(what: SiteCredential) -> Credential {
    match what {
        SiteCredential::Secret => Credential::Secret,
        SiteCredential::ApiKey => Credential::ApiKey,
    }
}

/// `24h`, `30m`, `90s`, `0s` (or ISO 8601 `PT24H`), from nothing to 30 days.
fn parse_overlap(text: &str) -> Result<Duration, ApiError> {
    let refused = || {
        ApiError::InvalidBody(format!(
            "overlap '{}' must be a duration from 0s to 30 days, such as 24h or 30m",
            text.chars().take(32).collect::<String>()
        ))
    };
    let signed: SignedDuration = text.trim().parse().map_err(|_| refused())?;
    Duration::try_from(signed)
        .ok()
        .filter(|overlap| *overlap <= MAX_OVERLAP)
        .ok_or_else(refused)
}
