//! `GET /api/v1/admin/sites/{site}/audit?before=&limit=`: the site's audit log, newest first —
//! who (an API key, an owner, the command line) did what (sign-ins, rotations, adjustments,
//! rules installs, exports, …) and when.

use axum::Json;
use axum::extract::State;
use engage_core::api::console::AuditPage;
use serde::Deserialize;

use crate::auth::SiteAdmin;
use crate::error::ApiError;
use crate::extract::{ApiQuery, query_cursor, query_limit};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// The `next_before` of the previous page.
    before: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<String>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let before = query_cursor(query.before.as_deref(), "before")?;
    let limit = query_limit(query.limit.as_deref(), 50, 200)?;
    Ok(Json(
        state
            .store
            .audit_page(&admin.site.id, before, limit)
            .await?,
    ))
}
