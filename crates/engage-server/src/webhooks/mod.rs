//! Signed webhooks: the worker that delivers the outbox, where it may connect, and the
//! signature.
//!
//! Facts put their events (`checkin`, `badge`, `prize`) in the `webhook_outbox` table in their
//! own transaction (see `store::sqlite::webhooks`). [`spawn_delivery_worker`] posts every due
//! event to the site's URL with
//!
//! ```text
//! Content-Type: application/json
//! Engage-Timestamp: <unix seconds>
//! Engage-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
//! ```
//!
//! and records each attempt (`worker.rs`). A 2xx answer delivers the event; anything else (another
//! status — redirects are not followed —, a refused connection, a timeout) is retried after each
//! delay of the schedule in turn (by default 10 s, 1 min, 5 min, 30 min, 2 h), after which the
//! event is marked `failed`. The delivery log keeps only a [`Failure`] category, never an
//! error's text, so it cannot be used to probe a network.
//!
//! Where the worker may connect is decided in `address.rs` (the refused ranges, the check when
//! a URL is set) and enforced in `connect.rs`, on the address actually connected to.

mod address;
mod connect;
mod worker;

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use address::{
    ForbiddenRange, Host, Target, WebhookUrlError, check_webhook_url, forbidden_range, inet_aton,
};
pub use connect::{ConnectError, GuardedConnector, Resolver, allowed_addresses};
pub use worker::spawn_delivery_worker;

/// What went wrong with a delivery attempt (the JSON shape lives in engage-core with the
/// delivery log it is part of).
pub use engage_core::api::webhooks::DeliveryFailure as Failure;

/// How the worker delivers.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// The wait before each retry; after the last, the event has failed.
    pub retry_delays: Vec<Duration>,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// Deliveries in flight at once, over all sites. A site has at most one in flight, so a
    /// slow endpoint holds one of these and no more.
    pub max_in_flight: usize,
    /// `--allow-private-webhooks`: webhooks may go to loopback, private, link-local and other
    /// non-public addresses (never to a cloud's metadata service).
    pub allow_private_webhooks: bool,
    /// How host names are resolved, when a URL is set and at each delivery.
    pub resolver: Resolver,
}

impl Default for DeliverySettings {
    fn default() -> DeliverySettings {
        DeliverySettings {
            retry_delays: [10, 60, 5 * 60, 30 * 60, 2 * 60 * 60]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(10),
            max_in_flight: 16,
            allow_private_webhooks: false,
            resolver: Resolver::system(),
        }
    }
}

/// The `Engage-Signature` value of `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1={}", hex(&mac.finalize().into_bytes()))
}

/// A fresh webhook secret: `whsec_` and 32 random bytes in hex. The HMAC key is its UTF-8 text.
pub fn new_webhook_secret() -> String {
    format!("whsec_{}", random_hex::<32>())
}

/// A fresh event id: `evt_` and 16 random bytes in hex.
pub fn new_event_id() -> String {
    format!("evt_{}", random_hex::<16>())
}

pub(crate) fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
