//! Rate limits (governor, keyed): writes per member, and requests per client IP on `/api`.
//! Over a limit the answer is 429 `rate_limited` with `Retry-After`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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
        }
    }
}

/// The keyed limiters.
pub struct Limiters {
    member_writes: DefaultKeyedRateLimiter<(SiteId, MemberId)>,
    ip_requests: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
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

    /// Forgets keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn retain_recent(&self) {
        self.member_writes.retain_recent();
        self.ip_requests.retain_recent();
        self.member_writes.shrink_to_fit();
        self.ip_requests.shrink_to_fit();
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
