//! Rate limits (governor, keyed): writes per member, requests per client address on `/api`
//! (IPv6 clients by their /64), requests per site API key for host backends, and feedback per
//! sender and per address. Over a limit the answer is 429 `rate_limited` with `Retry-After`.
//!
//! Every keyed map is bounded ([`LimitConfig::max_tracked_keys`]): a flood of distinct keys
//! first makes the limiter forget keys that have fully recovered; if that frees nothing, new
//! keys share one overflow allowance until it does, so memory stays bounded and the flood
//! is still limited.

use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Extensions, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use engage_core::poll::Voter;
use engage_core::{MemberId, SiteId};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};

use crate::client_addr::{ClientAddr, limit_key};
use crate::error::ApiError;
use crate::routes::site_segment;
use crate::state::AppState;
use crate::token::{API_KEY_PREFIX, api_key_hash_matches, hash_api_key};

/// Limits as a rate per minute and a burst.
#[derive(Debug, Clone, Copy)]
pub struct LimitConfig {
    pub member_writes_per_minute: NonZeroU32,
    pub member_write_burst: NonZeroU32,
    pub ip_requests_per_minute: NonZeroU32,
    pub ip_burst: NonZeroU32,
    /// Feedback one member or visitor may send per `feedback_sender_period` (all at once, then
    /// evenly spread), and one IP address per `feedback_ip_period`, on one site.
    pub feedback_per_sender: NonZeroU32,
    pub feedback_sender_period: Duration,
    pub feedback_per_ip: NonZeroU32,
    pub feedback_ip_period: Duration,
    /// Requests one site's API key may make per second (host backends), and at once.
    pub api_key_requests_per_second: NonZeroU32,
    pub api_key_burst: NonZeroU32,
    /// The most keys (addresses, members, API keys) one limiter remembers.
    pub max_tracked_keys: usize,
}

impl Default for LimitConfig {
    fn default() -> LimitConfig {
        LimitConfig {
            member_writes_per_minute: NonZeroU32::new(30).expect("non-zero"),
            member_write_burst: NonZeroU32::new(10).expect("non-zero"),
            // A page with several widgets refetches on live events; many members may share
            // one address. The limit is for floods, not for busy pages.
            ip_requests_per_minute: NonZeroU32::new(600).expect("non-zero"),
            ip_burst: NonZeroU32::new(120).expect("non-zero"),
            feedback_per_sender: NonZeroU32::new(5).expect("non-zero"),
            feedback_sender_period: Duration::from_secs(10 * 60),
            feedback_per_ip: NonZeroU32::new(20).expect("non-zero"),
            feedback_ip_period: Duration::from_secs(60 * 60),
            api_key_requests_per_second: NonZeroU32::new(100).expect("non-zero"),
            api_key_burst: NonZeroU32::new(1_000).expect("non-zero"),
            max_tracked_keys: 200_000,
        }
    }
}

impl LimitConfig {
    /// Limits with the given rates, and bursts of a fifth of a minute's worth (at least the
    /// default bursts), so a page that loads several widgets at once is not refused.
    pub fn per_minute(ip_requests: NonZeroU32, member_writes: NonZeroU32) -> LimitConfig {
        let defaults = LimitConfig::default();
        let burst = |rate: NonZeroU32, default: NonZeroU32| {
            NonZeroU32::new(rate.get() / 5).map_or(default, |b| b.max(default))
        };
        LimitConfig {
            ip_requests_per_minute: ip_requests,
            ip_burst: burst(ip_requests, defaults.ip_burst),
            member_writes_per_minute: member_writes,
            member_write_burst: burst(member_writes, defaults.member_write_burst),
            ..defaults
        }
    }

    /// Limits so high that no test or benchmark meets them.
    pub fn generous() -> LimitConfig {
        let many = NonZeroU32::new(1_000_000).expect("non-zero");
        LimitConfig {
            member_writes_per_minute: many,
            member_write_burst: many,
            ip_requests_per_minute: many,
            ip_burst: many,
            feedback_per_sender: many,
            feedback_sender_period: Duration::from_secs(1),
            feedback_per_ip: many,
            feedback_ip_period: Duration::from_secs(1),
            api_key_requests_per_second: many,
            api_key_burst: many,
            max_tracked_keys: 200_000,
        }
    }
}

/// A keyed limiter that remembers at most `max_keys` keys (see the module's documentation).
struct BoundedLimiter<K: Hash + Eq + Clone> {
    keyed: DefaultKeyedRateLimiter<K>,
    /// The allowance new keys share while the map is full.
    overflow: DefaultDirectRateLimiter,
    max_keys: usize,
    /// When the map was last swept because it was full: at most once a second.
    last_sweep: Mutex<Option<Instant>>,
}

/// How many clients' worth the shared overflow allowance holds.
const OVERFLOW_SHARE: u32 = 64;

impl<K: Hash + Eq + Clone> BoundedLimiter<K> {
    fn new(quota: Quota, max_keys: usize) -> BoundedLimiter<K> {
        let burst = quota
            .burst_size()
            .saturating_mul(NonZeroU32::new(OVERFLOW_SHARE).expect("non-zero"));
        let period = quota.replenish_interval() / OVERFLOW_SHARE;
        let overflow = Quota::with_period(period.max(Duration::from_nanos(1)))
            .expect("non-zero period")
            .allow_burst(burst);
        BoundedLimiter {
            keyed: DefaultKeyedRateLimiter::keyed(quota),
            overflow: DefaultDirectRateLimiter::direct(overflow),
            max_keys: max_keys.max(1),
            last_sweep: Mutex::new(None),
        }
    }

    fn check(&self, key: &K, clock: &DefaultClock) -> Result<(), ApiError> {
        let refused = |not_until: governor::NotUntil<_>| ApiError::RateLimited {
            retry_after: not_until.wait_time_from(clock.now()),
        };
        if self.keyed.len() >= self.max_keys && !self.sweep_when_full() {
            return self.overflow.check().map_err(refused);
        }
        self.keyed.check_key(key).map_err(refused)
    }

    /// Forgets recovered keys if no sweep ran in the last second; whether there is room now.
    fn sweep_when_full(&self) -> bool {
        let mut last = self.last_sweep.lock().expect("limiter sweep lock");
        if last.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
            *last = Some(Instant::now());
            self.keyed.retain_recent();
        }
        self.keyed.len() < self.max_keys
    }

    fn retain_recent(&self) {
        self.keyed.retain_recent();
        self.keyed.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.keyed.len()
    }
}

/// The keyed limiters.
pub struct Limiters {
    member_writes: BoundedLimiter<(SiteId, MemberId)>,
    ip_requests: BoundedLimiter<IpAddr>,
    api_keys: BoundedLimiter<SiteId>,
    feedback_senders: BoundedLimiter<(SiteId, Voter)>,
    feedback_ips: BoundedLimiter<(SiteId, IpAddr)>,
    clock: DefaultClock,
}

/// `count` at once, then one more every `period / count`.
fn quota_per(count: NonZeroU32, period: Duration) -> Quota {
    Quota::with_period((period / count.get()).max(Duration::from_nanos(1)))
        .expect("non-zero period")
        .allow_burst(count)
}

fn quota(per_minute: NonZeroU32, burst: NonZeroU32) -> Quota {
    let period = Duration::from_secs(60) / per_minute.get();
    Quota::with_period(period.max(Duration::from_nanos(1)))
        .expect("non-zero period")
        .allow_burst(burst)
}

impl Limiters {
    pub fn new(config: LimitConfig) -> Limiters {
        let max = config.max_tracked_keys;
        let per_second = Duration::from_secs(1) / config.api_key_requests_per_second.get();
        Limiters {
            member_writes: BoundedLimiter::new(
                quota(config.member_writes_per_minute, config.member_write_burst),
                max,
            ),
            ip_requests: BoundedLimiter::new(
                quota(config.ip_requests_per_minute, config.ip_burst),
                max,
            ),
            api_keys: BoundedLimiter::new(
                Quota::with_period(per_second.max(Duration::from_nanos(1)))
                    .expect("non-zero period")
                    .allow_burst(config.api_key_burst),
                max,
            ),
            feedback_senders: BoundedLimiter::new(
                quota_per(config.feedback_per_sender, config.feedback_sender_period),
                max,
            ),
            feedback_ips: BoundedLimiter::new(
                quota_per(config.feedback_per_ip, config.feedback_ip_period),
                max,
            ),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one write by a member.
    pub fn check_member_write(&self, site: &SiteId, member: &MemberId) -> Result<(), ApiError> {
        self.member_writes
            .check(&(site.clone(), member.clone()), &self.clock)
    }

    /// Counts one API request from a client address (an IPv6 address by its /64).
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.ip_requests.check(&limit_key(ip), &self.clock)
    }

    /// Counts one request made with a site's (verified) API key.
    pub fn check_api_key(&self, site: &SiteId) -> Result<(), ApiError> {
        self.api_keys.check(site, &self.clock)
    }

    /// Counts one piece of feedback from `sender` at `ip` on `site`: the sender's allowance
    /// first, then the address's, so a refused sender does not use up the address's.
    pub fn check_feedback(
        &self,
        site: &SiteId,
        sender: &Voter,
        ip: IpAddr,
    ) -> Result<(), ApiError> {
        self.feedback_senders
            .check(&(site.clone(), sender.clone()), &self.clock)?;
        self.feedback_ips
            .check(&(site.clone(), limit_key(ip)), &self.clock)
    }

    /// Forgets keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn retain_recent(&self) {
        self.member_writes.retain_recent();
        self.ip_requests.retain_recent();
        self.api_keys.retain_recent();
        self.feedback_senders.retain_recent();
        self.feedback_ips.retain_recent();
    }

    /// How many client addresses the per-address limiter remembers (tests).
    pub fn tracked_addresses(&self) -> usize {
        self.ip_requests.len()
    }
}

/// The address of the client: as [`crate::client_addr::resolve_client_addr`] decided it
/// (through trusted proxies), else the connection's peer. Without either (tests) every request
/// has the unspecified address, so all share one per-IP allowance.
pub fn client_ip(extensions: &Extensions) -> IpAddr {
    if let Some(ClientAddr(ip)) = extensions.get::<ClientAddr>() {
        return *ip;
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Middleware: a request made with the site's API key counts toward that key's limit (host
/// backends are not browsers); every other request toward its address's. A refusal carries the
/// CORS headers the site's origin would get, so a widget can read `Retry-After`.
pub async fn limit_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let key = api_key(request.headers()).map(str::to_owned);
    let site = match key {
        Some(key) => api_key_site(&state, &path, &key).await,
        None => None,
    };
    let verdict = match site {
        Some(site) => state.limits.check_api_key(&site),
        None => state.limits.check_ip(client_ip(request.extensions())),
    };
    match verdict {
        Ok(()) => next.run(request).await,
        Err(refused) => {
            let origin = request.headers().get(header::ORIGIN).cloned();
            drop(request);
            let mut response = refused.into_response();
            if let Some(origin) = origin {
                allow_origin_of_refusal(&state, &path, origin, &mut response).await;
            }
            response
        }
    }
}

/// The bearer credential when it has the form of an API key.
fn api_key(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && key.starts_with(API_KEY_PREFIX)).then_some(key)
}

/// The site whose API key the request carries, if the key is valid for the site in the path.
async fn api_key_site(state: &AppState, path: &str, key: &str) -> Option<SiteId> {
    let site = state.site(site_segment(path)?).await.ok()?;
    api_key_hash_matches(&hash_api_key(key), &site.api_key_hash).then_some(site.id)
}

async fn allow_origin_of_refusal(
    state: &AppState,
    path: &str,
    origin: HeaderValue,
    response: &mut Response,
) {
    let Some(site) = site_segment(path) else {
        return;
    };
    let Ok(origin_text) = origin.to_str() else {
        return;
    };
    if state.origin_allowed(site, origin_text).await {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
        headers.append(header::VARY, HeaderValue::from_static("origin"));
    }
}
