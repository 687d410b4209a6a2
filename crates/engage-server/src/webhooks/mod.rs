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
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub use address::{
    ForbiddenRange, Host, Target, WebhookUrlError, check_webhook_url, forbidden_range, inet_aton,
};
pub use connect::{ConnectError, GuardedConnector, Resolver, allowed_addresses};
pub use worker::spawn_delivery_worker;

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

/// What went wrong with a delivery attempt, as coarsely as the delivery log shows it: enough
/// for an owner to fix their endpoint, too little to map a network by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The stored URL cannot be requested.
    InvalidUrl,
    /// The host name did not resolve.
    Dns,
    /// Every address of the host is one webhooks may not reach.
    ForbiddenAddress,
    /// No allowed address accepted a connection.
    Connect,
    /// The TLS handshake failed (certificate, protocol, or not TLS at all).
    Tls,
    /// No answer within the timeout.
    Timeout,
    /// The connection broke or the answer was not HTTP.
    Protocol,
    /// The receiver answered with a status other than 2xx (redirects included).
    HttpStatus,
}

impl Failure {
    pub const ALL: [Failure; 8] = [
        Failure::InvalidUrl,
        Failure::Dns,
        Failure::ForbiddenAddress,
        Failure::Connect,
        Failure::Tls,
        Failure::Timeout,
        Failure::Protocol,
        Failure::HttpStatus,
    ];

    /// The stable name, as stored and as the delivery log shows it.
    pub fn code(self) -> &'static str {
        match self {
            Failure::InvalidUrl => "invalid_url",
            Failure::Dns => "dns",
            Failure::ForbiddenAddress => "forbidden_address",
            Failure::Connect => "connect",
            Failure::Tls => "tls",
            Failure::Timeout => "timeout",
            Failure::Protocol => "protocol",
            Failure::HttpStatus => "http_status",
        }
    }

    pub fn from_code(code: &str) -> Option<Failure> {
        Failure::ALL
            .into_iter()
            .find(|failure| failure.code() == code)
    }

    /// A fixed sentence for the delivery log's `last_error`: the category in words, with the
    /// receiver's status when it answered one, and nothing taken from an error's text.
    pub fn message(self, status: Option<u16>) -> String {
        match (self, status) {
            (Failure::HttpStatus, Some(status)) => format!("the receiver answered HTTP {status}"),
            (Failure::HttpStatus, None) => "the receiver answered with an error status".into(),
            (Failure::InvalidUrl, _) => "the webhook URL cannot be requested".into(),
            (Failure::Dns, _) => "the host name did not resolve".into(),
            (Failure::ForbiddenAddress, _) => {
                "the host resolves only to addresses webhooks may not reach".into()
            }
            (Failure::Connect, _) => "could not connect to the receiver".into(),
            (Failure::Tls, _) => "the TLS handshake with the receiver failed".into(),
            (Failure::Timeout, _) => "the receiver did not answer in time".into(),
            (Failure::Protocol, _) => "the connection ended before a complete HTTP answer".into(),
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
