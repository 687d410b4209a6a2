//! Rate limits (governor, keyed): writes per member, requests per client IP on `/api`, and
//! feedback per sender and per IP. Over a limit the answer is 429 `rate_limited` with
//! `Retry-After`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use engage_core::poll::Voter;
use engage_core::{MemberId, SiteId};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;
use crate::state::AppState;

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
        }
    }
}

/// The keyed limiters.
pub struct Limiters {
    member_writes: DefaultKeyedRateLimiter<(SiteId, MemberId)>,
    ip_requests: DefaultKeyedRateLimiter<IpAddr>,
    feedback_senders: DefaultKeyedRateLimiter<(SiteId, Voter)>,
    feedback_ips: DefaultKeyedRateLimiter<(SiteId, IpAddr)>,
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
        Limiters {
            member_writes: DefaultKeyedRateLimiter::keyed(quota(
                config.member_writes_per_minute,
                config.member_write_burst,
            )),
            ip_requests: DefaultKeyedRateLimiter::keyed(quota(
                config.ip_requests_per_minute,
                config.ip_burst,
            )),
            feedback_senders: DefaultKeyedRateLimiter::keyed(quota_per(
                config.feedback_per_sender,
                config.feedback_sender_period,
            )),
            feedback_ips: DefaultKeyedRateLimiter::keyed(quota_per(
                config.feedback_per_ip,
                config.feedback_ip_period,
            )),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one write by a member.
    pub fn check_member_write(&self, site: &SiteId, member: &MemberId) -> Result<(), ApiError> {
        self.member_writes
            .check_key(&(site.clone(), member.clone()))
            .map_err(|not_until| ApiError::RateLimited {
                retry_after: not_until.wait_time_from(self.clock.now()),
            })
    }

    /// Counts one API request from a client address.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.ip_requests
            .check_key(&ip)
            .map_err(|not_until| ApiError::RateLimited {
                retry_after: not_until.wait_time_from(self.clock.now()),
            })
    }

    /// Counts one piece of feedback from `sender` at `ip` on `site`: the sender's allowance
    /// first, then the address's, so a refused sender does not use up the address's.
    pub fn check_feedback(
        &self,
        site: &SiteId,
        sender: &Voter,
        ip: IpAddr,
    ) -> Result<(), ApiError> {
        let refused = |not_until: governor::NotUntil<_>| ApiError::RateLimited {
            retry_after: not_until.wait_time_from(self.clock.now()),
        };
        self.feedback_senders
            .check_key(&(site.clone(), sender.clone()))
            .map_err(refused)?;
        self.feedback_ips
            .check_key(&(site.clone(), ip))
            .map_err(refused)
    }

    /// Forgets keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn retain_recent(&self) {
        self.member_writes.retain_recent();
        self.ip_requests.retain_recent();
        self.feedback_senders.retain_recent();
        self.feedback_ips.retain_recent();
        self.member_writes.shrink_to_fit();
        self.ip_requests.shrink_to_fit();
        self.feedback_senders.shrink_to_fit();
        self.feedback_ips.shrink_to_fit();
    }
}

/// The address of the client, as the connection shows it. Without a peer address (tests) every
/// request has the unspecified address, so all share one per-IP allowance.
pub fn client_ip(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Middleware: the per-IP limit.
pub async fn limit_by_ip(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match state.limits.check_ip(client_ip(request.extensions())) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}
