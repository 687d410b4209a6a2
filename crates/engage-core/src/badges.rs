//! Badges (勋章): declarative criteria over a snapshot of a member's numbers, a badge awarded
//! once, and titles (头衔) that badges may carry.
//!
//! In the rules document a badge is
//!
//! ```toml
//! [[badges]]
//! id = "week-streak"
//! name = "7-day streak"
//! title = "Regular"                           # optional: the badge grants a title
//! criteria = { all = [ { streak = 7 }, { votes = 1 } ] }
//! ```
//!
//! A criterion is a table with exactly one key: `first_checkin = true`, `streak`, `checkins`,
//! `points`, `spent`, `votes`, `feedback`, `redeemed` (each "at least N"), `rank = { top = N, period =
//! "week" }`, `event = { kind = "comment", count = N }`, or `all`/`any` with a list of
//! criteria (nested freely). A name that is none of these is kept as [`Criterion::Unknown`] so
//! that validation can name its field and line ("unknown badge criterion 'streek'").

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use crate::api::leaderboard::Period;
use crate::ids::BadgeId;
use crate::level::level_for;
use crate::rules::Rules;

/// One badge as the owner defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeRule {
    /// A slug, unique in the document; what is stored when the badge is earned.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The title the badge grants, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub criteria: Criterion,
}

/// When a badge is earned. Every count is "at least N".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criterion {
    /// At least one check-in.
    FirstCheckin,
    /// The member's longest run of consecutive check-in days reached N.
    Streak(u32),
    /// Check-ins (daily and make-up) in all.
    Checkins(u32),
    /// Points earned in all (positive ledger entries; spending does not lower it).
    Points(i64),
    /// Points spent in all (spins, giveaway entries, make-ups, redemptions; a cancelled
    /// redemption's refund gives its price back).
    Spent(i64),
    /// Polls voted in.
    Votes(u32),
    /// Pieces of feedback sent that were not held as spam.
    Feedback(u32),
    /// Rewards redeemed in the rewards shop (积分兑换), cancelled redemptions not counted.
    Redeemed(u32),
    /// Ranked `top` or better in the current `period` (a member must have earned points in it).
    Rank {
        top: u32,
        period: Period,
    },
    /// Host events of `kind` recorded for the member.
    Event {
        kind: String,
        count: u32,
    },
    All(Vec<Criterion>),
    Any(Vec<Criterion>),
    /// A name that is no criterion. Never holds; validation refuses a document with one.
    Unknown(String),
}

/// What badges are judged on: a member's numbers at one moment, read inside the transaction of
/// the fact that may earn them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberStats {
    pub checkins: u32,
    pub longest_streak: u32,
    /// Points earned in all.
    pub earned: i64,
    /// Points spent in all.
    pub spent: i64,
    pub votes: u32,
    pub feedback: u32,
    /// Redemptions in the rewards shop that were not cancelled.
    pub redeemed: u32,
    /// Host events per kind.
    pub events: BTreeMap<String, u32>,
    /// The member's competition rank in the current period; absent when unranked.
    pub ranks: BTreeMap<Period, u32>,
}

/// Which numbers a set of criteria looks at, so the server reads only those.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsNeeded {
    /// Check-in count and longest streak.
    pub checkins: bool,
    /// Points earned and spent.
    pub points: bool,
    pub votes: bool,
    pub feedback: bool,
    pub redemptions: bool,
    pub events: BTreeSet<String>,
    pub ranks: BTreeSet<Period>,
}

impl Criterion {
    /// Whether the criterion holds for `stats`.
    pub fn holds(&self, stats: &MemberStats) -> bool {
        match self {
            Criterion::FirstCheckin => stats.checkins >= 1,
            Criterion::Streak(n) => stats.longest_streak >= *n,
            Criterion::Checkins(n) => stats.checkins >= *n,
            Criterion::Points(n) => stats.earned >= *n,
            Criterion::Spent(n) => stats.spent >= *n,
            Criterion::Votes(n) => stats.votes >= *n,
            Criterion::Feedback(n) => stats.feedback >= *n,
            Criterion::Redeemed(n) => stats.redeemed >= *n,
            Criterion::Rank { top, period } => stats.ranks.get(period).is_some_and(|r| r <= top),
            Criterion::Event { kind, count } => {
                stats.events.get(kind).copied().unwrap_or(0) >= *count
            }
            Criterion::All(list) => list.iter().all(|c| c.holds(stats)),
            Criterion::Any(list) => list.iter().any(|c| c.holds(stats)),
            Criterion::Unknown(_) => false,
        }
    }

    fn note_needs(&self, needs: &mut StatsNeeded) {
        match self {
            Criterion::FirstCheckin | Criterion::Streak(_) | Criterion::Checkins(_) => {
                needs.checkins = true;
            }
            Criterion::Points(_) | Criterion::Spent(_) => needs.points = true,
            Criterion::Votes(_) => needs.votes = true,
            Criterion::Feedback(_) => needs.feedback = true,
            Criterion::Redeemed(_) => needs.redemptions = true,
            Criterion::Rank { period, .. } => {
                needs.ranks.insert(*period);
            }
            Criterion::Event { kind, .. } => {
                needs.events.insert(kind.clone());
            }
            Criterion::All(list) | Criterion::Any(list) => {
                list.iter().for_each(|c| c.note_needs(needs));
            }
            Criterion::Unknown(_) => {}
        }
    }

    /// The criterion as the document writes it.
    fn to_value(&self) -> Value {
        match self {
            Criterion::FirstCheckin => json!({ "first_checkin": true }),
            Criterion::Streak(n) => json!({ "streak": n }),
            Criterion::Checkins(n) => json!({ "checkins": n }),
            Criterion::Points(n) => json!({ "points": n }),
            Criterion::Spent(n) => json!({ "spent": n }),
            Criterion::Votes(n) => json!({ "votes": n }),
            Criterion::Feedback(n) => json!({ "feedback": n }),
            Criterion::Redeemed(n) => json!({ "redeemed": n }),
            Criterion::Rank { top, period } => {
                json!({ "rank": { "top": top, "period": period.as_str() } })
            }
            Criterion::Event { kind, count } => {
                json!({ "event": { "kind": kind, "count": count } })
            }
            Criterion::All(list) => {
                json!({ "all": list.iter().map(Criterion::to_value).collect::<Vec<_>>() })
            }
            Criterion::Any(list) => {
                json!({ "any": list.iter().map(Criterion::to_value).collect::<Vec<_>>() })
            }
            Criterion::Unknown(name) => json!({ name.as_str(): Value::Null }),
        }
    }

    /// Reads a criterion from the document's value. Malformed shapes are errors (reported with
    /// their line by the document parser); unknown names are kept for validation to report.
    fn from_value(value: &Value) -> Result<Criterion, String> {
        let shape = "a badge criterion is a table with exactly one key, such as { streak = 7 } \
                     or { all = [ … ] }";
        let Value::Object(table) = value else {
            return Err(shape.to_owned());
        };
        let mut entries = table.iter();
        let (Some((name, argument)), None) = (entries.next(), entries.next()) else {
            return Err(shape.to_owned());
        };
        let count = || {
            argument
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| format!("badge criterion '{name}' takes a whole number"))
        };
        let points = || {
            argument
                .as_i64()
                .ok_or_else(|| format!("badge criterion '{name}' takes a whole number"))
        };
        let list = || match argument {
            Value::Array(items) => items.iter().map(Criterion::from_value).collect(),
            _ => Err(format!("badge criterion '{name}' takes a list of criteria")),
        };
        Ok(match name.as_str() {
            "first_checkin" => match argument {
                Value::Bool(true) => Criterion::FirstCheckin,
                _ => return Err("badge criterion 'first_checkin' takes the value true".into()),
            },
            "streak" => Criterion::Streak(count()?),
            "checkins" => Criterion::Checkins(count()?),
            "points" => Criterion::Points(points()?),
            "spent" => Criterion::Spent(points()?),
            "votes" => Criterion::Votes(count()?),
            "feedback" => Criterion::Feedback(count()?),
            "redeemed" => Criterion::Redeemed(count()?),
            "rank" => {
                let RankArgument { top, period } = serde_json::from_value(argument.clone())
                    .map_err(|e| format!("badge criterion 'rank': {e}"))?;
                Criterion::Rank { top, period }
            }
            "event" => {
                let EventArgument { kind, count } = serde_json::from_value(argument.clone())
                    .map_err(|e| format!("badge criterion 'event': {e}"))?;
                Criterion::Event { kind, count }
            }
            "all" => Criterion::All(list()?),
            "any" => Criterion::Any(list()?),
            other => Criterion::Unknown(other.to_owned()),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankArgument {
    top: u32,
    period: Period,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventArgument {
    kind: String,
    count: u32,
}

impl Serialize for Criterion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Criterion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Criterion, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Criterion::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// Every badge of `rules` whose criteria hold for `stats`, in the rules' order. The caller
/// stores those the member does not hold yet; holding one already is not this function's concern.
pub fn badges_earned(rules: &Rules, stats: &MemberStats) -> Vec<BadgeId> {
    rules
        .badges
        .iter()
        .filter(|badge| badge.criteria.holds(stats))
        .filter_map(|badge| BadgeId::parse(&badge.id).ok())
        .collect()
}

/// What the criteria of `badges` look at.
pub fn stats_needed<'a>(badges: impl IntoIterator<Item = &'a BadgeRule>) -> StatsNeeded {
    let mut needs = StatsNeeded::default();
    for badge in badges {
        badge.criteria.note_needs(&mut needs);
    }
    needs
}

/// The badge of `rules` with this id, if the rules still define it.
pub fn badge_rule<'a>(rules: &'a Rules, id: &str) -> Option<&'a BadgeRule> {
    rules.badges.iter().find(|badge| badge.id == id)
}

/// The title a member shows: the title of their most recently earned badge that grants one
/// (`held_newest_first`, as the rules define it now), else the title of their level.
pub fn member_title(rules: &Rules, balance: i64, held_newest_first: &[&str]) -> String {
    held_newest_first
        .iter()
        .find_map(|id| badge_rule(rules, id).and_then(|badge| badge.title.clone()))
        .unwrap_or_else(|| level_for(&rules.levels, balance).1)
}

#[cfg(test)]
mod tests;
