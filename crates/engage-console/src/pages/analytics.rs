//! The analytics page of a site: the date range (presets and a custom range, kept in the
//! query string), KPI cards against the previous period of the same length, and the charts of
//! `GET …/analytics` — active members, stickiness, check-in rate, participation per widget,
//! points by source, the retention triangle, NPS per week, badges, polls and lotteries — each
//! with a table of the same numbers and its CSV.
//!
//! Participation is drawn as one bar per widget, not as bars per day stacked by widget: the
//! route counts distinct members per widget over the whole range, and per-day counts by widget
//! are not in its answer (a member's day-by-day widget use would be another query).

use engage_core::api::analytics::{AnalyticsDay, AnalyticsView, Cohort, PeriodTotals};
use engage_core::jiff::civil::Date;
use engage_core::ymd;
use leptos::prelude::*;

use crate::api;
use crate::chart::{
    Cell, Change, Table, Trend, change_in_points, format_count, format_decimal, format_percent,
    ratio, relative_change, score_change, shade_level,
};
use crate::chart_view::{
    Bar, NpsBar, Panel, Series, bar_chart, chart_panel, download_csv, line_chart, nps_chart, text,
};
use crate::date_range::{self, DateRange, Preset, RangeError, add_days};
use crate::i18n::Lang;
use crate::route::{Route, SitePage, query_param};
use crate::ui::{Remote, loaded, page_header, use_lang};

#[component]
pub fn AnalyticsPage(site: String) -> impl IntoView {
    let lang = use_lang();
    let site = StoredValue::new(site);
    // The site's time zone decides which day is today.
    let settings = Remote::new(
        move || site.get_value(),
        |site: String| async move { api::site(&site).await },
    );
    view! {
        {move || page_header(lang.get().analytics_title(), None)}
        {loaded(settings, move |settings| {
            view! { <Dashboard site=site.get_value() tz=settings.tz /> }
        })}
    }
}

/// The range as the page's query string names it, or what is wrong with it.
fn range_from_location(today: Date) -> Result<DateRange, RangeError> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let query = search.trim_start_matches('?');
    let range = query_param(query, "range");
    let from = query_param(query, "from");
    let to = query_param(query, "to");
    DateRange::from_query(range.as_deref(), from.as_deref(), to.as_deref(), today)
}

/// Puts `range` in the address bar in place (no new history entry), so that a reload or a
/// copied link shows the same days.
fn remember_range(site: &str, range: &DateRange) {
    let path = Route::Site {
        site: site.to_owned(),
        page: SitePage::Analytics,
    }
    .href();
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("{path}?{}", range.to_query());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

fn range_error_text(lang: Lang, error: RangeError) -> String {
    match error {
        RangeError::BadFrom => lang.range_bad_from().to_owned(),
        RangeError::BadTo => lang.range_bad_to().to_owned(),
        RangeError::Reversed => lang.range_reversed().to_owned(),
        RangeError::TooLong(days) => lang.range_too_long(days),
    }
}

fn preset_label(lang: Lang, preset: Preset) -> &'static str {
    match preset {
        Preset::Last7 => lang.range_7d(),
        Preset::Last30 => lang.range_30d(),
        Preset::Last90 => lang.range_90d(),
        Preset::ThisMonth => lang.range_this_month(),
        Preset::LastMonth => lang.range_last_month(),
    }
}

#[component]
fn Dashboard(site: String, tz: String) -> impl IntoView {
    let lang = use_lang();
    let today = date_range::today_in(&tz);
    let asked = range_from_location(today);
    let range = RwSignal::new(asked.unwrap_or(DateRange::preset(Preset::DEFAULT, today)));
    let error = RwSignal::new(asked.err());
    let from_text = RwSignal::new(ymd::format(range.get_untracked().from));
    let to_text = RwSignal::new(ymd::format(range.get_untracked().to));
    let site = StoredValue::new(site);

    let choose = move |chosen: DateRange| {
        error.set(None);
        from_text.set(ymd::format(chosen.from));
        to_text.set(ymd::format(chosen.to));
        remember_range(&site.get_value(), &chosen);
        range.set(chosen);
    };
    let apply_custom = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        match DateRange::custom(&from_text.get_untracked(), &to_text.get_untracked()) {
            Ok(chosen) => choose(chosen),
            Err(problem) => error.set(Some(problem)),
        }
    };

    let data = Remote::new(
        move || (site.get_value(), range.get()),
        |(site, range): (String, DateRange)| async move {
            api::analytics(&site, range.from, range.to).await
        },
    );

    let presets = move || {
        let lang = lang.get();
        Preset::ALL
            .into_iter()
            .map(|preset| {
                let pressed = move || range.get().preset == Some(preset);
                view! {
                    <button type="button" class="button button--small range__preset"
                        aria-pressed=move || if pressed() { "true" } else { "false" }
                        data-range=preset.key()
                        on:click=move |_| choose(DateRange::preset(preset, today))>
                        {preset_label(lang, preset)}
                    </button>
                }
            })
            .collect_view()
    };

    view! {
        <p class="page-header__intro analytics__intro">{move || lang.get().analytics_intro(&tz)}</p>
        <section class="panel range" aria-labelledby="range-heading">
            <h2 class="panel__title" id="range-heading">{move || lang.get().date_range()}</h2>
            <div class="toolbar range__presets" role="group" aria-labelledby="range-heading">{presets}</div>
            <form class="form form--inline range__custom" on:submit=apply_custom novalidate>
                <fieldset class="row-fields range__fields">
                    <legend class="field__label">{move || lang.get().custom_range()}</legend>
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().from_date()}</span>
                        <input class="input" type="date" name="from" required
                            aria-invalid=move || error.get().is_some_and(|e| e != RangeError::BadTo).then_some("true")
                            aria-describedby="range-error"
                            prop:value=move || from_text.get()
                            on:input=move |e| from_text.set(event_target_value(&e)) />
                    </label>
                    <label class="field field--narrow">
                        <span class="field__label">{move || lang.get().to_date()}</span>
                        <input class="input" type="date" name="to" required
                            aria-invalid=move || error.get().is_some_and(|e| e != RangeError::BadFrom).then_some("true")
                            aria-describedby="range-error"
                            prop:value=move || to_text.get()
                            on:input=move |e| to_text.set(event_target_value(&e)) />
                    </label>
                    <button type="submit" class="button">{move || lang.get().show_range()}</button>
                </fieldset>
            </form>
            <p class="outcome outcome--failed" id="range-error" role="alert">
                {move || error.get().map(|e| range_error_text(lang.get(), e))}
            </p>
            <p class="range__summary" aria-live="polite">
                {move || {
                    let r = range.get();
                    lang.get().range_summary(&ymd::format(r.from), &ymd::format(r.to), r.days())
                }}
            </p>
        </section>
        {loaded(data, move |view| {
            let range = range.get_untracked();
            dashboard(lang.get(), &site.get_value(), range, view)
        })}
    }
}

/// A KPI card's number, how it is compared, and what it was in the previous period.
struct Kpi {
    key: &'static str,
    label: &'static str,
    value: String,
    change: Option<Change>,
    previous: String,
    /// A line under the number (the NPS answers).
    note: Option<String>,
}

fn kpis(lang: Lang, now: &PeriodTotals, before: Option<&PeriodTotals>) -> Vec<Kpi> {
    let count = |n: u64| format_count(n as i64);
    let relative =
        |current: f64, previous: Option<f64>| previous.map(|p| relative_change(current, p));
    let points =
        |current: f64, previous: Option<f64>| previous.map(|p| change_in_points(current, p));
    let nps =
        |score: Option<i32>| score.map_or_else(|| lang.no_score().to_owned(), |s| s.to_string());
    let prev = |f: fn(&PeriodTotals) -> String| before.map(f).unwrap_or_default();
    vec![
        Kpi {
            key: "avg_dau",
            label: lang.kpi_avg_dau(),
            value: format_decimal(now.avg_dau, 1),
            change: relative(now.avg_dau, before.map(|b| b.avg_dau)),
            previous: prev(|b| format_decimal(b.avg_dau, 1)),
            note: None,
        },
        Kpi {
            key: "active",
            label: lang.kpi_active(),
            value: count(now.active),
            change: relative(now.active as f64, before.map(|b| b.active as f64)),
            previous: prev(|b| format_count(b.active as i64)),
            note: None,
        },
        Kpi {
            key: "stickiness",
            label: lang.kpi_stickiness(),
            value: format_percent(now.stickiness),
            change: points(now.stickiness, before.map(|b| b.stickiness)),
            previous: prev(|b| format_percent(b.stickiness)),
            note: None,
        },
        Kpi {
            key: "checkin_rate",
            label: lang.kpi_checkin_rate(),
            value: format_percent(now.checkin_rate),
            change: points(now.checkin_rate, before.map(|b| b.checkin_rate)),
            previous: prev(|b| format_percent(b.checkin_rate)),
            note: None,
        },
        Kpi {
            key: "new_members",
            label: lang.kpi_new_members(),
            value: count(now.new_members),
            change: relative(now.new_members as f64, before.map(|b| b.new_members as f64)),
            previous: prev(|b| format_count(b.new_members as i64)),
            note: None,
        },
        Kpi {
            key: "points_issued",
            label: lang.kpi_points_issued(),
            value: format_count(now.points_issued),
            change: relative(
                now.points_issued as f64,
                before.map(|b| b.points_issued as f64),
            ),
            previous: prev(|b| format_count(b.points_issued)),
            note: None,
        },
        Kpi {
            key: "points_spent",
            label: lang.kpi_points_spent(),
            value: format_count(now.points_spent),
            change: relative(
                now.points_spent as f64,
                before.map(|b| b.points_spent as f64),
            ),
            previous: prev(|b| format_count(b.points_spent)),
            note: None,
        },
        Kpi {
            key: "nps",
            label: lang.kpi_nps(),
            value: nps(now.nps),
            change: score_change(now.nps, before.and_then(|b| b.nps)),
            previous: before.map(|b| nps(b.nps)).unwrap_or_default(),
            note: Some(lang.nps_answers(now.nps_responses)),
        },
    ]
}

fn kpi_card(lang: Lang, kpi: Kpi) -> impl IntoView {
    let change = kpi.change.map(|change| {
        let (arrow, class) = match change.trend {
            Trend::Up => ("▲", "kpi__change kpi__change--up"),
            Trend::Down => ("▼", "kpi__change kpi__change--down"),
            Trend::Flat => ("●", "kpi__change kpi__change--flat"),
        };
        view! {
            <p class=class>
                <span aria-hidden="true">{arrow} " " {lang.change_shown(change)}</span>
                <span class="sr-only">{lang.change_spoken(change, &kpi.previous)}</span>
            </p>
        }
    });
    view! {
        <li class="kpi" data-kpi=kpi.key>
            <p class="kpi__label">{kpi.label}</p>
            <p class="kpi__value">{kpi.value}</p>
            {kpi.note.map(|note| view! { <p class="kpi__note">{note}</p> })}
            {change}
        </li>
    }
}

/// Everything below the range form, for one answer of the route.
fn dashboard(lang: Lang, site: &str, range: DateRange, view: AnalyticsView) -> AnyView {
    let file = |chart: &str| {
        format!(
            "{site}-analytics-{chart}-{}-{}.csv",
            ymd::format(view.from),
            ymd::format(view.to)
        )
    };
    let cards = match &view.totals {
        Some(totals) => {
            let compared = view
                .previous
                .as_ref()
                .map(|p| lang.compared_with(&ymd::format(p.from), &ymd::format(p.to)));
            let cards = kpis(lang, totals, view.previous.as_ref())
                .into_iter()
                .map(|kpi| kpi_card(lang, kpi))
                .collect_view();
            view! {
                <section class="panel" aria-labelledby="kpi-heading">
                    <h2 class="panel__title" id="kpi-heading">{lang.key_figures()}</h2>
                    {compared.map(|c| view! { <p class="panel__intro">{c}</p> })}
                    <ul class="kpis">{cards}</ul>
                </section>
            }
            .into_any()
        }
        None => view! { <p class="state state--empty">{lang.no_totals()}</p> }.into_any(),
    };
    let active = view.totals.as_ref().map_or_else(
        || view.days.iter().map(|d| d.dau).sum::<u64>(),
        |t| t.active,
    );
    let idle = active == 0
        && view.points_by_source.is_empty()
        && view.nps.iter().all(|w| w.responses == 0);
    if idle {
        return view! {
            {cards}
            <section class="panel" aria-labelledby="no-activity">
                <h2 class="sr-only" id="no-activity">{lang.analytics_title()}</h2>
                <p class="state state--empty analytics__empty">{lang.no_activity()}</p>
            </section>
        }
        .into_any();
    }

    let dates: Vec<Date> = view.days.iter().map(|d| d.date).collect();
    let export = api::analytics_export_href(site, range.from, range.to);
    let export_name = format!(
        "{site}-analytics-{}-{}.csv",
        ymd::format(range.from),
        ymd::format(range.to)
    );

    // Active members: DAU, WAU, MAU; its table is every column of the days.
    let mut days_table = Table::new(&[
        lang.col_date(),
        lang.col_dau(),
        lang.col_wau(),
        lang.col_mau(),
        lang.col_engaged(),
        lang.col_new_members(),
        lang.col_checkins(),
        lang.col_points_issued(),
        lang.col_points_spent(),
    ]);
    for d in &view.days {
        days_table.row(vec![
            text(ymd::format(d.date)),
            Cell::Count(d.dau as i64),
            Cell::Count(d.wau as i64),
            Cell::Count(d.mau as i64),
            Cell::Count(d.engaged as i64),
            Cell::Count(d.new_members as i64),
            Cell::Count(d.checkins as i64),
            Cell::Count(d.points_issued),
            Cell::Count(d.points_spent),
        ]);
    }
    let series = |f: fn(&AnalyticsDay) -> Option<f64>| view.days.iter().map(f).collect::<Vec<_>>();
    let active_chart = line_chart(
        lang,
        "chart-active",
        lang.chart_active(),
        &dates,
        &[
            Series {
                name: lang.series_dau().to_owned(),
                values: series(|d| Some(d.dau as f64)),
            },
            Series {
                name: lang.series_wau().to_owned(),
                values: series(|d| Some(d.wau as f64)),
            },
            Series {
                name: lang.series_mau().to_owned(),
                values: series(|d| Some(d.mau as f64)),
            },
        ],
        false,
    );
    let server_csv = view! {
        <a class="button button--small export-link" href=export download=export_name data-table="analytics">
            {lang.server_csv()}
        </a>
    }
    .into_any();
    let active_panel = chart_panel(
        lang,
        Panel {
            id: "chart-active",
            title: lang.chart_active().to_owned(),
            about: Some(lang.chart_active_about().to_owned()),
            table: days_table,
            file: file("days"),
        },
        Some(active_chart.into_any()),
        lang.no_activity(),
        Some(server_csv),
    );

    // Stickiness and the check-in rate, per day.
    let stickiness_panel = rate_panel(
        lang,
        &view.days,
        &dates,
        RateChart {
            id: "chart-stickiness",
            title: lang.chart_stickiness(),
            about: lang.chart_stickiness_about(),
            columns: [lang.col_dau(), lang.col_mau(), lang.col_stickiness()],
            part: |d| d.dau,
            whole: |d| d.mau,
            file: file("stickiness"),
        },
    );
    let rate_panel = rate_panel(
        lang,
        &view.days,
        &dates,
        RateChart {
            id: "chart-checkin-rate",
            title: lang.chart_checkin_rate(),
            about: lang.chart_checkin_rate_about(),
            columns: [lang.col_checkins(), lang.col_dau(), lang.col_checkin_rate()],
            part: |d| d.checkins,
            whole: |d| d.dau,
            file: file("checkin-rate"),
        },
    );

    // Participation per widget over the range.
    let p = &view.participation;
    let kinds = [
        ("checkin", p.checkin),
        ("poll", p.poll),
        ("lottery", p.lottery),
        ("feedback", p.feedback),
        ("host_event", p.host_event),
        ("rewards", p.rewards),
    ];
    let mut participation_table =
        Table::new(&[lang.col_widget(), lang.col_members(), lang.col_share()]);
    for (kind, members) in kinds {
        participation_table.row(vec![
            text(lang.participation_kind(kind)),
            Cell::Count(members as i64),
            Cell::Percent(ratio(members as f64, active as f64)),
        ]);
    }
    let participation_bars: Vec<Bar> = kinds
        .iter()
        .map(|(kind, members)| Bar {
            label: lang.participation_kind(kind).to_owned(),
            values: vec![*members as i64],
        })
        .collect();
    let participation_chart = kinds.iter().any(|(_, m)| *m > 0).then(|| {
        bar_chart(
            "chart-participation",
            lang.chart_participation(),
            lang.chart_same_numbers(),
            &participation_bars,
            &[lang.col_members().to_owned()],
        )
        .into_any()
    });
    let participation_panel = chart_panel(
        lang,
        Panel {
            id: "chart-participation",
            title: lang.chart_participation().to_owned(),
            about: Some(lang.chart_participation_about().to_owned()),
            table: participation_table,
            file: file("participation"),
        },
        participation_chart,
        lang.no_participation(),
        None,
    );

    // Points by source, issued and spent side by side.
    let mut points_table = Table::new(&[lang.source(), lang.col_issued(), lang.col_spent()]);
    let mut points_bars = Vec::new();
    for row in &view.points_by_source {
        let name = source_name(lang, &row.source);
        points_table.row(vec![
            text(name.clone()),
            Cell::Count(row.issued),
            Cell::Count(row.spent),
        ]);
        points_bars.push(Bar {
            label: name,
            values: vec![row.issued, row.spent],
        });
    }
    let points_chart = (!points_bars.is_empty()).then(|| {
        bar_chart(
            "chart-points",
            lang.chart_points(),
            lang.chart_same_numbers(),
            &points_bars,
            &[lang.col_issued().to_owned(), lang.col_spent().to_owned()],
        )
        .into_any()
    });
    let points_panel = chart_panel(
        lang,
        Panel {
            id: "chart-points",
            title: lang.chart_points().to_owned(),
            about: Some(lang.chart_points_about().to_owned()),
            table: points_table,
            file: file("points"),
        },
        points_chart,
        lang.no_points_moved(),
        None,
    );

    let retention_panel = retention_panel(lang, &view, file("retention"));

    // NPS per week.
    let mut nps_table = Table::new(&[lang.col_week(), lang.col_responses(), lang.kpi_nps()]);
    for week in &view.nps {
        nps_table.row(vec![
            text(ymd::format(week.week)),
            Cell::Count(week.responses as i64),
            week.score
                .map_or(Cell::Empty, |s| Cell::Count(i64::from(s))),
        ]);
    }
    let nps_weeks: Vec<NpsBar> = view
        .nps
        .iter()
        .map(|w| NpsBar {
            week: w.week,
            score: w.score,
            responses: w.responses,
        })
        .collect();
    let nps_chart_view = view
        .nps
        .iter()
        .any(|w| w.responses > 0)
        .then(|| nps_chart(lang, "chart-nps", lang.chart_nps(), &nps_weeks).into_any());
    let nps_panel = chart_panel(
        lang,
        Panel {
            id: "chart-nps",
            title: lang.chart_nps().to_owned(),
            about: Some(lang.chart_nps_about().to_owned()),
            table: nps_table,
            file: file("nps"),
        },
        nps_chart_view,
        lang.no_nps(),
        None,
    );

    let badges_panel = ranking_panel(
        lang,
        "chart-badges",
        lang.chart_badges(),
        lang.col_badge(),
        lang.col_earned(),
        view.top_badges
            .iter()
            .map(|b| (b.name.clone(), b.earned))
            .collect(),
        file("badges"),
        lang.no_badges_earned(),
    );
    let polls_panel = ranking_panel(
        lang,
        "chart-polls",
        lang.chart_polls(),
        lang.col_poll(),
        lang.col_members(),
        view.polls
            .iter()
            .map(|p| (p.label.clone(), p.members))
            .collect(),
        file("polls"),
        lang.no_poll_votes(),
    );
    let lotteries_panel = ranking_panel(
        lang,
        "chart-lotteries",
        lang.chart_lotteries(),
        lang.col_lottery(),
        lang.col_members(),
        view.lotteries
            .iter()
            .map(|l| (l.label.clone(), l.members))
            .collect(),
        file("lotteries"),
        lang.no_lottery_spins(),
    );

    view! {
        {cards}
        {active_panel}
        {stickiness_panel}
        {rate_panel}
        {participation_panel}
        {points_panel}
        {retention_panel}
        {nps_panel}
        {badges_panel}
        {polls_panel}
        {lotteries_panel}
    }
    .into_any()
}

/// A rate of each day (`part / whole`; none on a day where `whole` is 0), drawn as a line.
struct RateChart {
    id: &'static str,
    title: &'static str,
    about: &'static str,
    /// The table's columns after the date: the part, the whole, the rate.
    columns: [&'static str; 3],
    part: fn(&AnalyticsDay) -> u64,
    whole: fn(&AnalyticsDay) -> u64,
    file: String,
}

fn rate_panel(
    lang: Lang,
    days: &[AnalyticsDay],
    dates: &[Date],
    chart: RateChart,
) -> impl IntoView + use<> {
    let values: Vec<Option<f64>> = days
        .iter()
        .map(|d| {
            let whole = (chart.whole)(d);
            (whole > 0).then(|| ratio((chart.part)(d) as f64, whole as f64))
        })
        .collect();
    let [part, whole, rate] = chart.columns;
    let mut table = Table::new(&[lang.col_date(), part, whole, rate]);
    for (d, value) in days.iter().zip(&values) {
        table.row(vec![
            text(ymd::format(d.date)),
            Cell::Count((chart.part)(d) as i64),
            Cell::Count((chart.whole)(d) as i64),
            value.map_or(Cell::Empty, Cell::Percent),
        ]);
    }
    let line = line_chart(
        lang,
        chart.id,
        chart.title,
        dates,
        &[Series {
            name: rate.to_owned(),
            values,
        }],
        true,
    );
    chart_panel(
        lang,
        Panel {
            id: chart.id,
            title: chart.title.to_owned(),
            about: Some(chart.about.to_owned()),
            table,
            file: chart.file,
        },
        Some(line.into_any()),
        lang.no_activity(),
        None,
    )
}

/// A ledger source's name in `lang`; the source's own name for one this console does not know.
fn source_name(lang: Lang, source: &str) -> String {
    let known: Option<engage_core::ledger::Source> =
        serde_json::from_value(serde_json::Value::String(source.to_owned())).ok();
    known.map_or_else(|| source.to_owned(), |s| lang.ledger_source(s).to_owned())
}

/// Bars of named counts, most first (badges, polls, lotteries), with their table.
#[allow(clippy::too_many_arguments)]
fn ranking_panel(
    lang: Lang,
    id: &'static str,
    title: &'static str,
    name_column: &'static str,
    count_column: &'static str,
    rows: Vec<(String, u64)>,
    file: String,
    empty: &'static str,
) -> impl IntoView {
    let mut table = Table::new(&[name_column, count_column]);
    for (name, count) in &rows {
        table.row(vec![text(name.clone()), Cell::Count(*count as i64)]);
    }
    let bars: Vec<Bar> = rows
        .into_iter()
        .map(|(label, count)| Bar {
            label,
            values: vec![count as i64],
        })
        .collect();
    let chart = (!bars.is_empty()).then(|| {
        bar_chart(
            id,
            title,
            lang.chart_same_numbers(),
            &bars,
            &[count_column.to_owned()],
        )
        .into_any()
    });
    chart_panel(
        lang,
        Panel {
            id,
            title: title.to_owned(),
            about: None,
            table,
            file,
        },
        chart,
        empty,
        None,
    )
}

/// Whether week `k` of `cohort` is still under way on the range's last day.
fn week_in_progress(cohort: &Cohort, k: usize, to: Date) -> bool {
    add_days(cohort.week, 7 * k as i64 + 6) > to
}

/// The retention triangle: a row per cohort (its Monday with the weekday), its size, and per
/// week after it the share and number of its members who came back, shaded by that share;
/// weeks still under way are marked.
fn retention_panel(lang: Lang, view: &AnalyticsView, file: String) -> impl IntoView + use<> {
    let cohorts = &view.retention.cohorts;
    let weeks = cohorts.iter().map(|c| c.retained.len()).max().unwrap_or(0);
    let mut columns = vec![lang.col_cohort().to_owned(), lang.col_members().to_owned()];
    for k in 0..weeks {
        columns.push(lang.week_n(k));
        columns.push(format!("{} (%)", lang.week_n(k)));
    }
    let mut table = Table {
        columns,
        rows: Vec::new(),
    };
    for cohort in cohorts {
        let mut row = vec![
            text(ymd::format(cohort.week)),
            Cell::Count(cohort.size as i64),
        ];
        for k in 0..weeks {
            match cohort.retained.get(k) {
                Some(&n) => {
                    row.push(Cell::Count(n as i64));
                    row.push(if cohort.size == 0 {
                        Cell::Empty
                    } else {
                        Cell::Percent(ratio(n as f64, cohort.size as f64))
                    });
                }
                None => {
                    row.push(Cell::Empty);
                    row.push(Cell::Empty);
                }
            }
        }
        table.row(row);
    }
    let csv = table.to_csv();
    let title = lang.chart_retention();
    let any_partial = cohorts
        .iter()
        .any(|c| !c.retained.is_empty() && week_in_progress(c, c.retained.len() - 1, view.to));
    let head = (0..weeks)
        .map(|k| view! { <th scope="col" class="table__number">{lang.week_n(k)}</th> })
        .collect_view();
    let rows = cohorts
        .iter()
        .map(|cohort| {
            let cells = (0..weeks)
                .map(|k| match cohort.retained.get(k) {
                    Some(&n) => {
                        let level = shade_level(n, cohort.size);
                        let partial = week_in_progress(cohort, k, view.to);
                        let class = format!(
                            "retention__cell retention__cell--{level}{}",
                            if partial { " retention__cell--partial" } else { "" }
                        );
                        view! {
                            <td class=class data-week=k data-count=n>
                                <span class="retention__share">
                                    {if cohort.size == 0 {
                                        "—".to_owned()
                                    } else {
                                        format_percent(ratio(n as f64, cohort.size as f64))
                                    }}
                                    {partial.then(|| view! {
                                        <span aria-hidden="true">"*"</span>
                                        <span class="sr-only">{format!(" ({})", lang.in_progress())}</span>
                                    })}
                                </span>
                                <span class="retention__count">{format_count(n as i64)}</span>
                            </td>
                        }
                        .into_any()
                    }
                    None => view! { <td class="retention__cell retention__cell--none"></td> }.into_any(),
                })
                .collect_view();
            view! {
                <tr data-cohort=ymd::format(cohort.week)>
                    <th scope="row">{lang.weekday_date(cohort.week)}</th>
                    <td class="table__number">{format_count(cohort.size as i64)}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let body = if cohorts.is_empty() {
        view! { <p class="state state--empty">{lang.no_cohorts()}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table table--compact retention" data-chart="chart-retention">
                    <caption class="sr-only">{title}</caption>
                    <thead><tr>
                        <th scope="col">{lang.col_cohort()}</th>
                        <th scope="col" class="table__number">{lang.col_members()}</th>
                        {head}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="field__hint">{lang.retention_shade_note()}</p>
            {any_partial.then(|| view! { <p class="field__hint">{lang.in_progress_note()}</p> })}
        }
        .into_any()
    };
    let label = lang.download_csv_of(title);
    view! {
        <section class="panel chart" id="chart-retention" aria-labelledby="chart-retention-heading">
            <div class="panel__head">
                <h2 class="panel__title" id="chart-retention-heading">{title}</h2>
                {(!cohorts.is_empty()).then(|| view! {
                    <button type="button" class="button button--small chart__csv" aria-label=label
                        data-file=file.clone() on:click=move |_| download_csv(&file, &csv)>
                        {lang.download_csv()}
                    </button>
                })}
            </div>
            <p class="panel__intro">{lang.chart_retention_about()}</p>
            {body}
        </section>
    }
}
