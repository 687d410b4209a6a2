//! The delivery worker: takes due events from the outbox, posts them through the guarded
//! connector, and records each attempt.
//!
//! Deliveries run concurrently, at most `DeliverySettings::max_in_flight` at once, and at most
//! one per site: each site's events go out one after another, oldest first, and a site's next
//! event is taken only once the one before it is delivered or has failed for good. So a site
//! whose endpoint fails is postponed as a group — its other events wait behind the one being
//! retried, on that event's schedule, without spending attempts of their own —, and a dead or
//! slow endpoint holds one delivery slot, never the other sites' turns. The worker sleeps until
//! a transaction puts an event in the outbox (`StoreWatch::outbox`), a delivery ends, or the
//! next retry is due.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use engage_core::jiff::Timestamp;
use http_body_util::Full;
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::task::{JoinHandle, JoinSet};

use super::connect::{ConnectError, GuardedConnector};
use super::{DeliverySettings, Failure, signature};
use crate::store::{AttemptOutcome, DueDelivery, Store};

/// The longest the worker sleeps without looking at the outbox.
const IDLE_WAKE: Duration = Duration::from_secs(60);
/// The wait after the outbox could not be read or an attempt not recorded.
const STORE_TROUBLE_WAIT: Duration = Duration::from_secs(1);

type HttpsClient = Client<hyper_rustls::HttpsConnector<GuardedConnector>, Full<Bytes>>;

fn client(settings: &DeliverySettings) -> HttpsClient {
    let guarded = GuardedConnector {
        resolver: settings.resolver.clone(),
        allow_private: settings.allow_private_webhooks,
    };
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(guarded);
    Client::builder(TokioExecutor::new()).build(https)
}

/// Starts the delivery worker.
pub fn spawn_delivery_worker(store: Store, settings: DeliverySettings) -> JoinHandle<()> {
    tokio::spawn(run(store, Arc::new(settings)))
}

async fn run(store: Store, settings: Arc<DeliverySettings>) {
    let client = client(&settings);
    let slots = settings.max_in_flight.max(1);
    let mut in_flight = JoinSet::new();
    // The site each running delivery is for.
    let mut busy: HashMap<tokio::task::Id, String> = HashMap::new();
    loop {
        let wait = if in_flight.len() < slots {
            let busy_sites: HashSet<String> = busy.values().cloned().collect();
            let free = slots - in_flight.len();
            // Enough heads that the busy sites' own cannot crowd out the free slots.
            let limit = u32::try_from(free + busy_sites.len()).unwrap_or(u32::MAX);
            match store.delivery_heads(limit).await {
                Ok(heads) => {
                    let now_ms = unix_ms();
                    let mut wait = IDLE_WAKE;
                    for head in heads {
                        if busy_sites.contains(&head.site) {
                            continue;
                        }
                        if head.next_attempt_ms > now_ms {
                            // Heads come soonest first: this one is the next to wake for.
                            let until = u64::try_from(head.next_attempt_ms - now_ms).unwrap_or(0);
                            wait = Duration::from_millis(until).min(IDLE_WAKE);
                            break;
                        }
                        if in_flight.len() >= slots {
                            break;
                        }
                        let site = head.site.clone();
                        let task = attempt(store.clone(), client.clone(), settings.clone(), head);
                        busy.insert(in_flight.spawn(task).id(), site);
                    }
                    wait
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read the webhook outbox");
                    STORE_TROUBLE_WAIT
                }
            }
        } else {
            IDLE_WAKE
        };
        tokio::select! {
            Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(error) => {
                        tracing::error!(%error, "a webhook delivery task failed");
                        error.id()
                    }
                };
                busy.remove(&id);
            }
            () = store.watch.outbox.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One attempt at one event, recorded.
async fn attempt(
    store: Store,
    client: HttpsClient,
    settings: Arc<DeliverySettings>,
    delivery: DueDelivery,
) {
    let outcome = deliver(&client, &delivery, settings.timeout).await;
    let retry_in = match &outcome {
        AttemptOutcome::Delivered { .. } => None,
        AttemptOutcome::Failed { .. } => settings
            .retry_delays
            .get(usize::try_from(delivery.attempts).unwrap_or(usize::MAX))
            .map(|wait| i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
    };
    if let Err(error) = store
        .record_delivery_attempt(delivery.id, &outcome, retry_in, Timestamp::now(), unix_ms())
        .await
    {
        tracing::error!(%error, "cannot record a webhook delivery");
        // The event is still due: give the store a moment before the worker takes it again.
        tokio::time::sleep(STORE_TROUBLE_WAIT).await;
    }
}

/// Posts one event, signed now.
async fn deliver(
    client: &HttpsClient,
    delivery: &DueDelivery,
    timeout: Duration,
) -> AttemptOutcome {
    let failed = |failure: Failure, status: Option<u16>, detail: &dyn std::fmt::Display| {
        // The operator's log may say exactly what happened; the owner's log gets the category.
        tracing::warn!(
            site = %delivery.site,
            event = %delivery.event_id,
            failure = failure.code(),
            ?status,
            %detail,
            "webhook delivery failed"
        );
        AttemptOutcome::Failed { status, failure }
    };
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
        Err(error) => return failed(Failure::InvalidUrl, None, &error),
    };
    match tokio::time::timeout(timeout, client.request(request)).await {
        Err(_) => failed(
            Failure::Timeout,
            None,
            &format!("no answer within {} ms", timeout.as_millis()),
        ),
        Ok(Err(error)) => failed(classify(&error), None, &error_chain(&error)),
        Ok(Ok(response)) => {
            let status = response.status();
            if status.is_success() {
                AttemptOutcome::Delivered {
                    status: status.as_u16(),
                }
            } else {
                // Redirects land here too: following one could lead anywhere.
                failed(Failure::HttpStatus, Some(status.as_u16()), &status)
            }
        }
    }
}

/// The category of a client error: the connector's own, else TLS (the only other thing that
/// happens while connecting), else a broken exchange.
fn classify(error: &hyper_util::client::legacy::Error) -> Failure {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<ConnectError>() {
            return refused.failure();
        }
        cause = current.source();
    }
    if error.is_connect() {
        Failure::Tls
    } else {
        Failure::Protocol
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
