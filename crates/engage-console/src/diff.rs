//! A line diff of two texts, for comparing rules versions: the longest common subsequence of
//! their lines, then every line of either text as kept, removed or added, in reading order.
//!
//! Rules documents are a few hundred lines at most, so the quadratic table is small; lines
//! common to both ends are trimmed first, which leaves only the changed middle for it. A diff
//! crate would do the same with more code in the bundle.

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// In both texts.
    Same,
    /// Only in the old text.
    Removed,
    /// Only in the new text.
    Added,
}

/// One line of the diff, with its 1-based line numbers in the old and new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine<'a> {
    pub change: Change,
    pub text: &'a str,
    pub old_line: Option<usize>,
    pub new_line: Option<usize>,
}

/// The most cells of the table; beyond it the changed middle is shown as all removed, then all
/// added (still a correct diff, only not the shortest).
const MAX_TABLE_CELLS: usize = 4_000_000;

/// The lines of `old` and `new` as kept, removed and added. Within a changed stretch removed
/// lines come before added ones.
pub fn line_diff<'a>(old: &'a str, new: &'a str) -> Vec<DiffLine<'a>> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old_lines[prefix..old_lines.len() - suffix];
    let new_mid = &new_lines[prefix..new_lines.len() - suffix];

    let mut out = Vec::with_capacity(old_lines.len().max(new_lines.len()));
    let (mut o, mut n) = (0, 0);
    let mut push = |change: Change, text: &'a str, o: &mut usize, n: &mut usize| {
        let (old_line, new_line) = match change {
            Change::Same => (Some(*o + 1), Some(*n + 1)),
            Change::Removed => (Some(*o + 1), None),
            Change::Added => (None, Some(*n + 1)),
        };
        out.push(DiffLine {
            change,
            text,
            old_line,
            new_line,
        });
        if change != Change::Added {
            *o += 1;
        }
        if change != Change::Removed {
            *n += 1;
        }
    };
    for line in &old_lines[..prefix] {
        push(Change::Same, line, &mut o, &mut n);
    }
    for (change, text) in middle(old_mid, new_mid) {
        push(change, text, &mut o, &mut n);
    }
    for line in &old_lines[old_lines.len() - suffix..] {
        push(Change::Same, line, &mut o, &mut n);
    }
    out
}

/// The diff of the changed middle, by the LCS table of suffixes: `table[i][j]` is the length
/// of the longest common subsequence of `old[i..]` and `new[j..]`.
fn middle<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Change, &'a str)> {
    let (rows, cols) = (old.len(), new.len());
    if rows.saturating_mul(cols) > MAX_TABLE_CELLS {
        let removed = old.iter().map(|l| (Change::Removed, *l));
        return removed
            .chain(new.iter().map(|l| (Change::Added, *l)))
            .collect();
    }
    let width = cols + 1;
    let mut table = vec![0_u32; (rows + 1) * width];
    for i in (0..rows).rev() {
        for j in (0..cols).rev() {
            table[i * width + j] = if old[i] == new[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(rows + cols);
    let (mut i, mut j) = (0, 0);
    while i < rows && j < cols {
        if old[i] == new[j] {
            out.push((Change::Same, old[i]));
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            out.push((Change::Removed, old[i]));
            i += 1;
        } else {
            out.push((Change::Added, new[j]));
            j += 1;
        }
    }
    out.extend(old[i..].iter().map(|l| (Change::Removed, *l)));
    out.extend(new[j..].iter().map(|l| (Change::Added, *l)));
    out
}

/// How many lines were added and removed.
pub fn counts(diff: &[DiffLine<'_>]) -> (usize, usize) {
    let added = diff.iter().filter(|l| l.change == Change::Added).count();
    let removed = diff.iter().filter(|l| l.change == Change::Removed).count();
    (added, removed)
}

#[cfg(test)]
mod tests;
