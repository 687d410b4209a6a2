//! The JSON shapes of the owner's analytics: `GET /api/v1/admin/sites/{site}/analytics`.
//!
//! The definitions are a contract (PRODUCT.md, "Analytics"): a member is *seen* on a site-local
//! day when a request on their member token reaches the site that day or an imported visit says
//! so; a member *acts* when they check in, make up a day, vote, spin, enter a giveaway, send
//! feedback, redeem, or a host event is recorded for them. Every day is a day of the site's
//! time zone; weeks start on Monday. `crate::analytics` computes these numbers from activity.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The whole answer for the days `from..=to` (at most 366 of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsView {
    #[serde(with = "crate::ymd")]
    pub from: Date,
    #[serde(with = "crate::ymd")]
    pub to: Date,
    /// One row per day of the range, ascending, days without activity included.
    pub days: Vec<AnalyticsDay>,
    /// Distinct members who did each kind of action within the range.
    pub participation: Participation,
    pub retention: Retention,
    /// One row per Monday-started week that overlaps the range, ascending.
    pub nps: Vec<NpsWeek>,
    /// The same totals for the range of the same length that ends the day before `from`: what
    /// the console's KPI cards compare against.
    #[serde(default)]
    pub previous: Option<PeriodTotals>,
    /// Totals of the range itself, in the same shape as `previous`.
    #[serde(default)]
    pub totals: Option<PeriodTotals>,
    /// Points entered within the range, by ledger source (`checkin`, `spin`, …), issued and
    /// spent apart; sources with neither are left out.
    #[serde(default)]
    pub points_by_source: Vec<PointsBySource>,
    /// The badges most often earned within the range, most first (at most 10).
    #[serde(default)]
    pub top_badges: Vec<BadgeCount>,
    /// Polls and lotteries with activity in the range: distinct members who took part.
    #[serde(default)]
    pub polls: Vec<ItemParticipation>,
    #[serde(default)]
    pub lotteries: Vec<ItemParticipation>,
}

/// One site-local day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsDay {
    #[serde(with = "crate::ymd")]
    pub date: Date,
    /// Members seen or acting that day.
    pub dau: u64,
    /// Members seen or acting on any of the 7 days ending that day.
    pub wau: u64,
    /// Members seen or acting on any of the 30 days ending that day.
    pub mau: u64,
    /// Members acting that day.
    pub engaged: u64,
    /// Members whose first seen-or-acting day is that day.
    pub new_members: u64,
    /// Check-in rows of that day (make-ups count on the day they were made up for).
    pub checkins: u64,
    /// The sum of the positive ledger amounts entered that day.
    pub points_issued: i64,
    /// The absolute sum of the negative ledger amounts entered that day.
    pub points_spent: i64,
}

/// Distinct members per kind of action over the whole range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub checkin: u64,
    pub poll: u64,
    pub lottery: u64,
    pub feedback: u64,
    pub host_event: u64,
    pub rewards: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Cohorts whose week starts within the range, ascending.
    pub cohorts: Vec<Cohort>,
}

/// The members whose first seen-or-acting day falls in the Monday-started `week`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    /// The Monday the cohort's week starts on.
    #[serde(with = "crate::ymd")]
    pub week: Date,
    pub size: u64,
    /// `retained[k]`: cohort members seen or acting in the k-th week after `week`
    /// (`retained[0] == size`), for every week that has begun by `to`.
    pub retained: Vec<u64>,
}

/// The net promoter score of one Monday-started week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpsWeek {
    #[serde(with = "crate::ymd")]
    pub week: Date,
    /// NPS answers (0–10) received that week.
    pub responses: u64,
    /// % of 9–10 minus % of 0–6, rounded to an integer; `null` without responses.
    pub score: Option<i32>,
}

/// Sums over a range, for KPI cards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeriodTotals {
    #[serde(with = "crate::ymd")]
    pub from: Date,
    #[serde(with = "crate::ymd")]
    pub to: Date,
    /// Members seen or acting on any day of the range.
    pub active: u64,
    /// The mean of the days' `dau`.
    pub avg_dau: f64,
    /// The mean of the days' `dau / mau` (days with `mau == 0` left out); 0 to 1.
    pub stickiness: f64,
    /// Check-ins divided by the sum of `dau`; 0 to 1.
    pub checkin_rate: f64,
    pub engaged: u64,
    pub new_members: u64,
    pub checkins: u64,
    pub points_issued: i64,
    pub points_spent: i64,
    /// NPS of all responses in the range; `null` without responses.
    pub nps: Option<i32>,
    pub nps_responses: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsBySource {
    /// A ledger source name (`checkin`, `makeup`, `vote`, `spin`, `feedback`, `host_event`,
    /// `admin`, `import`, `redemption`).
    pub source: String,
    pub issued: i64,
    pub spent: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeCount {
    pub id: String,
    /// The badge's name in the current rules (its id when they no longer define it).
    pub name: String,
    pub earned: u64,
}

/// One poll or lottery and the distinct members who voted, spun or entered in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemParticipation {
    pub id: String,
    /// The poll's question or the lottery's id.
    pub label: String,
    pub members: u64,
}

/// What `engage-server import --json` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// True when `--dry-run`: the file was validated and nothing was written.
    pub dry_run: bool,
    pub lines: u64,
    /// Records per type that were new (written, or would be written by a dry run).
    pub members: u64,
    pub visits: u64,
    pub checkins: u64,
    pub points: u64,
    pub events: u64,
    /// Records already present from an earlier import (idempotency), left as they were.
    pub unchanged: u64,
}
