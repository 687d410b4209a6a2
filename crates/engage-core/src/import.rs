//! Reading a history file for `engage-server import` (PRODUCT.md, "History import"): one JSON
//! object a line, each with a `type`. [`parse_history`] reads a whole file and returns every
//! record or every line's error (naming the line and the field), so the server writes nothing
//! from a file with a mistake in it. Blank lines are skipped.
//!
//! What the file cannot say alone (whether a `points` record takes a balance below zero, what
//! is already stored) the server decides when it applies the records, in file order.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::MemberId;
use crate::text::display_name;

/// The most characters of a name, key, kind or reason.
pub const MAX_NAME_CHARS: usize = 128;
pub const MAX_KEY_CHARS: usize = 128;
pub const MAX_KIND_CHARS: usize = 64;
pub const MAX_REASON_CHARS: usize = 500;
/// The largest amount one record may carry, either way.
pub const MAX_POINTS: i64 = 1_000_000_000;
/// How many errors a report lists before it stops (the file is refused either way).
pub const MAX_ERRORS: usize = 50;

/// One line of a history file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryRecord {
    /// A member and their name; `joined_at` alone is not activity.
    Member {
        member: MemberId,
        name: String,
        joined_at: Timestamp,
    },
    /// Seen on the site-local `date`.
    Visit { member: MemberId, date: Date },
    /// A check-in of the site-local `date`, with the points it gave then (0: none).
    Checkin {
        member: MemberId,
        date: Date,
        points: i64,
    },
    /// A ledger entry (source `import`), idempotent by `key`.
    Points {
        member: MemberId,
        amount: i64,
        at: Timestamp,
        key: String,
        reason: Option<String>,
    },
    /// A host event, idempotent by `idempotency_key`.
    Event {
        member: MemberId,
        kind: String,
        at: Timestamp,
        idempotency_key: String,
        points: i64,
    },
}

impl HistoryRecord {
    pub fn member(&self) -> &MemberId {
        match self {
            HistoryRecord::Member { member, .. }
            | HistoryRecord::Visit { member, .. }
            | HistoryRecord::Checkin { member, .. }
            | HistoryRecord::Points { member, .. }
            | HistoryRecord::Event { member, .. } => member,
        }
    }
}

/// A line the import refuses: its number (from 1), the field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field}: {message}")]
pub struct LineError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// Every record of `text` with its line number, or the errors of its lines (at most
/// [`MAX_ERRORS`]).
pub fn parse_history(text: &str) -> Result<Vec<(u64, HistoryRecord)>, Vec<LineError>> {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok(record) => records.push((number, record)),
            Err((field, message)) => {
                errors.push(LineError {
                    line: number,
                    field: field.to_owned(),
                    message,
                });
                if errors.len() >= MAX_ERRORS {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

type FieldError = (&'static str, String);

/// One line as a record, or the field at fault.
pub fn parse_line(line: &str) -> Result<HistoryRecord, FieldError> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| ("line", format!("not a JSON object: {e}")))?;
    let Value::Object(object) = value else {
        return Err(("line", "not a JSON object".into()));
    };
    let kind = text(&object, "type", 32)?;
    let (allowed, record): (&[&str], _) = match kind.as_str() {
        "member" => (
            &["type", "member", "name", "joined_at"],
            HistoryRecord::Member {
                member: member(&object)?,
                name: name(&object)?,
                joined_at: instant(&object, "joined_at")?,
            },
        ),
        "visit" => (
            &["type", "member", "date"],
            HistoryRecord::Visit {
                member: member(&object)?,
                date: date(&object)?,
            },
        ),
        "checkin" => (
            &["type", "member", "date", "points"],
            HistoryRecord::Checkin {
                member: member(&object)?,
                date: date(&object)?,
                points: points(&object, "points", 0, false)?,
            },
        ),
        "points" => (
            &["type", "member", "amount", "at", "key", "reason"],
            HistoryRecord::Points {
                member: member(&object)?,
                amount: points(&object, "amount", -MAX_POINTS, true)?,
                at: instant(&object, "at")?,
                key: text(&object, "key", MAX_KEY_CHARS)?,
                reason: optional_text(&object, "reason", MAX_REASON_CHARS)?,
            },
        ),
        "event" => (
            &["type", "member", "kind", "at", "idempotency_key", "points"],
            HistoryRecord::Event {
                member: member(&object)?,
                kind: text(&object, "kind", MAX_KIND_CHARS)?,
                at: instant(&object, "at")?,
                idempotency_key: text(&object, "idempotency_key", MAX_KEY_CHARS)?,
                points: points(&object, "points", 0, false)?,
            },
        ),
        other => {
            return Err((
                "type",
                format!(
                    "unknown record type '{}' (member, visit, checkin, points or event)",
                    other.chars().take(32).collect::<String>()
                ),
            ));
        }
    };
    if let Some(unknown) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err((
            "line",
            format!(
                "unknown field '{}' for a {kind} record",
                unknown.chars().take(32).collect::<String>()
            ),
        ));
    }
    Ok(record)
}

fn text(
    object: &Map<String, Value>,
    field: &'static str,
    max: usize,
) -> Result<String, FieldError> {
    match object.get(field) {
        None | Some(Value::Null) => Err((field, "missing".into())),
        Some(Value::String(text)) if text.trim().is_empty() => Err((field, "empty".into())),
        Some(Value::String(text)) if text.chars().count() > max => {
            Err((field, format!("longer than {max} characters")))
        }
        Some(Value::String(text)) if text.chars().any(char::is_control) => {
            Err((field, "holds a control character".into()))
        }
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err((field, "must be a string".into())),
    }
}

fn optional_text(
    object: &Map<String, Value>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => text(object, field, max).map(Some),
    }
}

fn member(object: &Map<String, Value>) -> Result<MemberId, FieldError> {
    let raw = text(object, "member", MemberId::MAX_LEN)?;
    MemberId::parse(&raw).map_err(|e| ("member", e.to_string()))
}

fn name(object: &Map<String, Value>) -> Result<String, FieldError> {
    let raw = text(object, "name", MAX_NAME_CHARS)?;
    // Others see this name: bidi and invisible characters go, as for a token's name.
    match display_name(&raw, "") {
        name if name.is_empty() => Err(("name", "holds no visible character".into())),
        name => Ok(name),
    }
}

fn date(object: &Map<String, Value>) -> Result<Date, FieldError> {
    let raw = text(object, "date", 10)?;
    crate::ymd::parse(&raw).ok_or(("date", format!("'{raw}' is not a date (YYYY-MM-DD)")))
}

fn instant(object: &Map<String, Value>, field: &'static str) -> Result<Timestamp, FieldError> {
    let raw = text(object, field, 64)?;
    crate::rfc3339::parse(&raw).ok_or((
        field,
        format!("'{raw}' is not an RFC 3339 time (e.g. 2025-03-01T08:00:00Z)"),
    ))
}

/// A whole number from `min` to [`MAX_POINTS`]; 0 when absent unless `required`; never 0 when
/// required.
fn points(
    object: &Map<String, Value>,
    field: &'static str,
    min: i64,
    required: bool,
) -> Result<i64, FieldError> {
    let value = match object.get(field) {
        None | Some(Value::Null) if required => return Err((field, "missing".into())),
        None | Some(Value::Null) => return Ok(0),
        Some(value) => value,
    };
    let number = value
        .as_i64()
        .ok_or((field, "must be a whole number".to_owned()))?;
    if !(min..=MAX_POINTS).contains(&number) {
        return Err((
            field,
            format!("must be from {min} to {MAX_POINTS}, not {number}"),
        ));
    }
    if required && number == 0 {
        return Err((field, "must not be 0".into()));
    }
    Ok(number)
}

#[cfg(test)]
mod tests;
