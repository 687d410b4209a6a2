//! Scales, ticks, number formats, changes, shades and the CSV of a table.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn a_scale_maps_its_domain_onto_its_range_reversed_or_not() {
    let y = Scale::new((0.0, 100.0), (200.0, 0.0));
    assert_eq!(y.at(0.0), 200.0);
    assert_eq!(y.at(100.0), 0.0);
    assert_eq!(y.at(25.0), 150.0);
    let x = Scale::new((0.0, 9.0), (40.0, 220.0));
    assert_eq!(x.at(9.0), 220.0);
    // An empty domain (one day, or every value equal) puts everything in the middle.
    assert_eq!(Scale::new((5.0, 5.0), (0.0, 10.0)).at(5.0), 5.0);
}

fn ticks(min: f64, max: f64, target: usize, whole: bool, expect: &[f64]) {
    assert_eq!(
        nice_ticks(min, max, target, whole),
        expect,
        "ticks of {min}..{max}"
    );
}

#[test]
fn ticks_are_round_and_cover_the_data() {
    ticks(0.0, 87.0, 4, true, &[0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
    ticks(0.0, 100.0, 4, true, &[0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
    ticks(0.0, 3.0, 4, true, &[0.0, 1.0, 2.0, 3.0]);
    ticks(0.0, 12_345.0, 3, true, &[0.0, 5000.0, 10000.0, 15000.0]);
    // Counts never get fractional steps, however small the numbers.
    ticks(0.0, 1.0, 4, true, &[0.0, 1.0]);
    // A range with no activity still has an axis: 0 to 1.
    ticks(0.0, 0.0, 4, true, &[0.0, 1.0]);
    // Rates (0–1) step by tenths or fifths, without float noise.
    ticks(0.0, 0.3, 3, false, &[0.0, 0.1, 0.2, 0.3]);
    ticks(0.0, 0.87, 4, false, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    // NPS runs from −100 to 100.
    ticks(-100.0, 100.0, 4, true, &[-100.0, -50.0, 0.0, 50.0, 100.0]);
    ticks(-30.0, 45.0, 3, true, &[-40.0, -20.0, 0.0, 20.0, 40.0, 60.0]);
}

#[test]
fn the_first_tick_is_at_or_below_the_least_value_and_the_last_at_or_above_the_most() {
    for (min, max) in [
        (0.0, 7.0),
        (0.0, 999.0),
        (3.0, 4.0),
        (-17.0, 3.0),
        (0.0, 0.05),
    ] {
        let t = nice_ticks(min, max, 4, false);
        assert!(
            t[0] <= min && *t.last().unwrap() >= max,
            "{min}..{max}: {t:?}"
        );
        assert!(t.len() >= 2 && t.len() <= 12, "{min}..{max}: {t:?}");
    }
}

#[test]
fn index_ticks_keep_the_ends_and_at_most_the_asked_number() {
    assert_eq!(index_ticks(0, 6), Vec::<usize>::new());
    assert_eq!(index_ticks(1, 6), vec![0]);
    assert_eq!(index_ticks(5, 6), vec![0, 1, 2, 3, 4]);
    assert_eq!(index_ticks(7, 7), vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(index_ticks(30, 6), vec![0, 6, 12, 18, 24, 29]);
    assert_eq!(index_ticks(90, 6), vec![0, 18, 36, 54, 72, 89]);
    // The label before the last is dropped when it would sit on top of it.
    assert_eq!(index_ticks(32, 6), vec![0, 7, 14, 21, 31]);
    for len in 1..400 {
        let t = index_ticks(len, 7);
        assert!(t.len() <= 7, "{len}: {t:?}");
        assert_eq!(t[0], 0);
        assert_eq!(*t.last().unwrap(), len - 1);
    }
}

#[test]
fn a_line_breaks_where_a_value_is_missing() {
    let y = Scale::new((0.0, 10.0), (100.0, 0.0));
    let x = |i: usize| 10.0 * i as f64;
    assert_eq!(
        line_path(&[Some(0.0), Some(5.0), Some(10.0)], x, y),
        "M0.0,100.0 L10.0,50.0 L20.0,0.0"
    );
    assert_eq!(
        line_path(&[Some(0.0), Some(5.0), None, Some(2.5), Some(10.0)], x, y),
        "M0.0,100.0 L10.0,50.0 M30.0,75.0 L40.0,0.0"
    );
    // A point alone is a dot, not nothing.
    assert_eq!(
        line_path(&[None, Some(5.0), None], x, y),
        "M10.0,50.0 L10.1,50.0"
    );
    assert_eq!(line_path(&[None, None], x, y), "");
}

#[test]
fn numbers_are_grouped_by_thousands() {
    assert_eq!(format_count(0), "0");
    assert_eq!(format_count(999), "999");
    assert_eq!(format_count(1000), "1,000");
    assert_eq!(format_count(1_234_567), "1,234,567");
    assert_eq!(format_count(-45_000), "-45,000");
    assert_eq!(format_decimal(1234.56, 1), "1,234.6");
    assert_eq!(format_decimal(12.0, 1), "12.0");
    assert_eq!(format_decimal(-0.04, 1), "0.0");
    assert_eq!(format_decimal(-2.5, 2), "-2.50");
}

#[test]
fn fractions_are_percentages_with_one_decimal() {
    assert_eq!(format_percent(0.0), "0.0%");
    assert_eq!(format_percent(0.125), "12.5%");
    assert_eq!(format_percent(1.0 / 3.0), "33.3%");
    assert_eq!(format_percent(1.0), "100.0%");
    assert_eq!(ratio(3.0, 0.0), 0.0);
    assert_eq!(ratio(1.0, 4.0), 0.25);
}

fn change(trend: Trend, delta: Delta) -> Change {
    Change { trend, delta }
}

#[test]
fn changes_against_the_previous_period() {
    assert_eq!(
        relative_change(120.0, 100.0),
        change(Trend::Up, Delta::Percent(20))
    );
    assert_eq!(
        relative_change(75.0, 100.0),
        change(Trend::Down, Delta::Percent(25))
    );
    assert_eq!(
        relative_change(100.0, 100.0),
        change(Trend::Flat, Delta::Percent(0))
    );
    // Less than half a percent reads as no change.
    assert_eq!(
        relative_change(1001.0, 1000.0),
        change(Trend::Flat, Delta::Percent(0))
    );
    assert_eq!(relative_change(5.0, 0.0), change(Trend::Up, Delta::NoBase));
    assert_eq!(
        relative_change(0.0, 0.0),
        change(Trend::Flat, Delta::Percent(0))
    );
    assert_eq!(
        relative_change(0.0, 8.0),
        change(Trend::Down, Delta::Percent(100))
    );
    assert_eq!(
        relative_change(2.5, 2.0),
        change(Trend::Up, Delta::Percent(25))
    );

    assert_eq!(
        change_in_points(0.25, 0.2),
        change(Trend::Up, Delta::Points(5.0))
    );
    assert_eq!(
        change_in_points(0.3, 0.333),
        change(Trend::Down, Delta::Points(3.3))
    );
    assert_eq!(
        change_in_points(0.5, 0.5),
        change(Trend::Flat, Delta::Points(0.0))
    );

    assert_eq!(
        score_change(Some(40), Some(-10)),
        Some(change(Trend::Up, Delta::Score(50)))
    );
    assert_eq!(
        score_change(Some(-5), Some(0)),
        Some(change(Trend::Down, Delta::Score(5)))
    );
    assert_eq!(score_change(None, Some(10)), None);
    assert_eq!(score_change(Some(10), None), None);
}

#[test]
fn retention_cells_are_shaded_by_fifths_of_their_cohort() {
    assert_eq!(shade_level(0, 10), 0);
    assert_eq!(shade_level(0, 0), 0);
    assert_eq!(shade_level(1, 100), 1);
    assert_eq!(shade_level(20, 100), 1);
    assert_eq!(shade_level(21, 100), 2);
    assert_eq!(shade_level(50, 100), 3);
    assert_eq!(shade_level(80, 100), 4);
    assert_eq!(shade_level(81, 100), 5);
    assert_eq!(shade_level(10, 10), 5);
    // Never beyond the darkest, even for a count above the size.
    assert_eq!(shade_level(12, 10), SHADES);
    for size in 1..60 {
        let mut last = 0;
        for count in 0..=size {
            let level = shade_level(count, size);
            assert!(level >= last, "shades grow with the count ({count}/{size})");
            last = level;
        }
        assert_eq!(last, SHADES);
    }
}

#[test]
fn a_table_downloads_as_csv_with_the_exports_rules() {
    let mut table = Table::new(&["Date", "DAU", "Stickiness", "Avg", "名称"]);
    table.row(vec![
        Cell::Text("2026-11-02".to_owned()),
        Cell::Count(1234),
        Cell::Percent(0.125),
        Cell::Decimal(3.25, 1),
        Cell::Text("王小明, \"小王\"".to_owned()),
    ]);
    table.row(vec![
        Cell::Text("2026-11-03".to_owned()),
        Cell::Count(-3),
        Cell::Percent(1.0),
        Cell::Empty,
        Cell::Text("=HYPERLINK(\"x\")".to_owned()),
    ]);
    assert_eq!(
        table.to_csv(),
        "Date,DAU,Stickiness,Avg,名称\r\n\
         2026-11-02,1234,12.5%,3.2,\"王小明, \"\"小王\"\"\"\r\n\
         2026-11-03,-3,100.0%,,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
    );
    assert_eq!(Table::new(&["A"]).to_csv(), "A\r\n");
}

#[test]
fn cells_show_as_the_page_shows_them() {
    assert_eq!(Cell::Count(12345).display(), "12,345");
    assert_eq!(Cell::Percent(0.5).display(), "50.0%");
    assert_eq!(Cell::Decimal(2.26, 1).display(), "2.3");
    assert_eq!(Cell::Empty.display(), "—");
    assert_eq!(Cell::Text("<b>x</b>".to_owned()).display(), "<b>x</b>");
    assert!(Cell::Count(1).is_number() && !Cell::Text(String::new()).is_number());
}

#[test]
fn long_labels_are_cut_counting_wide_characters_twice() {
    assert_eq!(truncate_label("Check-in", 20), "Check-in");
    assert_eq!(
        truncate_label("Which colour do you like best?", 12),
        "Which colou…"
    );
    assert_eq!(truncate_label("你最喜欢哪种颜色呢", 10), "你最喜欢…");
    assert_eq!(truncate_label("你好", 4), "你好");
}
