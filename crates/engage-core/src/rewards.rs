//! The rewards shop (积分兑换): the owner's rewards and their limits, whether a redemption may
//! happen, and what changing a redemption's status does (a cancellation refunds once).
//!
//! The server reads what is stored inside the redemption's transaction — the member's balance,
//! the stock or unused codes left, the member's redemptions so far — and asks
//! [`decide_redemption`]; it writes exactly what the decision says. The same with
//! [`decide_status_change`] for the owner's fulfilment queue. The JSON shapes are in
//! [`crate::api::rewards`]; the streak-freeze rule is `checkin::freezes_for_checkin`.

use jiff::Timestamp;

use crate::api::rewards::{
    CreateReward, RedemptionStatus, RewardKind, RewardStatus, RewardView, UpdateReward,
};
use crate::ids::{IdError, RewardId};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
pub const MAX_PRICE: i64 = 100_000_000;
pub const MAX_STOCK: u32 = 1_000_000;
pub const MAX_PER_MEMBER: u32 = 1_000_000;
/// The longest coupon code, in characters.
pub const MAX_CODE_CHARS: usize = 200;
/// The most codes one upload may add.
pub const MAX_CODES_PER_UPLOAD: usize = 20_000;
/// The longest idempotency key a redemption may carry.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 100;
/// Reward ids that would be taken for a route's own segment (`…/rewards/redemptions`).
pub const RESERVED_IDS: [&str; 1] = ["redemptions"];

/// A reward that passed [`validate_reward`]. Texts are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reward {
    pub id: RewardId,
    pub name: String,
    pub description: Option<String>,
    pub image_url: Option<String>,
    pub price: i64,
    pub kind: RewardKind,
    /// Units left; `None` for unlimited, and always `None` for a `code` reward, whose stock is
    /// its pool of unused codes.
    pub stock: Option<u32>,
    pub per_member: Option<u32>,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    pub archived: bool,
}

/// Why a reward definition or edit is refused. Each message starts with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewardError {
    /// Occurs when the id is not a slug.
    #[error("id: {0}")]
    Id(IdError),
    /// Occurs when the id is one the routes use for themselves.
    #[error("id: '{0}' is reserved; choose another id")]
    ReservedId(String),
    /// Occurs when the name is blank or too long.
    #[error("name must have 1 to {MAX_NAME_CHARS} characters and not be blank")]
    Name,
    /// Occurs when the description is too long.
    #[error("description must have at most {MAX_DESCRIPTION_CHARS} characters")]
    Description,
    /// Occurs when the image is not an http(s) URL or a path, or is too long.
    #[error(
        "image_url must be an https://, http:// or /path URL of at most {} characters without spaces",
        crate::lottery::MAX_IMAGE_CHARS
    )]
    ImageUrl,
    /// Occurs when the price is below 1 or too high.
    #[error("price must be between 1 and {MAX_PRICE}, not {price}")]
    Price { price: i64 },
    /// Occurs when the stock is too high.
    #[error("stock must be between 0 and {MAX_STOCK} (or null for unlimited), not {stock}")]
    Stock { stock: u32 },
    /// Occurs when a `code` reward is given a stock: its stock is its pool of codes.
    #[error(
        "stock: a code reward's stock is its pool of unused codes; leave stock null and upload codes"
    )]
    CodeStock,
    /// Occurs when the limit per member is 0 or too high.
    #[error(
        "per_member must be between 1 and {MAX_PER_MEMBER} (or null for no limit), not {per_member}"
    )]
    PerMember { per_member: u32 },
    /// Occurs when the reward would close before it opens.
    #[error("closes_at must be after opens_at")]
    ClosesBeforeOpens,
}

/// Checks a reward definition.
pub fn validate_reward(definition: CreateReward) -> Result<Reward, RewardError> {
    let id = RewardId::parse(&definition.id).map_err(RewardError::Id)?;
    if RESERVED_IDS.contains(&id.as_str()) {
        return Err(RewardError::ReservedId(id.to_string()));
    }
    check_reward(Reward {
        id,
        name: definition.name,
        description: definition.description,
        image_url: definition.image_url,
        price: definition.price,
        kind: definition.kind,
        stock: definition.stock,
        per_member: definition.per_member,
        opens_at: definition.opens_at,
        closes_at: definition.closes_at,
        archived: false,
    })
}

/// The reward `current` with `update`'s fields put in place of its own, checked as a new
/// definition would be. `stock` given replaces the units left.
pub fn update_reward(current: &Reward, update: UpdateReward) -> Result<Reward, RewardError> {
    let mut reward = current.clone();
    if let Some(name) = update.name {
        reward.name = name;
    }
    if let Some(description) = update.description {
        reward.description = description;
    }
    if let Some(image_url) = update.image_url {
        reward.image_url = image_url;
    }
    if let Some(price) = update.price {
        reward.price = price;
    }
    if let Some(stock) = update.stock {
        reward.stock = stock;
    }
    if let Some(per_member) = update.per_member {
        reward.per_member = per_member;
    }
    if let Some(opens_at) = update.opens_at {
        reward.opens_at = opens_at;
    }
    if let Some(closes_at) = update.closes_at {
        reward.closes_at = closes_at;
    }
    if let Some(archived) = update.archived {
        reward.archived = archived;
    }
    check_reward(reward)
}

fn check_reward(reward: Reward) -> Result<Reward, RewardError> {
    let name_chars = reward.name.chars().count();
    if reward.name.trim().is_empty() || name_chars > MAX_NAME_CHARS {
        return Err(RewardError::Name);
    }
    if reward
        .description
        .as_deref()
        .is_some_and(|text| text.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        return Err(RewardError::Description);
    }
    if reward
        .image_url
        .as_deref()
        .is_some_and(|url| !crate::lottery::image_url_ok(url))
    {
        return Err(RewardError::ImageUrl);
    }
    if !(1..=MAX_PRICE).contains(&reward.price) {
        return Err(RewardError::Price {
            price: reward.price,
        });
    }
    match (reward.kind, reward.stock) {
        (RewardKind::Code, Some(_)) => return Err(RewardError::CodeStock),
        (_, Some(stock)) if stock > MAX_STOCK => return Err(RewardError::Stock { stock }),
        _ => {}
    }
    if let Some(per_member) = reward.per_member
        && !(1..=MAX_PER_MEMBER).contains(&per_member)
    {
        return Err(RewardError::PerMember { per_member });
    }
    if let (Some(opens_at), Some(closes_at)) = (reward.opens_at, reward.closes_at)
        && closes_at <= opens_at
    {
        return Err(RewardError::ClosesBeforeOpens);
    }
    Ok(reward)
}

/// Where a reward stands at `now`: scheduled before `opens_at`, closed from `closes_at` on.
pub fn reward_status(reward: &Reward, now: Timestamp) -> RewardStatus {
    if reward.closes_at.is_some_and(|at| now >= at) {
        RewardStatus::Closed
    } else if reward.opens_at.is_some_and(|at| now < at) {
        RewardStatus::Scheduled
    } else {
        RewardStatus::Open
    }
}

/// Units a member can still get: the stock, or for a `code` reward its unused codes.
pub fn units_left(reward: &Reward, codes_left: u32) -> Option<u32> {
    match reward.kind {
        RewardKind::Code => Some(codes_left),
        _ => reward.stock,
    }
}

/// A redemption as it reaches the rules: what is stored at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedeemAttempt {
    pub balance: i64,
    /// The member's redemptions of this reward that were not cancelled.
    pub redeemed_by_member: u32,
    /// Unused codes in the pool (only a `code` reward looks at it).
    pub codes_left: u32,
}

/// What storing a redemption must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedeemDecision {
    /// Points to take (the price).
    pub price: i64,
    /// Take one unit of the reward's stock (a finite stock only).
    pub takes_stock: bool,
    /// Give the member one unused code of the pool.
    pub takes_code: bool,
    /// Give the member one streak freeze.
    pub grants_freeze: bool,
    /// The new redemption's status: `pending` for an item the owner sends; `fulfilled` at once
    /// for a code or a freeze, which the redemption itself delivers.
    pub status: RedemptionStatus,
}

/// Why a redemption is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedeemError {
    /// Occurs when redeeming before the reward opens.
    #[error("this reward is not open yet; it opens at {opens_at}")]
    NotOpen { opens_at: Timestamp },
    /// Occurs when redeeming after the reward closed.
    #[error("this reward is closed")]
    Closed,
    /// Occurs when no unit (or no unused code) is left.
    #[error("this reward is out of stock")]
    OutOfStock,
    /// Occurs when the member has made as many redemptions as the reward allows each member.
    #[error("you have redeemed this reward {limit} times, as many as one member may")]
    LimitReached { limit: u32 },
    /// Occurs when the balance is below the price.
    #[error("this reward costs {price} points and the balance is {balance}")]
    InsufficientPoints { price: i64, balance: i64 },
}

/// Decides a redemption at `now`. Checks run in this order: open and close, the stock (or
/// codes), the member's limit, the balance — what the member cannot change is said first, so
/// no one saves points for a reward that is gone.
pub fn decide_redemption(
    reward: &Reward,
    attempt: RedeemAttempt,
    now: Timestamp,
) -> Result<RedeemDecision, RedeemError> {
    match reward_status(reward, now) {
        RewardStatus::Scheduled => {
            return Err(RedeemError::NotOpen {
                opens_at: reward.opens_at.unwrap_or(now),
            });
        }
        RewardStatus::Closed => return Err(RedeemError::Closed),
        RewardStatus::Open => {}
    }
    if units_left(reward, attempt.codes_left) == Some(0) {
        return Err(RedeemError::OutOfStock);
    }
    if let Some(limit) = reward.per_member
        && attempt.redeemed_by_member >= limit
    {
        return Err(RedeemError::LimitReached { limit });
    }
    if attempt.balance < reward.price {
        return Err(RedeemError::InsufficientPoints {
            price: reward.price,
            balance: attempt.balance,
        });
    }
    Ok(RedeemDecision {
        price: reward.price,
        takes_stock: reward.kind != RewardKind::Code && reward.stock.is_some(),
        takes_code: reward.kind == RewardKind::Code,
        grants_freeze: reward.kind == RewardKind::StreakFreeze,
        status: match reward.kind {
            RewardKind::Item => RedemptionStatus::Pending,
            RewardKind::Code | RewardKind::StreakFreeze => RedemptionStatus::Fulfilled,
        },
    })
}

/// A stored redemption as a status change sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedemptionState {
    pub status: RedemptionStatus,
    pub kind: RewardKind,
    /// The points it took.
    pub price: i64,
    /// Whether the reward has a finite stock now (a unit goes back to it on cancellation).
    pub finite_stock: bool,
    /// Streak freezes the member holds unused (a freeze's cancellation takes one back).
    pub freezes_held: u32,
}

/// What changing a redemption's status must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// The redemption already has that status: nothing changes (a repeat, a double click).
    Unchanged,
    /// A pending item was sent.
    Fulfil,
    /// Cancel: give back `refund` points through the ledger, once; put a unit back in the stock
    /// when the reward has one; take back the freeze it granted. A code is never put back in
    /// the pool: it was shown to the member.
    Cancel {
        refund: i64,
        returns_stock: bool,
        takes_back_freeze: bool,
    },
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// Occurs when fulfilling (or reopening) a cancelled redemption: its points went back.
    #[error("the redemption was cancelled and its points refunded; it cannot become {to}", to = to.as_str())]
    Cancelled { to: RedemptionStatus },
    /// Occurs when setting a fulfilled redemption back to pending.
    #[error("the redemption is fulfilled; it can be cancelled, not set back to pending")]
    BackToPending,
    /// Occurs when cancelling a streak freeze the member has already used.
    #[error("the streak freeze was already used on a missed day, so it cannot be cancelled")]
    FreezeUsed,
}

/// Decides an owner's status change of a redemption: `pending` → `fulfilled`, `pending` or
/// `fulfilled` → `cancelled` (refunded once); a repeat of the current status changes nothing.
pub fn decide_status_change(
    current: RedemptionState,
    to: RedemptionStatus,
) -> Result<StatusChange, StatusError> {
    use RedemptionStatus::{Cancelled, Fulfilled, Pending};
    match (current.status, to) {
        (from, to) if from == to => Ok(StatusChange::Unchanged),
        (Cancelled, to) => Err(StatusError::Cancelled { to }),
        (Fulfilled, Pending) => Err(StatusError::BackToPending),
        (Pending, Fulfilled) => Ok(StatusChange::Fulfil),
        (_, Cancelled) => {
            let takes_back_freeze = current.kind == RewardKind::StreakFreeze;
            if takes_back_freeze && current.freezes_held == 0 {
                return Err(StatusError::FreezeUsed);
            }
            Ok(StatusChange::Cancel {
                refund: current.price,
                returns_stock: current.finite_stock && current.kind != RewardKind::Code,
                takes_back_freeze,
            })
        }
        (_, _) => Ok(StatusChange::Unchanged),
    }
}

/// Redemptions a member may still make (`None`: no limit).
pub fn member_left(reward: &Reward, redeemed_by_member: u32) -> Option<u32> {
    reward
        .per_member
        .map(|limit| limit.saturating_sub(redeemed_by_member))
}

/// The reward as members see it at `now`; `member` is the viewer's balance and redemptions of
/// it, when a member asks.
pub fn reward_view(
    reward: &Reward,
    codes_left: u32,
    member: Option<(i64, u32)>,
    now: Timestamp,
) -> RewardView {
    RewardView {
        id: reward.id.to_string(),
        name: reward.name.clone(),
        description: reward.description.clone(),
        image_url: reward.image_url.clone(),
        price: reward.price,
        kind: reward.kind,
        stock_left: units_left(reward, codes_left),
        per_member: reward.per_member,
        opens_at: reward.opens_at,
        closes_at: reward.closes_at,
        status: reward_status(reward, now),
        my_left: member.and_then(|(_, redeemed)| member_left(reward, redeemed)),
        affordable: member.is_some_and(|(balance, _)| balance >= reward.price),
    }
}

/// Why a coupon code in an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Occurs when an upload has no code at all.
    #[error("codes: no code given")]
    Empty,
    /// Occurs when an upload has more codes than one upload may.
    #[error("codes: at most {MAX_CODES_PER_UPLOAD} codes an upload, not {count}")]
    TooMany { count: usize },
    /// Occurs when a code is too long or holds a control character.
    #[error(
        "codes[{index}] (line {line}): a code has at most {MAX_CODE_CHARS} characters and no control characters"
    )]
    Invalid { index: usize, line: usize },
}

/// The codes of an upload, trimmed, blank ones skipped, checked: `(line, code)` in order, where
/// `line` is the 1-based position in the input (the JSON list or the text's lines).
/// Duplicates are kept here; the store counts them against the pool.
pub fn clean_codes<'a>(
    codes: impl IntoIterator<Item = (usize, &'a str)>,
) -> Result<Vec<(usize, String)>, CodeError> {
    let mut cleaned = Vec::new();
    for (line, raw) in codes {
        let code = raw.trim();
        if code.is_empty() {
            continue;
        }
        if code.chars().count() > MAX_CODE_CHARS || code.chars().any(char::is_control) {
            return Err(CodeError::Invalid {
                index: cleaned.len(),
                line,
            });
        }
        cleaned.push((line, code.to_owned()));
        if cleaned.len() > MAX_CODES_PER_UPLOAD {
            return Err(CodeError::TooMany {
                count: cleaned.len(),
            });
        }
    }
    if cleaned.is_empty() {
        return Err(CodeError::Empty);
    }
    Ok(cleaned)
}

/// The codes of a `text/plain` or `text/csv` upload: one a line (LF or CRLF), or the first
/// column of a CSV line (RFC 4180 quoting: `"a,b"` and `""` inside quotes); a leading byte
/// order mark is dropped. Lines keep their 1-based numbers for error messages.
pub fn codes_from_text(text: &str) -> Vec<(usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, first_csv_field(line)))
        .collect()
}

fn first_csv_field(line: &str) -> String {
    let trimmed = line.trim_start();
    let Some(quoted) = trimmed.strip_prefix('"') else {
        return line.split(',').next().unwrap_or("").to_owned();
    };
    let mut field = String::new();
    let mut chars = quoted.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => break,
            other => field.push(other),
        }
    }
    field
}

/// Checks an idempotency key a client sent with a redemption: 1 to 100 visible ASCII
/// characters.
pub fn idempotency_key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_CHARS
        && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests;
