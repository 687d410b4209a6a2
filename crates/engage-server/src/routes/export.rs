//! `GET /api/v1/admin/sites/{site}/export/{table}.csv`: a whole table of the site as CSV —
//! members, ledger, checkins, votes, spins, entries, feedback, badges or audit, each streamed,
//! and the analytics days (`?from=&to=` as for the analytics route), computed whole.
//!
//! The body is streamed (`Body::from_stream`): one chunk per page of
//! `store::EXPORT_PAGE_ROWS` rows, each page read only when the previous one has been taken by
//! the connection, so a million-row table never sits in memory and a slow download slows the
//! reading down. It starts with a UTF-8 byte order mark and a header row; cells follow
//! `csv_encode` (RFC 4180 quoting, formula neutralisation). The export is audited (`export`)
//! before the first byte is sent. A storage failure mid-way ends the download early (the client
//! sees a truncated body) and is logged: the status line has gone out by then.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use engage_core::SiteId;
use futures_util::stream;

use crate::audit::AuditAction;
use crate::auth::SiteAdmin;
use crate::csv_encode::BOM;
use crate::error::ApiError;
use crate::extract::{ApiQuery, path_param};
use crate::routes::analytics::{self, RangeQuery};
use crate::state::AppState;
use crate::store::{ExportKey, ExportTable, Store, StoreError};

/// The `{file}` of the path: `<table>.csv` for one of [`ExportTable::ALL`].
#[derive(Debug, Clone, Copy)]
pub struct ExportPath(pub ExportTable);

impl<S: Send + Sync> FromRequestParts<S> for ExportPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ExportPath, ApiError> {
        let raw = path_param(parts, "file").await?;
        raw.strip_suffix(".csv")
            .and_then(ExportTable::parse)
            .map(ExportPath)
            .ok_or_else(|| ApiError::ExportNotFound(raw.chars().take(32).collect()))
    }
}

pub async fn export(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ExportPath(table): ExportPath,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    // The analytics days are computed whole (at most 366 rows), for the range asked for.
    let analytics = match table {
        ExportTable::Analytics => {
            let (from, to) = analytics::range(&state, &admin.site, &query)?;
            let view = analytics::view(&state, &admin.site, from, to).await?;
            Some(analytics::days_csv(&view))
        }
        _ => None,
    };
    let site = admin.site.id;
    let detail = serde_json::json!({ "table": table.as_str() });
    state
        .store
        .record_audit(
            &site,
            &admin.actor,
            AuditAction::Export,
            detail,
            state.now(),
        )
        .await?;
    let disposition = format!("attachment; filename=\"{site}-{}.csv\"", table.as_str());
    let body = match analytics {
        Some(csv) => Body::from(format!("{BOM}{csv}")),
        None => Body::from_stream(csv_pages(state.store.clone(), site, table)),
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|e| ApiError::Internal(format!("content-disposition: {e}")))?,
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// Where the stream of pages stands: the first page (with the byte order mark and header) to
/// read, a later page to read after a key, or done.
enum Next {
    First,
    After(ExportKey),
    Done,
}

/// The export as a stream of chunks, one page each; the first also carries the byte order mark
/// and the header row, so an empty table is those alone.
fn csv_pages(
    store: Store,
    site: SiteId,
    table: ExportTable,
) -> impl futures_util::Stream<Item = Result<Bytes, StoreError>> + Send + 'static {
    stream::try_unfold(Next::First, move |next| {
        let store = store.clone();
        let site = site.clone();
        async move {
            let (mut chunk, after) = match next {
                Next::Done => return Ok(None),
                Next::First => (format!("{BOM}{}", Store::export_header(table)), None),
                Next::After(key) => (String::new(), Some(key)),
            };
            let page = store
                .export_page(&site, table, after.as_ref())
                .await
                .inspect_err(|error| {
                    tracing::error!(%site, table = table.as_str(), %error, "export failed mid-way");
                })?;
            if chunk.is_empty() && page.rows == 0 {
                return Ok(None);
            }
            chunk.push_str(&page.csv);
            let next = page.next.map_or(Next::Done, Next::After);
            Ok(Some((Bytes::from(chunk), next)))
        }
    })
}
