//! Presets, custom ranges and their checks, and the range in the query string.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn date(text: &str) -> Date {
    ymd::parse(text).unwrap()
}

fn days(preset: Preset, today: &str) -> (String, String) {
    let (from, to) = preset.days(date(today));
    (ymd::format(from), ymd::format(to))
}

fn pair(from: &str, to: &str) -> (String, String) {
    (from.to_owned(), to.to_owned())
}

#[test]
fn presets_end_today_or_cover_a_calendar_month() {
    assert_eq!(
        days(Preset::Last7, "2026-11-20"),
        pair("2026-11-14", "2026-11-20")
    );
    assert_eq!(
        days(Preset::Last30, "2026-11-20"),
        pair("2026-10-22", "2026-11-20")
    );
    assert_eq!(
        days(Preset::Last90, "2026-11-20"),
        pair("2026-08-23", "2026-11-20")
    );
    assert_eq!(
        days(Preset::ThisMonth, "2026-11-20"),
        pair("2026-11-01", "2026-11-20")
    );
    assert_eq!(
        days(Preset::ThisMonth, "2026-11-01"),
        pair("2026-11-01", "2026-11-01")
    );
    assert_eq!(
        days(Preset::LastMonth, "2026-11-20"),
        pair("2026-10-01", "2026-10-31")
    );
    // Across a year, and into a leap February.
    assert_eq!(
        days(Preset::LastMonth, "2027-01-05"),
        pair("2026-12-01", "2026-12-31")
    );
    assert_eq!(
        days(Preset::LastMonth, "2028-03-31"),
        pair("2028-02-01", "2028-02-29")
    );
    assert_eq!(
        days(Preset::Last7, "2027-01-03"),
        pair("2026-12-28", "2027-01-03")
    );
    for preset in Preset::ALL {
        let range = DateRange::preset(preset, date("2026-11-20"));
        assert!(range.days() >= 1 && range.days() <= 90, "{preset:?}");
        assert_eq!(Preset::parse(preset.key()), Some(preset));
    }
    assert_eq!(
        DateRange::preset(Preset::Last90, date("2026-11-20")).days(),
        90
    );
}

#[test]
fn a_custom_range_is_checked_as_the_server_checks_it() {
    let range = DateRange::custom(" 2026-01-01 ", "2026-12-31").unwrap();
    assert_eq!(
        (range.from, range.to, range.preset),
        (date("2026-01-01"), date("2026-12-31"), None)
    );
    assert_eq!(range.days(), 365);
    assert_eq!(
        DateRange::custom("2028-01-01", "2028-12-31")
            .unwrap()
            .days(),
        366
    );
    assert_eq!(
        DateRange::custom("2026-11-20", "2026-11-20")
            .unwrap()
            .days(),
        1
    );
    assert_eq!(
        DateRange::custom("2026-01-01", "2027-01-02"),
        Err(RangeError::TooLong(367))
    );
    assert_eq!(
        DateRange::custom("2026-11-21", "2026-11-20"),
        Err(RangeError::Reversed)
    );
    assert_eq!(
        DateRange::custom("", "2026-11-20"),
        Err(RangeError::BadFrom)
    );
    assert_eq!(
        DateRange::custom("2026-02-30", "2026-11-20"),
        Err(RangeError::BadFrom)
    );
    assert_eq!(
        DateRange::custom("2026-11-01", "20/11/2026"),
        Err(RangeError::BadTo)
    );
}

#[test]
fn the_range_goes_into_the_query_and_back() {
    let today = date("2026-11-20");
    for preset in Preset::ALL {
        let range = DateRange::preset(preset, today);
        let query = range.to_query();
        assert_eq!(query, format!("range={}", preset.key()));
        assert_eq!(
            DateRange::from_query(Some(preset.key()), None, None, today),
            Ok(range)
        );
    }
    let custom = DateRange::custom("2026-03-01", "2026-03-31").unwrap();
    assert_eq!(custom.to_query(), "from=2026-03-01&to=2026-03-31");
    assert_eq!(
        DateRange::from_query(None, Some("2026-03-01"), Some("2026-03-31"), today),
        Ok(custom)
    );
    // Nothing asked: the default, the last 30 days.
    assert_eq!(
        DateRange::from_query(None, None, None, today),
        Ok(DateRange::preset(Preset::Last30, today))
    );
    // A range named wrongly says what is wrong.
    assert_eq!(
        DateRange::from_query(None, Some("2026-03-31"), Some("2026-03-01"), today),
        Err(RangeError::Reversed)
    );
    assert_eq!(
        DateRange::from_query(None, Some("2026-03-01"), None, today),
        Err(RangeError::BadTo)
    );
    assert_eq!(
        DateRange::from_query(Some("week"), None, None, today),
        Ok(DateRange::preset(Preset::Last30, today))
    );
}

#[test]
fn weeks_start_on_monday() {
    assert_eq!(week_start(date("2026-11-20")), date("2026-11-16"));
    assert_eq!(week_start(date("2026-11-16")), date("2026-11-16"));
    assert_eq!(week_start(date("2026-11-22")), date("2026-11-16"));
    assert_eq!(week_start(date("2027-01-01")), date("2026-12-28"));
    assert_eq!(add_days(date("2026-12-28"), 7), date("2027-01-04"));
    assert_eq!(days_between(date("2026-11-16"), date("2026-11-22")), 7);
}

#[test]
fn today_in_a_zone_is_a_date_next_to_the_browsers_own() {
    let here = today_in("");
    for zone in [
        "Asia/Shanghai",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "UTC",
    ] {
        let there = today_in(zone);
        assert!(
            days_between(here.min(there), here.max(there)) <= 2,
            "{zone}: {there}"
        );
    }
    // An unknown zone falls back to the browser's day instead of failing.
    assert_eq!(today_in("Not/AZone"), here);
}
