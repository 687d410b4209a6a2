//! Live tallies: one `tokio::sync::broadcast` channel per (site, poll), created when the first
//! listener arrives, on which the poll's version is announced after every stored vote, changed
//! vote and edit. Only the version travels, never counts: a listener learns *that* the poll
//! changed and reads it again through the route that applies the visibility rules.
//!
//! The channels live in this process; with several replicas each announces its own writes.

use std::collections::HashMap;
use std::sync::Mutex;

use engage_core::{PollId, SiteId};
use tokio::sync::broadcast;

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
