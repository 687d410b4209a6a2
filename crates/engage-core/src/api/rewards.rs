//! The JSON shapes of the rewards shop (积分兑换): the owner's rewards, what members see, a
//! redemption and its statuses. Contract: PRODUCT.md, "Rewards".

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::api::{null_as_default, present};

/// What redeeming gives: an item the owner sends (`pending` until fulfilled), one coupon code
/// from the reward's pool (fulfilled at once), or a streak freeze (held at once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    #[default]
    Item,
    Code,
    StreakFreeze,
}

impl RewardKind {
    pub const ALL: [RewardKind; 3] = [RewardKind::Item, RewardKind::Code, RewardKind::StreakFreeze];

    pub fn as_str(self) -> &'static str {
        match self {
            RewardKind::Item => "item",
            RewardKind::Code => "code",
            RewardKind::StreakFreeze => "streak_freeze",
        }
    }

    pub fn parse(text: &str) -> Option<RewardKind> {
        RewardKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedemptionStatus {
    Pending,
    Fulfilled,
    Cancelled,
}

impl RedemptionStatus {
    pub const ALL: [RedemptionStatus; 3] = [
        RedemptionStatus::Pending,
        RedemptionStatus::Fulfilled,
        RedemptionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RedemptionStatus::Pending => "pending",
            RedemptionStatus::Fulfilled => "fulfilled",
            RedemptionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<RedemptionStatus> {
        RedemptionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// `POST /api/v1/admin/sites/{site}/rewards`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReward {
    pub id: String,
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub description: Option<String>,
    /// `https://…`, `http://…` or a path starting with `/`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub image_url: Option<String>,
    /// Points one redemption costs (at least 1).
    pub price: i64,
    /// Units that can be redeemed in all; `null` for unlimited. A `code` reward's stock is its
    /// pool of unused codes, so this must be `null` for it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stock: Option<u32>,
    /// Redemptions one member may make in all (cancelled ones do not count); `null`: no limit.
    #[serde(default, deserialize_with = "null_as_default")]
    pub per_member: Option<u32>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub opens_at: Option<Timestamp>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub closes_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub kind: RewardKind,
}

/// `PATCH /api/v1/admin/sites/{site}/rewards/{reward}`: each field given replaces the stored
/// one. `stock` raises or lowers the units left (never below zero); the kind cannot change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateReward {
    #[serde(default)]
    pub name: Option<String>,
    /// Absent: unchanged; `null`: none; a text: the new one (the same for every
    /// `Option<Option<…>>` field below).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub image_url: Option<Option<String>>,
    #[serde(default)]
    pub price: Option<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub stock: Option<Option<u32>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub per_member: Option<Option<u32>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub opens_at: Option<Option<Timestamp>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub closes_at: Option<Option<Timestamp>>,
    /// Hide the reward from members (`true`) or show it again.
    #[serde(default)]
    pub archived: Option<bool>,
}

/// One reward as members see it (`GET /api/v1/sites/{site}/rewards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardView {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    pub price: i64,
    pub kind: RewardKind,
    /// Units left; `null` for unlimited (for a `code` reward: unused codes).
    pub stock_left: Option<u32>,
    #[serde(default)]
    pub per_member: Option<u32>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub opens_at: Option<Timestamp>,
    #[serde(default, with = "crate::rfc3339::option")]
    pub closes_at: Option<Timestamp>,
    /// `scheduled` before `opens_at`, `open`, or `closed` after `closes_at`.
    pub status: RewardStatus,
    /// For a member: redemptions they may still make (`null`: no limit); else `null`.
    #[serde(default)]
    pub my_left: Option<u32>,
    /// For a member: whether their balance covers the price; `false` without a member.
    #[serde(default)]
    pub affordable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardStatus {
    Scheduled,
    Open,
    Closed,
}

/// `GET /api/v1/sites/{site}/rewards`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardsCatalogue {
    /// Rewards not archived, in the owner's order (oldest first).
    pub rewards: Vec<RewardView>,
    /// The member's balance; `null` without a member token.
    pub points: Option<i64>,
    /// Streak freezes the member holds; `null` without a member token.
    #[serde(default)]
    pub freezes: Option<u32>,
}

/// A redemption as its member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionView {
    /// A server-chosen id, unique within the site.
    pub id: String,
    pub reward: String,
    /// The reward's name when redeemed.
    #[serde(default)]
    pub name: String,
    pub status: RedemptionStatus,
    /// The coupon code of a `code` reward (kept after cancellation for the record, never given
    /// to anyone else).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default)]
    pub price: i64,
    #[serde(default, with = "crate::rfc3339::option")]
    pub at: Option<Timestamp>,
}

/// `POST /api/v1/sites/{site}/rewards/{reward}/redemptions` answers this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemResult {
    pub redemption: RedemptionView,
    /// The member's balance after the redemption.
    pub points: i64,
    /// Badge ids newly earned by this redemption.
    #[serde(default)]
    pub badges: Vec<String>,
    /// True when the request's idempotency key named an earlier redemption: this is that
    /// redemption, and nothing was taken again.
    #[serde(default)]
    pub duplicate: bool,
}

/// The optional body of `POST /api/v1/sites/{site}/rewards/{reward}/redemptions`. The key (or
/// an `Idempotency-Key` header) makes a double click or a retry answer the first redemption
/// instead of making another; without one, each request is a redemption of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    #[serde(default, deserialize_with = "null_as_default")]
    pub idempotency_key: Option<String>,
}

/// `GET /api/v1/sites/{site}/rewards/redemptions/mine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRedemptions {
    /// Newest first.
    pub redemptions: Vec<RedemptionView>,
}

/// `POST /api/v1/admin/sites/{site}/rewards/{reward}/codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddCodes {
    pub codes: Vec<String>,
}

/// The answer to adding codes: how many were new, how many were already in the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodesAdded {
    pub added: u32,
    pub duplicates: u32,
    /// Unused codes in the pool now.
    pub codes_left: u32,
    /// The first hundred of the duplicate codes, to show the owner which they were.
    #[serde(default)]
    pub duplicate_codes: Vec<String>,
}

/// `PATCH /api/v1/admin/sites/{site}/redemptions/{id}` (also reachable as
/// `…/rewards/redemptions/{id}`): `fulfilled`, or `cancelled`, which refunds once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRedemptionStatus {
    pub status: RedemptionStatus,
}

/// A reward as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRewardView {
    #[serde(flatten)]
    pub reward: RewardView,
    pub archived: bool,
    /// For a `code` reward: codes uploaded in all, and unused.
    #[serde(default)]
    pub codes_total: Option<u32>,
    #[serde(default)]
    pub codes_left: Option<u32>,
    /// Redemptions made in all, cancelled ones included.
    pub redeemed: u64,
    pub pending: u64,
    pub fulfilled: u64,
    pub cancelled: u64,
    /// Points taken by redemptions not cancelled.
    pub points_taken: i64,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
}

/// A redemption in the owner's fulfilment queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRedemptionView {
    #[serde(flatten)]
    pub redemption: RedemptionView,
    pub member: String,
    pub member_name: String,
    #[serde(default, with = "crate::rfc3339::option")]
    pub updated_at: Option<Timestamp>,
}

/// `GET /api/v1/admin/sites/{site}/redemptions?status=&reward=&before=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionPage {
    pub redemptions: Vec<OwnerRedemptionView>,
    /// Pass as `before` for the next (older) page; `null` at the end.
    pub next: Option<String>,
}
