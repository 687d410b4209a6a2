//! The owner's rules under `/api/v1/admin/sites/{site}/rules`: the document the site runs on
//! (the defaults, as TOML, until one is installed), every installed version with who installed
//! it, and installing a new one — validated by the core's own `parse_rules`, refused with 422
//! `invalid_rules` naming the field and line, audited (`rules_install`) when installed.
//! Installed rules apply to the next request: the server reads them per request.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use engage_core::api::console::{InstallRules, RulesDocument, RulesInstalled, RulesVersion};
use engage_core::rules::{DEFAULT_RULES_TOML, RulesFormat, parse_rules};

use crate::auth::SiteAdmin;
use crate::error::ApiError;
use crate::extract::{ApiJson, path_param};
use crate::state::AppState;

/// The most a `PUT …/rules` body may hold: a rules document with many badges outgrows the
/// API's usual limit (`extract::BODY_LIMIT_BYTES`).
pub const RULES_BODY_LIMIT_BYTES: usize = 256 * 1024;

/// `GET /api/v1/admin/sites/{site}/rules`: the newest installed document, or the defaults
/// (`"version": null`).
pub async fn rules(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<RulesDocument>, ApiError> {
    let installed = state.store.rules_document(&admin.site.id, None).await?;
    Ok(Json(installed.unwrap_or_else(|| RulesDocument {
        version: None,
        format: RulesFormat::Toml,
        document: DEFAULT_RULES_TOML.to_owned(),
        installed_at: None,
    })))
}

/// `GET /api/v1/admin/sites/{site}/rules/versions`: newest first.
pub async fn versions(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<Vec<RulesVersion>>, ApiError> {
    Ok(Json(state.store.rules_versions(&admin.site.id).await?))
}

/// The `{version}` of the path: a number that was never a version is "not found".
#[derive(Debug, Clone, Copy)]
pub struct VersionPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for VersionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<VersionPath, ApiError> {
        let raw = path_param(parts, "version").await?;
        raw.parse::<i64>()
            .ok()
            .filter(|version| *version >= 1)
            .map(VersionPath)
            .ok_or_else(|| ApiError::RulesVersionNotFound(raw.chars().take(32).collect()))
    }
}

/// `GET /api/v1/admin/sites/{site}/rules/versions/{version}`; 404 `rules_version_not_found`.
pub async fn version(
    State(state): State<AppState>,
    admin: SiteAdmin,
    VersionPath(version): VersionPath,
) -> Result<Json<RulesDocument>, ApiError> {
    let document = state
        .store
        .rules_document(&admin.site.id, Some(version))
        .await?
        .ok_or_else(|| ApiError::RulesVersionNotFound(version.to_string()))?;
    Ok(Json(document))
}

/// The body of `PUT …/rules`: JSON as [`ApiJson`] reads it, up to [`RULES_BODY_LIMIT_BYTES`].
#[derive(Debug)]
pub struct RulesBody(pub InstallRules);

impl<S: Send + Sync> FromRequest<S> for RulesBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<RulesBody, ApiError> {
        match ApiJson::<InstallRules>::from_request(request, state).await {
            Ok(ApiJson(body)) => Ok(RulesBody(body)),
            Err(ApiError::BodyTooLarge { .. }) => Err(ApiError::BodyTooLarge {
                limit: RULES_BODY_LIMIT_BYTES,
            }),
            Err(other) => Err(other),
        }
    }
}

/// `PUT /api/v1/admin/sites/{site}/rules` with `{"document", "format": "toml"|"json"}`: 200
/// `{"version"}`; 422 `invalid_rules` with `field` and `line` when the document does not
/// validate (nothing is installed).
pub async fn install(
    State(state): State<AppState>,
    admin: SiteAdmin,
    RulesBody(request): RulesBody,
) -> Result<Json<RulesInstalled>, ApiError> {
    parse_rules(&request.document, request.format).map_err(ApiError::InvalidRules)?;
    let version = state
        .store
        .install_rules(
            &admin.site.id,
            &request.document,
            request.format,
            state.now(),
            Some(&admin.actor),
        )
        .await?;
    Ok(Json(RulesInstalled { version }))
}
