//! Signed webhooks: the worker that delivers the outbox, and the signature.
//!
//! Facts put their events (`checkin`, `badge`, `prize`) in the `webhook_outbox` table in their
//! own transaction (see `store::sqlite::webhooks`). [`spawn_delivery_worker`] runs one tokio task
//! that posts every due event to the site's URL with
//!
//! ```text
//! Content-Type: application/json
//! Engage-Timestamp: <unix seconds>
//! Engage-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
//! ```
//!
//! and records each attempt. A 2xx answer delivers the event; anything else (another status, a
//! refused connection, a timeout) is retried after each delay of the schedule in turn (by
//! default 10 s, 1 min, 5 min, 30 min, 2 h), after which the event is marked `failed`.

use std::time::Duration;

use axum::body::Bytes;
use engage_core::jiff::Timestamp;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::store::{AttemptOutcome, DueDelivery, Store};

/// How the worker delivers.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// The wait before each retry; after the last, the event has failed.
    pub retry_delays: Vec<Duration>,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for DeliverySettings {
    fn default() -> DeliverySettings {
        DeliverySettings {
            retry_delays: [10, 60, 5 * 60, 30 * 60, 2 * 60 * 60]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Events taken from the outbox per round.
const BATCH: u32 = 32;
/// The longest the worker sleeps without looking at the outbox.
const IDLE_WAKE: Duration = Duration::from_secs(60);
/// The longest error text kept in the delivery log.
const MAX_ERROR_CHARS: usize = 300;

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

/// `N` random bytes from the operating system, in lowercase hex.
pub(crate) fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `url` is one the worker can post to: `http://` or `https://` with a host.
pub fn valid_webhook_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<hyper::Uri>() else {
        return false;
    };
    matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.host().is_some_and(|host| !host.is_empty())
        && url.len() <= 2048
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

fn client() -> HttpsClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// Starts the delivery worker. It wakes when a transaction puts an event in the outbox, when
/// the next retry is due, and at least every minute.
pub fn spawn_delivery_worker(store: Store, settings: DeliverySettings) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = client();
        loop {
            let now_ms = unix_ms();
            let due = match store.due_deliveries(now_ms, BATCH).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::error!(%error, "cannot read the webhook outbox");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if due.is_empty() {
                let next = store.next_delivery_ms().await.ok().flatten();
                let wait = next.map_or(IDLE_WAKE, |at| {
                    Duration::from_millis(u64::try_from(at - now_ms).unwrap_or(0)).min(IDLE_WAKE)
                });
                tokio::select! {
                    () = store.watch.outbox.notified() => {}
                    () = tokio::time::sleep(wait) => {}
                }
                continue;
            }
            for delivery in due {
                let outcome = deliver(&client, &delivery, settings.timeout).await;
                let retry_in = match &outcome {
                    AttemptOutcome::Delivered { .. } => None,
                    AttemptOutcome::Failed { .. } => settings
                        .retry_delays
                        .get(usize::try_from(delivery.attempts).unwrap_or(usize::MAX))
                        .map(|wait| i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
                };
                if let AttemptOutcome::Failed { status, error } = &outcome {
                    tracing::warn!(event = %delivery.event_id, ?status, %error, "webhook delivery failed");
                }
                if let Err(error) = store
                    .record_delivery_attempt(
                        delivery.id,
                        &outcome,
                        retry_in,
                        Timestamp::now(),
                        unix_ms(),
                    )
                    .await
                {
                    tracing::error!(%error, "cannot record a webhook delivery");
                }
            }
        }
    })
}

/// Posts one event, signed now.
async fn deliver(
    client: &HttpsClient,
    delivery: &DueDelivery,
    timeout: Duration,
) -> AttemptOutcome {
    let timestamp = Timestamp::now().as_second();
    let request = Request::post(&delivery.url)
        .header("content-type", "application/json")
        .header(
            "user-agent",
            concat!("engage-webhooks/", env!("CARGO_PKG_VERSION")),
        )
        .header("engage-timestamp", timestamp.to_string())
        .header(
            "engage-signature",
            signature(&delivery.secret, timestamp, &delivery.body),
        )
        .header("engage-event-id", &delivery.event_id)
        .body(Full::new(Bytes::from(delivery.body.clone())));
    let request = match request {
        Ok(request) => request,
        Err(error) => return failed(None, &error.to_string()),
    };
    match tokio::time::timeout(timeout, client.request(request)).await {
        Err(_) => failed(
            None,
            &format!("no answer within {} ms", timeout.as_millis()),
        ),
        Ok(Err(error)) => failed(None, &error_chain(&error)),
        Ok(Ok(response)) => {
            let status = response.status();
            if status.is_success() {
                AttemptOutcome::Delivered {
                    status: status.as_u16(),
                }
            } else {
                failed(
                    Some(status.as_u16()),
                    &format!("the receiver answered {status}"),
                )
            }
        }
    }
}

fn failed(status: Option<u16>, error: &str) -> AttemptOutcome {
    AttemptOutcome::Failed {
        status,
        error: error.chars().take(MAX_ERROR_CHARS).collect(),
    }
}

/// An error with its causes, which say what actually went wrong (refused, DNS, TLS).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn unix_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_documented_recipe() {
        // The same value as Python's
        // hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest().
        assert_eq!(
            signature("whsec_test", 1_700_000_000, "{}"),
            "v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn webhook_urls() {
        assert!(valid_webhook_url("https://hooks.example.com/engage"));
        assert!(valid_webhook_url("http://127.0.0.1:9000/hook"));
        assert!(!valid_webhook_url("ftp://example.com/"));
        assert!(!valid_webhook_url("example.com/hook"));
        assert!(!valid_webhook_url("https://"));
    }
}
