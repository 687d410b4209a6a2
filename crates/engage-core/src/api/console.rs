//! The JSON shapes of the owner console: its own routes (`/api/v1/console/…`: owner accounts,
//! sessions, sites as their owners see them) and the admin routes it calls (rules and their
//! versions, the owner's views of polls and lotteries, members with their ledger and points
//! adjustments, the audit log and who is in it, [`Actor`]). Written by the server and read by
//! the console (`engage-console`), so the two cannot disagree.
//!
//! Passwords travel only in requests and are never answered; a site's secret and API key are
//! answered only when they are made (creation, rotation). Owner-provided text (names, reasons,
//! labels) travels as JSON strings exactly as stored; the console renders it as text.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::SiteId;
use crate::api::lottery::{LotteryView, PrizeRef};
use crate::api::{BadgeView, PollView};
use crate::ledger::Source;
use crate::rules::RulesFormat;

/// The languages an owner may choose for the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsoleLang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl ConsoleLang {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleLang::En => "en",
            ConsoleLang::ZhCn => "zh-CN",
        }
    }

    pub fn parse(text: &str) -> Option<ConsoleLang> {
        match text {
            "en" => Some(ConsoleLang::En),
            "zh-CN" => Some(ConsoleLang::ZhCn),
            _ => None,
        }
    }
}

/// `POST /api/v1/console/session`: sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/console/setup`: the first owner, with the one-time token `serve` logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub token: String,
    pub email: String,
    pub password: String,
}

/// A site an owner holds, as the console's navigation lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSite {
    pub id: SiteId,
    pub name: String,
}

/// The signed-in owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerView {
    pub email: String,
    /// Admins hold every site and may create sites.
    pub admin: bool,
    /// The owner's choice; `null`: follow the browser.
    pub lang: Option<ConsoleLang>,
    /// The sites the owner may run (admins: all), by id.
    pub sites: Vec<OwnerSite>,
}

/// The answer of the session routes, of setup and of `PATCH /api/v1/console/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub owner: OwnerView,
}

/// `PATCH /api/v1/console/me`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// Absent: unchanged; `null`: follow the browser; else the language.
    #[serde(
        default,
        deserialize_with = "super::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub lang: Option<Option<ConsoleLang>>,
}

/// A site as its owner sees it (never with its secret or API key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: SiteId,
    pub name: String,
    /// The IANA time zone in which the site's days begin and end.
    pub tz: String,
    /// Browser origins allowed to call the API, e.g. `https://forum.example.com`.
    pub origins: Vec<String>,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
}

/// `POST /api/v1/console/sites` (admin owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSite {
    pub id: SiteId,
    /// Defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub tz: String,
    pub origins: Vec<String>,
}

/// The answer to creating a site: the member-token secret and the API key, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCreated {
    pub site: SiteView,
    pub secret: String,
    pub api_key: String,
}

/// `PATCH /api/v1/admin/sites/{site}`: any subset; `origins` is the whole new list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origins: Option<Vec<String>>,
}

/// Which of a site's credentials a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteCredential {
    /// The HS256 secret member tokens are signed with.
    Secret,
    /// The API key host backends call with.
    ApiKey,
}

impl SiteCredential {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteCredential::Secret => "secret",
            SiteCredential::ApiKey => "api_key",
        }
    }
}

/// `POST /api/v1/admin/sites/{site}/rotate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateCredential {
    pub what: SiteCredential,
    /// How long the old value keeps working, e.g. `24h` (the default), `30m`, `0s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlap: Option<String>,
}

/// The answer to a rotation: the new value under the name of what was rotated, shown this
/// once, and until when the previous one is still accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRotated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// `null`: the previous value stopped working at once.
    #[serde(with = "crate::rfc3339::option")]
    pub previous_valid_until: Option<Timestamp>,
}

/// Who did something the audit log records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A host backend with the site's API key.
    ApiKey,
    /// A signed-in owner account (the e-mail address it had then).
    Owner { id: i64, email: String },
    /// The server's command line (`engage-server rules set`, `site webhook`, …).
    Cli,
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOut,
    RotateSecret,
    RotateApiKey,
    RulesInstall,
    PointsAdjust,
    Export,
    SiteUpdate,
    WebhookSet,
    WebhookRedeliver,
    PollCreate,
    PollUpdate,
    LotteryCreate,
    LotteryUpdate,
    LotteryOpen,
    LotteryClose,
    FeedbackStatus,
    FeedbackReply,
    RewardCreate,
    RewardUpdate,
    RewardCodesAdd,
    RedemptionStatus,
}

impl AuditAction {
    pub const ALL: [AuditAction; 23] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::RotateSecret,
        AuditAction::RotateApiKey,
        AuditAction::RulesInstall,
        AuditAction::PointsAdjust,
        AuditAction::Export,
        AuditAction::SiteUpdate,
        AuditAction::WebhookSet,
        AuditAction::WebhookRedeliver,
        AuditAction::PollCreate,
        AuditAction::PollUpdate,
        AuditAction::LotteryCreate,
        AuditAction::LotteryUpdate,
        AuditAction::LotteryOpen,
        AuditAction::LotteryClose,
        AuditAction::FeedbackStatus,
        AuditAction::FeedbackReply,
        AuditAction::RewardCreate,
        AuditAction::RewardUpdate,
        AuditAction::RewardCodesAdd,
        AuditAction::RedemptionStatus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignOut => "sign_out",
            AuditAction::RotateSecret => "rotate_secret",
            AuditAction::RotateApiKey => "rotate_api_key",
            AuditAction::RulesInstall => "rules_install",
            AuditAction::PointsAdjust => "points_adjust",
            AuditAction::Export => "export",
            AuditAction::SiteUpdate => "site_update",
            AuditAction::WebhookSet => "webhook_set",
            AuditAction::WebhookRedeliver => "webhook_redeliver",
            AuditAction::PollCreate => "poll_create",
            AuditAction::PollUpdate => "poll_update",
            AuditAction::LotteryCreate => "lottery_create",
            AuditAction::LotteryUpdate => "lottery_update",
            AuditAction::LotteryOpen => "lottery_open",
            AuditAction::LotteryClose => "lottery_close",
            AuditAction::FeedbackStatus => "feedback_status",
            AuditAction::FeedbackReply => "feedback_reply",
            AuditAction::RewardCreate => "reward_create",
            AuditAction::RewardUpdate => "reward_update",
            AuditAction::RewardCodesAdd => "reward_codes_add",
            AuditAction::RedemptionStatus => "redemption_status",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// A table the CSV export can write: `GET /api/v1/admin/sites/{site}/export/<name>.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportTable {
    Members,
    Ledger,
    Checkins,
    Votes,
    Spins,
    Entries,
    Feedback,
    Badges,
    Audit,
    Redemptions,
}

impl ExportTable {
    pub const ALL: [ExportTable; 10] = [
        ExportTable::Members,
        ExportTable::Ledger,
        ExportTable::Checkins,
        ExportTable::Votes,
        ExportTable::Spins,
        ExportTable::Entries,
        ExportTable::Feedback,
        ExportTable::Badges,
        ExportTable::Audit,
        ExportTable::Redemptions,
    ];

    /// The name in the route (`…/export/<name>.csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportTable::Members => "members",
            ExportTable::Ledger => "ledger",
            ExportTable::Checkins => "checkins",
            ExportTable::Votes => "votes",
            ExportTable::Spins => "spins",
            ExportTable::Entries => "entries",
            ExportTable::Feedback => "feedback",
            ExportTable::Badges => "badges",
            ExportTable::Audit => "audit",
            ExportTable::Redemptions => "redemptions",
        }
    }

    pub fn parse(text: &str) -> Option<ExportTable> {
        ExportTable::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// One entry of `GET /api/v1/admin/sites/{site}/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Grows by one per entry of the site: pass the last one as `before` for older entries.
    pub id: i64,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
    pub actor: Actor,
    pub action: AuditAction,
    /// What was done, as a JSON object (ids, amounts, the table exported, …).
    pub detail: serde_json::Value,
}

/// `GET /api/v1/admin/sites/{site}/audit?before=&limit=`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `null` on the last.
    pub next_before: Option<i64>,
}

/// `GET /api/v1/admin/sites/{site}/rules` and `…/rules/versions/{version}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesDocument {
    /// `null` when the site runs on the default rules (then `document` is them, as TOML).
    pub version: Option<i64>,
    pub format: RulesFormat,
    /// The document exactly as installed.
    pub document: String,
    #[serde(
        default,
        with = "crate::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub installed_at: Option<Timestamp>,
}

/// One entry of `GET /api/v1/admin/sites/{site}/rules/versions`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesVersion {
    pub version: i64,
    pub format: RulesFormat,
    #[serde(with = "crate::rfc3339")]
    pub installed_at: Timestamp,
    /// Who installed it; `null` for versions from before the audit log (or the demo's own).
    pub actor: Option<Actor>,
}

/// `PUT /api/v1/admin/sites/{site}/rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallRules {
    pub document: String,
    pub format: RulesFormat,
}

/// The answer to installing rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInstalled {
    pub version: i64,
}

/// The 422 `invalid_rules` answer: the usual error, plus where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesErrorBody {
    pub error: RulesErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesErrorDetail {
    pub code: String,
    pub message: String,
    /// The dotted path of the offending field, e.g. `checkin.milestones[1].day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The 1-based line of the document, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// A poll as its owner sees it: always with its counts, and `ip_limit`.
pub type OwnerPollView = PollView;

/// `GET /api/v1/admin/sites/{site}/lotteries/{lottery}`: the public view (its seed only once
/// closed), and what only the owner sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerLotteryView {
    /// The lottery as members see it; `entrants` is always present here.
    #[serde(flatten)]
    pub lottery: LotteryView,
    /// Every prize's stock as defined and left, in prize order.
    pub stock_left: Vec<PrizeStockLeft>,
    /// Spins recorded (wheels; 0 for giveaways).
    pub spins: u64,
    /// The proof's path (`/api/v1/sites/{site}/lotteries/{lottery}/proof`) once closed.
    pub proof: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeStockLeft {
    pub id: String,
    pub name: String,
    /// As defined.
    pub stock: u32,
    pub stock_left: u32,
}

/// One spin in the owner's spins log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpinLogEntry {
    /// The spin's place among all spins of the lottery: pass the last as `before`.
    pub seq: u64,
    pub member: String,
    pub name: String,
    /// The member's own spin number.
    pub spin: u32,
    /// `null` for the no-prize slot.
    pub prize: Option<PrizeRef>,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
}

/// `GET /api/v1/admin/sites/{site}/lotteries/{lottery}/spins?before=&limit=`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpinLog {
    pub spins: Vec<SpinLogEntry>,
    pub next_before: Option<u64>,
}

/// `POST /api/v1/admin/sites/{site}/feedback/bulk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkFeedbackStatus {
    /// 1 to 100 feedback ids of the site.
    pub ids: Vec<i64>,
    pub status: crate::api::feedback::FeedbackStatus,
}

/// The answer to a bulk status change: how many pieces of feedback changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUpdated {
    pub updated: u64,
}

/// One member in `GET /api/v1/admin/sites/{site}/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub member: String,
    pub name: String,
    pub points: i64,
    pub level: u32,
    pub title: String,
    #[serde(with = "crate::rfc3339")]
    pub last_seen: Timestamp,
}

/// `GET /api/v1/admin/sites/{site}/members?q=&limit=&after=`: in member id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    pub members: Vec<MemberSummary>,
    /// Pass as `after` for the next page; `null` on the last.
    pub next: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/members/{member}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub member: String,
    pub name: String,
    pub points: i64,
    pub level: u32,
    pub title: String,
    /// Newest first.
    pub badges: Vec<BadgeView>,
    /// Consecutive check-in days ending today (or yesterday while today is open).
    pub streak: u32,
    pub longest_streak: u32,
    #[serde(with = "crate::rfc3339")]
    pub first_seen: Timestamp,
    #[serde(with = "crate::rfc3339")]
    pub last_seen: Timestamp,
}

/// One ledger entry as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerLedgerEntry {
    /// Pass the last one as `before` for older entries.
    pub id: i64,
    pub source: Source,
    pub amount: i64,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
    pub key: String,
    /// The owner's reason (adjustments, source `admin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/members/{member}/ledger?before=&limit=`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub entries: Vec<OwnerLedgerEntry>,
    pub next_before: Option<i64>,
}

/// `POST /api/v1/admin/sites/{site}/members/{member}/adjustments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustPoints {
    /// Points to add (positive) or take away (negative); never 0.
    pub amount: i64,
    /// Why, 1 to 200 characters; the member sees the entry in their ledger.
    pub reason: String,
}

/// The answer to an adjustment: the balance afterwards and the entry written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsAdjusted {
    pub points: i64,
    pub entry: OwnerLedgerEntry,
}
