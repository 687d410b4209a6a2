//! Recording that a member was *seen* (PRODUCT.md, "Analytics"): any request on their member
//! token that the server answered without an error marks them seen on that site-local day.
//!
//! The extractors only verify (a refused request stores nothing), so the one that verifies a
//! member token fills a [`SeenSlot`] that [`record_seen`], the middleware around the API, put
//! into the request; once the handler answered below 400, the middleware hands the member-day
//! to `Store::note_seen`, which writes at most once per member and day.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use engage_core::jiff::civil::Date;
use engage_core::{MemberId, SiteId};

use crate::state::AppState;

/// The member-day a request was made on, filled in by the member-token extractor.
#[derive(Debug, Clone, Default)]
pub struct SeenSlot(Arc<Mutex<Option<(SiteId, MemberId, Date)>>>);

impl SeenSlot {
    /// Notes, from an extractor, that the request carries a valid token of `member`.
    pub fn fill(parts: &Parts, site: &SiteId, member: &MemberId, day: Date) {
        if let Some(slot) = parts.extensions.get::<SeenSlot>() {
            let mut held = slot
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *held = Some((site.clone(), member.clone(), day));
        }
    }

    fn take(&self) -> Option<(SiteId, MemberId, Date)> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

/// Middleware: records the member of an answered member-token request as seen.
pub async fn record_seen(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = SeenSlot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    if response.status().as_u16() < 400
        && let Some((site, member, day)) = slot.take()
        && let Err(error) = state.store.note_seen(&site, &member, day).await
    {
        // Bookkeeping: the answer stands, the day is written by the member's next request.
        tracing::warn!(%error, site = %site, "could not record a member as seen");
    }
    response
}
