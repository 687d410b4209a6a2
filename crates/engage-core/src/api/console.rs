//! The JSON shapes of the owner console: owner sessions, sites, rules versions, the owner's
//! views of lotteries, members and their ledger, feedback bulk actions, webhooks and the audit
//! log. The server writes them and the console (`engage-console`) reads them, so the two
//! cannot disagree on a field name.
//!
//! Polls need no type of their own here: the owner's view of a poll is [`crate::api::PollView`]
//! as `poll::owner_poll_view` builds it (counts always shown).

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::api::BadgeView;
use crate::api::feedback::FeedbackStatus;
use crate::api::lottery::{LotteryView, PrizeRef};
use crate::ledger::Source;

/// A site as listed with its owner: `{"id", "name"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRef {
    pub id: String,
    /// The display name, when the site has one.
    #[serde(default)]
    pub name: Option<String>,
}

/// An owner as the console sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerView {
    pub email: String,
    /// Admins see every site and may create sites.
    pub admin: bool,
    /// The owner's saved language (`en` or `zh-CN`); `null` follows the browser.
    #[serde(default)]
    pub lang: Option<String>,
    /// The sites this owner was granted (every site, for admins).
    pub sites: Vec<SiteRef>,
}

/// `GET`/`POST /api/v1/console/session` and `POST /api/v1/console/setup`: `{"owner": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub owner: OwnerView,
}

/// `POST /api/v1/console/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/console/setup`: the one-time token of the setup link makes the first owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupOwner {
    pub token: String,
    pub email: String,
    pub password: String,
}

/// `PATCH /api/v1/console/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateOwner {
    /// `en`, `zh-CN`, or `null` to follow the browser.
    pub lang: Option<String>,
}

/// A site as its owner sees it (`GET /api/v1/console/sites`, `GET …/admin/sites/{site}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The IANA time zone days are counted in.
    pub tz: String,
    /// The origins allowed to embed the widgets.
    pub origins: Vec<String>,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
}

/// `POST /api/v1/console/sites` (admin owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSite {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub tz: String,
    pub origins: Vec<String>,
}

/// The answer to creating a site: the secrets are shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCreated {
    pub site: SiteView,
    /// The member-token signing secret.
    pub secret: String,
    /// The API key host backends call the admin API with (`ek_…`).
    pub api_key: String,
}

/// `PATCH /api/v1/admin/sites/{site}`: any subset.
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

/// What a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RotateWhat {
    /// The member-token signing secret.
    Secret,
    ApiKey,
}

/// `POST /api/v1/admin/sites/{site}/rotate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    pub what: RotateWhat,
    /// How long the previous value keeps working, e.g. `24h`; `0h` ends it now.
    pub overlap: String,
}

/// The answer to a rotation: the new value (shown once) under the name of what was rotated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Until when the previous value is still accepted; `null` when it no longer is.
    #[serde(default, with = "crate::rfc3339::option")]
    pub previous_valid_until: Option<Timestamp>,
}

/// The format a rules document is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesDocumentFormat {
    #[default]
    Toml,
    Json,
}

impl From<RulesDocumentFormat> for crate::rules::RulesFormat {
    fn from(format: RulesDocumentFormat) -> crate::rules::RulesFormat {
        match format {
            RulesDocumentFormat::Toml => crate::rules::RulesFormat::Toml,
            RulesDocumentFormat::Json => crate::rules::RulesFormat::Json,
        }
    }
}

impl From<crate::rules::RulesFormat> for RulesDocumentFormat {
    fn from(format: crate::rules::RulesFormat) -> RulesDocumentFormat {
        match format {
            crate::rules::RulesFormat::Toml => RulesDocumentFormat::Toml,
            crate::rules::RulesFormat::Json => RulesDocumentFormat::Json,
        }
    }
}

/// `GET /api/v1/admin/sites/{site}/rules` and `…/rules/versions/{version}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesDocument {
    /// `null` while the site runs on the default rules.
    pub version: Option<u32>,
    pub format: RulesDocumentFormat,
    /// The document as installed (the default rules as TOML when `version` is `null`).
    pub document: String,
    #[serde(
        default,
        with = "crate::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub installed_at: Option<Timestamp>,
}

/// One entry of `GET /api/v1/admin/sites/{site}/rules/versions` (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesVersionInfo {
    pub version: u32,
    pub format: RulesDocumentFormat,
    #[serde(with = "crate::rfc3339")]
    pub installed_at: Timestamp,
    /// Who installed it (an owner's email, `api_key` or `cli`).
    pub actor: String,
}

/// `PUT /api/v1/admin/sites/{site}/rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallRules {
    pub document: String,
    pub format: RulesDocumentFormat,
}

/// The answer to installing rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInstalled {
    pub version: u32,
}

/// A lottery as its owner sees it: the public view (whose prizes' `stock` is what is left),
/// how many spins were made, and where the proof is once closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerLotteryView {
    #[serde(flatten)]
    pub lottery: LotteryView,
    /// Spins made in all (wheels).
    #[serde(default)]
    pub spins: u64,
    /// The proof's URL, once closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_url: Option<String>,
}

/// A page cursor: pass it back as it came (`before`, `after`). The server may send a number
/// or a string; either is kept as its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(pub String);

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Cursor, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Number(i64),
        }
        Ok(Cursor(match Either::deserialize(deserializer)? {
            Either::Text(text) => text,
            Either::Number(n) => n.to_string(),
        }))
    }
}

/// `GET /api/v1/admin/sites/{site}/lotteries/{lottery}/spins?before=&limit=`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpinLog {
    pub spins: Vec<SpinLogEntry>,
    #[serde(default)]
    pub next_before: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpinLogEntry {
    pub member: String,
    pub name: String,
    /// The member's spin number in this lottery.
    pub spin: u32,
    /// `null` for the no-prize slot.
    pub prize: Option<PrizeRef>,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
}

/// `GET /api/v1/admin/sites/{site}/members?q=&limit=&after=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    pub members: Vec<MemberRow>,
    #[serde(default)]
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub member: String,
    pub name: String,
    pub points: i64,
    pub level: u32,
    pub title: String,
    #[serde(default, with = "crate::rfc3339::option")]
    pub last_seen: Option<Timestamp>,
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
    pub streak: u32,
    pub longest_streak: u32,
    #[serde(default, with = "crate::rfc3339::option")]
    pub last_seen: Option<Timestamp>,
}

/// `GET /api/v1/admin/sites/{site}/members/{member}/ledger?before=&limit=`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub entries: Vec<LedgerRow>,
    #[serde(default)]
    pub next_before: Option<Cursor>,
}

/// One ledger entry as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub id: i64,
    pub source: Source,
    pub amount: i64,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
    /// The idempotency key (`admin:…` for adjustments).
    pub key: String,
    /// An adjustment's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /api/v1/admin/sites/{site}/members/{member}/adjustments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsAdjustment {
    /// Non-zero; negative takes points away (never below zero).
    pub amount: i64,
    /// Why, 1 to 200 characters; the member sees the entry in their ledger.
    pub reason: String,
}

/// The answer to an adjustment: the new balance and the ledger entry written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsAdjusted {
    pub points: i64,
    pub entry: LedgerRow,
}

/// `POST /api/v1/admin/sites/{site}/feedback/bulk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkFeedbackStatus {
    pub ids: Vec<i64>,
    pub status: FeedbackStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUpdated {
    pub updated: u64,
}

/// `GET`/`PUT /api/v1/admin/sites/{site}/webhook`: the URL and the signing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    pub url: String,
    pub secret: String,
    /// The event types delivered.
    pub events: Vec<String>,
}

/// `PUT /api/v1/admin/sites/{site}/webhook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetWebhook {
    pub url: String,
    #[serde(default)]
    pub rotate_secret: bool,
}

/// `GET /api/v1/admin/sites/{site}/webhook/deliveries`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    pub deliveries: Vec<DeliveryView>,
}

/// One event and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
    #[serde(default, with = "crate::rfc3339::option")]
    pub last_attempt_at: Option<Timestamp>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub next_attempt_at: Option<Timestamp>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub delivered_at: Option<Timestamp>,
}

/// `GET /api/v1/admin/sites/{site}/audit?before=&limit=`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    #[serde(default)]
    pub next_before: Option<Cursor>,
}

/// Who did what, when. `action` is one of the audit actions (`sign_in`, `rotate_secret`,
/// `points_adjust`, …); `actor` and `detail` are as the server recorded them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
    pub actor: serde_json::Value,
    pub action: String,
    #[serde(default)]
    pub detail: serde_json::Value,
}

#[cfg(test)]
mod tests;
