//! What the store returns for the rewards shop, whatever the database: a reward with its codes
//! and numbers, a redemption, and what redeeming, an edit, an upload or a status change did.

use std::collections::BTreeMap;

use engage_core::api::rewards::{RedemptionStatus, RewardKind};
use engage_core::jiff::Timestamp;
use engage_core::rewards::{RedeemError, Reward, RewardError, StatusError};

/// A reward as stored, with its pool of codes and its redemptions counted.
#[derive(Debug, Clone)]
pub struct RewardRecord {
    pub reward: Reward,
    /// Codes uploaded in all, and those not given out (`code` rewards; 0 for the others).
    pub codes_total: u32,
    pub codes_left: u32,
    pub pending: u64,
    pub fulfilled: u64,
    pub cancelled: u64,
    /// Points taken by redemptions not cancelled.
    pub points_taken: i64,
    pub created_at: Timestamp,
}

/// A member's side of the shop.
#[derive(Debug, Clone, Default)]
pub struct MemberShop {
    pub balance: i64,
    /// Streak freezes held unused.
    pub freezes: u32,
    /// Per reward id: the member's redemptions that were not cancelled.
    pub redeemed: BTreeMap<String, u32>,
}

/// A redemption as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionRecord {
    /// Grows by one per site; the redemption's id.
    pub seq: i64,
    pub reward: String,
    /// The reward's name and price when redeemed.
    pub name: String,
    pub price: i64,
    pub kind: RewardKind,
    pub status: RedemptionStatus,
    pub code: Option<String>,
    pub member: String,
    pub member_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A redemption on its way in.
#[derive(Debug, Clone, Copy)]
pub struct RedeemRequest<'a> {
    pub member: &'a engage_core::MemberId,
    pub name: &'a str,
    /// The client's key against double clicks and retries, if it sent one.
    pub idempotency_key: Option<&'a str>,
    pub today: engage_core::jiff::civil::Date,
}

/// What a redemption request did.
#[derive(Debug, Clone)]
pub enum RedeemRecorded {
    Done {
        redemption: RedemptionRecord,
        /// The balance afterwards.
        balance: i64,
        badges: Vec<String>,
        /// True when the idempotency key named an earlier redemption: nothing was written and
        /// this is that redemption.
        duplicate: bool,
    },
    Refused(RedeemError),
    /// The idempotency key was used for a redemption of another reward.
    KeyReused,
}

/// What an owner's edit of a reward did.
#[derive(Debug, Clone)]
pub enum RewardUpdated {
    Done {
        record: Box<RewardRecord>,
        /// False when the edit left the reward as it was: nothing was written.
        changed: bool,
    },
    Refused(RewardError),
}

/// What an upload of codes did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodesRecorded {
    Done {
        added: u32,
        /// Codes already in the pool (or twice in the upload), with the first few of them.
        duplicates: u32,
        duplicate_codes: Vec<String>,
        codes_left: u32,
    },
    /// The reward is not a `code` reward.
    NotCodeReward(RewardKind),
}

/// What an owner's status change of a redemption did.
#[derive(Debug, Clone)]
pub enum StatusRecorded {
    Done {
        redemption: RedemptionRecord,
        /// False when it had that status already: nothing was written (no second refund).
        changed: bool,
        /// Points given back by this change.
        refunded: i64,
    },
    Refused(StatusError),
}

/// Which redemptions the fulfilment queue lists.
#[derive(Debug, Clone, Default)]
pub struct RedemptionFilter {
    pub status: Option<RedemptionStatus>,
    pub reward: Option<engage_core::RewardId>,
    /// Only redemptions older than this id.
    pub before: Option<i64>,
    pub limit: u32,
}
