//! The points ledger (积分流水): an append-only list of entries, each with a source, an amount
//! and an idempotency key. The balance is derived from the entries and never goes negative.
//!
//! The server keeps the ledger in its database and calls [`next_balance`] and [`capped_award`]
//! inside the transaction that appends an entry; [`Ledger`] is the same model in memory, used
//! by the property tests and by anything that replays entries.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// Where points came from or went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Checkin,
    Makeup,
    Vote,
    Spin,
    Feedback,
    HostEvent,
    Admin,
    /// A ledger entry brought in by `engage-server import`.
    Import,
    /// Points spent on a reward (negative), or given back when a redemption is cancelled.
    Redemption,
}

impl Source {
    pub const ALL: [Source; 9] = [
        Source::Checkin,
        Source::Makeup,
        Source::Vote,
        Source::Spin,
        Source::Feedback,
        Source::HostEvent,
        Source::Admin,
        Source::Import,
        Source::Redemption,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Checkin => "checkin",
            Source::Makeup => "makeup",
            Source::Vote => "vote",
            Source::Spin => "spin",
            Source::Feedback => "feedback",
            Source::HostEvent => "host_event",
            Source::Admin => "admin",
            Source::Import => "import",
            Source::Redemption => "redemption",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a positive entry of this source is points *earned*: counted on the leaderboards
    /// and by `points` badges, and cut by the source's daily cap. A positive `redemption` entry
    /// is a cancelled redemption's refund — it gives back points spent, so it earns nothing
    /// and no cap may cut it.
    pub fn earns(self) -> bool {
        self != Source::Redemption
    }
}

/// Whether an entry counts as points earned (see [`Source::earns`]).
pub fn counts_as_earned(source: Source, amount: i64) -> bool {
    amount > 0 && source.earns()
}

/// The daily cap that applies to an entry of `source`: none for a source that earns nothing.
pub fn daily_cap_for(source: Source, configured: Option<i64>) -> Option<i64> {
    configured.filter(|_| source.earns())
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ledger entry. `key` makes the entry idempotent: a second entry with the same key for
/// the same member is a repeat, not a new award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub source: Source,
    pub amount: i64,
    pub key: String,
}

/// Why an entry cannot be appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Occurs when spending more points than the balance holds.
    #[error("balance of {balance} points is not enough to spend {needed}")]
    InsufficientPoints { balance: i64, needed: i64 },
    /// Occurs when the balance would exceed what an `i64` holds.
    #[error("balance would overflow")]
    Overflow,
}

/// The balance after adding `amount` (negative to spend), refusing to go below zero.
pub fn next_balance(balance: i64, amount: i64) -> Result<i64, LedgerError> {
    let next = balance.checked_add(amount).ok_or(LedgerError::Overflow)?;
    if next < 0 {
        return Err(LedgerError::InsufficientPoints {
            balance,
            needed: -amount,
        });
    }
    Ok(next)
}

/// How much of `amount` may still be awarded today from a source with a daily cap, given what
/// that source already awarded today. Spending (negative amounts) is never capped.
pub fn capped_award(amount: i64, awarded_today: i64, daily_cap: Option<i64>) -> i64 {
    match daily_cap {
        Some(cap) if amount > 0 => amount.min((cap - awarded_today).max(0)),
        _ => amount,
    }
}

/// What appending an entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The entry was appended; the new balance.
    Added { balance: i64 },
    /// An entry with this key was already there; nothing changed.
    Duplicate { balance: i64 },
}

/// One member's ledger in memory.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    entries: Vec<Entry>,
    keys: HashSet<String>,
    balance: i64,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Appends `entry` unless its key was seen; refuses an entry that would make the balance
    /// negative, leaving the ledger unchanged.
    pub fn apply(&mut self, entry: Entry) -> Result<Applied, LedgerError> {
        if self.keys.contains(&entry.key) {
            return Ok(Applied::Duplicate {
                balance: self.balance,
            });
        }
        let balance = next_balance(self.balance, entry.amount)?;
        self.keys.insert(entry.key.clone());
        self.entries.push(entry);
        self.balance = balance;
        Ok(Applied::Added { balance })
    }

    pub fn balance(&self) -> i64 {
        self.balance
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests;
