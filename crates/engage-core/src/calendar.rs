//! Calendar days in a site's time zone, and the month grid the check-in widget draws.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

/// The calendar day an instant falls on in the site's time zone.
///
/// A check-in at 23:30 in Shanghai and one at 00:30 the next morning are two days, whatever the
/// server's own clock zone is.
pub fn calendar_day(at: Timestamp, site_zone: &TimeZone) -> Date {
    at.to_zoned(site_zone.clone()).date()
}

/// The day before `day`, or `None` at the start of the supported range.
pub fn previous_day(day: Date) -> Option<Date> {
    day.yesterday().ok()
}

/// The day after `day`, or `None` at the end of the supported range.
pub fn next_day(day: Date) -> Option<Date> {
    day.tomorrow().ok()
}

/// Days since 1970-01-01 (negative before it), by plain arithmetic: cheaper in the widgets'
/// wasm than jiff's span machinery, and exact for every date jiff supports.
pub fn day_number(day: Date) -> i64 {
    // Howard Hinnant's days_from_civil, with years starting in March.
    let (y, m, d) = (
        i64::from(day.year()),
        i64::from(day.month()),
        i64::from(day.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `number` days after 1970-01-01 (the inverse of [`day_number`]), clamped to the
/// dates jiff supports.
pub fn date_of_day_number(number: i64) -> Date {
    let (year, month, day) =
        civil_from_days(number.clamp(day_number(Date::MIN), day_number(Date::MAX)));
    let narrow = |n: i64| i8::try_from(n).unwrap_or(1);
    Date::new(
        i16::try_from(year).unwrap_or(1970),
        narrow(month),
        narrow(day),
    )
    .unwrap_or(Date::MIN)
}

/// The civil date of a day number (days since 1970-01-01); the inverse of `day_number`.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A month, as the widget navigates and the API names it (`YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i16,
    pub month: i8,
}

/// Why a `YYYY-MM` text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("month '{0}' is not of the form YYYY-MM")]
pub struct YearMonthError(pub String);

impl YearMonth {
    pub fn of(day: Date) -> YearMonth {
        YearMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn parse(text: &str) -> Result<YearMonth, YearMonthError> {
        let bad = || YearMonthError(text.to_owned());
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        let month: i8 = month.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !(1..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(YearMonth { year, month })
    }

    pub fn first_day(self) -> Date {
        // An out-of-range month (the fields are public) clamps rather than panics; `expect`
        // here would also pull jiff's error formatting into the widgets' wasm.
        Date::new(self.year.clamp(1, 9999), self.month.clamp(1, 12), 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }

    pub fn contains(self, day: Date) -> bool {
        YearMonth::of(day) == self
    }

    pub fn previous(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Six weeks of cells for a month view, starting on `week_start`; cells outside the month are
/// `None`. Always 42 cells, so the widget's height does not change from month to month.
pub fn month_grid(month: YearMonth, week_start: Weekday) -> Vec<Option<Date>> {
    let first = month.first_day();
    let lead = usize::from(first.weekday().since(week_start).unsigned_abs());
    let days = usize::from(first.days_in_month().unsigned_abs());
    let mut cells = vec![None; 42];
    let mut day = first;
    for cell in cells.iter_mut().skip(lead).take(days) {
        *cell = Some(day);
        day = next_day(day).unwrap_or(day);
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn calendar_day_uses_the_site_zone() {
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        let new_york = TimeZone::get("America/New_York").unwrap();
        let at: Timestamp = "2026-11-20T16:30:00Z".parse().unwrap();
        assert_eq!(calendar_day(at, &shanghai), date(2026, 11, 21));
        assert_eq!(calendar_day(at, &new_york), date(2026, 11, 20));
        assert_eq!(calendar_day(at, &TimeZone::UTC), date(2026, 11, 20));
    }

    #[test]
    fn day_numbers_count_days_since_the_epoch() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(1969, 12, 31)), -1);
        assert_eq!(day_number(date(2000, 3, 1)), 11_017);
        let mut day = date(1899, 12, 25);
        for _ in 0..100_000 {
            let next = day.tomorrow().unwrap();
            assert_eq!(day_number(next), day_number(day) + 1, "{next}");
            day = next;
        }
    }

    #[test]
    fn year_month_parsing() {
        let check = |text: &str, expect: Option<(i16, i8)>| {
            let got = YearMonth::parse(text).ok().map(|m| (m.year, m.month));
            assert_eq!(got, expect, "{text}");
        };
        check("2026-11", Some((2026, 11)));
        check("2026-01", Some((2026, 1)));
        check("2026-13", None);
        check("2026-00", None);
        check("2026-1", None);
        check("26-11", None);
        check("2026/11", None);
        check("", None);
        assert_eq!(
            YearMonth::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(
            YearMonth::parse("2026-01").unwrap().previous().to_string(),
            "2025-12"
        );
    }

    #[test]
    fn month_grid_has_six_weeks_starting_on_the_week_start() {
        // November 2026 starts on a Sunday.
        let nov = YearMonth {
            year: 2026,
            month: 11,
        };
        let grid = month_grid(nov, Weekday::Monday);
        assert_eq!(grid.len(), 42);
        assert_eq!(grid[..6], [None; 6]);
        assert_eq!(grid[6], Some(date(2026, 11, 1)));
        assert_eq!(grid[35], Some(date(2026, 11, 30)));
        assert_eq!(grid.iter().flatten().count(), 30);
        let grid = month_grid(nov, Weekday::Sunday);
        assert_eq!(grid[0], Some(date(2026, 11, 1)));
    }
}
