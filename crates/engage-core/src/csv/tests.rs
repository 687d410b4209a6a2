use super::*;

/// Encodes one row of `cells` and compares it with `expect` (without the CRLF).
fn check(cells: &[Cell<'_>], expect: &str) {
    let mut out = String::new();
    push_row(&mut out, cells);
    assert_eq!(out, format!("{expect}\r\n"), "for {cells:?}");
}

#[test]
fn plain_cells_are_written_as_they_are() {
    check(&[Cell::Text("alice"), Cell::Int(10)], "alice,10");
    check(&[Cell::Text("小明"), Cell::Text("签到 ✓")], "小明,签到 ✓");
    check(&[Cell::Text("")], "");
    check(&[Cell::Empty, Cell::Text("x"), Cell::Empty], ",x,");
    check(&[Cell::opt(None), Cell::opt_int(None)], ",");
    check(&[Cell::opt(Some("a")), Cell::opt_int(Some(3))], "a,3");
    check(&[Cell::Text("it's fine; ok")], "it's fine; ok");
    check(&[Cell::Text(" leading space")], " leading space");
    check(
        &[Cell::Number("12.5%"), Cell::Number("-3.25")],
        "12.5%,-3.25",
    );
}

#[test]
fn fields_with_quotes_commas_or_line_breaks_are_quoted() {
    check(&[Cell::Text("a,b")], "\"a,b\"");
    check(&[Cell::Text("say \"hi\"")], "\"say \"\"hi\"\"\"");
    check(&[Cell::Text("\"")], "\"\"\"\"");
    check(&[Cell::Text("line 1\nline 2")], "\"line 1\nline 2\"");
    check(&[Cell::Text("crlf\r\nend")], "\"crlf\r\nend\"");
    check(&[Cell::Text("你好，世界, 好")], "\"你好，世界, 好\"");
}

#[test]
fn text_that_a_spreadsheet_would_run_is_neutralised() {
    check(&[Cell::Text("=1+1")], "'=1+1");
    check(&[Cell::Text("+33 6 12")], "'+33 6 12");
    check(&[Cell::Text("-2+3")], "'-2+3");
    check(&[Cell::Text("@SUM(A1)")], "'@SUM(A1)");
    check(&[Cell::Text("\t=x")], "'\t=x");
    check(&[Cell::Text("\r=x")], "\"'\r=x\"");
    check(
        &[Cell::Text("=HYPERLINK(\"http://x\",\"y\")")],
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
    );
    // Only the first character counts.
    check(&[Cell::Text("a=b"), Cell::Text("1-2")], "a=b,1-2");
}

#[test]
fn numbers_stay_numbers() {
    check(
        &[Cell::Int(-30), Cell::Int(0), Cell::Int(i64::MIN)],
        "-30,0,-9223372036854775808",
    );
}

#[test]
fn headers_are_rows_of_text() {
    let mut out = String::new();
    push_header(&mut out, &["member", "name"]);
    assert_eq!(out, "member,name\r\n");
}
