//! RFC 3339 instants in JSON (`2026-11-30T10:00:00Z`), read and written by hand.
//!
//! Like [`crate::ymd`], this keeps jiff's general parser and printer out of the widgets' wasm:
//! the widgets read instants (a poll's close time) but never need jiff's other formats.
//! Written instants are always UTC with `Z`, with fractional seconds only when present.

use jiff::Timestamp;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

use crate::calendar::{civil_from_days, day_number};

/// Formats an instant as RFC 3339 in UTC.
pub fn format(at: Timestamp) -> String {
    // jiff gives instants before 1970 a negative fraction; count from the earlier second.
    let (seconds, nanos) = match (at.as_second(), at.subsec_nanosecond()) {
        (s, n) if n < 0 => (s - 1, n + 1_000_000_000),
        pair => pair,
    };
    let (days, secs_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    );
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`; `t` and `z` are accepted in lower case.
pub fn parse(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = crate::ymd::parse(&text[..10])?;
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = 19;
    let mut nanos: i32 = 0;
    if b[rest] == b'.' {
        let start = rest + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start || end - start > 9 {
            return None;
        }
        let fraction = &text[start..end];
        nanos = format!("{fraction:0<9}").parse().ok()?;
        rest = end;
    }
    let offset_seconds = match &text[rest..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':' =>
        {
            let hours = digits(rest + 1..rest + 3)?;
            let minutes = digits(rest + 4..rest + 6)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    // A leap second (:60) is read as the last second of its minute, as jiff does.
    let second = second.min(59);
    let seconds = day_number(date) * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Timestamp::new(seconds, nanos).ok()
}

pub fn serialize<S: Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*at))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    deserializer.deserialize_str(InstantVisitor)
}

struct InstantVisitor;

impl Visitor<'_> for InstantVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an RFC 3339 time such as 2026-11-30T10:00:00Z")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
        parse(text).ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

/// The same codec for an optional instant (`null` when absent).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(
        at: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_some(&format(*at)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        struct OptionVisitor;
        impl<'de> Visitor<'de> for OptionVisitor {
            type Value = Option<Timestamp>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an RFC 3339 time or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                super::deserialize(d).map(Some)
            }
        }
        deserializer.deserialize_option(OptionVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parsing() {
        let check = |text: &str, expect: Option<&str>| {
            let expect = expect.map(|e| e.parse::<Timestamp>().unwrap());
            assert_eq!(parse(text), expect, "{text}");
        };
        check("2026-11-30T10:00:00Z", Some("2026-11-30T10:00:00Z"));
        check("2026-11-30t10:00:00z", Some("2026-11-30T10:00:00Z"));
        check("2026-11-30T18:00:00+08:00", Some("2026-11-30T10:00:00Z"));
        check("2026-11-30T05:30:00-04:30", Some("2026-11-30T10:00:00Z"));
        check("2026-11-30T10:00:00.5Z", Some("2026-11-30T10:00:00.5Z"));
        check(
            "2026-11-30T10:00:00.123456789Z",
            Some("2026-11-30T10:00:00.123456789Z"),
        );
        check("1969-12-31T23:59:59Z", Some("1969-12-31T23:59:59Z"));
        check("2026-11-30T10:00:00", None);
        check("2026-11-30 10:00:00Z", None);
        check("2026-11-30T24:00:00Z", None);
        check("2026-11-31T10:00:00Z", None);
        check("2026-11-30T10:00:00.Z", None);
        check("2026-11-30T10:00:00.1234567890Z", None);
        check("2026-11-30T10:00:00+0800", None);
        check("", None);
    }

    proptest! {
        #[test]
        fn agrees_with_jiff(seconds in -62_000_000_000i64..250_000_000_000, nanos in 0i32..1_000_000_000) {
            let at = Timestamp::new(seconds, nanos).unwrap();
            let text = format(at);
            prop_assert_eq!(&text, &at.to_string());
            prop_assert_eq!(parse(&text), Some(at));
        }
    }
}
