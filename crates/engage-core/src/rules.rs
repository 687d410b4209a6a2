//! A site's rules as data: one TOML or JSON document, parsed and validated with errors that
//! name the field and, where the format allows, the line.
//!
//! Changing rules never rewrites the past: the server stores each installed document as a new
//! version and only new ledger entries follow it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::badges::{BadgeRule, Criterion};
use crate::feedback::FeedbackRules;
use crate::ledger::Source;

/// Everything an owner can configure about points, check-ins and levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    pub checkin: CheckinRules,
    pub points: PointsRules,
    pub levels: Vec<LevelRule>,
    pub feedback: FeedbackRules,
    /// Badges (勋章), each earned once; see `crate::badges`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub badges: Vec<BadgeRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckinRules {
    /// Points for every check-in.
    pub points: i64,
    /// Bonuses paid when the streak reaches a given day.
    pub milestones: Vec<Milestone>,
    pub makeup: MakeupRules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub day: u32,
    pub bonus: i64,
}

/// Make-up check-ins (补签): a missed day within `window_days` can be checked in for `cost`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MakeupRules {
    pub enabled: bool,
    pub window_days: u32,
    pub cost: i64,
    pub max_per_month: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PointsRules {
    /// The most points a source may award one member in one day.
    pub daily_caps: BTreeMap<Source, i64>,
    /// Points per host event kind (`[points.events] comment = 5`), used when `POST /events`
    /// names no points.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRule {
    pub min_points: i64,
    pub title: String,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            checkin: CheckinRules::default(),
            points: PointsRules::default(),
            levels: [
                (0, "Newcomer"),
                (100, "Regular"),
                (500, "Active member"),
                (2000, "Community star"),
            ]
            .into_iter()
            .map(|(min_points, title)| LevelRule {
                min_points,
                title: title.to_owned(),
            })
            .collect(),
            feedback: FeedbackRules::default(),
            badges: Vec::new(),
        }
    }
}

impl Default for CheckinRules {
    fn default() -> CheckinRules {
        CheckinRules {
            points: 10,
            milestones: vec![
                Milestone { day: 7, bonus: 50 },
                Milestone {
                    day: 30,
                    bonus: 200,
                },
            ],
            makeup: MakeupRules::default(),
        }
    }
}

impl Default for MakeupRules {
    fn default() -> MakeupRules {
        MakeupRules {
            enabled: true,
            window_days: 7,
            cost: 30,
            max_per_month: None,
        }
    }
}

impl Rules {
    pub fn daily_cap(&self, source: Source) -> Option<i64> {
        self.points.daily_caps.get(&source).copied()
    }

    /// The points the rules give a host event of `kind`, if they name it.
    pub fn event_points(&self, kind: &str) -> Option<i64> {
        self.points.events.get(kind).copied()
    }
}

/// The format of a rules document (`"toml"` or `"json"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RulesFormat {
    Toml,
    Json,
}

impl RulesFormat {
    /// Guesses the format from the text: JSON documents start with `{`.
    pub fn sniff(text: &str) -> RulesFormat {
        if text.trim_start().starts_with('{') {
            RulesFormat::Json
        } else {
            RulesFormat::Toml
        }
    }
}

/// A rules document that cannot be installed, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    /// The dotted path of the offending field, e.g. `checkin.milestones[1].day`.
    pub field: Option<String>,
    /// 1-based line in the document, when known.
    pub line: Option<usize>,
    pub kind: RulesErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesErrorKind {
    /// Occurs when the document is not valid TOML or JSON, or a field has the wrong type or name.
    #[error("{0}")]
    Syntax(String),
    /// Occurs when a number is outside its allowed range.
    #[error("{value} is out of range ({min}..={max})")]
    OutOfRange { value: i64, min: i64, max: i64 },
    /// Occurs when two milestones name the same streak day.
    #[error("streak day {0} has more than one milestone")]
    DuplicateMilestone(u32),
    /// Occurs when the levels list is empty.
    #[error("at least one level is needed")]
    NoLevels,
    /// Occurs when the first level does not start at 0 points.
    #[error("the first level must start at 0 points, not {0}")]
    FirstLevelNotZero(i64),
    /// Occurs when levels are not in strictly ascending order of points.
    #[error("levels must be in ascending order of min_points ({0} does not exceed the previous)")]
    LevelsNotAscending(i64),
    /// Occurs when a title is empty or too long.
    #[error("a title must have 1 to 64 characters")]
    BadTitle,
    /// Occurs when an owner-chosen id (a feedback category) is not a slug.
    #[error("{0}")]
    BadId(crate::IdError),
    /// Occurs when two feedback categories share an id.
    #[error("category '{0}' is listed more than once")]
    DuplicateCategory(String),
    /// Occurs when a label is blank or too long.
    #[error("a label must have 1 to {max} characters and not be blank")]
    BadLabel { max: usize },
    /// Occurs when a blocked word is blank or too long.
    #[error("a blocked word must have 1 to {max} characters and not be blank")]
    BadBlockedWord { max: usize },
    /// Occurs when a list has more entries than allowed.
    #[error("at most {max} entries are allowed, not {count}")]
    TooMany { count: usize, max: usize },
    /// Occurs when a badge criterion has a name that is no criterion.
    #[error("unknown badge criterion '{0}'")]
    UnknownCriterion(String),
    /// Occurs when two badges share an id.
    #[error("badge '{0}' is listed more than once")]
    DuplicateBadge(String),
    /// Occurs when a badge's name is blank or too long.
    #[error("a name must have 1 to {max} characters and not be blank")]
    BadName { max: usize },
    /// Occurs when a badge's description is too long.
    #[error("a description must have at most {max} characters")]
    BadDescription { max: usize },
    /// Occurs when an `all` or `any` criterion lists nothing.
    #[error("an 'all' or 'any' criterion needs at least one criterion")]
    EmptyCriteria,
    /// Occurs when criteria nest deeper than allowed.
    #[error("criteria may nest at most {max} levels deep")]
    CriteriaTooDeep { max: usize },
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error in rules: {}", self.kind)?;
        if let Some(field) = &self.field {
            write!(f, " at field '{field}'")?;
        }
        if let Some(line) = self.line {
            write!(f, " on line {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RulesError {}

/// [`Rules::default`] as a commented TOML document: what an owner sees before installing any.
pub const DEFAULT_RULES_TOML: &str = include_str!("rules/default.toml");

const MAX_POINTS: i64 = 1_000_000;

/// Parses and validates a rules document.
pub fn parse_rules(text: &str, format: RulesFormat) -> Result<Rules, RulesError> {
    let rules: Rules = match format {
        RulesFormat::Toml => toml::from_str(text).map_err(|e| RulesError {
            field: None,
            line: e.span().map(|span| line_of(text, span.start)),
            kind: RulesErrorKind::Syntax(e.message().trim_end_matches('\n').to_owned()),
        })?,
        RulesFormat::Json => serde_json::from_str(text).map_err(|e| RulesError {
            field: None,
            line: Some(e.line()).filter(|l| *l > 0),
            kind: RulesErrorKind::Syntax(strip_json_position(&e.to_string())),
        })?,
    };
    validate_rules(&rules).map_err(|(path, kind)| RulesError {
        line: match format {
            RulesFormat::Toml => toml_line_of_path(text, &path),
            RulesFormat::Json => None,
        },
        field: Some(path_to_string(&path)),
        kind,
    })?;
    Ok(rules)
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(&'static str),
    /// A key the owner chose (an event kind, a criterion's name).
    Name(String),
    Index(usize),
}

type Invalid = (Vec<Step>, RulesErrorKind);

fn validate_rules(rules: &Rules) -> Result<(), Invalid> {
    use Step::{Index, Key};
    let range = |path: Vec<Step>, value: i64, min: i64, max: i64| {
        if (min..=max).contains(&value) {
            Ok(())
        } else {
            Err((path, RulesErrorKind::OutOfRange { value, min, max }))
        }
    };
    let checkin = &rules.checkin;
    range(
        vec![Key("checkin"), Key("points")],
        checkin.points,
        0,
        MAX_POINTS,
    )?;
    let mut seen_days = std::collections::BTreeSet::new();
    for (i, m) in checkin.milestones.iter().enumerate() {
        let at = |field| vec![Key("checkin"), Key("milestones"), Index(i), Key(field)];
        range(at("day"), i64::from(m.day), 1, 3650)?;
        range(at("bonus"), m.bonus, 0, MAX_POINTS)?;
        if !seen_days.insert(m.day) {
            return Err((at("day"), RulesErrorKind::DuplicateMilestone(m.day)));
        }
    }
    let makeup = &checkin.makeup;
    let at = |field| vec![Key("checkin"), Key("makeup"), Key(field)];
    range(at("window_days"), i64::from(makeup.window_days), 0, 366)?;
    range(at("cost"), makeup.cost, 0, MAX_POINTS)?;
    if let Some(max) = makeup.max_per_month {
        range(at("max_per_month"), i64::from(max), 0, 31)?;
    }
    for (source, cap) in &rules.points.daily_caps {
        let path = vec![Key("points"), Key("daily_caps"), Key(source.as_str())];
        range(path, *cap, 0, MAX_POINTS)?;
    }
    for (kind, points) in &rules.points.events {
        let path = vec![Key("points"), Key("events"), Step::Name(kind.clone())];
        crate::ids::parse_slug("event kind", kind, MAX_EVENT_KIND_LEN)
            .map_err(|e| (path.clone(), RulesErrorKind::BadId(e)))?;
        range(path, *points, 0, MAX_POINTS)?;
    }
    if rules.levels.is_empty() {
        return Err((vec![Key("levels")], RulesErrorKind::NoLevels));
    }
    let mut previous: Option<i64> = None;
    for (i, level) in rules.levels.iter().enumerate() {
        let at = |field| vec![Key("levels"), Index(i), Key(field)];
        match previous {
            None if level.min_points != 0 => {
                return Err((
                    at("min_points"),
                    RulesErrorKind::FirstLevelNotZero(level.min_points),
                ));
            }
            Some(p) if level.min_points <= p => {
                return Err((
                    at("min_points"),
                    RulesErrorKind::LevelsNotAscending(level.min_points),
                ));
            }
            _ => {}
        }
        range(at("min_points"), level.min_points, 0, i64::MAX)?;
        let chars = level.title.trim().chars().count();
        if chars == 0 || chars > 64 {
            return Err((at("title"), RulesErrorKind::BadTitle));
        }
        previous = Some(level.min_points);
    }
    validate_feedback_rules(&rules.feedback)?;
    validate_badges(&rules.badges)
}

/// The most badges one document may define.
pub const MAX_BADGES: usize = 100;
const MAX_BADGE_NAME_CHARS: usize = 64;
const MAX_BADGE_DESCRIPTION_CHARS: usize = 200;
const MAX_CRITERIA_DEPTH: usize = 8;
const MAX_EVENT_KIND_LEN: usize = 64;

fn validate_badges(badges: &[BadgeRule]) -> Result<(), Invalid> {
    use Step::{Index, Key};
    if badges.len() > MAX_BADGES {
        let count = badges.len();
        let too_many = RulesErrorKind::TooMany {
            count,
            max: MAX_BADGES,
        };
        return Err((vec![Key("badges")], too_many));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, badge) in badges.iter().enumerate() {
        let at = |field| vec![Key("badges"), Index(i), Key(field)];
        crate::ids::BadgeId::parse(&badge.id).map_err(|e| (at("id"), RulesErrorKind::BadId(e)))?;
        if !seen.insert(badge.id.as_str()) {
            return Err((at("id"), RulesErrorKind::DuplicateBadge(badge.id.clone())));
        }
        let name_chars = badge.name.trim().chars().count();
        if name_chars == 0 || badge.name.chars().count() > MAX_BADGE_NAME_CHARS {
            let max = MAX_BADGE_NAME_CHARS;
            return Err((at("name"), RulesErrorKind::BadName { max }));
        }
        if let Some(description) = &badge.description
            && description.chars().count() > MAX_BADGE_DESCRIPTION_CHARS
        {
            let max = MAX_BADGE_DESCRIPTION_CHARS;
            return Err((at("description"), RulesErrorKind::BadDescription { max }));
        }
        if let Some(title) = &badge.title {
            let chars = title.trim().chars().count();
            if chars == 0 || chars > 64 {
                return Err((at("title"), RulesErrorKind::BadTitle));
            }
        }
        validate_criterion(&badge.criteria, at("criteria"), 1)?;
    }
    Ok(())
}

/// Checks one criterion at `path` (the criterion's table) and what it nests.
fn validate_criterion(criterion: &Criterion, path: Vec<Step>, depth: usize) -> Result<(), Invalid> {
    use Step::{Index, Key, Name};
    if depth > MAX_CRITERIA_DEPTH {
        let max = MAX_CRITERIA_DEPTH;
        return Err((path, RulesErrorKind::CriteriaTooDeep { max }));
    }
    let at = |key: &'static str| {
        let mut path = path.clone();
        path.push(Key(key));
        path
    };
    let range = |path: Vec<Step>, value: i64, min: i64, max: i64| {
        if (min..=max).contains(&value) {
            Ok(())
        } else {
            Err((path, RulesErrorKind::OutOfRange { value, min, max }))
        }
    };
    const MAX_COUNT: i64 = 1_000_000;
    match criterion {
        Criterion::FirstCheckin => Ok(()),
        Criterion::Streak(n) => range(at("streak"), i64::from(*n), 1, 3650),
        Criterion::Checkins(n) => range(at("checkins"), i64::from(*n), 1, MAX_COUNT),
        Criterion::Points(n) => range(at("points"), *n, 1, i64::MAX),
        Criterion::Spent(n) => range(at("spent"), *n, 1, i64::MAX),
        Criterion::Votes(n) => range(at("votes"), i64::from(*n), 1, MAX_COUNT),
        Criterion::Feedback(n) => range(at("feedback"), i64::from(*n), 1, MAX_COUNT),
        Criterion::Redeemed(n) => range(at("redeemed"), i64::from(*n), 1, MAX_COUNT),
        Criterion::Rank { top, .. } => {
            let mut path = at("rank");
            path.push(Key("top"));
            range(path, i64::from(*top), 1, 1000)
        }
        Criterion::Event { kind, count } => {
            let mut kind_path = at("event");
            kind_path.push(Key("kind"));
            crate::ids::parse_slug("event kind", kind, MAX_EVENT_KIND_LEN)
                .map_err(|e| (kind_path, RulesErrorKind::BadId(e)))?;
            let mut count_path = at("event");
            count_path.push(Key("count"));
            range(count_path, i64::from(*count), 1, MAX_COUNT)
        }
        Criterion::All(list) | Criterion::Any(list) => {
            let key = if matches!(criterion, Criterion::All(_)) {
                "all"
            } else {
                "any"
            };
            if list.is_empty() {
                return Err((at(key), RulesErrorKind::EmptyCriteria));
            }
            for (i, inner) in list.iter().enumerate() {
                let mut inner_path = at(key);
                inner_path.push(Index(i));
                validate_criterion(inner, inner_path, depth + 1)?;
            }
            Ok(())
        }
        Criterion::Unknown(name) => {
            let mut path = path.clone();
            path.push(Name(name.clone()));
            Err((path, RulesErrorKind::UnknownCriterion(name.clone())))
        }
    }
}

fn validate_feedback_rules(feedback: &FeedbackRules) -> Result<(), Invalid> {
    use crate::feedback::{
        MAX_BLOCKED_WORD_CHARS, MAX_BLOCKED_WORDS, MAX_CATEGORIES, MAX_CATEGORY_ID_LEN,
        MAX_CATEGORY_LABEL_CHARS, MAX_MAX_LENGTH, MAX_MAX_LINKS,
    };
    use Step::{Index, Key};
    let at = |field| vec![Key("feedback"), Key(field)];
    let range = |path: Vec<Step>, value: i64, min: i64, max: i64| {
        if (min..=max).contains(&value) {
            Ok(())
        } else {
            Err((path, RulesErrorKind::OutOfRange { value, min, max }))
        }
    };
    let too_many = |field, count: usize, max: usize| {
        if count > max {
            Err((at(field), RulesErrorKind::TooMany { count, max }))
        } else {
            Ok(())
        }
    };
    range(
        at("max_length"),
        i64::from(feedback.max_length),
        1,
        i64::from(MAX_MAX_LENGTH),
    )?;
    range(
        at("max_links"),
        i64::from(feedback.max_links),
        0,
        i64::from(MAX_MAX_LINKS),
    )?;
    range(at("points"), feedback.points, 0, MAX_POINTS)?;
    too_many("categories", feedback.categories.len(), MAX_CATEGORIES)?;
    let mut seen = std::collections::BTreeSet::new();
    for (i, category) in feedback.categories.iter().enumerate() {
        let at = |field| vec![Key("feedback"), Key("categories"), Index(i), Key(field)];
        crate::ids::parse_slug("category id", &category.id, MAX_CATEGORY_ID_LEN)
            .map_err(|e| (at("id"), RulesErrorKind::BadId(e)))?;
        if !seen.insert(category.id.as_str()) {
            let duplicate = RulesErrorKind::DuplicateCategory(category.id.clone());
            return Err((at("id"), duplicate));
        }
        let chars = category.label.trim().chars().count();
        if chars == 0 || category.label.chars().count() > MAX_CATEGORY_LABEL_CHARS {
            let max = MAX_CATEGORY_LABEL_CHARS;
            return Err((at("label"), RulesErrorKind::BadLabel { max }));
        }
    }
    too_many(
        "blocked_words",
        feedback.blocked_words.len(),
        MAX_BLOCKED_WORDS,
    )?;
    for (i, word) in feedback.blocked_words.iter().enumerate() {
        if word.trim().is_empty() || word.chars().count() > MAX_BLOCKED_WORD_CHARS {
            let path = vec![Key("feedback"), Key("blocked_words"), Index(i)];
            let max = MAX_BLOCKED_WORD_CHARS;
            return Err((path, RulesErrorKind::BadBlockedWord { max }));
        }
    }
    Ok(())
}

fn path_to_string(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Name(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of the value at `path` in a TOML document, or of its nearest parent that is there.
fn toml_line_of_path(text: &str, path: &[Step]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table: Option<&DeTable<'_>> = Some(document.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue<'_>>]> = None;
    for step in path {
        let value = match step {
            Step::Key(key) => table.and_then(|t| t.get(*key)),
            Step::Name(name) => table.and_then(|t| t.get(name.as_str())),
            Step::Index(i) => array.and_then(|a| a.get(*i)),
        };
        let Some(value) = value else { break };
        span = Some(value.span());
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    span.map(|s| line_of(text, s.start))
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests;
