//! The date range of the analytics page: the presets (the last 7, 30 or 90 days, this month,
//! last month), a custom `from`–`to` checked as the server checks it (from ≤ to, at most 366
//! days), and the range as it stands in the page's query string (`?range=30d`, or
//! `?from=2026-11-01&to=2026-11-30`), so that a reload or a shared link shows the same days.
//!
//! A preset is kept in the query by name rather than as dates: a link to "the last 7 days"
//! opened next week shows that week's last 7 days, as PostHog's and Mixpanel's relative ranges do.
//! Days are the site's (its time zone decides "today"), as the analytics route counts them.

use engage_core::jiff::SignedDuration;
use engage_core::jiff::civil::Date;
use engage_core::ymd;
use wasm_bindgen::JsCast;

/// The longest range the analytics route answers, in days.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Last7,
    Last30,
    Last90,
    ThisMonth,
    LastMonth,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Last7,
        Preset::Last30,
        Preset::Last90,
        Preset::ThisMonth,
        Preset::LastMonth,
    ];

    /// The range when none is asked for.
    pub const DEFAULT: Preset = Preset::Last30;

    /// The preset's name in the query string (`range=…`).
    pub fn key(self) -> &'static str {
        match self {
            Preset::Last7 => "7d",
            Preset::Last30 => "30d",
            Preset::Last90 => "90d",
            Preset::ThisMonth => "this-month",
            Preset::LastMonth => "last-month",
        }
    }

    pub fn parse(key: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The days the preset covers when the site's today is `today`, both ends included.
    pub fn days(self, today: Date) -> (Date, Date) {
        match self {
            Preset::Last7 => (add_days(today, -6), today),
            Preset::Last30 => (add_days(today, -29), today),
            Preset::Last90 => (add_days(today, -89), today),
            Preset::ThisMonth => (today.first_of_month(), today),
            Preset::LastMonth => {
                let last = add_days(today.first_of_month(), -1);
                (last.first_of_month(), last)
            }
        }
    }
}

/// The days the page shows, and the preset they came from, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
    pub preset: Option<Preset>,
}

/// What is wrong with a custom range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// The start is not a `YYYY-MM-DD` date (or is empty).
    BadFrom,
    /// The end is not a `YYYY-MM-DD` date (or is empty).
    BadTo,
    /// The start is after the end.
    Reversed,
    /// The range is longer than [`MAX_DAYS`]; it holds this many days.
    TooLong(i64),
}

impl DateRange {
    pub fn preset(preset: Preset, today: Date) -> DateRange {
        let (from, to) = preset.days(today);
        DateRange {
            from,
            to,
            preset: Some(preset),
        }
    }

    /// A custom range from the form's or the query's `from` and `to`.
    pub fn custom(from: &str, to: &str) -> Result<DateRange, RangeError> {
        let from = ymd::parse(from.trim()).ok_or(RangeError::BadFrom)?;
        let to = ymd::parse(to.trim()).ok_or(RangeError::BadTo)?;
        if from > to {
            return Err(RangeError::Reversed);
        }
        let days = days_between(from, to);
        if days > MAX_DAYS {
            return Err(RangeError::TooLong(days));
        }
        Ok(DateRange {
            from,
            to,
            preset: None,
        })
    }

    /// The range a query string's `range`, `from` and `to` name: a preset by its key, else a
    /// custom range, else (nothing asked) the default preset. A query that names a range
    /// wrongly answers the error, for the page to show beside the default range.
    pub fn from_query(
        range: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: Date,
    ) -> Result<DateRange, RangeError> {
        if let Some(preset) = range.and_then(Preset::parse) {
            return Ok(DateRange::preset(preset, today));
        }
        match (from, to) {
            (None, None) => Ok(DateRange::preset(Preset::DEFAULT, today)),
            (from, to) => DateRange::custom(from.unwrap_or(""), to.unwrap_or("")),
        }
    }

    /// The query string that names this range (without `?`).
    pub fn to_query(&self) -> String {
        match self.preset {
            Some(preset) => format!("range={}", preset.key()),
            None => format!(
                "from={}&to={}",
                ymd::format(self.from),
                ymd::format(self.to)
            ),
        }
    }

    /// The number of days in the range, both ends included.
    pub fn days(&self) -> i64 {
        days_between(self.from, self.to)
    }
}

/// The days of `from..=to`, both ends counted.
pub fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_hours() / 24 + 1
}

/// `date` moved by `days` (negative: back), clamped to jiff's calendar.
pub fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(SignedDuration::from_hours(days * 24))
        .unwrap_or(date)
}

/// The Monday of the week `date` is in.
pub fn week_start(date: Date) -> Date {
    add_days(date, -i64::from(date.weekday().to_monday_zero_offset()))
}

/// Today in the IANA time zone `zone`, as the browser's clock and `Intl` see it; the browser's
/// own day when the zone is unknown. (jiff's zone database would weigh the bundle down; the
/// browser has one already.)
pub fn today_in(zone: &str) -> Date {
    let formatted = format_today(zone).or_else(|| format_today(""));
    formatted
        .as_deref()
        .and_then(ymd::parse)
        .unwrap_or_else(|| {
            // No Intl at all: UTC's day, from the clock.
            let now = js_sys::Date::new_0();
            Date::new(
                now.get_utc_full_year() as i16,
                (now.get_utc_month() + 1) as i8,
                now.get_utc_date() as i8,
            )
            .unwrap_or(Date::constant(2026, 1, 1))
        })
}

/// `YYYY-MM-DD` of now in `zone` (the browser's zone when empty), read from `formatToParts`.
fn format_today(zone: &str) -> Option<String> {
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
    ] {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    if !zone.is_empty() {
        js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into()).ok()?;
    }
    let locales = js_sys::Array::of1(&"en-US".into());
    // An unknown zone makes the constructor throw; caught here as `None`.
    let format = catch_format(&locales, &options)?;
    let parts = format.format_to_parts(&js_sys::Date::new_0());
    let mut year = String::new();
    let mut month = String::new();
    let mut day = String::new();
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &"type".into())
            .ok()?
            .as_string()?;
        let value = js_sys::Reflect::get(&part, &"value".into())
            .ok()?
            .as_string()?;
        match kind.as_str() {
            "year" => year = value,
            "month" => month = value,
            "day" => day = value,
            _ => {}
        }
    }
    Some(format!("{year:0>4}-{month:0>2}-{day:0>2}"))
}

fn catch_format(
    locales: &js_sys::Array,
    options: &js_sys::Object,
) -> Option<js_sys::Intl::DateTimeFormat> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = js_sys::Array::of2(locales, options);
    js_sys::Reflect::construct(&constructor, &args)
        .ok()
        .map(JsCast::unchecked_into)
}

#[cfg(test)]
mod tests;
