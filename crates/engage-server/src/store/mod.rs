//! Storage: the one place that knows SQL. Everything the server keeps goes through [`Store`].
//!
//! Today there is one implementation, SQLite ([`sqlite`]); the types in this module are what a
//! PostgreSQL implementation would return too. The flows that must happen exactly once (a
//! check-in, a make-up, a host event, a vote) are single store operations that run in one
//! transaction and ask `engage-core` for every rule decision.

use std::collections::BTreeSet;
use std::fmt;

use engage_core::checkin::MakeupError;
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::ledger::Source;
use engage_core::poll::{Poll, PollError, Tally, VoteError, Voter};
use engage_core::rules::RulesFormat;
use engage_core::{LotteryId, MemberId, PollId, RewardId, SiteId};

use crate::token::Redacted;

mod console;
mod lotteries;
mod rewards;
mod sqlite;

pub(crate) use console::KeyPart;
pub use console::{
    ExportKey, ExportPage, ExportTable, MemberDetailRecord, MemberRecord, PointsAdjustment,
};
pub use lotteries::{
    CloseWhen, EntryRecorded, LotteryHistory, LotteryMember, LotteryOpened, LotteryRecord,
    LotteryUpdated, MemberLottery, SpinRecorded, SpinRow, StoredProof,
};
pub use rewards::{
    CodesRecorded, MemberShop, RedeemRecorded, RedeemRequest, RedemptionFilter, RedemptionRecord,
    RewardRecord, RewardUpdated, StatusRecorded,
};
pub use sqlite::{
    Adjustment, AnalyticsFacts, AnalyticsSpan, AttemptOutcome, CountedTable, DeliveryRow,
    DueDelivery, EXPORT_PAGE_ROWS, ImportContext, LeaderboardRead, RankedRow, Store,
    WebhookSettings,
};
pub use sqlite::{NewOwner, NewSession, Owner, OwnerCredentials, SetupOutcome, SiteChanges};

/// Who hears about committed changes: the live streams — leaderboards (every ledger entry of a
/// site), members (every ledger entry of that member), lotteries (spins, entries, edits,
/// opening and closing) and a site's rewards (redemptions, edits, codes, status changes) — and
/// the webhook delivery worker (every event put in the outbox).
#[derive(Debug, Default)]
pub struct StoreWatch {
    pub leaderboards: crate::live::LeaderboardChannels,
    pub members: crate::live::VersionChannels<(SiteId, MemberId)>,
    pub lotteries: crate::live::VersionChannels<(SiteId, LotteryId)>,
    pub rewards: crate::live::VersionChannels<SiteId>,
    pub outbox: tokio::sync::Notify,
}

impl StoreWatch {
    /// Tells the listeners what a committed transaction wrote.
    fn announce(&self, written: Written) {
        for site in &written.ledger_sites {
            self.leaderboards.publish(site);
        }
        for member in &written.ledger_members {
            self.members.publish(member);
        }
        for lottery in &written.lotteries {
            self.lotteries.publish(lottery);
        }
        for site in &written.reward_sites {
            self.rewards.publish(site);
        }
        if written.outbox {
            self.outbox.notify_one();
        }
    }
}

/// What one write transaction wrote that listeners care about.
#[derive(Debug, Default)]
struct Written {
    ledger_sites: BTreeSet<SiteId>,
    ledger_members: BTreeSet<(SiteId, MemberId)>,
    lotteries: BTreeSet<(SiteId, LotteryId)>,
    reward_sites: BTreeSet<SiteId>,
    outbox: bool,
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Occurs when the `--db` value names a database this build cannot use.
    #[error("{0}")]
    UnsupportedDatabase(String),
    /// Occurs when creating a site whose id is taken.
    #[error("site '{0}' already exists")]
    SiteExists(SiteId),
    /// Occurs when a site named by an operation does not exist.
    #[error("site '{0}' does not exist")]
    SiteNotFound(SiteId),
    /// Occurs when creating a poll whose id the site already uses.
    #[error("poll '{0}' already exists")]
    PollExists(PollId),
    /// Occurs when a poll named by an operation does not exist.
    #[error("poll '{0}' does not exist")]
    PollNotFound(PollId),
    /// Occurs when creating a lottery whose id the site already uses.
    #[error("lottery '{0}' already exists")]
    LotteryExists(LotteryId),
    /// Occurs when a lottery named by an operation does not exist.
    #[error("lottery '{0}' does not exist")]
    LotteryNotFound(LotteryId),
    /// Occurs when creating a reward whose id the site already uses.
    #[error("reward '{0}' already exists")]
    RewardExists(RewardId),
    /// Occurs when a reward named by an operation does not exist (or, for members, is archived).
    #[error("reward '{0}' does not exist")]
    RewardNotFound(RewardId),
    /// Occurs when a redemption named by an operation does not exist on the site.
    #[error("redemption '{0}' does not exist")]
    RedemptionNotFound(i64),
    /// Occurs when creating an owner whose email another owner has (whatever its case).
    #[error("owner '{0}' already exists")]
    OwnerExists(String),
    /// Occurs when the database refuses or fails a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Occurs when a stored value cannot be read back (a corrupt row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Occurs when a backup cannot be written, or its copy fails `PRAGMA integrity_check`.
    #[error("backup to {}: {reason}", path.display())]
    Backup {
        path: std::path::PathBuf,
        reason: String,
    },
}

/// A site as stored.
#[derive(Clone)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    pub tz: String,
    /// The HS256 secret for member tokens (its UTF-8 bytes are the HMAC key).
    pub secret: String,
    /// Lowercase hex SHA-256 of the site's API key.
    pub api_key_hash: String,
}

impl fmt::Debug for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Site")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("tz", &self.tz)
            .field("secret", &Redacted)
            .field("api_key_hash", &Redacted)
            .finish()
    }
}

/// A site with the credentials that rotations are retiring, as requests are authenticated.
#[derive(Debug, Clone)]
pub struct SiteRecord {
    pub site: Site,
    /// The member-token secret a rotation replaced, while it still works.
    pub previous_secret: Option<Retiring>,
    /// The hash of the API key a rotation replaced, while it still works.
    pub previous_api_key_hash: Option<Retiring>,
}

/// A credential a rotation replaced: still accepted before `until`.
#[derive(Clone, PartialEq, Eq)]
pub struct Retiring {
    /// The old secret, or the old API key's hash.
    pub value: String,
    pub until: Timestamp,
}

impl Retiring {
    /// Whether it is still accepted at `now`.
    pub fn accepted_at(&self, now: Timestamp) -> bool {
        now < self.until
    }
}

impl fmt::Debug for Retiring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retiring")
            .field("value", &Redacted)
            .field("until", &self.until)
            .finish()
    }
}

/// Which credential of a site a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The HS256 secret host backends sign member tokens with.
    Secret,
    /// The API key host backends call the API with.
    ApiKey,
}

/// What a rotation did.
#[derive(Clone)]
pub struct Rotated {
    pub site: SiteId,
    pub credential: Credential,
    /// The new secret or API key. An API key is stored only as its hash: this is the one time
    /// it is seen.
    pub value: String,
    /// When the replaced value stops working: the rotation's time plus the overlap.
    pub previous_until: Timestamp,
}

impl fmt::Debug for Rotated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rotated")
            .field("site", &self.site)
            .field("credential", &self.credential)
            .field("value", &Redacted)
            .field("previous_until", &self.previous_until)
            .finish()
    }
}

/// What `site add` stores.
#[derive(Debug, Clone)]
pub struct NewSite {
    pub site: Site,
    pub origins: Vec<String>,
}

/// An installed rules document.
#[derive(Debug, Clone)]
pub struct StoredRules {
    pub version: i64,
    pub document: String,
    pub format: RulesFormat,
}

/// A member's check-in history and balance, read in one go to answer check-in requests.
#[derive(Debug, Clone, Default)]
pub struct CheckinSummary {
    pub days: BTreeSet<Date>,
    /// Days streak freezes covered.
    pub frozen: BTreeSet<Date>,
    /// Streak freezes held unused.
    pub freezes: u32,
    pub balance: i64,
    /// Make-ups done in the month of the day the summary was read for.
    pub makeups_this_month: u32,
}

/// What a check-in request did.
#[derive(Debug, Clone)]
pub struct CheckinRecorded {
    /// False when the day was already checked in: nothing was written.
    pub inserted: bool,
    pub awarded: i64,
    pub summary: CheckinSummary,
    /// Badge ids the check-in earned.
    pub badges: Vec<String>,
}

/// What a make-up request did.
#[derive(Debug, Clone)]
pub enum MakeupRecorded {
    Done {
        spent: i64,
        summary: CheckinSummary,
        /// Badge ids the make-up earned.
        badges: Vec<String>,
    },
    Refused(MakeupError),
}

/// A host event to record.
#[derive(Debug, Clone)]
pub struct HostEvent {
    pub member: MemberId,
    /// The member's display name when the host sends one.
    pub name: Option<String>,
    pub kind: String,
    pub idempotency_key: String,
    pub points: i64,
}

/// What recording a host event did; a duplicate repeats the first call's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEventRecorded {
    pub awarded: i64,
    pub balance: i64,
    pub duplicate: bool,
    /// Badge ids the event earned.
    pub badges: Vec<String>,
}

/// A member's profile for `/me`.
#[derive(Debug, Clone)]
pub struct MemberProfile {
    pub name: String,
    pub balance: i64,
    /// Points earned in all (positive ledger entries).
    pub earned: i64,
    pub ledger: Vec<LedgerRow>,
    /// Newest first.
    pub badges: Vec<EarnedBadge>,
}

/// A badge a member holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarnedBadge {
    pub id: String,
    pub earned_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub source: Source,
    pub amount: i64,
    pub key: String,
    pub at: Timestamp,
    /// The owner's reason, for an adjustment (source `admin`) only.
    pub reason: Option<String>,
}

/// A member as listed by the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub member: MemberId,
    pub name: String,
}

/// A poll as stored, with its tally and, when read for a voter, their current choices.
#[derive(Debug, Clone)]
pub struct PollRecord {
    pub poll: Poll,
    pub tally: Tally,
    /// Empty when read for nobody or for someone who has not voted.
    pub my_choices: BTreeSet<String>,
    /// Grows by one with every stored vote, changed vote and edit.
    pub version: u64,
}

/// A vote on its way in.
#[derive(Debug, Clone, Copy)]
pub struct VoteToRecord<'a> {
    /// `None` for a caller with neither a member token nor a visitor id.
    pub voter: Option<&'a Voter>,
    /// The member's display name (member votes).
    pub name: &'a str,
    /// Keyed hash of the caller's IP address, stored with anonymous votes for the per-IP limit.
    pub ip_hash: &'a str,
    pub choices: &'a [String],
}

/// What a vote request did.
#[derive(Debug, Clone)]
pub enum VoteRecorded {
    Done {
        /// The poll after the vote, with the voter's choices.
        record: Box<PollRecord>,
        /// False when the same choices were already stored: nothing was written.
        changed: bool,
        awarded: i64,
        /// The member's balance afterwards; `None` for anonymous votes.
        balance: Option<i64>,
        /// Badge ids the vote earned (members only).
        badges: Vec<String>,
    },
    Refused(VoteError),
}

/// What an owner's edit did.
#[derive(Debug, Clone)]
pub enum PollUpdated {
    Done {
        record: PollRecord,
        /// False when the edit left the poll as it was: nothing was written.
        changed: bool,
    },
    Refused(PollError),
}
