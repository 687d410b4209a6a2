//! Lotteries (抽奖): the owner's definition and its limits, whether a spin or a giveaway entry
//! may happen, the verifiable draw, and the check anyone can run on a published proof.
//!
//! # The draw
//!
//! When the owner opens a lottery the server fixes a secret 32-byte `seed` and publishes
//! `seed_hash` = hex(SHA-256(seed)); at close it reveals the seed. Every outcome is a pure
//! function of public data and the seed, so after close anyone can recompute all of them:
//!
//! 1. **Message.** For a member's spin number `n` (1, 2, … per member and lottery):
//!    `lottery id ‖ 0x00 ‖ member id ‖ 0x00 ‖ n as ASCII decimal` (ids as UTF-8).
//! 2. **Uniform number in `[0, total)`**, where `total` is the sum of the weights of the prizes
//!    that still have stock plus the no-prize weight ([`draw_number`]): for round `r = 0, 1, …`
//!    compute `d = HMAC-SHA256(key = the 32 seed bytes, message)` for `r = 0` and
//!    `HMAC-SHA256(seed, message ‖ 0x00 ‖ r as ASCII decimal)` after; read `d` as four
//!    big-endian `u64` words `w` in order and return `w mod total` for the first
//!    `w < 2^64 − (2^64 mod total)` (rejection sampling: no modulo bias).
//! 3. **Slot.** Walk the prizes in the published order, skipping those with no stock left
//!    (or weight 0), subtracting each weight; the first prize whose weight exceeds what is left
//!    of the number wins; past the last prize the no-prize slot does ([`spin_outcome`]).
//!
//! The stock state is that of the moment of the spin: replaying the proof's spins in their
//! global order (`seq`) and taking one unit of stock for each prize won reproduces it.
//!
//! A giveaway draws its winners at close ([`draw_winners`]): each entrant `m` gets the key
//! `HMAC-SHA256(seed, lottery id ‖ 0x00 ‖ "winner" ‖ 0x00 ‖ m)`; entrants sorted by key
//! (bytes ascending, then member id) and the first `winners` of them win, in that order. The
//! order of entry does not matter, and no entrant can be drawn twice.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::lottery::{
    CreateLottery, LotteryMode, LotteryProof, LotteryStatus, LotteryView, PrizeDefinition,
    PrizeView, ProofPrize, ProofSpin, UpdateLottery,
};
use crate::ids::{IdError, LotteryId, parse_slug};

pub const MAX_PRIZES: usize = 50;
pub const MAX_PRIZE_ID_LEN: usize = 64;
pub const MAX_PRIZE_NAME_CHARS: usize = 100;
pub const MAX_IMAGE_CHARS: usize = 500;
pub const MAX_WEIGHT: u32 = 1_000_000;
pub const MAX_STOCK: u32 = 1_000_000;
pub const MAX_COST: i64 = 1_000_000;
pub const MAX_DAILY_SPINS: u32 = 1000;
pub const MAX_WINNERS: u32 = 10_000;
/// The length of a seed in bytes.
pub const SEED_BYTES: usize = 32;

/// A lottery definition that passed [`validate_lottery`]. Names are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lottery {
    pub id: LotteryId,
    pub mode: LotteryMode,
    /// In the published (wheel) order, distinct slug ids.
    pub prizes: Vec<PrizeDefinition>,
    pub no_prize_weight: u32,
    pub cost: i64,
    pub daily_spins: u32,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    pub winners: u32,
}

/// Why a lottery definition is refused. Each message starts with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotteryError {
    /// Occurs when the lottery id is not a slug.
    #[error("id: {0}")]
    Id(IdError),
    /// Occurs when a wheel has no prize, or there are too many prizes.
    #[error("prizes: a {mode} has {min} to {MAX_PRIZES} prizes, not {count}", mode = mode.as_str())]
    PrizeCount {
        mode: LotteryMode,
        min: usize,
        count: usize,
    },
    /// Occurs when a prize id is not a slug.
    #[error("prizes[{index}].id: {error}")]
    PrizeId { index: usize, error: IdError },
    /// Occurs when two prizes share an id.
    #[error("prizes[{index}].id: '{prize}' is used by another prize")]
    DuplicatePrize { index: usize, prize: String },
    /// Occurs when a prize name is blank or too long.
    #[error(
        "prizes[{index}].name must have 1 to {MAX_PRIZE_NAME_CHARS} characters and not be blank"
    )]
    PrizeName { index: usize },
    /// Occurs when a prize weight is too high.
    #[error("prizes[{index}].weight must be between 0 and {MAX_WEIGHT}, not {weight}")]
    Weight { index: usize, weight: u32 },
    /// Occurs when a prize stock is too high.
    #[error("prizes[{index}].stock must be between 0 and {MAX_STOCK}, not {stock}")]
    Stock { index: usize, stock: u32 },
    /// Occurs when a prize image is not an http(s) URL or a path, or is too long.
    #[error(
        "prizes[{index}].image must be an https://, http:// or /path URL of at most {MAX_IMAGE_CHARS} characters without spaces"
    )]
    Image { index: usize },
    /// Occurs when the no-prize weight is too high.
    #[error("no_prize_weight must be between 0 and {MAX_WEIGHT}, not {weight}")]
    NoPrizeWeight { weight: u32 },
    /// Occurs when no prize of a wheel has a positive weight.
    #[error("prizes: at least one prize must have a weight above 0")]
    NoWeight,
    /// Occurs when the cost is negative or too high.
    #[error("cost must be between 0 and {MAX_COST}, not {cost}")]
    Cost { cost: i64 },
    /// Occurs when `daily_spins` is 0 or too high.
    #[error("daily_spins must be between 1 and {MAX_DAILY_SPINS}, not {daily_spins}")]
    DailySpins { daily_spins: u32 },
    /// Occurs when `winners` is 0 or too high.
    #[error("winners must be between 1 and {MAX_WINNERS}, not {winners}")]
    Winners { winners: u32 },
    /// Occurs when the lottery would close before it opens.
    #[error("closes_at must be after opens_at")]
    ClosesBeforeOpens,
}

/// Checks a lottery definition. A wheel needs 1 to 50 prizes, at least one with a positive
/// weight; a giveaway may list 0 to 50 prizes (what the winners get), whose weights the draw
/// does not use.
pub fn validate_lottery(definition: CreateLottery) -> Result<Lottery, LotteryError> {
    let id = LotteryId::parse(&definition.id).map_err(LotteryError::Id)?;
    let count = definition.prizes.len();
    let min = match definition.mode {
        LotteryMode::Wheel => 1,
        LotteryMode::Giveaway => 0,
    };
    if !(min..=MAX_PRIZES).contains(&count) {
        return Err(LotteryError::PrizeCount {
            mode: definition.mode,
            min,
            count,
        });
    }
    let mut seen = BTreeSet::new();
    for (index, prize) in definition.prizes.iter().enumerate() {
        parse_slug("prize id", &prize.id, MAX_PRIZE_ID_LEN)
            .map_err(|error| LotteryError::PrizeId { index, error })?;
        if !seen.insert(prize.id.as_str()) {
            return Err(LotteryError::DuplicatePrize {
                index,
                prize: prize.id.clone(),
            });
        }
        let name = &prize.name;
        if name.trim().is_empty() || name.chars().count() > MAX_PRIZE_NAME_CHARS {
            return Err(LotteryError::PrizeName { index });
        }
        if prize.weight > MAX_WEIGHT {
            return Err(LotteryError::Weight {
                index,
                weight: prize.weight,
            });
        }
        if prize.stock > MAX_STOCK {
            return Err(LotteryError::Stock {
                index,
                stock: prize.stock,
            });
        }
        if prize.image.as_deref().is_some_and(|url| !image_url_ok(url)) {
            return Err(LotteryError::Image { index });
        }
    }
    if definition.no_prize_weight > MAX_WEIGHT {
        return Err(LotteryError::NoPrizeWeight {
            weight: definition.no_prize_weight,
        });
    }
    if definition.mode == LotteryMode::Wheel && definition.prizes.iter().all(|p| p.weight == 0) {
        return Err(LotteryError::NoWeight);
    }
    if !(0..=MAX_COST).contains(&definition.cost) {
        return Err(LotteryError::Cost {
            cost: definition.cost,
        });
    }
    if !(1..=MAX_DAILY_SPINS).contains(&definition.daily_spins) {
        return Err(LotteryError::DailySpins {
            daily_spins: definition.daily_spins,
        });
    }
    if !(1..=MAX_WINNERS).contains(&definition.winners) {
        return Err(LotteryError::Winners {
            winners: definition.winners,
        });
    }
    if definition.closes_at <= definition.opens_at {
        return Err(LotteryError::ClosesBeforeOpens);
    }
    Ok(Lottery {
        id,
        mode: definition.mode,
        prizes: definition.prizes,
        no_prize_weight: definition.no_prize_weight,
        cost: definition.cost,
        daily_spins: definition.daily_spins,
        opens_at: definition.opens_at,
        closes_at: definition.closes_at,
        winners: definition.winners,
    })
}

/// The lottery `current` with `update`'s fields put in place of its own, checked as a new
/// definition would be: an edit can make nothing that `validate_lottery` refuses.
pub fn update_lottery(current: &Lottery, update: UpdateLottery) -> Result<Lottery, LotteryError> {
    validate_lottery(CreateLottery {
        id: current.id.to_string(),
        mode: update.mode.unwrap_or(current.mode),
        prizes: update.prizes.unwrap_or_else(|| current.prizes.clone()),
        no_prize_weight: update.no_prize_weight.unwrap_or(current.no_prize_weight),
        cost: update.cost.unwrap_or(current.cost),
        daily_spins: update.daily_spins.unwrap_or(current.daily_spins),
        opens_at: update.opens_at.unwrap_or(current.opens_at),
        closes_at: update.closes_at.unwrap_or(current.closes_at),
        winners: update.winners.unwrap_or(current.winners),
    })
}

/// An absolute http(s) URL or a site path, short and without spaces or quotes, so that a
/// widget can put it in `src` as it is.
pub(crate) fn image_url_ok(url: &str) -> bool {
    let prefix_ok = url.starts_with("https://")
        || url.starts_with("http://")
        || (url.starts_with('/') && !url.starts_with("//"));
    prefix_ok
        && url.chars().count() <= MAX_IMAGE_CHARS
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>'))
}

/// A lottery's secret seed: 32 bytes, drawn by the server when the owner opens the lottery.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed([u8; SEED_BYTES]);

impl std::fmt::Debug for Seed {
    /// Never prints the bytes, so that a log line cannot leak a seed before close.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seed(…)")
    }
}

impl Seed {
    pub fn from_bytes(bytes: [u8; SEED_BYTES]) -> Seed {
        Seed(bytes)
    }

    /// Reads 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Seed> {
        let bytes = from_hex(text)?;
        bytes.try_into().ok().map(Seed)
    }

    /// Lowercase hex, as the proof publishes it.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Lowercase hex SHA-256 of the seed's bytes: what is published when the lottery opens.
    pub fn hash_hex(&self) -> String {
        to_hex(&Sha256::digest(self.0))
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts a key of any length")
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A uniform number in `[0, total)` for a member's spin `spin`, by rejection sampling over
/// HMAC-SHA256 output (see the module's documentation). `total` must be above 0.
pub fn draw_number(seed: &Seed, lottery: &str, member: &str, spin: u32, total: u64) -> u64 {
    assert!(total > 0, "a draw needs a positive total weight");
    let message = format!("{lottery}\0{member}\0{spin}");
    // Words at or above the largest multiple of `total` below 2^64 are rejected.
    let zone = u64::MAX - (u64::MAX % total + 1) % total;
    for round in 0u64.. {
        let mut mac = seed.mac();
        mac.update(message.as_bytes());
        if round > 0 {
            mac.update(format!("\0{round}").as_bytes());
        }
        let digest = mac.finalize().into_bytes();
        for word in digest.chunks_exact(8) {
            let word = u64::from_be_bytes(word.try_into().expect("8 bytes"));
            if word <= zone {
                return word % total;
            }
        }
    }
    unreachable!("rounds never run out")
}

/// A prize as a draw sees it: its weight and how many are left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrizeStock {
    pub weight: u32,
    pub left: u32,
}

/// What one spin won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The prize at this index of the published order.
    Prize(usize),
    NoPrize,
}

/// The total weight a spin draws from: prizes with stock left, and the no-prize slot.
pub fn available_weight(prizes: &[PrizeStock], no_prize_weight: u32) -> u64 {
    prizes
        .iter()
        .filter(|p| p.left > 0)
        .map(|p| u64::from(p.weight))
        .sum::<u64>()
        + u64::from(no_prize_weight)
}

/// The outcome of a member's spin number `spin` in the stock state `prizes` (published
/// order); `None` when nothing can be drawn (every prize gone and no no-prize slot).
pub fn spin_outcome(
    seed: &Seed,
    lottery: &str,
    member: &str,
    spin: u32,
    prizes: &[PrizeStock],
    no_prize_weight: u32,
) -> Option<Outcome> {
    let total = available_weight(prizes, no_prize_weight);
    if total == 0 {
        return None;
    }
    let mut number = draw_number(seed, lottery, member, spin, total);
    for (index, prize) in prizes.iter().enumerate().filter(|(_, p)| p.left > 0) {
        let weight = u64::from(prize.weight);
        if number < weight {
            return Some(Outcome::Prize(index));
        }
        number -= weight;
    }
    Some(Outcome::NoPrize)
}

/// The giveaway's winners among `entrants` (member ids, any order, no repeats): at most
/// `winners` of them, in draw order (see the module's documentation).
pub fn draw_winners<'a>(
    seed: &Seed,
    lottery: &str,
    entrants: impl IntoIterator<Item = &'a str>,
    winners: u32,
) -> Vec<String> {
    let mut keyed: Vec<([u8; 32], &str)> = entrants
        .into_iter()
        .map(|member| {
            let mut mac = seed.mac();
            mac.update(format!("{lottery}\0winner\0{member}").as_bytes());
            (mac.finalize().into_bytes().into(), member)
        })
        .collect();
    keyed.sort_unstable();
    keyed
        .into_iter()
        .take(usize::try_from(winners).unwrap_or(usize::MAX))
        .map(|(_, member)| member.to_owned())
        .collect()
}

/// Where a lottery stands at `now`: closed once the owner closed it or its close time passed;
/// scheduled until it is both opened by the owner (`opened`: the seed is fixed) and past
/// `opens_at`.
pub fn lottery_status(
    lottery: &Lottery,
    opened: bool,
    closed_at: Option<Timestamp>,
    now: Timestamp,
) -> LotteryStatus {
    if closed_at.is_some() || now >= lottery.closes_at {
        LotteryStatus::Closed
    } else if !opened || now < lottery.opens_at {
        LotteryStatus::Scheduled
    } else {
        LotteryStatus::Open
    }
}

/// Spins a member has left today, given those they made today.
pub fn spins_left(lottery: &Lottery, spins_today: u32) -> u32 {
    lottery.daily_spins.saturating_sub(spins_today)
}

/// Why a spin is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpinError {
    /// Occurs when spinning a giveaway; members enter giveaways instead.
    #[error("this lottery is a giveaway: enter it instead of spinning")]
    Giveaway,
    /// Occurs when spinning before the lottery opens.
    #[error("the lottery is not open yet; it opens at {opens_at}")]
    NotOpen { opens_at: Timestamp },
    /// Occurs when spinning after the lottery closed.
    #[error("the lottery is closed")]
    Closed,
    /// Occurs when the member used today's spins.
    #[error("you have used today's {limit} spins")]
    DailyLimitReached { limit: u32 },
    /// Occurs when every prize is gone and the wheel has no no-prize slot.
    #[error("every prize has been won")]
    SoldOut,
    /// Occurs when the member's balance is below the cost of a spin.
    #[error("a spin costs {cost} points and the balance is {balance}")]
    InsufficientPoints { cost: i64, balance: i64 },
}

/// A spin as it reaches the rules: what is stored at that moment.
#[derive(Debug, Clone, Copy)]
pub struct SpinAttempt<'a> {
    /// The seed, once the owner opened the lottery.
    pub seed: Option<&'a Seed>,
    pub closed_at: Option<Timestamp>,
    pub member: &'a str,
    /// The member's number for this spin: their spins in this lottery so far, plus one.
    pub spin: u32,
    pub spins_today: u32,
    pub balance: i64,
    /// The stock state, in the published order.
    pub stock: &'a [PrizeStock],
}

/// Decides a spin at `now`. Checks run in this order: the mode, open and close, the daily
/// limit, the stock, the balance; then the outcome is drawn.
pub fn decide_spin(
    lottery: &Lottery,
    attempt: SpinAttempt<'_>,
    now: Timestamp,
) -> Result<Outcome, SpinError> {
    if lottery.mode != LotteryMode::Wheel {
        return Err(SpinError::Giveaway);
    }
    let seed = check_open(lottery, attempt.seed, attempt.closed_at, now)
        .map_err(|closed| closed.into_spin_error(lottery))?;
    if attempt.spins_today >= lottery.daily_spins {
        return Err(SpinError::DailyLimitReached {
            limit: lottery.daily_spins,
        });
    }
    if available_weight(attempt.stock, lottery.no_prize_weight) == 0 {
        return Err(SpinError::SoldOut);
    }
    if attempt.balance < lottery.cost {
        return Err(SpinError::InsufficientPoints {
            cost: lottery.cost,
            balance: attempt.balance,
        });
    }
    spin_outcome(
        seed,
        lottery.id.as_str(),
        attempt.member,
        attempt.spin,
        attempt.stock,
        lottery.no_prize_weight,
    )
    .ok_or(SpinError::SoldOut)
}

/// Why a lottery is not open, for spins and entries alike.
enum NotOpen {
    Scheduled,
    Closed,
}

impl NotOpen {
    fn into_spin_error(self, lottery: &Lottery) -> SpinError {
        match self {
            NotOpen::Scheduled => SpinError::NotOpen {
                opens_at: lottery.opens_at,
            },
            NotOpen::Closed => SpinError::Closed,
        }
    }

    fn into_entry_error(self, lottery: &Lottery) -> EntryError {
        match self {
            NotOpen::Scheduled => EntryError::NotOpen {
                opens_at: lottery.opens_at,
            },
            NotOpen::Closed => EntryError::Closed,
        }
    }
}

/// The seed of an open lottery.
fn check_open<'a>(
    lottery: &Lottery,
    seed: Option<&'a Seed>,
    closed_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<&'a Seed, NotOpen> {
    match (
        lottery_status(lottery, seed.is_some(), closed_at, now),
        seed,
    ) {
        (LotteryStatus::Open, Some(seed)) => Ok(seed),
        (LotteryStatus::Closed, _) => Err(NotOpen::Closed),
        _ => Err(NotOpen::Scheduled),
    }
}

/// Why a giveaway entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Occurs when entering a wheel; members spin wheels instead.
    #[error("this lottery is a wheel: spin it instead of entering")]
    Wheel,
    /// Occurs when entering before the giveaway opens.
    #[error("the giveaway is not open yet; it opens at {opens_at}")]
    NotOpen { opens_at: Timestamp },
    /// Occurs when entering after the giveaway closed.
    #[error("the giveaway is closed")]
    Closed,
    /// Occurs when the member's balance is below the cost of an entry.
    #[error("an entry costs {cost} points and the balance is {balance}")]
    InsufficientPoints { cost: i64, balance: i64 },
}

/// What storing an entry must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryDecision {
    /// A first entry: store it and charge the cost.
    Enter,
    /// The member already entered: nothing changes (a retry or a double click), even after close.
    Already,
}

/// Decides a giveaway entry at `now`.
pub fn decide_entry(
    lottery: &Lottery,
    seed: Option<&Seed>,
    closed_at: Option<Timestamp>,
    already_entered: bool,
    balance: i64,
    now: Timestamp,
) -> Result<EntryDecision, EntryError> {
    if lottery.mode != LotteryMode::Giveaway {
        return Err(EntryError::Wheel);
    }
    if already_entered {
        return Ok(EntryDecision::Already);
    }
    check_open(lottery, seed, closed_at, now).map_err(|closed| closed.into_entry_error(lottery))?;
    if balance < lottery.cost {
        return Err(EntryError::InsufficientPoints {
            cost: lottery.cost,
            balance,
        });
    }
    Ok(EntryDecision::Enter)
}

/// The lottery as anyone sees it at `now`, without member or giveaway fields: `seed_hash` once
/// opened, and the seed only once closed (`closed_at` set). `stock_left` is in prize order.
pub fn lottery_view(
    lottery: &Lottery,
    stock_left: &[u32],
    seed: Option<&Seed>,
    closed_at: Option<Timestamp>,
    now: Timestamp,
) -> LotteryView {
    LotteryView {
        id: lottery.id.clone(),
        mode: lottery.mode,
        status: lottery_status(lottery, seed.is_some(), closed_at, now),
        prizes: lottery
            .prizes
            .iter()
            .zip(stock_left.iter().copied().chain(std::iter::repeat(0)))
            .map(|(prize, left)| PrizeView {
                id: prize.id.clone(),
                name: prize.name.clone(),
                weight: prize.weight,
                stock: left,
                image: prize.image.clone(),
            })
            .collect(),
        no_prize_weight: lottery.no_prize_weight,
        cost: lottery.cost,
        daily_spins: lottery.daily_spins,
        opens_at: lottery.opens_at,
        closes_at: lottery.closes_at,
        closed_at,
        winners: lottery.winners,
        seed_hash: seed.map(Seed::hash_hex),
        seed: seed.filter(|_| closed_at.is_some()).map(Seed::to_hex),
        spins_left: None,
        points: None,
        my_spins: None,
        entrants: None,
        entered: None,
        drawn_winners: None,
    }
}

/// The proof of a lottery: its seed, its prizes as defined (initial stock), `spins` in `seq`
/// order, and for giveaways `entrants` in entry order and `drawn_winners` in draw order.
pub fn lottery_proof(
    lottery: &Lottery,
    seed: &Seed,
    spins: Vec<ProofSpin>,
    entrants: Vec<String>,
    drawn_winners: Vec<String>,
) -> LotteryProof {
    LotteryProof {
        lottery: lottery.id.to_string(),
        mode: lottery.mode,
        seed: seed.to_hex(),
        seed_hash: seed.hash_hex(),
        prizes: lottery
            .prizes
            .iter()
            .map(|prize| ProofPrize {
                id: prize.id.clone(),
                name: prize.name.clone(),
                weight: prize.weight,
                stock: prize.stock,
            })
            .collect(),
        no_prize_weight: lottery.no_prize_weight,
        winners: lottery.winners,
        spins,
        entrants,
        drawn_winners,
    }
}

/// What checking a proof found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub lottery: String,
    /// Whether SHA-256 of the seed is the published `seed_hash`.
    pub seed_matches_hash: bool,
    /// How many spins were recomputed.
    pub spins_checked: usize,
    /// How many giveaway winners were recomputed.
    pub winners_checked: usize,
    /// Empty when everything matches.
    pub mismatches: Vec<Mismatch>,
}

impl VerifyReport {
    /// True when the seed matches its hash and every outcome matches.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// One thing a proof gets wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mismatch {
    /// Occurs when the seed is not 64 hex digits: nothing can be recomputed.
    #[error("the seed is not {SEED_BYTES} bytes of hex")]
    InvalidSeed,
    /// Occurs when the seed does not hash to the published hash.
    #[error("sha256(seed) is {computed}, but the published seed_hash is {published}")]
    SeedHash { computed: String, published: String },
    /// Occurs when two prizes share an id.
    #[error("prize id '{prize}' is listed twice")]
    DuplicatePrize { prize: String },
    /// Occurs when spins are not numbered 1, 2, 3, … in order.
    #[error("spin at position {position} has seq {published}, expected {expected}")]
    Sequence {
        position: usize,
        expected: u64,
        published: u64,
    },
    /// Occurs when a member's spins are not numbered 1, 2, 3, … (a skipped or repeated number).
    #[error("seq {seq}: member '{member}' has spin number {published}, expected {expected}")]
    SpinNumber {
        seq: u64,
        member: String,
        expected: u32,
        published: u32,
    },
    /// Occurs when a recomputed outcome differs from the published one.
    #[error(
        "seq {seq}: member '{member}' spin {spin}: expected {}, published {}",
        prize_text(expected),
        prize_text(published)
    )]
    Spin {
        seq: u64,
        member: String,
        spin: u32,
        /// The recomputed prize id; `null` for no prize.
        expected: Option<String>,
        published: Option<String>,
    },
    /// Occurs when a member entered a giveaway twice.
    #[error("entrant '{member}' is listed twice")]
    DuplicateEntrant { member: String },
    /// Occurs when the recomputed giveaway winners differ from the published ones.
    #[error("winners: expected {expected:?}, published {published:?}")]
    Winners {
        expected: Vec<String>,
        published: Vec<String>,
    },
}

fn prize_text(prize: &Option<String>) -> String {
    match prize {
        Some(id) => format!("'{id}'"),
        None => "no prize".to_owned(),
    }
}

/// Recomputes every outcome of a published proof: the seed against its hash, each spin in
/// `seq` order against the stock state the earlier spins left, and a giveaway's winners.
///
/// The stock state advances by the *published* outcome of each spin (when it names a prize that
/// had stock), so that each mismatch is reported at the spin where it happened rather than
/// cascading into every later one.
pub fn verify_proof(proof: &LotteryProof) -> VerifyReport {
    let mut report = VerifyReport {
        lottery: proof.lottery.clone(),
        seed_matches_hash: false,
        spins_checked: 0,
        winners_checked: 0,
        mismatches: Vec::new(),
    };
    let Some(seed) = Seed::from_hex(&proof.seed) else {
        report.mismatches.push(Mismatch::InvalidSeed);
        return report;
    };
    let computed = seed.hash_hex();
    report.seed_matches_hash = computed.eq_ignore_ascii_case(&proof.seed_hash);
    if !report.seed_matches_hash {
        report.mismatches.push(Mismatch::SeedHash {
            computed,
            published: proof.seed_hash.clone(),
        });
    }
    let mut index_of = BTreeMap::new();
    for (index, prize) in proof.prizes.iter().enumerate() {
        if index_of.insert(prize.id.as_str(), index).is_some() {
            report.mismatches.push(Mismatch::DuplicatePrize {
                prize: prize.id.clone(),
            });
        }
    }
    let mut stock: Vec<PrizeStock> = proof
        .prizes
        .iter()
        .map(|prize| PrizeStock {
            weight: prize.weight,
            left: prize.stock,
        })
        .collect();
    let mut spins_of: BTreeMap<&str, u32> = BTreeMap::new();
    for (position, spin) in proof.spins.iter().enumerate() {
        let expected_seq = u64::try_from(position)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        if spin.seq != expected_seq {
            report.mismatches.push(Mismatch::Sequence {
                position: position + 1,
                expected: expected_seq,
                published: spin.seq,
            });
        }
        let count = spins_of.entry(spin.member.as_str()).or_default();
        *count += 1;
        if spin.spin != *count {
            report.mismatches.push(Mismatch::SpinNumber {
                seq: spin.seq,
                member: spin.member.clone(),
                expected: *count,
                published: spin.spin,
            });
        }
        let outcome = spin_outcome(
            &seed,
            &proof.lottery,
            &spin.member,
            spin.spin,
            &stock,
            proof.no_prize_weight,
        );
        let expected = match outcome {
            Some(Outcome::Prize(index)) => Some(proof.prizes[index].id.clone()),
            Some(Outcome::NoPrize) | None => None,
        };
        report.spins_checked += 1;
        if outcome.is_none() || expected != spin.prize {
            report.mismatches.push(Mismatch::Spin {
                seq: spin.seq,
                member: spin.member.clone(),
                spin: spin.spin,
                expected,
                published: spin.prize.clone(),
            });
        }
        let won = spin.prize.as_deref().and_then(|id| index_of.get(id));
        if let Some(prize) = won.and_then(|&index| stock.get_mut(index)) {
            prize.left = prize.left.saturating_sub(1);
        }
    }
    if proof.mode == LotteryMode::Giveaway {
        let mut seen = BTreeSet::new();
        for member in &proof.entrants {
            if !seen.insert(member.as_str()) {
                report.mismatches.push(Mismatch::DuplicateEntrant {
                    member: member.clone(),
                });
            }
        }
        let expected = draw_winners(&seed, &proof.lottery, seen, proof.winners);
        report.winners_checked = expected.len();
        if expected != proof.drawn_winners {
            report.mismatches.push(Mismatch::Winners {
                expected,
                published: proof.drawn_winners.clone(),
            });
        }
    }
    report
}

#[cfg(test)]
mod tests;
