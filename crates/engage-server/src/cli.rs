//! The command line: `serve`, `site add`, `site webhook`, `rules set`, `verify-lottery` and
//! `bench-seed`. The server binary is also the owner's tool; commands that report print JSON
//! with `--json`.

use std::io::Write;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use engage_core::SiteId;
use engage_core::api::lottery::LotteryProof;
use engage_core::jiff::Timestamp;
use engage_core::jiff::tz::TimeZone;
use engage_core::lottery::verify_proof;
use engage_core::rules::{RulesError, RulesFormat, parse_rules};

use crate::audit::Actor;
use crate::limits::LimitConfig;
use crate::routes::demo::seed_demo;
use crate::routes::router;
use crate::state::{AppState, Config};
use crate::store::{NewSite, Site, Store, StoreError};
use crate::token::{hash_api_key, new_api_key, new_site_secret};
use crate::webhooks::{new_webhook_secret, spawn_delivery_worker, valid_webhook_url};

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
    /// Manage a site's rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Recompute every outcome of a lottery's published proof; exits non-zero on a mismatch.
    VerifyLottery(VerifyLotteryArgs),
    /// Fill a site with many members and ledger entries, for benchmarks (not for real sites).
    BenchSeed(BenchSeedArgs),
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
    /// The built widget bundle, served at /.
    #[arg(long, default_value = "dist")]
    pub static_dir: PathBuf,
    /// The demo host pages, served at / where the bundle has no such file.
    #[arg(long, default_value = "www")]
    pub www_dir: PathBuf,
    /// Requests one IP address may make per minute (widgets on a busy page, many members
    /// behind one NAT); over it, answers are 429 with Retry-After.
    #[arg(long, default_value_t = LimitConfig::default().ip_requests_per_minute)]
    pub ip_requests_per_minute: NonZeroU32,
    /// Writes (check-ins, votes, …) one member may make per minute.
    #[arg(long, default_value_t = LimitConfig::default().member_writes_per_minute)]
    pub member_writes_per_minute: NonZeroU32,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Create a site; prints its member-token secret and API key (shown only once).
    Add(SiteAddArgs),
    /// Set where the site's signed webhooks go; prints the URL and the signing secret.
    Webhook(SiteWebhookArgs),
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
    /// Occurs when a webhook URL is not http:// or https:// with a host.
    #[error("webhook url '{0}' must be an http:// or https:// URL with a host")]
    InvalidWebhookUrl(String),
}

/// Runs a command, writing its report to `out`.
pub async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Site(SiteCommand::Add(args)) => site_add(args, out).await,
        Command::Site(SiteCommand::Webhook(args)) => site_webhook(args, out).await,
        Command::BenchSeed(args) => bench_seed(args, out).await,
        Command::Rules(RulesCommand::Set(args)) => rules_set(args, out).await,
        Command::VerifyLottery(args) => verify_lottery(&args, out),
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
    let context = context.into();
    move |source| CliError::Io { context, source }
}

async fn serve(args: ServeArgs) -> Result<(), CliError> {
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
    let config = Config {
        demo: args.demo,
        static_dir: args.static_dir,
        www_dir: args.www_dir,
        limits: LimitConfig::per_minute(args.ip_requests_per_minute, args.member_writes_per_minute),
        ..Config::default()
    };
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
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Live streams never end by themselves; end them so the shutdown can finish.
        tallies.close();
        watch.leaderboards.close();
    })
    .await
    .map_err(io("server failed"))?;
    tracing::info!("shut down");
    Ok(())
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

/// `scheme://host[:port]`, lowercased, without a trailing slash: the form browsers send.
pub fn normalize_origin(text: &str) -> Result<String, CliError> {
    let bad = || CliError::InvalidOrigin(text.to_owned());
    let lower = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
    let host_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(bad());
    }
    Ok(lower)
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

async fn site_webhook(args: SiteWebhookArgs, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let url = args.url.trim();
    if !valid_webhook_url(url) {
        return Err(CliError::InvalidWebhookUrl(url.to_owned()));
    }
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
    let report = serde_json::json!({
        "site": args.site,
        "members": args.members,
        "ledger_rows": rows,
        "seconds": started.elapsed().as_secs_f64(),
    });
    writeln!(out, "{report}").map_err(io("cannot write output"))
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
