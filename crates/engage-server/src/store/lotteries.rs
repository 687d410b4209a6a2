//! What the store returns for lotteries, whatever the database: a lottery with its stock and
//! seed, a member's side of it, and what a spin or an entry did.

use engage_core::MemberId;
use engage_core::api::lottery::LotteryStatus;
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::lottery::{
    EntryError, Lottery, LotteryError, Outcome, Seed, SpinError, lottery_status,
};

use super::MemberRow;

/// A lottery as stored.
#[derive(Debug, Clone)]
pub struct LotteryRecord {
    pub lottery: Lottery,
    /// Stock left per prize, in prize order.
    pub stock_left: Vec<u32>,
    /// Fixed when the owner opens the lottery; shown to nobody before `closed_at` is set.
    pub seed: Option<Seed>,
    pub closed_at: Option<Timestamp>,
    /// Giveaways: how many members entered.
    pub entrants: u64,
    /// Giveaways: the winners drawn at close, in draw order.
    pub drawn_winners: Vec<MemberRow>,
}

impl LotteryRecord {
    /// Whether the lottery is closed at `now`: closed in storage, or past its close time.
    pub fn is_closed_at(&self, now: Timestamp) -> bool {
        self.closed_at.is_some() || now >= self.lottery.closes_at
    }

    /// Whether, read at `now`, the lottery is past its close time but not yet closed in
    /// storage: the first read after the close time closes it (`CloseWhen::IfDue`).
    pub fn close_is_due(&self, now: Timestamp) -> bool {
        self.closed_at.is_none()
            && lottery_status(&self.lottery, self.seed.is_some(), None, now)
                == LotteryStatus::Closed
    }
}

/// A member in a lottery: who, under which display name, on which site-local day.
#[derive(Debug, Clone, Copy)]
pub struct LotteryMember<'a> {
    pub member: &'a MemberId,
    pub name: &'a str,
    pub today: Date,
}

/// One of a member's spins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinRow {
    pub spin: u32,
    /// The prize id won; `None` for no prize.
    pub prize: Option<String>,
    pub at: Timestamp,
}

/// A member's side of a lottery.
#[derive(Debug, Clone, Default)]
pub struct MemberLottery {
    pub spins_today: u32,
    pub balance: i64,
    /// Newest first.
    pub recent_spins: Vec<SpinRow>,
    pub entered: bool,
}

/// What an owner's edit of a lottery did.
#[derive(Debug, Clone)]
pub enum LotteryUpdated {
    /// The lottery as edited.
    Done(Box<LotteryRecord>),
    /// The edit makes a definition the core refuses; nothing changed.
    Refused(LotteryError),
    /// The owner opened the lottery: its seed hash and prizes are published.
    Opened,
    /// The lottery is closed.
    Closed,
}

/// What a spin request did.
#[derive(Debug, Clone)]
pub enum SpinRecorded {
    Done {
        /// The member's spin number.
        spin: u32,
        /// The spin's place among all spins of the lottery.
        seq: u64,
        outcome: Outcome,
        spent: i64,
        /// The lottery and the member's side of it after the spin.
        record: Box<LotteryRecord>,
        member: MemberLottery,
        /// Badge ids the spin earned.
        badges: Vec<String>,
    },
    Refused(SpinError),
}

/// What a giveaway entry request did.
#[derive(Debug, Clone)]
pub enum EntryRecorded {
    Done {
        /// True when the member had entered before: nothing was written.
        already: bool,
        spent: i64,
        record: Box<LotteryRecord>,
        balance: i64,
        /// Badge ids the entry earned.
        badges: Vec<String>,
    },
    Refused(EntryError),
}

/// What an owner's "open" did.
#[derive(Debug, Clone)]
pub enum LotteryOpened {
    /// Open (or already open) with this record's seed.
    Done(Box<LotteryRecord>),
    /// The lottery is closed: it cannot be opened any more.
    Closed,
}

/// When [`crate::Store::close_lottery`] closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhen {
    /// Now, whatever the close time (the owner's close).
    Now,
    /// Only if the close time has passed (the first read after it).
    IfDue,
}

/// Everything recorded in a lottery, in order, for its proof.
#[derive(Debug, Clone, Default)]
pub struct LotteryHistory {
    /// (seq, member, spin number, prize id) in `seq` order.
    pub spins: Vec<(u64, String, u32, Option<String>)>,
    /// Member ids in entry order.
    pub entrants: Vec<String>,
}

/// A closed lottery's proof as stored: the JSON served, and its entity tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProof {
    pub proof: String,
    pub etag: String,
}
