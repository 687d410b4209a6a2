//! The JSON shapes of a site's webhook as its owner manages it: the URL and signing secret,
//! and the delivery log with each event's coarse failure category.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::api::null_as_default;

/// `PUT /api/v1/admin/sites/{site}/webhook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetWebhook {
    /// Where events are posted: `https://…` (or `http://…`).
    pub url: String,
    /// A new secret replaces the old one (the first PUT always makes one); `null` is `false`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub rotate_secret: bool,
}

/// A site's webhook as its owner sees it.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookView {
    pub url: String,
    /// The HMAC-SHA256 key of `Engage-Signature` (its UTF-8 text).
    pub secret: String,
    /// The event types delivered.
    pub events: Vec<String>,
}

impl std::fmt::Debug for WebhookView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookView")
            .field("url", &self.url)
            .field("secret", &"[redacted]")
            .field("events", &self.events)
            .finish()
    }
}

/// `GET /api/v1/admin/sites/{site}/webhook/deliveries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    /// Newest first.
    pub deliveries: Vec<DeliveryView>,
}

/// One event and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status_code: Option<u16>,
    /// What went wrong last, as a category, if the last attempt failed.
    pub last_failure: Option<DeliveryFailure>,
    /// The same in words (a fixed sentence per category, never an error's text).
    pub last_error: Option<String>,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
    #[serde(default, with = "crate::rfc3339::option")]
    pub last_attempt_at: Option<Timestamp>,
    /// When the next attempt is due (pending events).
    #[serde(default, with = "crate::rfc3339::option")]
    pub next_attempt_at: Option<Timestamp>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub delivered_at: Option<Timestamp>,
}

/// What went wrong with a delivery attempt, as coarsely as the delivery log shows it: enough
/// for an owner to fix their endpoint, too little to map a network by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryFailure {
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

impl DeliveryFailure {
    pub const ALL: [DeliveryFailure; 8] = [
        DeliveryFailure::InvalidUrl,
        DeliveryFailure::Dns,
        DeliveryFailure::ForbiddenAddress,
        DeliveryFailure::Connect,
        DeliveryFailure::Tls,
        DeliveryFailure::Timeout,
        DeliveryFailure::Protocol,
        DeliveryFailure::HttpStatus,
    ];

    /// The stable name, as stored and as the delivery log shows it.
    pub fn code(self) -> &'static str {
        match self {
            DeliveryFailure::InvalidUrl => "invalid_url",
            DeliveryFailure::Dns => "dns",
            DeliveryFailure::ForbiddenAddress => "forbidden_address",
            DeliveryFailure::Connect => "connect",
            DeliveryFailure::Tls => "tls",
            DeliveryFailure::Timeout => "timeout",
            DeliveryFailure::Protocol => "protocol",
            DeliveryFailure::HttpStatus => "http_status",
        }
    }

    pub fn from_code(code: &str) -> Option<DeliveryFailure> {
        DeliveryFailure::ALL
            .into_iter()
            .find(|failure| failure.code() == code)
    }

    /// A fixed sentence for the delivery log's `last_error`: the category in words, with the
    /// receiver's status when it answered one, and nothing taken from an error's text.
    pub fn message(self, status: Option<u16>) -> String {
        match (self, status) {
            (DeliveryFailure::HttpStatus, Some(status)) => {
                format!("the receiver answered HTTP {status}")
            }
            (DeliveryFailure::HttpStatus, None) => {
                "the receiver answered with an error status".into()
            }
            (DeliveryFailure::InvalidUrl, _) => "the webhook URL cannot be requested".into(),
            (DeliveryFailure::Dns, _) => "the host name did not resolve".into(),
            (DeliveryFailure::ForbiddenAddress, _) => {
                "the host resolves only to addresses webhooks may not reach".into()
            }
            (DeliveryFailure::Connect, _) => "could not connect to the receiver".into(),
            (DeliveryFailure::Tls, _) => "the TLS handshake with the receiver failed".into(),
            (DeliveryFailure::Timeout, _) => "the receiver did not answer in time".into(),
            (DeliveryFailure::Protocol, _) => {
                "the connection ended before a complete HTTP answer".into()
            }
        }
    }
}
