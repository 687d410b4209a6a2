//! Live updates. Tallies: one `tokio::sync::broadcast` channel per (site, poll), created when
//! the first listener arrives, on which the poll's version is announced after every stored vote,
//! changed vote and edit. Leaderboards: one channel per site, announced after every committed
//! ledger entry; likewise, as [`VersionChannels`], one per member (their ledger), per lottery
//! (spins, entries, edits) and per site's rewards (redemptions, edits, codes). Versions stay inside the server: a listener is sent a random change token,
//! never a count, a version or points, so it learns only *that* something changed and reads it
//! again through the route that applies the rules.
//! [`version_events`] turns a channel into the server-sent event stream every live route uses.
//!
//! The channels live in this process; with several replicas each announces its own writes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::response::sse::Event;
use engage_core::{PollId, SiteId};
use futures_util::Stream;
use tokio::sync::broadcast;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

/// Versions a slow listener may fall behind by before it skips to the newest (it only ever
/// needs the newest).
const CHANNEL_CAPACITY: usize = 16;

/// The broadcast channels of the polls someone is listening to.
#[derive(Debug, Default)]
pub struct TallyChannels {
    state: Mutex<Channels>,
}

#[derive(Debug, Default)]
struct Channels {
    by_poll: HashMap<(SiteId, PollId), broadcast::Sender<u64>>,
    /// Set at shutdown: no new listeners, and the existing streams end.
    closed: bool,
}

impl TallyChannels {
    /// Listens to a poll's versions; `None` once the server is shutting down.
    pub fn subscribe(&self, site: &SiteId, poll: &PollId) -> Option<broadcast::Receiver<u64>> {
        let mut state = self.state.lock().expect("tally channels lock");
        if state.closed {
            return None;
        }
        // Channels nobody listens to any more are dropped here rather than by a timer.
        state
            .by_poll
            .retain(|_, sender| sender.receiver_count() > 0);
        let sender = state
            .by_poll
            .entry((site.clone(), poll.clone()))
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0);
        Some(sender.subscribe())
    }

    /// Announces a poll's new version to its listeners, if it has any.
    pub fn publish(&self, site: &SiteId, poll: &PollId, version: u64) {
        let state = self.state.lock().expect("tally channels lock");
        if let Some(sender) = state.by_poll.get(&(site.clone(), poll.clone())) {
            // An error only means that every listener has just left.
            let _ = sender.send(version);
        }
    }

    /// Ends every stream, so that a graceful shutdown does not wait for listeners that never
    /// hang up.
    pub fn close(&self) {
        let mut state = self.state.lock().expect("tally channels lock");
        state.closed = true;
        state.by_poll.clear();
    }

    /// How many polls have a channel (tests).
    pub fn open_channels(&self) -> usize {
        self.state
            .lock()
            .expect("tally channels lock")
            .by_poll
            .len()
    }
}

/// The per-site leaderboard channels. Each site's version counts the ledger changes this process
/// committed since it started; a listener only compares it with the last one it saw.
pub type LeaderboardChannels = VersionChannels<SiteId>;

/// Versioned broadcast channels, one per key (a site's leaderboard, a member's balance, a
/// lottery's stock, a site's rewards): each key's version counts the changes this process
/// committed since it started, and a listener only compares it with the last one it saw.
#[derive(Debug)]
pub struct VersionChannels<K> {
    state: Mutex<VersionState<K>>,
}

#[derive(Debug)]
struct VersionState<K> {
    by_key: HashMap<K, (u64, Option<broadcast::Sender<u64>>)>,
    closed: bool,
}

impl<K> Default for VersionChannels<K> {
    fn default() -> VersionChannels<K> {
        VersionChannels {
            state: Mutex::new(VersionState {
                by_key: HashMap::new(),
                closed: false,
            }),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> VersionChannels<K> {
    /// Listens to a key: its current version and the receiver of newer ones; `None` once the
    /// server is shutting down.
    pub fn subscribe(&self, key: &K) -> Option<(u64, broadcast::Receiver<u64>)> {
        let mut state = self.state.lock().expect("version channels lock");
        if state.closed {
            return None;
        }
        let (version, sender) = state.by_key.entry(key.clone()).or_default();
        let sender = match sender {
            Some(sender) if sender.receiver_count() > 0 => sender,
            _ => sender.insert(broadcast::channel(CHANNEL_CAPACITY).0),
        };
        Some((*version, sender.subscribe()))
    }

    /// Announces that what `key` names changed.
    pub fn publish(&self, key: &K) {
        let mut state = self.state.lock().expect("version channels lock");
        let (version, sender) = state.by_key.entry(key.clone()).or_default();
        *version += 1;
        if let Some(sender) = sender {
            // An error only means that every listener has just left.
            if sender.send(*version).is_err() {
                state.by_key.get_mut(key).map(|(_, sender)| sender.take());
            }
        }
    }

    /// Ends every stream (graceful shutdown).
    pub fn close(&self) {
        let mut state = self.state.lock().expect("version channels lock");
        state.closed = true;
        for (_, sender) in state.by_key.values_mut() {
            sender.take();
        }
    }
}

/// Where a live stream is: the version to send first, and when it last sent a change.
struct VersionStream {
    name: Cow<'static, str>,
    first: Option<u64>,
    receiver: Option<Receiver<u64>>,
    last_change_sent: Option<Instant>,
    interval: Duration,
    /// When the poll closes, if that is still ahead; cleared once announced.
    closes: Option<Instant>,
    /// The last version sent, repeated when announcing the close.
    version: u64,
}

/// A server-sent event stream of changes: `event: <name>` with `data: {"change": "<token>"}`
/// (see [`version_event`]) at once, then whenever `receiver` announces a newer version
/// (announcements within `interval` of the last event become one event), and once at `closes`
/// if given.
pub fn version_events(
    name: Cow<'static, str>,
    version: u64,
    receiver: Option<Receiver<u64>>,
    interval: Duration,
    closes: Option<Instant>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let start = VersionStream {
        name,
        first: Some(version),
        receiver,
        last_change_sent: None,
        interval,
        closes,
        version,
    };
    futures_util::stream::unfold(start, |mut stream| async move {
        if let Some(version) = stream.first.take() {
            return Some((Ok(version_event(&stream.name, version)), stream));
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
                return Some((Ok(version_event(&stream.name, version)), stream));
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
        Some((Ok(version_event(&stream.name, version)), stream))
    })
}

/// The event that tells listeners to read again. Its data is `{"change": "<token>"}` with a
/// fresh random token, not `version`: a poll's version grows with every vote, so sending it
/// would tell anyone the number of votes of a poll whose results are hidden until close (and
/// the leaderboard's, the site's ledger activity). The token says only "this is news"; a
/// listener that reconnects reads once more, which is what it should do anyway.
fn version_event(name: &str, _version: u64) -> Event {
    Event::default()
        .event(name)
        .data(serde_json::json!({ "change": change_token() }).to_string())
}

/// 64 random bits as 16 hex digits: unique for practical purposes, and derived from nothing.
fn change_token() -> String {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    format!("{:016x}", u64::from_le_bytes(bytes))
}
