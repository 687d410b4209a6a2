//! Bounds on live event streams (server-sent events): how many one client address may hold
//! open, how many the whole server holds, and how long one lasts. A stream holds a connection
//! for as long as it lives, so without bounds one address could take every connection the
//! server has; with them, `/healthz` and ordinary requests are answered whatever streams are
//! open.
//!
//! Over the per-address cap the answer is 429 `too_many_streams`, over the server's 503
//! `server_busy`, both with `Retry-After`. A stream that reaches its lifetime ends cleanly; the
//! browser's `EventSource` reconnects by itself (after the `retry:` delay the stream announced),
//! which also spreads long-lived clients over restarts and replicas.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::client_addr::limit_key;
use crate::error::ApiError;
use crate::limits::client_ip;
use crate::state::AppState;

/// The bounds, chosen at start.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// Open streams one client address (an IPv6 /64) may hold.
    pub per_ip: usize,
    /// Open streams the server holds in all.
    pub total: usize,
    /// How long one stream lasts before the server ends it.
    pub max_lifetime: Duration,
}

impl Default for StreamLimits {
    fn default() -> StreamLimits {
        StreamLimits {
            // A member with a few tabs of pages with live widgets; many members behind one NAT
            // share this, which is why it is not smaller.
            per_ip: 64,
            total: 10_000,
            max_lifetime: Duration::from_secs(30 * 60),
        }
    }
}

/// How long a refused client should wait before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// The open streams, counted.
#[derive(Debug)]
pub struct StreamGate {
    limits: StreamLimits,
    open: Mutex<OpenStreams>,
}

#[derive(Debug, Default)]
struct OpenStreams {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// One admitted stream; dropping it (the stream ended or the client left) frees its place.
#[derive(Debug)]
pub struct StreamPermit {
    gate: Arc<StreamGate>,
    key: IpAddr,
}

impl StreamGate {
    pub fn new(limits: StreamLimits) -> StreamGate {
        StreamGate {
            limits,
            open: Mutex::default(),
        }
    }

    pub fn limits(&self) -> StreamLimits {
        self.limits
    }

    /// A place for one more stream from `ip`, or why not.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<StreamPermit, ApiError> {
        let key = limit_key(ip);
        let mut open = self.open.lock().expect("stream gate lock");
        if open.total >= self.limits.total {
            return Err(ApiError::ServerBusy {
                retry_after: RETRY_AFTER,
            });
        }
        let mine = open.by_ip.entry(key).or_default();
        if *mine >= self.limits.per_ip {
            return Err(ApiError::TooManyStreams {
                retry_after: RETRY_AFTER,
            });
        }
        *mine += 1;
        open.total += 1;
        Ok(StreamPermit {
            gate: self.clone(),
            key,
        })
    }

    /// Open streams in all (tests, metrics).
    pub fn open_streams(&self) -> usize {
        self.open.lock().expect("stream gate lock").total
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().expect("stream gate lock");
        open.total = open.total.saturating_sub(1);
        if let Some(mine) = open.by_ip.get_mut(&self.key) {
            *mine -= 1;
            if *mine == 0 {
                open.by_ip.remove(&self.key);
            }
        }
    }
}

/// Middleware for the event-stream routes: admits the stream or refuses it, and ends an
/// admitted stream at its lifetime. Answers that are not streams (an unknown poll, a bad
/// token) give their place back at once.
pub async fn limit_streams(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let permit = match state.streams.admit(client_ip(request.extensions())) {
        Ok(permit) => permit,
        Err(refused) => return refused.into_response(),
    };
    let response = next.run(request).await;
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    if !is_stream {
        return response;
    }
    let lifetime = state.streams.limits().max_lifetime;
    let (parts, body) = response.into_parts();
    let ends = tokio::time::sleep(lifetime);
    let stream = body.into_data_stream().take_until(ends).map(move |chunk| {
        // The permit lives as long as the stream is polled, and is dropped with it.
        let _held = &permit;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
