//! The page's one event stream: `GET /api/v1/sites/{site}/stream?channels=…` carries every live
//! channel a page subscribed to, so that however many live widgets a page holds it opens one
//! connection. Channels, comma-separated, each at most once:
//!
//! - `leaderboard`: the site's ledger changed (as `…/leaderboard/events`);
//! - `poll:{id}`: a vote was stored or changed, the poll was edited, or it closed (as
//!   `…/polls/{id}/events`);
//! - `lottery:{id}`: a spin, an entry, an edit, opening or closing changed the lottery (its
//!   stock, its status);
//! - `rewards`: the site's rewards changed (a redemption took stock, an edit, codes uploaded, a
//!   cancelled redemption gave stock back);
//! - `me`: the member's own ledger changed (balance, points). Needs the member: a member token
//!   in the `token` query parameter (`EventSource` cannot send headers; the parameter is redacted
//!   from the request log) or the `Authorization` header.
//!
//! Each event is named after its channel (`event: poll:abc`) with `data: {"change": "<random
//! token>"}`, sent once at once for every channel and then after each change (changes of one
//! channel within its interval become one event). As on the per-widget streams no count,
//! version or balance travels: listeners read again through the route that applies the rules.
//! The stream caps of `streams.rs` apply to it like to the per-widget streams, which stay for
//! compatibility.

use std::collections::BTreeSet;
use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use engage_core::{LotteryId, PollId};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;

use crate::auth::{StreamVisitor, Visitor};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::live::{VersionChannels, version_events};
use crate::routes::polls::{KEEP_ALIVE, tally_events};
use crate::state::AppState;

/// The most channels one stream carries.
pub const MAX_CHANNELS: usize = 32;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// The channels, comma-separated.
    channels: Option<String>,
    /// A member token, for `me` (read by [`StreamVisitor`]).
    #[allow(dead_code, reason = "read by the StreamVisitor extractor")]
    token: Option<String>,
}

/// One channel a page may listen to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    Leaderboard,
    Poll(PollId),
    Lottery(LotteryId),
    Rewards,
    Me,
}

impl Channel {
    /// Reads one channel name as the query writes it.
    pub fn parse(text: &str) -> Result<Channel, ApiError> {
        let bad = || {
            ApiError::InvalidQuery(format!(
                "channel '{}' is not one of leaderboard, poll:{{id}}, lottery:{{id}}, rewards, me",
                text.chars().take(80).collect::<String>()
            ))
        };
        match text.split_once(':') {
            None => match text {
                "leaderboard" => Ok(Channel::Leaderboard),
                "rewards" => Ok(Channel::Rewards),
                "me" => Ok(Channel::Me),
                _ => Err(bad()),
            },
            Some(("poll", id)) => PollId::parse(id).map(Channel::Poll).map_err(|_| bad()),
            Some(("lottery", id)) => LotteryId::parse(id)
                .map(Channel::Lottery)
                .map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }

    /// The channel's name, which is also the name of its events.
    pub fn name(&self) -> String {
        match self {
            Channel::Leaderboard => "leaderboard".to_owned(),
            Channel::Poll(id) => format!("poll:{id}"),
            Channel::Lottery(id) => format!("lottery:{id}"),
            Channel::Rewards => "rewards".to_owned(),
            Channel::Me => "me".to_owned(),
        }
    }
}

/// Reads the `channels` parameter: at least one, at most [`MAX_CHANNELS`], repeats once.
pub fn parse_channels(text: Option<&str>) -> Result<BTreeSet<Channel>, ApiError> {
    let text = text.unwrap_or("");
    let channels = text
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(Channel::parse)
        .collect::<Result<BTreeSet<_>, _>>()?;
    if channels.is_empty() {
        return Err(ApiError::InvalidQuery(
            "channels names no channel: give leaderboard, poll:{id}, lottery:{id}, rewards or me"
                .to_owned(),
        ));
    }
    if channels.len() > MAX_CHANNELS {
        return Err(ApiError::InvalidQuery(format!(
            "channels names {} channels; one stream carries at most {MAX_CHANNELS}",
            channels.len()
        )));
    }
    Ok(channels)
}

type Events = BoxStream<'static, Result<Event, Infallible>>;

/// `GET /api/v1/sites/{site}/stream?channels=leaderboard,poll:{id},lottery:{id},rewards,me`
/// (and `token` for `me`); see the module documentation.
pub async fn site_stream(
    State(state): State<AppState>,
    StreamVisitor(visitor): StreamVisitor,
    ApiQuery(query): ApiQuery<StreamQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let channels = parse_channels(query.channels.as_deref())?;
    let site = visitor.site().id.clone();
    let watch = &state.store.watch;
    let mut streams: Vec<Events> = Vec::with_capacity(channels.len());
    for channel in channels {
        let name = channel.name();
        let events = match channel {
            Channel::Leaderboard => versioned(
                name,
                &watch.leaderboards,
                &site,
                state.config.leaderboard_event_interval,
            ),
            Channel::Poll(poll) => tally_events(&state, &site, &poll, name.into())
                .await?
                .boxed(),
            Channel::Lottery(lottery) => {
                // An unknown lottery is refused as its own routes refuse it.
                if state.store.lottery(&site, &lottery, None).await?.is_none() {
                    return Err(ApiError::LotteryNotFound(lottery.to_string()));
                }
                versioned(
                    name,
                    &watch.lotteries,
                    &(site.clone(), lottery),
                    state.config.tally_event_interval,
                )
            }
            Channel::Rewards => versioned(
                name,
                &watch.rewards,
                &site,
                state.config.tally_event_interval,
            ),
            Channel::Me => {
                let Visitor::Member(member) = &visitor else {
                    return Err(ApiError::MissingToken);
                };
                versioned(
                    name,
                    &watch.members,
                    &(site.clone(), member.id.clone()),
                    state.config.tally_event_interval,
                )
            }
        };
        streams.push(events);
    }
    Ok(sse_response(futures_util::stream::select_all(streams)))
}

/// The events of one versioned channel; a stream that only sends its first event once the
/// server is shutting down.
fn versioned<K: std::hash::Hash + Eq + Clone>(
    name: String,
    channels: &VersionChannels<K>,
    key: &K,
    interval: std::time::Duration,
) -> Events {
    let (version, receiver) = match channels.subscribe(key) {
        Some((version, receiver)) => (version, Some(receiver)),
        None => (0, None),
    };
    version_events(name.into(), version, receiver, interval, None).boxed()
}

/// An event stream as the answer: keep-alive comments when idle, and a header asking
/// nginx-like proxies not to buffer it.
pub fn sse_response(
    events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> impl IntoResponse {
    let stream = Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    let no_buffering = (
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    ([no_buffering], stream)
}
