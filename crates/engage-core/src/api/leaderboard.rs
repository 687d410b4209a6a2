//! The JSON shapes of the points leaderboard (积分榜): the period, the ranked rows, and the
//! viewing member's own place with their neighbours.
//!
//! Points in a row are the points *earned* in the period (the sum of the positive ledger entries
//! made on its days); spending never lowers a rank. See `crate::leaderboard` for the periods.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A ranking period, in the site's time zone: the site-local day, the week starting on Monday,
/// the calendar month, or all time.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    #[default]
    Week,
    Month,
    All,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /api/v1/sites/{site}/leaderboard?period=day|week|month|all&limit=1..100`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardView {
    pub period: Period,
    /// The period's first and last site-local day; `null` for all time.
    #[serde(with = "crate::ymd::option")]
    pub from: Option<Date>,
    #[serde(with = "crate::ymd::option")]
    pub to: Option<Date>,
    /// The best `limit` members who earned points in the period, best first.
    pub top: Vec<LeaderboardRow>,
    /// The viewing member's place; `null` without a member token.
    pub me: Option<MyRank>,
}

/// One ranked member. Ranks are competition ranks (1, 2, 2, 4); within a tie, whoever reached
/// the points first comes first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardRow {
    pub rank: u32,
    pub member: String,
    pub name: String,
    /// Points earned in the period.
    pub points: i64,
    /// The member's title: their newest badge's title if a badge carries one, else their
    /// level's title.
    pub title: String,
    /// The member's badge ids, newest first.
    pub badges: Vec<String>,
}

/// The viewing member in the ranking, even far outside the top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRank {
    /// 1 + the number of members who earned more in the period (a member who earned nothing
    /// ranks after everyone who earned something).
    pub rank: u32,
    /// Points earned in the period.
    pub points: i64,
    pub title: String,
    pub badges: Vec<String>,
    /// Up to two rows ranked just above the member and up to two just below, in ranking order,
    /// without the member's own row.
    pub neighbours: Vec<LeaderboardRow>,
}
