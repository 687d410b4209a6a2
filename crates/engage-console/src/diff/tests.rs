//! The line diff on small texts, written as the unified diff they should read as: ` ` kept,
//! `-` removed, `+` added.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{Change, counts, line_diff};

/// Diffs `old` against `new` and compares with `expect`, one line per diff line.
fn check(old: &str, new: &str, expect: &str) {
    let diff = line_diff(old, new);
    let shown: Vec<String> = diff
        .iter()
        .map(|line| {
            let mark = match line.change {
                Change::Same => ' ',
                Change::Removed => '-',
                Change::Added => '+',
            };
            format!("{mark}{}", line.text)
        })
        .collect();
    let expect: Vec<&str> = expect.lines().collect();
    assert_eq!(shown, expect, "diff of {old:?} → {new:?}");
    // Whatever the diff, its kept and removed lines are the old text and its kept and added
    // lines the new text, each in order.
    let keep = |drop: Change| {
        diff.iter()
            .filter(|l| l.change != drop)
            .map(|l| l.text)
            .collect::<Vec<_>>()
    };
    assert_eq!(keep(Change::Added), old.lines().collect::<Vec<_>>());
    assert_eq!(keep(Change::Removed), new.lines().collect::<Vec<_>>());
}

#[test]
fn identical_texts_keep_every_line() {
    check("a\nb\nc", "a\nb\nc", " a\n b\n c");
}

#[test]
fn empty_texts() {
    check("", "", "");
    check("", "a\nb", "+a\n+b");
    check("a\nb", "", "-a\n-b");
}

#[test]
fn one_changed_line_is_removed_then_added() {
    check("a\nb\nc", "a\nB\nc", " a\n-b\n+B\n c");
}

#[test]
fn insertions_and_deletions_in_the_middle() {
    check("a\nb\nc\nd", "a\nc\nd\ne", " a\n-b\n c\n d\n+e");
    check("a\nd", "a\nb\nc\nd", " a\n+b\n+c\n d");
}

#[test]
fn the_longest_common_subsequence_is_kept() {
    // LCS of ABCBDAB and BDCABA has length 4: a shortest diff keeps four lines.
    let old = "A\nB\nC\nB\nD\nA\nB";
    let new = "B\nD\nC\nA\nB\nA";
    let diff = line_diff(old, new);
    let kept = diff.iter().filter(|l| l.change == Change::Same).count();
    assert_eq!(kept, 4);
    assert_eq!(counts(&diff), (2, 3));
}

#[test]
fn moved_block_reads_as_removed_and_added() {
    check(
        "[checkin]\npoints = 10\n[levels]\nx",
        "[levels]\nx\n[checkin]\npoints = 10",
        "-[checkin]\n-points = 10\n [levels]\n x\n+[checkin]\n+points = 10",
    );
}

#[test]
fn line_numbers_follow_each_side() {
    let diff = line_diff("a\nb\nc", "a\nx\nc\nd");
    let numbers: Vec<(Option<usize>, Option<usize>)> =
        diff.iter().map(|l| (l.old_line, l.new_line)).collect();
    assert_eq!(
        numbers,
        vec![
            (Some(1), Some(1)),
            (Some(2), None),
            (None, Some(2)),
            (Some(3), Some(3)),
            (None, Some(4)),
        ]
    );
}

#[test]
fn a_trailing_newline_does_not_count_as_a_line() {
    check("a\nb\n", "a\nb", " a\n b");
}

#[test]
fn a_large_middle_beyond_the_table_is_still_a_correct_diff() {
    let old: String = (0..2100).map(|i| format!("old {i}\n")).collect();
    let new: String = (0..2100).map(|i| format!("new {i}\n")).collect();
    let diff = line_diff(&old, &new);
    assert_eq!(counts(&diff), (2100, 2100));
}
