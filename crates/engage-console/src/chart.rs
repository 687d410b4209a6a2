//! The pure parts of the analytics charts: scales and their ticks, the SVG path of a line, the
//! numbers as the console shows them (counts, percentages, the change against the previous
//! period), the shade of a retention cell, and [`Table`] — the numbers beside each chart — with
//! its CSV.
//!
//! The charts are drawn by hand as SVG (`chart_view`) rather than with a charting library: they
//! are a few lines and bars on one axis each, and a library would bring its own DOM, its own
//! colours (the console's themes are custom properties) and its own accessibility story, where
//! here every chart is an `role="img"` with a title and the same numbers as a table beside it.

use engage_core::csv;

/// A linear map from data values (`domain`) to SVG coordinates (`range`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        Scale { domain, range }
    }

    /// The coordinate of `value`; the middle of the range for an empty domain.
    pub fn at(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return (r0 + r1) / 2.0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// Round tick values covering `min..=max`, about `target` intervals, on steps of 1, 2 or 5
/// times a power of ten; with `whole`, steps are at least 1 (counts of members). The first
/// tick is at or below `min`, the last at or above `max`, so the ticks are the axis' domain.
pub fn nice_ticks(min: f64, max: f64, target: usize, whole: bool) -> Vec<f64> {
    let (min, max) = if min.is_finite() && max.is_finite() && max >= min {
        (min, max)
    } else {
        (0.0, 0.0)
    };
    let span = if max > min {
        max - min
    } else if whole || max == 0.0 {
        1.0
    } else {
        max.abs()
    };
    let raw = span / target.max(1) as f64;
    let magnitude = 10_f64.powi(raw.log10().floor() as i32);
    // Rounded to the nearest of 1, 2, 5, 10 on a log scale (d3's `tickIncrement` thresholds).
    let error = raw / magnitude;
    let mut step = magnitude
        * if error >= 50_f64.sqrt() {
            10.0
        } else if error >= 10_f64.sqrt() {
            5.0
        } else if error >= 2_f64.sqrt() {
            2.0
        } else {
            1.0
        };
    if whole && step < 1.0 {
        step = 1.0;
    }
    let first = (min / step).floor();
    let mut last = (max / step).ceil();
    if last <= first {
        last = first + 1.0;
    }
    let count = (last - first) as usize;
    (0..=count)
        .map(|i| {
            let value = (first + i as f64) * step;
            // Rounds away the float noise of repeated steps (0.30000000000000004).
            (value * 1e9).round() / 1e9
        })
        .collect()
}

/// The indices of `len` points that get a label on the x axis: at most `max` of them, evenly
/// spaced, the first and the last always included.
pub fn index_ticks(len: usize, max: usize) -> Vec<usize> {
    if len == 0 {
        return Vec::new();
    }
    let max = max.max(2);
    if len <= max {
        return (0..len).collect();
    }
    let step = (len - 1).div_ceil(max - 1);
    let mut ticks: Vec<usize> = (0..len).step_by(step).collect();
    let last = len - 1;
    if ticks.last() != Some(&last) {
        // A label squeezed in just before the last one would overlap it.
        if let Some(&previous) = ticks.last()
            && last - previous < step.div_ceil(2)
        {
            ticks.pop();
        }
        ticks.push(last);
    }
    ticks
}

/// The SVG path (`M x,y L x,y …`) through the points of `values` at `x(i)`, `y.at(value)`; a
/// missing value breaks the line, and a point alone is drawn as a dot-length segment so that
/// round line caps show it.
pub fn line_path(values: &[Option<f64>], x: impl Fn(usize) -> f64, y: Scale) -> String {
    let mut path = String::new();
    let mut open = false;
    for (i, value) in values.iter().enumerate() {
        let Some(value) = value else {
            open = false;
            continue;
        };
        let (px, py) = (x(i), y.at(*value));
        let next_missing = values.get(i + 1).is_none_or(Option::is_none);
        if !path.is_empty() {
            path.push(' ');
        }
        if open {
            path.push_str(&format!("L{px:.1},{py:.1}"));
        } else {
            path.push_str(&format!("M{px:.1},{py:.1}"));
            if next_missing {
                path.push_str(&format!(" L{:.1},{py:.1}", px + 0.1));
            }
        }
        open = true;
    }
    path
}

/// `n` with a comma between each group of three digits: `12,345` (en and zh-CN alike).
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `value` with `decimals` decimals and grouped thousands: `1,234.5`.
pub fn format_decimal(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole: i64 = whole.parse().unwrap_or(0);
    let negative = value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&format_count(whole));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A fraction (0.125) as a percentage with one decimal (`12.5%`).
pub fn format_percent(fraction: f64) -> String {
    format!("{}%", format_decimal(fraction * 100.0, 1))
}

/// `part / whole`, 0 when `whole` is 0.
pub fn ratio(part: f64, whole: f64) -> f64 {
    if whole == 0.0 { 0.0 } else { part / whole }
}

/// Which way a number went against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Up,
    Down,
    Flat,
}

/// How much a number changed, as the KPI cards say it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delta {
    /// Relative to the previous value, in whole percent (absolute value).
    Percent(i64),
    /// The difference of two rates in percentage points, one decimal (absolute value).
    Points(f64),
    /// The difference of two scores (NPS), absolute value.
    Score(i64),
    /// The previous value was 0: there is no base to compare with.
    NoBase,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub trend: Trend,
    pub delta: Delta,
}

/// The relative change from `previous` to `current` (counts, sums, averages), in whole percent.
pub fn relative_change(current: f64, previous: f64) -> Change {
    if previous == 0.0 {
        return if current == 0.0 {
            Change {
                trend: Trend::Flat,
                delta: Delta::Percent(0),
            }
        } else {
            Change {
                trend: if current > 0.0 {
                    Trend::Up
                } else {
                    Trend::Down
                },
                delta: Delta::NoBase,
            }
        };
    }
    let percent = ((current - previous) / previous.abs() * 100.0).round() as i64;
    Change {
        trend: trend_of(percent as f64),
        delta: Delta::Percent(percent.abs()),
    }
}

/// The change of a rate (`0..=1`) in percentage points, rounded to one decimal.
pub fn change_in_points(current: f64, previous: f64) -> Change {
    let points = ((current - previous) * 1000.0).round() / 10.0;
    Change {
        trend: trend_of(points),
        delta: Delta::Points(points.abs()),
    }
}

/// The change of a score (NPS); none when either period has no score.
pub fn score_change(current: Option<i32>, previous: Option<i32>) -> Option<Change> {
    let difference = i64::from(current?) - i64::from(previous?);
    Some(Change {
        trend: trend_of(difference as f64),
        delta: Delta::Score(difference.abs()),
    })
}

fn trend_of(difference: f64) -> Trend {
    if difference > 0.0 {
        Trend::Up
    } else if difference < 0.0 {
        Trend::Down
    } else {
        Trend::Flat
    }
}

/// The number of shades a retention cell can take besides none.
pub const SHADES: u8 = 5;

/// The shade of a retention cell holding `count` of a cohort of `size`: 0 for nobody, else 1 to
/// [`SHADES`] by fifths of the cohort (a cell with everyone is the darkest).
pub fn shade_level(count: u64, size: u64) -> u8 {
    if count == 0 || size == 0 {
        return 0;
    }
    let shades = u64::from(SHADES);
    // ceil(count / size × SHADES), in integers so that 80 of 100 is exactly the fourth shade.
    let level = (count.min(size) * shades).div_ceil(size);
    level.clamp(1, shades) as u8
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text: a date, a name, a label (possibly from an owner or member: shown as text, and
    /// neutralised in the CSV).
    Text(String),
    /// A whole number.
    Count(i64),
    /// A fraction shown as a percentage (`12.5%`).
    Percent(f64),
    /// A number with this many decimals.
    Decimal(f64, usize),
    /// No value (a week without NPS answers).
    Empty,
}

impl Cell {
    /// The cell as the page shows it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(n) => format_count(*n),
            Cell::Percent(fraction) => format_percent(*fraction),
            Cell::Decimal(value, decimals) => format_decimal(*value, *decimals),
            Cell::Empty => "—".to_owned(),
        }
    }

    /// Whether the cell is a number (right-aligned).
    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// The numbers of a chart as a table: what the page shows beside the chart and what its CSV
/// download holds, column for column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// The table as CSV (RFC 4180, CRLF, formulas neutralised; no byte order mark): the header
    /// row, then one row per row. Counts are plain integers a spreadsheet can sum, percentages
    /// keep their `%` (which spreadsheets read as a percentage), empty cells are empty.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let names: Vec<&str> = self.columns.iter().map(String::as_str).collect();
        csv::push_header(&mut out, &names);
        for row in &self.rows {
            let texts: Vec<String> = row
                .iter()
                .map(|cell| match cell {
                    Cell::Percent(fraction) => format!("{:.1}%", fraction * 100.0),
                    Cell::Decimal(value, decimals) => format!("{:.*}", decimals, value),
                    _ => String::new(),
                })
                .collect();
            let cells: Vec<csv::Cell<'_>> = row
                .iter()
                .zip(&texts)
                .map(|(cell, text)| match cell {
                    Cell::Text(text) => csv::Cell::Text(text),
                    Cell::Count(n) => csv::Cell::Int(*n),
                    Cell::Empty => csv::Cell::Empty,
                    Cell::Percent(_) | Cell::Decimal(..) => csv::Cell::Number(text),
                })
                .collect();
            csv::push_row(&mut out, &cells);
        }
        out
    }
}

/// A label cut to about `width` columns (a CJK character counts two), with `…` when cut.
pub fn truncate_label(text: &str, width: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    let total: usize = text.chars().map(char_width).sum();
    if total <= width {
        return text.to_owned();
    }
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Two columns for the wide characters of CJK scripts and full-width forms, one otherwise.
fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
