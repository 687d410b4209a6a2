//! Failed console sign-ins, counted per email and per client address: after `failures` of
//! them within `window`, further attempts for that email or from that address are refused
//! with 429 `rate_limited` (and `Retry-After`) before any password is checked.
//!
//! Not a governor limiter like `limits.rs`: only failures count (an office of owners behind
//! one address signing in each morning must not lock itself out), so the limit has to be
//! looked at before the attempt and charged only after it fails, and governor's `check_key`
//! always charges. The window runs on the server's injectable clock, so tests can cross it.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use engage_core::jiff::Timestamp;

use crate::error::ApiError;

/// How many failed sign-ins are allowed in how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInThrottleConfig {
    pub failures: NonZeroU32,
    pub window: Duration,
}

impl Default for SignInThrottleConfig {
    fn default() -> SignInThrottleConfig {
        SignInThrottleConfig {
            failures: NonZeroU32::new(5).expect("non-zero"),
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// What a failure is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// The email as typed, trimmed and lowercased (whether or not an owner has it).
    Email(String),
    Address(IpAddr),
}

/// The most keys remembered; past it, keys whose failures have all left the window are
/// forgotten first, then the map starts over, so made-up emails cannot grow memory forever.
const MAX_KEYS: usize = 100_000;

/// The failed sign-ins of the last window.
#[derive(Debug)]
pub struct SignInThrottle {
    config: SignInThrottleConfig,
    failures: Mutex<HashMap<Key, VecDeque<Timestamp>>>,
}

impl SignInThrottle {
    pub fn new(config: SignInThrottleConfig) -> SignInThrottle {
        SignInThrottle {
            config,
            failures: Mutex::default(),
        }
    }

    /// Refuses an attempt for `email` from `address` while either has used up its failures.
    pub fn check(&self, email: &str, address: IpAddr, now: Timestamp) -> Result<(), ApiError> {
        let failures = self.failures.lock().expect("sign-in throttle lock");
        let wait = [email_key(email), Key::Address(address)]
            .iter()
            .filter_map(|key| self.wait_for(failures.get(key)?, now))
            .max();
        match wait {
            Some(retry_after) => Err(ApiError::RateLimited { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn record_failure(&self, email: &str, address: IpAddr, now: Timestamp) {
        let mut failures = self.failures.lock().expect("sign-in throttle lock");
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, times| times.back().is_some_and(|last| self.in_window(*last, now)));
            if failures.len() >= MAX_KEYS {
                failures.clear();
            }
        }
        for key in [email_key(email), Key::Address(address)] {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            while times.len() > self.allowed() {
                times.pop_front();
            }
        }
    }

    /// Forgets the failures of `email` after its owner signed in (the address's stay: one
    /// account's password must not buy an address more guesses at others).
    pub fn forget_email(&self, email: &str) {
        let mut failures = self.failures.lock().expect("sign-in throttle lock");
        failures.remove(&email_key(email));
    }

    /// How long until the oldest of a full window of failures leaves it; `None` while fewer
    /// than the allowed number of failures are in the window.
    fn wait_for(&self, times: &VecDeque<Timestamp>, now: Timestamp) -> Option<Duration> {
        let recent = times.iter().filter(|at| self.in_window(**at, now));
        let oldest = *recent.clone().next()?;
        if recent.count() < self.allowed() {
            return None;
        }
        let age = Duration::try_from(now.duration_since(oldest)).unwrap_or(Duration::ZERO);
        Some(self.config.window.saturating_sub(age))
    }

    /// Whether a failure at `at` still counts at `now`.
    fn in_window(&self, at: Timestamp, now: Timestamp) -> bool {
        // A failure "in the future" (the clock went back) counts until the clock catches up.
        Duration::try_from(now.duration_since(at)).map_or(true, |age| age < self.config.window)
    }

    fn allowed(&self) -> usize {
        usize::try_from(self.config.failures.get()).unwrap_or(usize::MAX)
    }
}

fn email_key(email: &str) -> Key {
    Key::Email(
        email
            .trim()
            .to_lowercase()
            .chars()
            .take(crate::owners::OwnerEmail::MAX_LEN)
            .collect(),
    )
}
