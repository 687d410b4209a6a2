//! The JSON shapes of the HTTP API (v1), shared by the server that writes them and the widgets
//! that read them, so the two can never disagree on a field name.
//!
//! Fields may be added; the names and meanings below are a contract (see PRODUCT.md).
//!
//! In request bodies an optional field sent as `null` means the same as leaving it out (its
//! default), because `null` is what most JSON writers produce for "none". The one exception is
//! a PATCH field where `null` already says something (`UpdatePoll::closes_at`: no close time).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize};

use crate::PollId;
use crate::ledger::Source;

pub mod analytics;

pub mod console;

pub mod feedback;

pub mod leaderboard;

pub mod lottery;

pub mod rewards;

pub mod webhooks;

/// The body of every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable code such as `invalid_token` or `rate_limited`.
    pub code: String,
    /// A human-readable explanation, safe to show.
    pub message: String,
}

/// `GET` and `POST /api/v1/sites/{site}/checkin`, and the make-up route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinState {
    /// Today in the site's time zone.
    #[serde(with = "crate::ymd")]
    pub date: Date,
    /// Whether the member has checked in today.
    pub checked_in: bool,
    /// True when this request found today's check-in already done and awarded nothing.
    pub already: bool,
    /// Consecutive days ending today, or yesterday while today is still open.
    pub streak: u32,
    pub longest_streak: u32,
    /// Points awarded by this request (0 for reads and repeats).
    pub awarded: i64,
    /// The member's balance after this request.
    pub points: i64,
    /// The check-in days of the shown month (`month_of`), ascending.
    #[serde(with = "crate::ymd::list")]
    pub month: Vec<Date>,
    /// Badge ids newly earned by this request.
    pub badges: Vec<String>,
    /// The shown month as `YYYY-MM`.
    pub month_of: String,
    /// All check-ins of this member on this site.
    pub total_checkins: u32,
    /// Points spent by this request (make-up only).
    #[serde(default)]
    pub spent: i64,
    /// Points one check-in gives before bonuses.
    pub points_per_checkin: i64,
    /// The next streak milestone and its bonus, if any remains.
    pub next_milestone: Option<MilestoneView>,
    /// What a make-up check-in costs and which days it can repair, when enabled.
    pub makeup: Option<MakeupOffer>,
    /// Streak freezes the member holds unused (bought in the rewards shop). The next check-in
    /// after missed days uses one a missed day when they cover the whole gap; while today is
    /// still open, `streak` already counts a gap the freezes held will cover.
    #[serde(default)]
    pub freezes: u32,
    /// The days of the shown month a streak freeze covered, ascending.
    #[serde(default, with = "crate::ymd::list")]
    pub frozen: Vec<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub day: u32,
    pub bonus: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeupOffer {
    /// How many days back a missed day may be made up.
    pub window_days: u32,
    /// Points one make-up costs.
    pub cost: i64,
    /// Missed days inside the window, ascending: the days a make-up can repair now.
    #[serde(with = "crate::ymd::list")]
    pub missed: Vec<Date>,
    /// Make-ups left this month, when the owner caps them.
    pub left_this_month: Option<u32>,
}

/// `POST /api/v1/sites/{site}/checkin/makeup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeupRequest {
    #[serde(with = "crate::ymd")]
    pub date: Date,
}

/// `GET /api/v1/sites/{site}/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub member: String,
    pub name: String,
    pub points: i64,
    pub level: u32,
    pub title: String,
    /// The next level and the balance that reaches it, if any.
    pub next_level: Option<NextLevel>,
    /// Badges earned, newest first.
    pub badges: Vec<BadgeView>,
    /// The most recent ledger entries, newest first.
    pub ledger: Vec<LedgerEntryView>,
    /// Badges of the site's rules the member has not earned yet, in the rules' order.
    #[serde(default)]
    pub badges_available: Vec<BadgeAvailable>,
    /// Points earned in all (positive ledger entries): the all-time leaderboard's number.
    #[serde(default)]
    pub earned: i64,
}

/// A badge still to earn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeAvailable {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The title the badge grants, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextLevel {
    pub level: u32,
    pub title: String,
    pub min_points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeView {
    pub id: String,
    /// The badge's name in the current rules (its id when the rules no longer define it).
    pub name: String,
    #[serde(with = "crate::rfc3339")]
    pub earned_at: jiff::Timestamp,
    /// The title the badge grants, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntryView {
    pub source: Source,
    pub amount: i64,
    #[serde(with = "crate::rfc3339")]
    pub at: jiff::Timestamp,
    pub key: String,
    /// The owner's reason for a points adjustment (source `admin` only): the member sees why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Who may see a poll's tally. A closed poll always shows its final tally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsVisibility {
    /// Everyone, at any time.
    #[default]
    Always,
    /// Whoever has voted.
    AfterVote,
    /// Everyone, once the poll is closed.
    AfterClose,
}

impl ResultsVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultsVisibility::Always => "always",
            ResultsVisibility::AfterVote => "after_vote",
            ResultsVisibility::AfterClose => "after_close",
        }
    }

    pub fn parse(text: &str) -> Option<ResultsVisibility> {
        [
            ResultsVisibility::Always,
            ResultsVisibility::AfterVote,
            ResultsVisibility::AfterClose,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }
}

/// One answer of a poll as its owner defines it: a slug and the text shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollOption {
    pub id: String,
    pub label: String,
}

/// `POST /api/v1/admin/sites/{site}/polls`. Only `id`, `question` and `options` are required;
/// see `poll::validate_poll` for the limits and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePoll {
    pub id: String,
    pub question: String,
    pub options: Vec<PollOption>,
    /// Multiple choice (up to `max_choices`) rather than single choice.
    #[serde(default, deserialize_with = "null_as_default")]
    pub multiple: bool,
    /// Default: 1 for single choice, the number of options for multiple choice.
    #[serde(default)]
    pub max_choices: Option<u32>,
    /// When voting ends; never when absent.
    #[serde(default)]
    pub closes_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub results: ResultsVisibility,
    /// Whether visitors without a member token may vote (keyed by their visitor id).
    #[serde(default, deserialize_with = "null_as_default")]
    pub anonymous: bool,
    /// Whether a voter may change their vote.
    #[serde(default, deserialize_with = "null_as_default")]
    pub allow_change: bool,
    /// Points a member's first vote earns.
    #[serde(default, deserialize_with = "null_as_default")]
    pub points: i64,
    /// The most anonymous votes one IP address may cast in this poll (default 20).
    #[serde(default)]
    pub ip_limit: Option<u32>,
}

/// `PATCH /api/v1/admin/sites/{site}/polls/{poll}`: any subset of the poll's fields, plus
/// `"closed": true` to close it now. `options` is the whole new list: options may be
/// relabelled, reordered or added; one that has votes cannot be removed. A field sent as `null`
/// is left unchanged, like one left out, except `closes_at`, where `null` removes the close time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePoll {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<PollOption>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<u32>,
    /// Absent: unchanged; `null`: no close time; a time: the new close time.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub closes_at: Option<Option<Timestamp>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<ResultsVisibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_change: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_limit: Option<u32>,
    /// `true` closes the poll now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<bool>,
}

/// Reads an optional request field whose `null` means "absent": the type's default. Used with
/// `#[serde(default)]`, which covers the field left out.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Tells a field that is present (even as `null`) from one that is absent.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// `POST /api/v1/sites/{site}/polls/{poll}/votes`: option ids, at most `max_choices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub choices: Vec<String>,
}

/// `GET /api/v1/sites/{site}/polls/{poll}`, the answer to a vote, and the owner's answers.
/// Counts (`votes`, `total_votes`) are present only when `results_visible`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollView {
    pub id: PollId,
    pub question: String,
    pub options: Vec<PollOptionView>,
    pub multiple: bool,
    pub max_choices: u32,
    #[serde(with = "crate::rfc3339::option")]
    pub closes_at: Option<Timestamp>,
    pub closed: bool,
    /// The caller's current choices in option order; empty when they have not voted.
    pub my_choices: Vec<String>,
    /// How many voters voted (not how many choices they made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_votes: Option<u64>,
    /// Whether this caller may see the tally now.
    pub results_visible: bool,
    pub results: ResultsVisibility,
    pub anonymous: bool,
    pub allow_change: bool,
    /// Points a member's first vote earns.
    pub points_per_vote: i64,
    /// Points this request awarded (vote answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded: Option<i64>,
    /// The member's balance afterwards (vote answers to members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// The most anonymous votes per IP address (owner answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_limit: Option<u32>,
    /// Badge ids this vote earned (vote answers to members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badges: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollOptionView {
    pub id: String,
    pub label: String,
    /// Voters who chose this option, when the tally is visible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes: Option<u64>,
}

#[cfg(test)]
mod tests;
