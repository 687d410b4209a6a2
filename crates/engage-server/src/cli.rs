//! The command line: `serve`, `site add`, `site webhook`, `site rotate`, `owner add`,
//! `rules set`, `verify-lottery`, `backup`, `import` and `bench-seed`. The server binary is also the
//! owner's tool; commands that report print JSON with `--json`.

use std::io::Write;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{ArgGroup, Args, Parser, Subcommand};
use engage_core::SiteId;
use engage_core::api::lottery::LotteryProof;
use engage_core::jiff::tz::TimeZone;
use engage_core::jiff::{SignedDuration, Timestamp};
use engage_core::lottery::verify_proof;
use engage_core::rules::{RulesError, RulesFormat, parse_rules};

use crate::audit::{Actor, AuditAction};
use crate::client_addr::{ProxyConfig, ProxyHeader, parse_trusted_proxy};
use crate::client_scheme::PublicUrl;
use crate::limits::LimitConfig;
use crate::owners::{
    ConsoleConfig, OwnerEmail, OwnerInputError, SETUP_TOKEN_LIFETIME, check_new_password,
    hash_password,
};
use crate::routes::assets::{AssetsError, BUNDLE, check_assets};
use crate::routes::demo::seed_demo;
use crate::routes::router;
use crate::serve::ConnectionLimits;
use crate::state::{AppState, Config};
use crate::store::{Credential, ImportContext, NewOwner, NewSite, Site, Store, StoreError};
use crate::streams::StreamLimits;
use crate::token::{hash_api_key, new_api_key, new_owner_token, new_site_secret, sha256_hex};
use crate::webhooks::{
    DeliverySettings, WebhookUrlError, check_webhook_url, new_webhook_secret, spawn_delivery_worker,
};
use ipnet::IpNet;

#[derive(Debug, Parser)]
#[command(
    name = "engage-server",
    version,
    about = "Engage: engagement widgets server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Manage sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage the owner accounts of the console.
    #[command(subcommand)]
    Owner(OwnerCommand),
    /// Manage a site's rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Recompute every outcome of a lottery's published proof; exits non-zero on a mismatch.
    VerifyLottery(VerifyLotteryArgs),
    /// Fill a site with many members and ledger entries, for benchmarks (not for real sites).
    BenchSeed(BenchSeedArgs),
    /// Write a consistent copy of the database to a file, also while a server is using it.
    Backup(BackupArgs),
    /// Bring in a community's history from a JSON Lines file (member, visit, checkin, points and
    /// event records): validated whole first, nothing written on any error, idempotent.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// An existing site.
    #[arg(long)]
    pub site: SiteId,
    /// The history file: one JSON object a line.
    pub file: PathBuf,
    /// Validate and count what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Where the copy goes. An existing file is refused unless --force is given.
    pub file: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchSeedArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// An existing site.
    #[arg(long)]
    pub site: SiteId,
    #[arg(long, default_value_t = 100_000)]
    pub members: u32,
    #[arg(long, default_value_t = 1_000_000)]
    pub entries: u32,
    /// Entries are spread over this many days ending today (in the site's time zone).
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Activity rows (member-days seen or acting) spread over the same days, for the
    /// analytics benchmark.
    #[arg(long, default_value_t = 0)]
    pub activity: u32,
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// The database: a SQLite file path or a sqlite:// URL.
    #[arg(long, env = "ENGAGE_DB")]
    pub db: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Create the demo site and sample members, and enable the /api/v1/demo routes.
    #[arg(long)]
    pub demo: bool,
    /// Serve the widget bundle from this directory (as `cargo xtask dist` writes it) instead
    /// of the one built into the binary.
    #[arg(long)]
    pub static_dir: Option<PathBuf>,
    /// Serve host pages from this directory at / where the bundle has no such file (without
    /// it, --demo serves the demo pages built into the binary).
    #[arg(long)]
    pub www_dir: Option<PathBuf>,
    /// Requests one IP address may make per minute (widgets on a busy page, many members
    /// behind one NAT); over it, answers are 429 with Retry-After.
    #[arg(long, default_value_t = LimitConfig::default().ip_requests_per_minute)]
    pub ip_requests_per_minute: NonZeroU32,
    /// Writes (check-ins, votes, …) one member may make per minute.
    #[arg(long, default_value_t = LimitConfig::default().member_writes_per_minute)]
    pub member_writes_per_minute: NonZeroU32,
    /// Requests one site's API key (a host backend) may make per second; these do not count
    /// toward the per-IP limit.
    #[arg(long, default_value_t = LimitConfig::default().api_key_requests_per_second)]
    pub api_key_requests_per_second: NonZeroU32,
    /// Requests one site's API key may make at once before the per-second rate applies.
    #[arg(long, default_value_t = LimitConfig::default().api_key_burst)]
    pub api_key_burst: NonZeroU32,
    /// A reverse proxy (CIDR block or address) whose forwarding header names the client
    /// (repeatable). Without it, forwarding headers are ignored.
    #[arg(long = "trusted-proxy", value_parser = parse_trusted_proxy)]
    pub trusted_proxies: Vec<IpNet>,
    /// The header trusted proxies write the client's address into.
    #[arg(long, value_enum, default_value_t = ProxyHeader::XForwardedFor)]
    pub proxy_header: ProxyHeader,
    /// Live event streams one client address (IPv6: its /64) may hold open.
    #[arg(long, default_value_t = StreamLimits::default().per_ip)]
    pub max_streams_per_ip: usize,
    /// Live event streams the server holds open in all.
    #[arg(long, default_value_t = StreamLimits::default().total)]
    pub max_streams: usize,
    /// How long one live stream lasts before the server ends it (the browser reconnects),
    /// e.g. 30m.
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub stream_lifetime: Duration,
    /// Connections open at once; over it, new ones wait in the listen backlog.
    #[arg(long, default_value_t = ConnectionLimits::default().max_connections)]
    pub max_connections: usize,
    /// How long a client may take to send its request headers, and an idle connection is
    /// kept, e.g. 10s.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// Let webhooks go to loopback, private, link-local and other non-public addresses (for a
    /// receiver inside your own network; never to a cloud metadata address). Off by default:
    /// site owners choose webhook URLs, and could otherwise aim the server at its own network.
    #[arg(long)]
    pub allow_private_webhooks: bool,
    /// The address browsers use to reach the server, e.g. https://engage.example.com: the
    /// console's own origin (for its Origin checks), and with https its cookie is
    /// `__Host-engage_session` and Secure.
    #[arg(long, value_parser = PublicUrl::parse)]
    pub public_url: Option<PublicUrl>,
}

#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// Create an owner account of the console, with the password read from stdin.
    Add(OwnerAddArgs),
}

#[derive(Debug, Args)]
pub struct OwnerAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The owner's email, which they sign in with (case does not matter).
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of stdin (never from the command line, where
    /// other users and the shell history would see it). At least 10 characters.
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// A site the owner may run (repeatable).
    #[arg(long = "site")]
    pub sites: Vec<SiteId>,
    /// An admin runs every site and may create sites.
    #[arg(long)]
    pub admin: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// A duration such as `30m`, `10s`, `1h 30m` or `PT90S` (jiff's friendly format, or ISO 8601).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let signed: SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a duration such as 30s, 10m or 24h"))?;
    Duration::try_from(signed).map_err(|_| format!("the duration '{text}' is negative"))
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Create a site; prints its member-token secret and API key (shown only once).
    Add(SiteAddArgs),
    /// Set where the site's signed webhooks go; prints the URL and the signing secret.
    Webhook(SiteWebhookArgs),
    /// Replace the member-token secret or the API key; prints the new one. The old one keeps
    /// working for the overlap; rotating again inside it retires the older one at once.
    Rotate(SiteRotateArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("credential").required(true).args(["secret", "api_key"])))]
pub struct SiteRotateArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The site's id.
    #[arg(long)]
    pub site: SiteId,
    /// Rotate the secret host backends sign member tokens with.
    #[arg(long)]
    pub secret: bool,
    /// Rotate the API key host backends call the API with.
    #[arg(long)]
    pub api_key: bool,
    /// How long the old value keeps working, e.g. 24h, 90m; 0s retires it at once.
    #[arg(long, default_value = "24h", value_parser = parse_overlap)]
    pub overlap: Duration,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// A rotation's overlap: a duration such as `24h`, `90m`, `1h 30m` or `0s`.
pub fn parse_overlap(text: &str) -> Result<Duration, String> {
    parse_duration(text).map_err(|error| error.replace("the duration", "the overlap"))
}

#[derive(Debug, Args)]
pub struct SiteWebhookArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long)]
    pub site: SiteId,
    /// Where events are posted, e.g. https://forum.example.com/hooks/engage.
    #[arg(long)]
    pub url: String,
    /// Replace the signing secret (the first call always makes one).
    #[arg(long)]
    pub rotate_secret: bool,
    /// Accept a URL on a loopback, private or other non-public address (the server must run
    /// with --allow-private-webhooks to deliver there).
    #[arg(long)]
    pub allow_private_webhooks: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SiteAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The site's id (lowercase letters, digits, '-' and '_').
    #[arg(long)]
    pub id: SiteId,
    /// A browser origin allowed to call the API, e.g. https://forum.example.com (repeatable).
    #[arg(long = "origin", required = true)]
    pub origins: Vec<String>,
    /// The IANA time zone in which the site's days begin and end.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// A display name (defaults to the id).
    #[arg(long)]
    pub name: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rules document (TOML or JSON) and install it as the site's newest version.
    Set(RulesSetArgs),
}

#[derive(Debug, Args)]
pub struct RulesSetArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long)]
    pub site: SiteId,
    /// The rules document, `.toml` or `.json`.
    pub file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyLotteryArgs {
    /// The proof, as `GET /api/v1/sites/{site}/lotteries/{lottery}/proof` answers it.
    pub proof: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Occurs when the database cannot be opened or refuses an operation.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Occurs when a file cannot be read, or the address cannot be bound.
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Occurs when an origin is not of the form scheme://host[:port].
    #[error("origin '{0}' must look like https://example.com (scheme, host and optional port)")]
    InvalidOrigin(String),
    /// Occurs when the time zone is unknown.
    #[error("unknown time zone '{0}'")]
    InvalidTimeZone(String),
    /// Occurs when a proof file is not a lottery proof.
    #[error("{path}: not a lottery proof: {error}")]
    InvalidProof { path: String, error: String },
    /// Occurs when a proof does not recompute: the report lists each mismatch.
    #[error("the proof does not match: {count} mismatch(es)")]
    ProofMismatch { count: usize },
    /// Occurs when a rules document does not validate.
    #[error("{path}: {error}")]
    Rules { path: String, error: RulesError },
    /// Occurs when a backup would replace a file without `--force`.
    #[error("{} already exists: pass --force to replace it", .0.display())]
    BackupExists(PathBuf),
    /// Occurs when a backup would be written over the database it copies.
    #[error("{} is the database itself: write the backup to another file", .0.display())]
    BackupIsDatabase(PathBuf),
    /// Occurs when the database to back up does not exist (a mistyped --db).
    #[error("there is no database at {}", .0.display())]
    NoDatabase(PathBuf),
    /// Occurs when `serve` could not serve its widgets (no bundle built in, no directory).
    #[error("{0}")]
    Assets(#[from] AssetsError),
    /// Occurs when a webhook URL is not http(s) with a host, or points into a private network.
    #[error("webhook {0}")]
    InvalidWebhookUrl(WebhookUrlError),
    /// Occurs when an owner's email or password is refused.
    #[error("{0}")]
    OwnerInput(#[from] OwnerInputError),
    /// Occurs when lines of a history file are refused: each names its line and field.
    #[error("{path}: nothing was imported:\n{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Import {
        path: String,
        errors: Vec<engage_core::import::LineError>,
    },
    /// Occurs when the site's installed rules no longer parse.
    #[error("site '{site}' rules version {version} no longer parse: {error}")]
    StoredRules {
        site: SiteId,
        version: i64,
        error: String,
    },
    /// Occurs when a password cannot be hashed.
    #[error("{0}")]
    Hashing(String),
}

/// Runs a command, writing its report to `out`.
pub async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Site(SiteCommand::Add(args)) => site_add(args, out).await,
        Command::Site(SiteCommand::Webhook(args)) => site_webhook(args, out).await,
        Command::Site(SiteCommand::Rotate(args)) => site_rotate(args, out).await,
        Command::Backup(args) => backup(args, out).await,
        Command::Owner(OwnerCommand::Add(args)) => {
            owner_add(args, &mut std::io::stdin().lock(), out).await
        }
        Command::BenchSeed(args) => bench_seed(args, out).await,
        Command::Import(args) => import(args, out).await,
        Command::Rules(RulesCommand::Set(args)) => rules_set(args, out).await,
        Command::VerifyLottery(args) => verify_lottery(&args, out),
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
    let context = context.into();
    move |source| CliError::Io { context, source }
}

async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let config = Config {
        demo: args.demo,
        static_dir: args.static_dir,
        www_dir: args.www_dir,
        limits: LimitConfig {
            api_key_requests_per_second: args.api_key_requests_per_second,
            api_key_burst: args.api_key_burst,
            ..LimitConfig::per_minute(args.ip_requests_per_minute, args.member_writes_per_minute)
        },
        proxy: ProxyConfig {
            trusted: args.trusted_proxies.clone(),
            header: args.proxy_header,
        },
        streams: StreamLimits {
            per_ip: args.max_streams_per_ip,
            total: args.max_streams,
            max_lifetime: args.stream_lifetime,
        },
        webhooks: DeliverySettings {
            allow_private_webhooks: args.allow_private_webhooks,
            ..DeliverySettings::default()
        },
        console: ConsoleConfig {
            public_url: args.public_url.clone(),
            ..ConsoleConfig::default()
        },
        ..Config::default()
    };
    let connections = ConnectionLimits {
        max_connections: args.max_connections,
        header_read_timeout: args.header_read_timeout,
        ..ConnectionLimits::default()
    };
    // Before anything else: a server that cannot serve its widgets must not start.
    check_assets(&config, &BUNDLE)?;
    let store = Store::open(&args.db.db).await?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(io(format!("cannot listen on {}", args.addr)))?;
    let local = listener
        .local_addr()
        .map_err(io("cannot read the listening address"))?;
    if args.demo {
        seed_demo(&store, &[format!("http://{local}")], Timestamp::now()).await?;
        tracing::info!("demo site 'demo' ready");
    }
    let base = args
        .public_url
        .as_ref()
        .map_or_else(|| format!("http://{local}"), |url| url.origin().to_owned());
    if let Some(link) = setup_link_if_no_owner(&store, &base, Timestamp::now()).await? {
        tracing::warn!(
            "no console owner yet: open {link} within 24 hours to create the first (admin) \
             owner, or run `engage-server owner add`"
        );
    }
    let state = AppState::new(store.clone(), config);
    let tallies = state.tallies.clone();
    let watch = store.watch.clone();
    spawn_delivery_worker(store, state.config.webhooks.clone());
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            limits.retain_recent();
        }
    });
    tracing::info!("listening on http://{local}");
    crate::serve::serve(listener, router(state), connections, async move {
        shutdown_signal().await;
        // Live streams never end by themselves; end them so the shutdown can finish.
        tallies.close();
        watch.leaderboards.close();
        watch.members.close();
        watch.lotteries.close();
        watch.rewards.close();
    })
    .await;
    tracing::info!("shut down");
    Ok(())
}

/// While no owner exists: a fresh one-time setup token (valid 24 hours; earlier unused ones
/// stop working) and the link `{base}/console/setup?token=…` that uses it.
pub async fn setup_link_if_no_owner(
    store: &Store,
    base: &str,
    now: Timestamp,
) -> Result<Option<String>, CliError> {
    if store.has_owner().await? {
        return Ok(None);
    }
    let token = new_owner_token();
    store
        .create_setup_token(&sha256_hex(&token), now, SETUP_TOKEN_LIFETIME)
        .await?;
    Ok(Some(format!("{base}/console/setup?token={token}")))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

/// `scheme://host[:port]` in the form browsers send (`canonical_origin`: lowercased, no
/// trailing slash, no default port), so `https://a.com:443` registers as `https://a.com`.
pub fn normalize_origin(text: &str) -> Result<String, CliError> {
    crate::state::canonical_origin(text).ok_or_else(|| CliError::InvalidOrigin(text.to_owned()))
}

async fn site_add(args: SiteAddArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let origins = args
        .origins
        .iter()
        .map(|o| normalize_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    TimeZone::get(&args.tz).map_err(|_| CliError::InvalidTimeZone(args.tz.clone()))?;
    let store = Store::open(&args.db.db).await?;
    let secret = new_site_secret();
    let api_key = new_api_key();
    let new = NewSite {
        site: Site {
            id: args.id.clone(),
            name: args.name.unwrap_or_else(|| args.id.to_string()),
            tz: args.tz,
            secret: secret.clone(),
            api_key_hash: hash_api_key(&api_key),
        },
        origins,
    };
    store.create_site(&new, Timestamp::now()).await?;
    let report = if args.json {
        serde_json::json!({ "site": args.id, "secret": secret, "api_key": api_key }).to_string()
    } else {
        format!(
            "created site '{}'\nmember-token secret: {secret}\nAPI key: {api_key}\n\
             (the API key is stored only as a hash: keep it now)",
            args.id
        )
    };
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

/// `owner add`: the password is the first line of `stdin`, without its line ending.
pub async fn owner_add(
    args: OwnerAddArgs,
    stdin: &mut dyn std::io::BufRead,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let email = OwnerEmail::parse(&args.email)?;
    let mut password = String::new();
    stdin
        .read_line(&mut password)
        .map_err(io("cannot read the password from stdin"))?;
    let password = password.strip_suffix('\n').unwrap_or(&password);
    let password = password.strip_suffix('\r').unwrap_or(password).to_owned();
    check_new_password(&password)?;
    let store = Store::open(&args.db.db).await?;
    let password_hash = hash_password(password).await.map_err(CliError::Hashing)?;
    let owner = store
        .create_owner(
            NewOwner {
                email: email.as_str(),
                password_hash: &password_hash,
                admin: args.admin,
                sites: &args.sites,
            },
            Timestamp::now(),
        )
        .await?;
    let sites: Vec<String> = store
        .owner_sites(&owner)
        .await?
        .into_iter()
        .map(|site| site.id.to_string())
        .collect();
    let report = if args.json {
        serde_json::json!({
            "id": owner.id, "email": owner.email, "admin": owner.admin, "sites": sites,
        })
        .to_string()
    } else {
        format!(
            "created owner '{}'{}; sites: {}",
            owner.email,
            if owner.admin { " (admin)" } else { "" },
            if sites.is_empty() {
                "none".to_owned()
            } else {
                sites.join(", ")
            },
        )
    };
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

async fn site_webhook(args: SiteWebhookArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let url = args.url.trim();
    let delivery = DeliverySettings {
        allow_private_webhooks: args.allow_private_webhooks,
        ..DeliverySettings::default()
    };
    check_webhook_url(url, &delivery)
        .await
        .map_err(CliError::InvalidWebhookUrl)?;
    let store = Store::open(&args.db.db).await?;
    let settings = store
        .set_webhook(
            &args.site,
            url,
            &new_webhook_secret(),
            args.rotate_secret,
            Timestamp::now(),
            Some(&Actor::Cli),
        )
        .await?;
    let report = if args.json {
        serde_json::json!({ "site": args.site, "url": settings.url, "secret": settings.secret })
            .to_string()
    } else {
        format!(
            "webhook of site '{}': {}\nsigning secret: {}",
            args.site, settings.url, settings.secret
        )
    };
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

async fn site_rotate(args: SiteRotateArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let credential = if args.secret {
        Credential::Secret
    } else {
        Credential::ApiKey
    };
    let store = Store::open(&args.db.db).await?;
    let rotated = store
        .rotate_credential(&args.site, credential, args.overlap, Timestamp::now())
        .await?;
    let action = match credential {
        Credential::Secret => AuditAction::RotateSecret,
        Credential::ApiKey => AuditAction::RotateApiKey,
    };
    let detail = serde_json::json!({ "overlap_seconds": args.overlap.as_secs() });
    store
        .record_audit(&args.site, &Actor::Cli, action, detail, Timestamp::now())
        .await?;
    let (field, what) = match credential {
        Credential::Secret => ("secret", "member-token secret"),
        Credential::ApiKey => ("api_key", "API key"),
    };
    let report = if args.json {
        serde_json::json!({
            "site": rotated.site,
            field: rotated.value,
            "previous_valid_until": rotated.previous_until.to_string(),
        })
        .to_string()
    } else if args.overlap.is_zero() {
        format!(
            "new {what} of site '{}': {}\nthe previous {what} no longer works",
            rotated.site, rotated.value
        )
    } else {
        format!(
            "new {what} of site '{}': {}\nthe previous {what} works until {}",
            rotated.site, rotated.value, rotated.previous_until
        )
    };
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

async fn backup(args: BackupArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    // Store::open would create a database that is not there: a mistyped --db must not make an
    // empty backup.
    if let Some(db) = sqlite_file(&args.db.db) {
        if !db.is_file() {
            return Err(CliError::NoDatabase(db));
        }
        if same_file(&db, &args.file) {
            return Err(CliError::BackupIsDatabase(args.file));
        }
    }
    if args.file.exists() && !args.force {
        return Err(CliError::BackupExists(args.file));
    }
    let store = Store::open(&args.db.db).await?;
    let bytes = store.backup_to(&args.file).await?;
    let path = args.file.display().to_string();
    let report = if args.json {
        serde_json::json!({ "backup": path, "bytes": bytes }).to_string()
    } else {
        format!("backed up {} to {path} ({bytes} bytes)", args.db.db)
    };
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

/// Whether both paths name one existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The file of a `--db` value: a path, or the path of a `sqlite:` URL.
fn sqlite_file(db: &str) -> Option<PathBuf> {
    let path = match db.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("sqlite:") => {
            let rest = &db[7..];
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            rest.split('?').next().unwrap_or(rest)
        }
        _ if db.contains("://") => return None,
        _ => db,
    };
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

async fn bench_seed(args: BenchSeedArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let store = Store::open(&args.db.db).await?;
    let site = store
        .site(&args.site)
        .await?
        .ok_or_else(|| StoreError::SiteNotFound(args.site.clone()))?;
    let zone = TimeZone::get(&site.tz).map_err(|_| CliError::InvalidTimeZone(site.tz.clone()))?;
    let now = Timestamp::now();
    let today = engage_core::calendar::calendar_day(now, &zone);
    let started = std::time::Instant::now();
    let rows = store
        .bench_seed(
            &args.site,
            args.members,
            args.entries,
            args.days,
            today,
            now,
        )
        .await?;
    let activity_rows = store
        .bench_seed_activity(&args.site, args.members, args.activity, args.days, today)
        .await?;
    let report = serde_json::json!({
        "site": args.site,
        "members": args.members,
        "ledger_rows": rows,
        "activity_rows": activity_rows,
        "seconds": started.elapsed().as_secs_f64(),
    });
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

/// `import`: parses the whole file (every refused line reported), then applies it in one
/// transaction; a refused line there (a balance below zero) rolls everything back.
async fn import(args: ImportArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let path = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file).map_err(io(format!("cannot read {path}")))?;
    let records = engage_core::import::parse_history(&text).map_err(|errors| CliError::Import {
        path: path.clone(),
        errors,
    })?;
    let store = Store::open(&args.db.db).await?;
    let site = store
        .site(&args.site)
        .await?
        .ok_or_else(|| StoreError::SiteNotFound(args.site.clone()))?;
    let zone = TimeZone::get(&site.tz).map_err(|_| CliError::InvalidTimeZone(site.tz.clone()))?;
    let rules = match store.current_rules(&args.site).await? {
        None => engage_core::rules::Rules::default(),
        Some(stored) => {
            parse_rules(&stored.document, stored.format).map_err(|error| CliError::StoredRules {
                site: args.site.clone(),
                version: stored.version,
                error: error.to_string(),
            })?
        }
    };
    let now = Timestamp::now();
    let context = ImportContext {
        zone: &zone,
        rules: &rules,
        today: engage_core::calendar::calendar_day(now, &zone),
        now,
        dry_run: args.dry_run,
    };
    let report = store
        .import_history(&args.site, &records, context)
        .await?
        .map_err(|error| CliError::Import {
            path: path.clone(),
            errors: vec![error],
        })?;
    let text = if args.json {
        serde_json::to_string(&report).map_err(|e| CliError::Io {
            context: "cannot encode the report".into(),
            source: std::io::Error::other(e),
        })?
    } else {
        format!(
            "{} {} lines for site '{}': {} members, {} visits, {} check-ins, {} points entries, \
             {} events new; {} unchanged",
            if report.dry_run {
                "checked"
            } else {
                "imported"
            },
            report.lines,
            args.site,
            report.members,
            report.visits,
            report.checkins,
            report.points,
            report.events,
            report.unchanged,
        )
    };
    writeln!(out, "{text}").map_err(io("cannot write output"))
}

async fn rules_set(args: RulesSetArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let path = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file).map_err(io(format!("cannot read {path}")))?;
    let format = match args.file.extension().and_then(|e| e.to_str()) {
        Some("json") => RulesFormat::Json,
        Some("toml") => RulesFormat::Toml,
        _ => RulesFormat::sniff(&text),
    };
    parse_rules(&text, format).map_err(|error| CliError::Rules {
        path: path.clone(),
        error,
    })?;
    let store = Store::open(&args.db.db).await?;
    let version = store
        .install_rules(
            &args.site,
            &text,
            format,
            Timestamp::now(),
            Some(&Actor::Cli),
        )
        .await?;
    let report = if args.json {
        serde_json::json!({ "site": args.site, "version": version }).to_string()
    } else {
        format!("installed rules version {version} for site '{}'", args.site)
    };
    writeln!(out, "{report}").map_err(io("cannot write output"))
}

/// Recomputes a proof with the core's `verify_proof` and prints the report.
fn verify_lottery(args: &VerifyLotteryArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let path = args.proof.display().to_string();
    let text = std::fs::read_to_string(&args.proof).map_err(io(format!("cannot read {path}")))?;
    let proof: LotteryProof =
        serde_json::from_str(&text).map_err(|error| CliError::InvalidProof {
            path: path.clone(),
            error: error.to_string(),
        })?;
    let report = verify_proof(&proof);
    let text = if args.json {
        serde_json::to_string(&report).map_err(|e| CliError::InvalidProof {
            path: path.clone(),
            error: e.to_string(),
        })?
    } else {
        let mut lines = vec![format!(
            "lottery '{}': seed {} its published hash; {} spins and {} winners recomputed",
            report.lottery,
            if report.seed_matches_hash {
                "matches"
            } else {
                "does NOT match"
            },
            report.spins_checked,
            report.winners_checked,
        )];
        lines.extend(report.mismatches.iter().map(|m| format!("mismatch: {m}")));
        lines.push(if report.passed() {
            "ok: every outcome matches".to_owned()
        } else {
            format!("FAILED: {} mismatch(es)", report.mismatches.len())
        });
        lines.join("\n")
    };
    writeln!(out, "{text}").map_err(io("cannot write output"))?;
    if report.passed() {
        Ok(())
    } else {
        Err(CliError::ProofMismatch {
            count: report.mismatches.len(),
        })
    }
}
