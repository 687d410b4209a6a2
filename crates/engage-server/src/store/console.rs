//! What the store returns for the owner console, whatever the database: members as the owner
//! lists them, an adjustment's outcome, and the tables a CSV export reads page by page.

use std::collections::BTreeSet;

use engage_core::MemberId;
use engage_core::api::console::OwnerLedgerEntry;
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;

use super::EarnedBadge;

/// A member as the owner's list shows them (level and title follow from the site's rules).
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub member: MemberId,
    pub name: String,
    pub points: i64,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Badge ids, newest first (the newest with a title names the member's title).
    pub badges: Vec<String>,
}

/// One member in full: what the list shows, their badges with dates and their check-in days.
#[derive(Debug, Clone)]
pub struct MemberDetailRecord {
    pub member: MemberRecord,
    /// Newest first.
    pub earned: Vec<EarnedBadge>,
    pub days: BTreeSet<Date>,
    /// Days streak freezes covered.
    pub frozen: BTreeSet<Date>,
}

/// What an owner's points adjustment did.
#[derive(Debug, Clone)]
pub enum PointsAdjustment {
    /// The entry was written; the balance afterwards.
    Done {
        points: i64,
        entry: OwnerLedgerEntry,
    },
    /// A deduction larger than the balance: nothing was written.
    InsufficientPoints { balance: i64 },
    /// The balance would not fit in an integer: nothing was written.
    Overflow,
    /// The site has no such member.
    MemberNotFound,
}

/// A table the CSV export can write (shared with the console, which links every one).
pub use engage_core::api::console::ExportTable;

/// Where an export page ended: the sort key of its last row, from which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportKey(pub(crate) Vec<KeyPart>);

/// One column of an export's sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyPart {
    Text(String),
    Int(i64),
}

/// One page of an export: its rows as CSV, and where the next page starts (`None` after the
/// last page).
#[derive(Debug, Clone)]
pub struct ExportPage {
    pub csv: String,
    pub rows: usize,
    pub next: Option<ExportKey>,
}
