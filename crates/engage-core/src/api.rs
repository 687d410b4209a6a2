//! The JSON shapes of the HTTP API (v1), shared by the server that writes them and the widgets
//! that read them, so the two can never disagree on a field name.
//!
//! Fields may be added; the names and meanings below are a contract (see PRODUCT.md).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ledger::Source;

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
    pub missed: Vec<Date>,
    /// Make-ups left this month, when the owner caps them.
    pub left_this_month: Option<u32>,
}

/// `POST /api/v1/sites/{site}/checkin/makeup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeupRequest {
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
    pub badges: Vec<BadgeView>,
    /// The most recent ledger entries, newest first.
    pub ledger: Vec<LedgerEntryView>,
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
    pub name: String,
    pub earned_at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntryView {
    pub source: Source,
    pub amount: i64,
    pub at: jiff::Timestamp,
    pub key: String,
}
