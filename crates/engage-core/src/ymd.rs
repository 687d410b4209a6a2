//! `YYYY-MM-DD` dates in JSON, read and written by hand.
//!
//! jiff's own serde support goes through its general date-time parser, which costs the widgets'
//! wasm about 70 kB; the API only ever carries plain calendar dates, so this small codec does.

use jiff::civil::Date;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};

/// Formats a date as `YYYY-MM-DD`.
pub fn format(date: Date) -> String {
    let mut out = String::with_capacity(10);
    push(&mut out, date);
    out
}

fn push(out: &mut String, date: Date) {
    use std::fmt::Write;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month(),
        date.day()
    );
}

/// Parses a `YYYY-MM-DD` date, refusing anything else (and days that do not exist).
pub fn parse(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let year = number(0..4)?;
    let month = i8::try_from(number(5..7)?).ok()?;
    let day = i8::try_from(number(8..10)?).ok()?;
    Date::new(year, month, day).ok()
}

pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*date))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    deserializer.deserialize_str(DateVisitor)
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        parse(text).ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

/// The same codec for a list of dates.
pub mod list {
    use super::*;

    pub fn serialize<S: Serializer>(dates: &[Date], serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(dates.len()))?;
        for date in dates {
            seq.serialize_element(&format(*date))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Date>, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = Vec<Date>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of dates as YYYY-MM-DD")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Date>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(400));
                while let Some(text) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    out.push(DateVisitor.visit_str(&text)?);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

/// The same codec for an optional date (`null` when absent).
pub mod option {
    use super::*;
    use serde::Deserialize;

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.serialize_str(&format(*date)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        let text: Option<std::borrow::Cow<'de, str>> = Option::deserialize(deserializer)?;
        text.map(|text| DateVisitor.visit_str(&text)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn round_trip_and_refusals() {
        let check = |text: &str, expect: Option<Date>| assert_eq!(parse(text), expect, "{text}");
        check("2026-11-21", Some(date(2026, 11, 21)));
        check("2024-02-29", Some(date(2024, 2, 29)));
        check("2026-02-29", None);
        check("2026-13-01", None);
        check("2026-1-01", None);
        check("2026-11-21T00:00", None);
        check("+026-11-21", None);
        check("２０２６-11-21", None);
        check("", None);
        assert_eq!(format(date(2026, 1, 5)), "2026-01-05");
        assert_eq!(format(date(987, 1, 5)), "0987-01-05");
    }

    #[test]
    fn matches_jiff_formatting() {
        let day = date(2026, 11, 21);
        assert_eq!(format(day), day.to_string());
    }
}
