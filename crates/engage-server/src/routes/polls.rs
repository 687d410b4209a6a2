//! Polls (投票) for members and visitors: the poll with its tally where visible, voting, and a
//! live stream (server-sent events) that says when to read the poll again.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use std::borrow::Cow;
use std::convert::Infallible;

use axum::response::IntoResponse;
use axum::response::sse::Event;
use engage_core::api::{PollView, VoteRequest};
use engage_core::calendar::calendar_day;
use engage_core::poll::poll_view;
use engage_core::{PollId, SiteId};
use futures_util::Stream;
use tokio::time::Instant;

use crate::auth::Visitor;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientIp, PollPath};
use crate::live::version_events;
use crate::routes::stream::sse_response;
use crate::state::AppState;
use crate::store::{VoteRecorded, VoteToRecord};
use crate::token::hash_ip;

/// How often an idle live stream sends a comment, so proxies keep it open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

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
            badges,
        } => {
            if changed {
                state.tallies.publish(&site.id, &poll_id, record.version);
            }
            let mut view = poll_view(&record.poll, &record.tally, &record.my_choices, now);
            view.awarded = Some(awarded);
            view.points = balance;
            view.badges = balance.is_some().then_some(badges);
            Ok(Json(view))
        }
    }
}

/// `GET /api/v1/sites/{site}/polls/{poll}/events`: a server-sent event stream. It sends
/// `event: tally` with `data: {"change": "<random token>"}` at once, whenever a vote is stored
/// or changed or the poll is edited (several changes within `tally_event_interval` become one
/// event), and when the poll's close time passes; and a keep-alive comment when idle. No
/// counts and no version travel on it (a version would count an "after close" poll's votes):
/// listeners read the poll again.
pub async fn poll_events(
    State(state): State<AppState>,
    visitor: Visitor,
    PollPath(poll_id): PollPath,
) -> Result<impl IntoResponse, ApiError> {
    let events = tally_events(&state, &visitor.site().id, &poll_id, "tally".into()).await?;
    Ok(sse_response(events))
}

/// A poll's change events named `name`, or why not (an unknown poll).
pub async fn tally_events(
    state: &AppState,
    site: &SiteId,
    poll_id: &PollId,
    name: Cow<'static, str>,
) -> Result<impl Stream<Item = Result<Event, Infallible>> + Send + use<>, ApiError> {
    // Listen first, then read the version, so that no change falls in between.
    let receiver = state.tallies.subscribe(site, poll_id);
    let record = state
        .store
        .poll(site, poll_id, None)
        .await?
        .ok_or_else(|| ApiError::PollNotFound(poll_id.to_string()))?;
    // A poll that closes while the stream is open changes what listeners may see (final
    // results, no form) without any write: announce that moment too.
    let closes_in = record
        .poll
        .closes_at
        .and_then(|at| std::time::Duration::try_from(at.duration_since(state.now())).ok())
        .filter(|wait| !wait.is_zero());
    Ok(version_events(
        name,
        record.version,
        receiver,
        state.config.tally_event_interval,
        closes_in.map(|wait| Instant::now() + wait),
    ))
}
