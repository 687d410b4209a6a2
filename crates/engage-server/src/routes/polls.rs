//! Polls (投票) for members and visitors: the poll with its tally where visible, voting, and a
//! live stream (server-sent events) that says when to read the poll again.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use engage_core::api::{PollView, VoteRequest};
use engage_core::calendar::calendar_day;
use engage_core::poll::poll_view;
use futures_util::Stream;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

use crate::auth::Visitor;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientIp, PollPath};
use crate::state::AppState;
use crate::store::{VoteRecorded, VoteToRecord};
use crate::token::hash_ip;

/// How often an idle live stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /api/v1/sites/{site}/polls/{poll}`: anyone; a member token or a visitor id adds
/// `my_choices` and, for "after vote" polls, the tally once they voted.
pub async fn poll_state(
    State(state): State<AppState>,
    visitor: Visitor,
    PollPath(poll_id): PollPath,
) -> Result<Json<PollView>, ApiError> {
    let voter = visitor.voter();
    let record = state
        .store
        .poll(&visitor.site().id, &poll_id, voter.as_ref())
        .await?
        .ok_or_else(|| ApiError::PollNotFound(poll_id.to_string()))?;
    Ok(Json(poll_view(
        &record.poll,
        &record.tally,
        &record.my_choices,
        state.now(),
    )))
}

/// `POST /api/v1/sites/{site}/polls/{poll}/votes` with `{"choices": [...]}`: votes, changes a
/// vote, or (same choices again) changes nothing; answers the poll as the voter now sees it,
/// with `awarded` and, for members, the balance in `points`.
pub async fn vote(
    State(state): State<AppState>,
    visitor: Visitor,
    PollPath(poll_id): PollPath,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<VoteRequest>,
) -> Result<Json<PollView>, ApiError> {
    let site = visitor.site();
    let now = state.now();
    let rules = state.rules(&site.id).await?;
    let voter = visitor.voter();
    let ip_hash = hash_ip(&site.secret, ip);
    let vote = VoteToRecord {
        voter: voter.as_ref(),
        name: visitor.name(),
        ip_hash: &ip_hash,
        choices: &request.choices,
    };
    let today = calendar_day(now, &site.zone);
    let recorded = state
        .store
        .record_vote(&site.id, &poll_id, vote, today, now, &rules)
        .await?;
    match recorded {
        VoteRecorded::Refused(reason) => Err(ApiError::Vote(reason)),
        VoteRecorded::Done {
            record,
            changed,
            awarded,
            balance,
        } => {
            if changed {
                state.tallies.publish(&site.id, &poll_id, record.version);
            }
            let mut view = poll_view(&record.poll, &record.tally, &record.my_choices, now);
            view.awarded = Some(awarded);
            view.points = balance;
            Ok(Json(view))
        }
    }
}

/// `GET /api/v1/sites/{site}/polls/{poll}/events`: a server-sent event stream. It sends
/// `event: tally` with `data: {"version": n}` at once, whenever a vote is stored or changed
/// or the poll is edited (several changes within `tally_event_interval` become one event),
/// and when the poll's close time passes; and a keep-alive comment when idle. No counts travel on it: listeners read the poll again.
pub async fn poll_events(
    State(state): State<AppState>,
    visitor: Visitor,
    PollPath(poll_id): PollPath,
) -> Result<impl IntoResponse, ApiError> {
    let site = &visitor.site().id;
    // Listen first, then read the version, so that no change falls in between.
    let receiver = state.tallies.subscribe(site, &poll_id);
    let record = state
        .store
        .poll(site, &poll_id, None)
        .await?
        .ok_or_else(|| ApiError::PollNotFound(poll_id.to_string()))?;
    // A poll that closes while the stream is open changes what listeners may see (final
    // results, no form) without any write: announce that moment too.
    let closes_in = record
        .poll
        .closes_at
        .and_then(|at| std::time::Duration::try_from(at.duration_since(state.now())).ok())
        .filter(|wait| !wait.is_zero());
    let events = tally_events(
        record.version,
        receiver,
        state.config.tally_event_interval,
        closes_in.map(|wait| Instant::now() + wait),
    );
    let stream = Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    // Asks nginx-like proxies not to buffer the stream.
    let no_buffering = (
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    Ok(([no_buffering], stream))
}

/// Where a live stream is: the version to send first, and when it last sent a change.
struct TallyStream {
    first: Option<u64>,
    receiver: Option<Receiver<u64>>,
    last_change_sent: Option<Instant>,
    interval: Duration,
    /// When the poll closes, if that is still ahead; cleared once announced.
    closes: Option<Instant>,
    /// The last version sent, repeated when announcing the close.
    version: u64,
}

fn tally_events(
    version: u64,
    receiver: Option<Receiver<u64>>,
    interval: Duration,
    closes: Option<Instant>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let start = TallyStream {
        first: Some(version),
        receiver,
        last_change_sent: None,
        interval,
        closes,
        version,
    };
    futures_util::stream::unfold(start, |mut stream| async move {
        if let Some(version) = stream.first.take() {
            return Some((Ok(tally_event(version)), stream));
        }
        let closes = stream.closes;
        let receiver = stream.receiver.as_mut()?;
        let received = async {
            loop {
                match receiver.recv().await {
                    Ok(version) => break Some(version),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break None,
                }
            }
        };
        let closing = async {
            match closes {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let mut version = tokio::select! {
            received = received => received?,
            () = closing => {
                stream.closes = None;
                let version = stream.version;
                return Some((Ok(tally_event(version)), stream));
            }
        };
        if let Some(last) = stream.last_change_sent {
            tokio::time::sleep_until(last + stream.interval).await;
        }
        // Whatever arrived while waiting is told by the same event.
        loop {
            match receiver.try_recv() {
                Ok(newer) => version = version.max(newer),
                Err(TryRecvError::Lagged(_)) => continue,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        stream.last_change_sent = Some(Instant::now());
        stream.version = version;
        Some((Ok(tally_event(version)), stream))
    })
}

fn tally_event(version: u64) -> Event {
    Event::default()
        .event("tally")
        .data(serde_json::json!({ "version": version }).to_string())
}
