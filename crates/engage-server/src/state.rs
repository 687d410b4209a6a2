//! What every request handler can reach: the store, the clock, the rate limiters, the live
//! tally channels and the server's configuration.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engage_core::SiteId;
use engage_core::jiff::Timestamp;
use engage_core::jiff::tz::TimeZone;
use engage_core::rules::{Rules, parse_rules};

use crate::client_addr::ProxyConfig;
use crate::error::ApiError;
use crate::limits::{LimitConfig, Limiters};
use crate::live::TallyChannels;
use crate::owners::ConsoleConfig;
use crate::sign_in_throttle::SignInThrottle;
use crate::store::{Retiring, Store};
use crate::streams::{StreamGate, StreamLimits};
use crate::token::Redacted;

/// "Now", injectable so tests can cross days and time zones.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// How long a site's list of allowed origins is remembered for CORS checks.
const ORIGIN_CACHE_TTL: Duration = Duration::from_secs(10);
const ORIGIN_CACHE_MAX_SITES: usize = 10_000;

/// Settings chosen at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Demo mode: the demo site exists and the `/api/v1/demo/*` routes answer.
    pub demo: bool,
    /// A directory holding the built widget bundle (`engage.js`, `pkg/`), served at `/`
    /// instead of the bundle built into the binary.
    pub static_dir: Option<PathBuf>,
    /// A directory of host pages, served at `/` where the bundle has no such file; without
    /// one, the demo pages built into the binary are served in demo mode.
    pub www_dir: Option<PathBuf>,
    pub limits: LimitConfig,
    /// The reverse proxies whose forwarding headers name the client.
    pub proxy: ProxyConfig,
    /// Bounds on open live event streams.
    pub streams: StreamLimits,
    /// The least time between two `tally` events on one live stream: a busy poll's votes are
    /// announced together, so listening widgets re-read it at most this often.
    pub tally_event_interval: Duration,
    /// The least time between two `leaderboard` events on one live stream.
    pub leaderboard_event_interval: Duration,
    /// How the webhook worker delivers (retry schedule, timeout).
    pub webhooks: crate::webhooks::DeliverySettings,
    /// The owner console: public URL, trusted proxies, sign-in throttle.
    pub console: ConsoleConfig,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            demo: false,
            static_dir: None,
            www_dir: None,
            limits: LimitConfig::default(),
            proxy: ProxyConfig::default(),
            streams: StreamLimits::default(),
            tally_event_interval: Duration::from_secs(1),
            leaderboard_event_interval: Duration::from_secs(1),
            webhooks: crate::webhooks::DeliverySettings::default(),
            console: ConsoleConfig::default(),
        }
    }
}

/// The state shared by all handlers. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub limits: Arc<Limiters>,
    pub config: Arc<Config>,
    pub tallies: Arc<TallyChannels>,
    pub streams: Arc<StreamGate>,
    /// Failed console sign-ins per email and per address.
    pub sign_ins: Arc<SignInThrottle>,
    origins: Arc<Mutex<OriginCache>>,
}

/// Site id → when its origins were read, and the origins.
type OriginCache = HashMap<String, (Instant, Arc<[String]>)>;

/// A site as handlers use it: its time zone resolved.
#[derive(Clone)]
pub struct SiteContext {
    pub id: SiteId,
    pub name: String,
    pub zone: TimeZone,
    pub secret: String,
    pub api_key_hash: String,
    /// The member-token secret a rotation is retiring (see [`Retiring::accepted_at`]).
    pub previous_secret: Option<Retiring>,
    /// The hash of the API key a rotation is retiring.
    pub previous_api_key_hash: Option<Retiring>,
}

impl std::fmt::Debug for SiteContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteContext")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("zone", &self.zone)
            .field("secret", &Redacted)
            .field("api_key_hash", &Redacted)
            .field("previous_secret", &self.previous_secret)
            .field("previous_api_key_hash", &self.previous_api_key_hash)
            .finish()
    }
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            clock: system_clock(),
            limits: Arc::new(Limiters::new(config.limits)),
            streams: Arc::new(StreamGate::new(config.streams)),
            sign_ins: Arc::new(SignInThrottle::new(config.console.sign_ins)),
            config: Arc::new(config),
            tallies: Arc::default(),
            origins: Arc::default(),
        }
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The site named in a path; an id that cannot exist is "not found" like a missing one.
    pub async fn site(&self, raw_id: &str) -> Result<SiteContext, ApiError> {
        let not_found = || ApiError::SiteNotFound(raw_id.chars().take(64).collect());
        let id = SiteId::parse(raw_id).map_err(|_| not_found())?;
        let record = self.store.site_record(&id).await?.ok_or_else(not_found)?;
        let site = record.site;
        let zone = TimeZone::get(&site.tz).map_err(|e| {
            ApiError::Internal(format!("site '{id}' has time zone '{}': {e}", site.tz))
        })?;
        Ok(SiteContext {
            id,
            name: site.name,
            zone,
            secret: site.secret,
            api_key_hash: site.api_key_hash,
            previous_secret: record.previous_secret,
            previous_api_key_hash: record.previous_api_key_hash,
        })
    }

    /// The site's current rules: the newest installed document, or the defaults.
    pub async fn rules(&self, site: &SiteId) -> Result<Rules, ApiError> {
        match self.store.current_rules(site).await? {
            None => Ok(Rules::default()),
            Some(stored) => parse_rules(&stored.document, stored.format).map_err(|e| {
                ApiError::Internal(format!(
                    "site '{site}' rules version {} no longer parse: {e}",
                    stored.version
                ))
            }),
        }
    }

    /// How many sites' origins are cached (tests).
    pub fn cached_origin_sites(&self) -> usize {
        self.origins.lock().expect("origin cache lock").len()
    }

    /// Forgets the cached origins of `site`, after its owner changed them.
    pub fn forget_origins(&self, site: &str) {
        self.origins.lock().expect("origin cache lock").remove(site);
    }

    /// Whether `origin` may call the API of `site` from a browser. Both sides are compared in
    /// their [`canonical_origin`] form, so `https://a.com:443` is `https://a.com` whichever
    /// way it was registered or sent.
    pub async fn origin_allowed(&self, site: &str, origin: &str) -> bool {
        let Some(origin) = canonical_origin(origin) else {
            return false;
        };
        let cached = {
            let cache = self.origins.lock().expect("origin cache lock");
            cache
                .get(site)
                .filter(|(at, _)| at.elapsed() < ORIGIN_CACHE_TTL)
                .map(|(_, origins)| origins.clone())
        };
        let origins = match cached {
            Some(origins) => origins,
            None => {
                let Ok(id) = SiteId::parse(site) else {
                    return false;
                };
                let origins: Arc<[String]> = match self.store.site_origins(&id).await {
                    // Databases written before origins were stored canonical may hold
                    // `https://a.com:443`: compare what they mean.
                    Ok(origins) => origins
                        .iter()
                        .filter_map(|stored| canonical_origin(stored))
                        .collect(),
                    Err(error) => {
                        tracing::error!(%site, %error, "could not read site origins");
                        return false;
                    }
                };
                // A site that does not exist (it has no origins) is not remembered: requests
                // naming made-up sites must not fill the cache.
                if origins.is_empty() {
                    return false;
                }
                let mut cache = self.origins.lock().expect("origin cache lock");
                if cache.len() >= ORIGIN_CACHE_MAX_SITES {
                    cache.clear();
                }
                cache.insert(site.to_owned(), (Instant::now(), origins.clone()));
                origins
            }
        };
        origins.contains(&origin)
    }
}

/// An origin (`scheme://host[:port]`) in the one form browsers send: lowercase, without a
/// trailing slash, without the scheme's default port (`:443` for https, `:80` for http) and
/// with the port as a plain number. `None` for anything else: another scheme, a path, user
/// information, an empty host or a port that is not a number from 1 to 65535.
pub fn canonical_origin(text: &str) -> Option<String> {
    let lower = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = lower.split_once("://")?;
    let default_port = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    // An IPv6 host is bracketed and holds colons itself.
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let (address, after) = rest.split_once(']')?;
            let port = match after {
                "" => None,
                after => Some(after.strip_prefix(':')?),
            };
            let host_ok = !address.is_empty()
                && address
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'));
            (host_ok.then(|| format!("[{address}]"))?, port)
        }
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            (host_ok.then(|| host.to_owned())?, port)
        }
    };
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse::<u16>().ok().filter(|&port| port != 0)?)
        }
        Some(_) => return None,
    };
    Some(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}
