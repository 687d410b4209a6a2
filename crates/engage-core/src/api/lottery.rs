//! The JSON shapes of lotteries (抽奖): the owner's definition, what members and visitors see,
//! the answers to a spin and to a giveaway entry, and the proof published after close.
//!
//! Seeds and hashes travel as lowercase hex: `seed` is 32 bytes (64 hex digits) and
//! `seed_hash` is the SHA-256 of those bytes. See `crate::lottery` for how outcomes follow.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

use crate::LotteryId;
use crate::api::null_as_default;

/// A wheel (大转盘): members spin, each spin decided at once. A giveaway: members enter until
/// close, then `winners` of them are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotteryMode {
    #[default]
    Wheel,
    Giveaway,
}

impl LotteryMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LotteryMode::Wheel => "wheel",
            LotteryMode::Giveaway => "giveaway",
        }
    }

    pub fn parse(text: &str) -> Option<LotteryMode> {
        [LotteryMode::Wheel, LotteryMode::Giveaway]
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
}

/// Where a lottery stands: not yet open (before `opens_at`, or the owner has not opened it),
/// open, or closed (the seed is revealed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotteryStatus {
    Scheduled,
    Open,
    Closed,
}

/// One prize as its owner defines it. `weight` is relative to the other prizes and the
/// no-prize slot; `stock` is how many can be won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrizeDefinition {
    pub id: String,
    pub name: String,
    pub weight: u32,
    pub stock: u32,
    /// An image URL (`https://…`, `http://…` or a path starting with `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// `POST /api/v1/admin/sites/{site}/lotteries`. See `lottery::validate_lottery` for limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLottery {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub mode: LotteryMode,
    /// In the order the wheel shows them; the no-prize slot comes after them.
    #[serde(default, deserialize_with = "null_as_default")]
    pub prizes: Vec<PrizeDefinition>,
    /// The weight of the "no prize" slot; 0 (the default) means the wheel has none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub no_prize_weight: u32,
    /// Points one spin (wheel) or the entry (giveaway) costs; 0 by default.
    #[serde(default, deserialize_with = "null_as_default")]
    pub cost: i64,
    /// Spins one member may make per day, the day taken in the site's time zone (default 1).
    #[serde(default = "one", deserialize_with = "null_as_one")]
    pub daily_spins: u32,
    #[serde(with = "crate::rfc3339")]
    pub opens_at: Timestamp,
    #[serde(with = "crate::rfc3339")]
    pub closes_at: Timestamp,
    /// How many winners a giveaway draws at close (default 1; unused by wheels).
    #[serde(default = "one", deserialize_with = "null_as_one")]
    pub winners: u32,
}

/// `PATCH /api/v1/admin/sites/{site}/lotteries/{lottery}`, allowed only before the owner opens
/// the lottery (the seed hash and prizes are published then). Every field left out (or `null`)
/// keeps its value; `prizes`, when given, replaces the whole list. The id never changes. The
/// result is checked like a new definition (`lottery::validate_lottery`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateLottery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<LotteryMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prizes: Option<Vec<PrizeDefinition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_prize_weight: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_spins: Option<u32>,
    #[serde(
        default,
        with = "crate::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub opens_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub closes_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winners: Option<u32>,
}

/// A whole definition as an edit: every field given, so the stored lottery becomes exactly
/// `definition` (its `id` is the path's, not part of the edit).
impl From<CreateLottery> for UpdateLottery {
    fn from(definition: CreateLottery) -> UpdateLottery {
        UpdateLottery {
            mode: Some(definition.mode),
            prizes: Some(definition.prizes),
            no_prize_weight: Some(definition.no_prize_weight),
            cost: Some(definition.cost),
            daily_spins: Some(definition.daily_spins),
            opens_at: Some(definition.opens_at),
            closes_at: Some(definition.closes_at),
            winners: Some(definition.winners),
        }
    }
}

fn one() -> u32 {
    1
}

/// `null` for a count whose default is one means one, like the field left out.
fn null_as_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    Option::<u32>::deserialize(deserializer).map(|count| count.unwrap_or_else(one))
}

/// A prize as callers see it: `stock` is what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeView {
    pub id: String,
    pub name: String,
    pub weight: u32,
    /// Prizes left to win.
    pub stock: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// A prize named in an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeRef {
    pub id: String,
    pub name: String,
}

/// One of the member's own spins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySpin {
    /// The member's spin number in this lottery (1, 2, …).
    pub spin: u32,
    /// `null` for the no-prize slot.
    pub prize: Option<PrizeRef>,
    #[serde(with = "crate::rfc3339")]
    pub at: Timestamp,
}

/// A drawn giveaway winner, in draw order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinnerView {
    pub member: String,
    pub name: String,
}

/// `GET /api/v1/sites/{site}/lotteries/{lottery}` and the owner's answers. Member fields are
/// present only with a member token; giveaway fields only for giveaways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryView {
    pub id: LotteryId,
    pub mode: LotteryMode,
    pub status: LotteryStatus,
    pub prizes: Vec<PrizeView>,
    pub no_prize_weight: u32,
    pub cost: i64,
    pub daily_spins: u32,
    #[serde(with = "crate::rfc3339")]
    pub opens_at: Timestamp,
    #[serde(with = "crate::rfc3339")]
    pub closes_at: Timestamp,
    /// When it actually closed (at `closes_at`, or earlier by the owner).
    #[serde(
        default,
        with = "crate::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed_at: Option<Timestamp>,
    /// How many winners a giveaway draws.
    pub winners: u32,
    /// SHA-256 (hex) of the secret seed, once the owner opened the lottery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_hash: Option<String>,
    /// The seed (hex), only once closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Member: spins left today (wheels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spins_left: Option<u32>,
    /// Member: the points balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Member: their most recent spins, newest first (wheels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_spins: Option<Vec<MySpin>>,
    /// Giveaway: how many members entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrants: Option<u64>,
    /// Giveaway, member: whether they entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<bool>,
    /// Giveaway, once closed: the winners in draw order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn_winners: Option<Vec<WinnerView>>,
}

/// A prize's stock after a spin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeStock {
    pub id: String,
    pub stock: u32,
}

/// `POST /api/v1/sites/{site}/lotteries/{lottery}/spins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpinResult {
    /// The member's spin number in this lottery (1, 2, …): one input of the outcome.
    pub spin: u32,
    /// The spin's place among all spins of the lottery (1, 2, …), as the proof lists them.
    pub seq: u64,
    /// The prize won; `null` for the no-prize slot.
    pub prize: Option<PrizeRef>,
    /// The balance afterwards.
    pub points: i64,
    /// Points this spin cost.
    pub spent: i64,
    pub spins_left: u32,
    /// Every prize's stock left, in prize order.
    pub stock: Vec<PrizeStock>,
    /// The published hash of the seed that decided this spin.
    pub seed_hash: String,
    /// Badge ids this spin earned.
    #[serde(default)]
    pub badges: Vec<String>,
}

/// `POST /api/v1/sites/{site}/lotteries/{lottery}/entries` (giveaways).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryResult {
    pub entered: bool,
    /// True when the member had already entered: nothing was charged again.
    pub already: bool,
    pub entrants: u64,
    pub points: i64,
    pub spent: i64,
    /// Badge ids this entry earned.
    #[serde(default)]
    pub badges: Vec<String>,
}

/// A prize as the proof lists it: its weight and its stock when the lottery opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofPrize {
    pub id: String,
    pub name: String,
    pub weight: u32,
    /// The initial stock.
    pub stock: u32,
}

/// One spin as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofSpin {
    /// The global order in which the server recorded spins (1, 2, …).
    pub seq: u64,
    pub member: String,
    /// The member's own spin number (1, 2, …).
    pub spin: u32,
    /// The prize id won, `null` for no prize.
    pub prize: Option<String>,
}

/// `GET /api/v1/sites/{site}/lotteries/{lottery}/proof`: everything needed to recompute every
/// outcome (`lottery::verify_proof`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryProof {
    pub lottery: String,
    #[serde(default)]
    pub mode: LotteryMode,
    /// The revealed seed, hex.
    pub seed: String,
    /// The hash published at open, hex.
    pub seed_hash: String,
    /// In the published order.
    pub prizes: Vec<ProofPrize>,
    #[serde(default)]
    pub no_prize_weight: u32,
    /// Giveaways: how many winners are drawn.
    #[serde(default)]
    pub winners: u32,
    /// In `seq` order.
    #[serde(default)]
    pub spins: Vec<ProofSpin>,
    /// Giveaways: every entrant's member id, in entry order.
    #[serde(default)]
    pub entrants: Vec<String>,
    /// Giveaways: the drawn winners' member ids, in draw order.
    #[serde(default)]
    pub drawn_winners: Vec<String>,
}
