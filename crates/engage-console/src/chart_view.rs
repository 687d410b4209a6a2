//! The analytics charts as Leptos views: a line chart over days, horizontal bars (grouped when
//! there is more than one series), NPS bars per week, and the panel every chart sits in — its
//! heading, the SVG (`role="img"`, named by its `<title>` and `<desc>`), the legend, the same
//! numbers as a table in a disclosure, and a button that downloads that table as CSV.
//!
//! The SVG draws in a fixed coordinate system (`viewBox`) and scales to the panel's width; below
//! a minimum width (phones) it scrolls sideways instead of shrinking its text. Colours, dashes
//! and text alignment are classes of `console.css`, so both themes apply and no `style`
//! attribute is needed under the console's CSP. Series differ by dash pattern as well as by
//! colour, and bars carry their numbers, so no chart relies on colour alone.

use engage_core::jiff::civil::Date;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::chart::{
    Cell, Scale, Table, format_count, format_percent, index_ticks, line_path, nice_ticks,
    truncate_label,
};
use crate::i18n::Lang;

const WIDTH: f64 = 640.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;

/// A number as an SVG coordinate.
fn n(value: f64) -> String {
    format!("{value:.1}")
}

/// The ids of a chart's heading, title and description, from the chart's `id`.
fn ids(id: &str) -> (String, String, String) {
    (
        format!("{id}-heading"),
        format!("{id}-title"),
        format!("{id}-desc"),
    )
}

/// The scrolling frame and the `<svg role="img">` of a chart, named by its `<title>` and
/// described by its `<desc>`, around the chart's shapes.
fn svg_frame(
    id: &str,
    title: &str,
    summary: &str,
    height: String,
    body: AnyView,
) -> impl IntoView + use<> {
    let (_, title_id, desc_id) = ids(id);
    let labelledby = format!("{title_id} {desc_id}");
    view! {
        <div class="chart__scroll" tabindex="0">
            <svg class="chart__svg" viewBox=format!("0 0 {WIDTH} {height}") role="img"
                aria-labelledby=labelledby focusable="false">
                <title id=title_id>{title.to_owned()}</title>
                <desc id=desc_id>{summary.to_owned()}</desc>
                {body}
            </svg>
        </div>
    }
}

/// One line of a [`line_chart`]: its name (legend) and a value per day (`None`: no value).
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Lines over `dates`, one per series (at most three styles: solid, dashed, dotted); `percent`
/// reads the values as fractions and labels the axis in percent.
pub fn line_chart(
    lang: Lang,
    id: &str,
    title: &str,
    dates: &[Date],
    series: &[Series],
    percent: bool,
) -> impl IntoView + use<> {
    const HEIGHT: f64 = 240.0;
    const BOTTOM: f64 = 30.0;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b));
    let ticks = nice_ticks(0.0, max, 4, !percent);
    let top = *ticks.last().unwrap_or(&1.0);
    let y = Scale::new((0.0, top), (HEIGHT - BOTTOM, TOP));
    let count = dates.len();
    let plot = WIDTH - LEFT - RIGHT;
    let x = move |i: usize| {
        if count <= 1 {
            LEFT + plot / 2.0
        } else {
            LEFT + plot * i as f64 / (count - 1) as f64
        }
    };
    let grid = ticks
        .iter()
        .map(|&tick| {
            let label = if percent {
                format_axis_percent(tick)
            } else {
                format_count(tick as i64)
            };
            view! {
                <line class="chart__grid" x1=n(LEFT) x2=n(WIDTH - RIGHT) y1=n(y.at(tick)) y2=n(y.at(tick))></line>
                <text class="chart__axis chart__axis--y" x=n(LEFT - 8.0) y=n(y.at(tick) + 4.0)>{label}</text>
            }
        })
        .collect_view();
    let labels = index_ticks(count, 6)
        .into_iter()
        .map(|i| {
            let anchor = if count > 1 && i == 0 {
                "chart__axis chart__axis--start"
            } else if count > 1 && i == count - 1 {
                "chart__axis chart__axis--end"
            } else {
                "chart__axis chart__axis--middle"
            };
            view! {
                <text class=anchor x=n(x(i)) y=n(HEIGHT - BOTTOM + 18.0)>{lang.short_date(dates[i])}</text>
            }
        })
        .collect_view();
    let lines = series
        .iter()
        .enumerate()
        .map(|(style, s)| {
            view! { <path class=format!("chart__line chart__line--{style}") d=line_path(&s.values, x, y)></path> }
        })
        .collect_view();
    let legend = series
        .iter()
        .enumerate()
        .map(|(style, s)| {
            legend_item(
                format!("chart__line chart__line--{style}"),
                s.name.clone(),
                true,
            )
        })
        .collect_view();
    let summary = lang.chart_same_numbers();
    let body = view! {
            {grid}
            <line class="chart__baseline" x1=n(LEFT) x2=n(WIDTH - RIGHT) y1=n(y.at(0.0)) y2=n(y.at(0.0))></line>
            {labels}
            {lines}
    };
    view! {
        {svg_frame(id, title, summary, n(HEIGHT), body.into_any())}
        <ul class="chart__legend">{legend}</ul>
    }
}

/// An axis percentage: whole percent, or one decimal below 10% steps.
fn format_axis_percent(fraction: f64) -> String {
    let percent = fraction * 100.0;
    if (percent - percent.round()).abs() < 1e-6 {
        format!("{}%", percent.round() as i64)
    } else {
        format_percent(fraction)
    }
}

/// One entry of a legend: a sample of the line or bar, and its name.
fn legend_item(class: String, name: String, line: bool) -> impl IntoView {
    let sample = if line {
        view! { <line class=class x1="1" y1="6" x2="27" y2="6"></line> }.into_any()
    } else {
        view! { <rect class=class x="4" y="1" width="20" height="10" rx="2"></rect> }.into_any()
    };
    view! {
        <li class="chart__key">
            <svg class="chart__sample" viewBox="0 0 28 12" aria-hidden="true" focusable="false">{sample}</svg>
            {name}
        </li>
    }
}

/// One row of a [`bar_chart`]: a label and one value per series.
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

/// Horizontal bars, one group per row, one bar per series in it, each with its number; a legend
/// when there is more than one series.
pub fn bar_chart(
    id: &str,
    title: &str,
    summary: &str,
    bars: &[Bar],
    series: &[String],
) -> impl IntoView + use<> {
    const LABEL: f64 = 190.0;
    const BAR: f64 = 16.0;
    const GAP: f64 = 3.0;
    const ROW_GAP: f64 = 12.0;
    const VALUE: f64 = 64.0;
    let per_row = series.len().max(1) as f64;
    let row = per_row * BAR + (per_row - 1.0) * GAP + ROW_GAP;
    let height = TOP + row * bars.len() as f64 + 4.0;
    let max = bars
        .iter()
        .flat_map(|b| b.values.iter())
        .fold(0_i64, |a, b| a.max(*b))
        .max(1);
    let x = Scale::new((0.0, max as f64), (LABEL, WIDTH - VALUE));
    let rows = bars
        .iter()
        .enumerate()
        .map(|(r, bar)| {
            let top = TOP + row * r as f64;
            let middle = top + (row - ROW_GAP) / 2.0;
            let parts = bar
                .values
                .iter()
                .enumerate()
                .map(|(s, &value)| {
                    let y = top + s as f64 * (BAR + GAP);
                    let end = x.at(value.max(0) as f64);
                    view! {
                        <rect class=format!("chart__bar chart__bar--{s}") x=n(LABEL) y=n(y)
                            width=n((end - LABEL).max(if value > 0 { 2.0 } else { 0.0 })) height=n(BAR) rx="2"></rect>
                        <text class="chart__value" x=n(end.max(LABEL) + 6.0) y=n(y + BAR - 4.0)>{format_count(value)}</text>
                    }
                })
                .collect_view();
            view! {
                <g>
                    <title>{bar.label.clone()}</title>
                    <text class="chart__label" x=n(LABEL - 10.0) y=n(middle + 4.0)>{truncate_label(&bar.label, 26)}</text>
                    {parts}
                </g>
            }
        })
        .collect_view();
    let legend = (series.len() > 1).then(|| {
        let items = series
            .iter()
            .enumerate()
            .map(|(s, name)| {
                legend_item(format!("chart__bar chart__bar--{s}"), name.clone(), false)
            })
            .collect_view();
        view! { <ul class="chart__legend">{items}</ul> }
    });
    let body = view! {
            {rows}
    };
    view! {
        {svg_frame(id, title, summary, n(height), body.into_any())}
        {legend}
    }
}

/// One week of the [`nps_chart`].
pub struct NpsBar {
    pub week: Date,
    pub score: Option<i32>,
    pub responses: u64,
}

/// NPS per week as bars from 0 on a −100…100 axis, the score on each bar and, when the weeks
/// fit, the number of answers under each.
pub fn nps_chart(lang: Lang, id: &str, title: &str, weeks: &[NpsBar]) -> impl IntoView + use<> {
    const HEIGHT: f64 = 260.0;
    const BOTTOM: f64 = 44.0;
    let y = Scale::new((-100.0, 100.0), (HEIGHT - BOTTOM, TOP));
    let plot = WIDTH - LEFT - RIGHT;
    let slot = plot / weeks.len().max(1) as f64;
    let bar = (slot * 0.6).min(36.0);
    let center = move |i: usize| LEFT + slot * (i as f64 + 0.5);
    let counts_fit = weeks.len() <= 14;
    let grid = [-100.0, -50.0, 0.0, 50.0, 100.0]
        .into_iter()
        .map(|tick: f64| {
            view! {
                <line class=if tick == 0.0 { "chart__baseline" } else { "chart__grid" }
                    x1=n(LEFT) x2=n(WIDTH - RIGHT) y1=n(y.at(tick)) y2=n(y.at(tick))></line>
                <text class="chart__axis chart__axis--y" x=n(LEFT - 8.0) y=n(y.at(tick) + 4.0)>{format!("{tick}")}</text>
            }
        })
        .collect_view();
    let labelled = index_ticks(weeks.len(), 7);
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(i, week)| {
            let cx = center(i);
            let shape = week.score.map(|score| {
                let (from, to) = (y.at(0.0), y.at(f64::from(score)));
                let (top, height) = (from.min(to), (from - to).abs().max(1.5));
                let class = if score < 0 { "chart__bar chart__bar--negative" } else { "chart__bar chart__bar--0" };
                let label_y = if score < 0 { top + height + 13.0 } else { top - 4.0 };
                view! {
                    <rect class=class x=n(cx - bar / 2.0) y=n(top) width=n(bar) height=n(height) rx="2"></rect>
                    <text class="chart__value chart__value--middle" x=n(cx) y=n(label_y)>{score.to_string()}</text>
                }
            });
            let date = labelled
                .contains(&i)
                .then(|| view! { <text class="chart__axis chart__axis--middle" x=n(cx) y=n(HEIGHT - BOTTOM + 16.0)>{lang.short_date(week.week)}</text> });
            let count = counts_fit.then(|| view! {
                <text class="chart__axis chart__axis--middle chart__axis--small" x=n(cx) y=n(HEIGHT - BOTTOM + 32.0)>{format!("n={}", week.responses)}</text>
            });
            view! { <g>{shape}{date}{count}</g> }
        })
        .collect_view();
    let summary = lang.chart_same_numbers();
    let body = view! {
            {grid}
            {bars}
    };
    view! {
        {svg_frame(id, title, summary, n(HEIGHT), body.into_any())}
    }
}

/// A table of numbers: a header row, the first column as row headers, numbers right-aligned.
pub fn table_view(table: &Table, caption: &str, id: &str) -> impl IntoView + use<> {
    let head = table
        .columns
        .iter()
        .map(|c| view! { <th scope="col">{c.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let class = cell.is_number().then_some("table__number");
                    if i == 0 {
                        view! { <th scope="row" class=class>{cell.display()}</th> }.into_any()
                    } else {
                        view! { <td class=class>{cell.display()}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table table--compact" data-chart=id.to_owned()>
                <caption class="sr-only">{caption.to_owned()}</caption>
                <thead><tr>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The panel around a chart: heading and CSV button, the sentence about it, the chart (or the
/// empty message when `chart` is `None`), and the table of its numbers behind a disclosure.
pub struct Panel {
    pub id: &'static str,
    pub title: String,
    pub about: Option<String>,
    pub table: Table,
    /// The CSV file's name (`club-analytics-active-2026-11-01-2026-11-30.csv`).
    pub file: String,
}

pub fn chart_panel(
    lang: Lang,
    panel: Panel,
    chart: Option<AnyView>,
    empty: &'static str,
    extra: Option<AnyView>,
) -> impl IntoView + use<> {
    let Panel {
        id,
        title,
        about,
        table,
        file,
    } = panel;
    let (heading_id, _, _) = ids(id);
    let labelledby = heading_id.clone();
    let has_chart = chart.is_some();
    let csv = table.to_csv();
    let table_view = table_view(&table, &title, id);
    let label = lang.download_csv_of(&title);
    let body = match chart {
        Some(chart) => view! {
            {chart}
            <details class="chart__data">
                <summary>{lang.show_table()}</summary>
                {table_view}
            </details>
        }
        .into_any(),
        None => view! { <p class="state state--empty">{empty}</p> }.into_any(),
    };
    view! {
        <section class="panel chart" id=id aria-labelledby=labelledby>
            <div class="panel__head">
                <h2 class="panel__title" id=heading_id>{title}</h2>
                <div class="toolbar">
                    {extra}
                    {has_chart.then(|| view! {
                        <button type="button" class="button button--small chart__csv" aria-label=label
                            data-file=file.clone() on:click=move |_| download_csv(&file, &csv)>
                            {lang.download_csv()}
                        </button>
                    })}
                </div>
            </div>
            {about.map(|about| view! { <p class="panel__intro">{about}</p> })}
            {body}
        </section>
    }
}

/// Saves `csv` as `file_name` (UTF-8 with a byte order mark, as the server's exports): a Blob
/// behind a temporary `<a download>`, clicked, then let go.
pub fn download_csv(file_name: &str, csv: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&format!("{}{csv}", engage_core::csv::BOM).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(link) = document.create_element("a") {
        let link: web_sys::HtmlAnchorElement = link.unchecked_into();
        link.set_href(&url);
        link.set_download(file_name);
        link.set_class_name("sr-only");
        if let Some(body) = document.body() {
            let _ = body.append_child(&link);
            link.click();
            link.remove();
        }
    }
    // The download has its own copy by the next turn of the event loop.
    let release = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 1000);
    }
}

/// The cells of one table row, for the pages that build tables.
pub fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}
