//! CSV as the server's exports and the console's chart tables write it: RFC 4180 rows ending in
//! CRLF, a field quoted only when it holds `"`, `,`, CR or LF (inner quotes doubled), and text
//! cells that a spreadsheet would run as a formula — those starting with `=`, `+`, `-`, `@`, a
//! tab or a CR — prefixed with `'`.
//!
//! Pure functions over a `String` rather than the `csv` crate: the exports write one page of
//! rows at a time into a buffer that becomes one chunk of the streamed body, the quoting rule
//! is the contract's to the letter, and neutralisation has to look at each cell before quoting
//! anyway; the encoder is a few lines that a table of cases pins down.
//!
//! Only text is neutralised. Numbers the writer formats itself (a ledger amount of `-30`) stay
//! numbers, so a spreadsheet can sum them: an integer cannot carry a formula.

/// The UTF-8 byte order mark every export starts with, so that Excel reads the file as UTF-8
/// (Chinese names and feedback come out right).
pub const BOM: &str = "\u{feff}";

/// One cell of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text, possibly from members or the owner: neutralised and quoted as needed.
    Text(&'a str),
    /// A number the writer formats: written as is.
    Int(i64),
    /// A number the writer formatted itself (`12.5`, `12.5%`): written as is, like `Int`.
    Number(&'a str),
    /// No value (SQL NULL): an empty field.
    Empty,
}

impl<'a> Cell<'a> {
    /// Text, or an empty field for none.
    pub fn opt(text: Option<&'a str>) -> Cell<'a> {
        text.map_or(Cell::Empty, Cell::Text)
    }

    /// A number, or an empty field for none.
    pub fn opt_int(number: Option<i64>) -> Cell<'a> {
        number.map_or(Cell::Empty, Cell::Int)
    }
}

/// Appends one row (fields separated by `,`, ended by CRLF) to `out`.
pub fn push_row(out: &mut String, cells: &[Cell<'_>]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match *cell {
            Cell::Text(text) => push_text(out, text),
            Cell::Int(number) => out.push_str(&number.to_string()),
            Cell::Number(text) => out.push_str(text),
            Cell::Empty => {}
        }
    }
    out.push_str("\r\n");
}

/// Appends the header row of `names`.
pub fn push_header(out: &mut String, names: &[&str]) {
    let cells: Vec<Cell<'_>> = names.iter().map(|name| Cell::Text(name)).collect();
    push_row(out, &cells);
}

/// Whether a spreadsheet would take text starting like this for a formula (or, for tab and
/// CR, could be led into one).
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn push_text(out: &mut String, text: &str) {
    let quote = text.contains(['"', ',', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if looks_like_formula(text) {
        out.push('\'');
    }
    if quote {
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests;
