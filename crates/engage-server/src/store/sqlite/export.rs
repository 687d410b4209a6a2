//! CSV exports in SQLite, one page at a time: each page is one query of at most
//! [`EXPORT_PAGE_ROWS`] rows after the sort key where the previous page ended (keyset paging,
//! never `OFFSET`), read along an index in that order, so a page costs the same at the millionth
//! row as at the first and no page needs more memory than its own rows. Pages are separate
//! reads, not one long transaction: a download that takes minutes holds no snapshot that would
//! keep the WAL from being checkpointed; rows written meanwhile appear if they sort after the
//! page being read.
//!
//! Each table is a [`Spec`]: the columns as the CSV names them, the SQL that reads them, and the
//! unique sort key. All SQL here is built from these constants only.

use engage_core::SiteId;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Store, StoreError};
use crate::csv_encode::{Cell, push_header, push_row};
use crate::store::{ExportKey, ExportPage, ExportTable, KeyPart};

/// The most rows one page of an export reads (and one chunk of the streamed body holds).
pub const EXPORT_PAGE_ROWS: usize = 1000;

/// Whether a column is read and written as text or as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
}

use Kind::{Int, Text};

/// How one table is exported.
struct Spec {
    /// The `FROM` clause, with the joins that add names.
    from: &'static str,
    /// The column that holds the site. The ledger's is written `+l.site_id`, which keeps SQLite
    /// from reading it through a `(site_id, member_id, …)` index and sorting every row of the
    /// site for each page; the ledger is read along its primary key instead.
    site: &'static str,
    /// The sort key: unique within a site, and the order of an index.
    key: &'static [(&'static str, Kind)],
    /// The CSV's columns in order: header, SQL expression, kind.
    columns: &'static [(&'static str, &'static str, Kind)],
}

fn spec(table: ExportTable) -> Spec {
    match table {
        ExportTable::Members => Spec {
            from: "members m LEFT JOIN balances b
                   ON b.site_id = m.site_id AND b.member_id = m.member_id",
            site: "m.site_id",
            key: &[("m.member_id", Text)],
            columns: &[
                ("member", "m.member_id", Text),
                ("name", "m.name", Text),
                ("points", "COALESCE(b.points, 0)", Int),
                ("first_seen", "m.first_seen", Text),
                ("last_seen", "m.last_seen", Text),
            ],
        },
        ExportTable::Ledger => Spec {
            from: "ledger l",
            site: "+l.site_id",
            key: &[("l.id", Int)],
            columns: &[
                ("id", "l.id", Int),
                ("member", "l.member_id", Text),
                ("source", "l.source", Text),
                ("amount", "l.amount", Int),
                ("key", "l.key", Text),
                ("detail", "l.detail", Text),
                ("day", "l.day", Text),
                ("at", "l.at", Text),
            ],
        },
        ExportTable::Checkins => Spec {
            from: "checkins c",
            site: "c.site_id",
            key: &[("c.member_id", Text), ("c.day", Text)],
            columns: &[
                ("member", "c.member_id", Text),
                ("day", "c.day", Text),
                ("kind", "c.kind", Text),
                ("at", "c.at", Text),
            ],
        },
        ExportTable::Votes => Spec {
            from: "poll_votes v JOIN poll_ballots b
                   ON b.site_id = v.site_id AND b.poll_id = v.poll_id
                   AND b.voter_kind = v.voter_kind AND b.voter_id = v.voter_id",
            site: "v.site_id",
            key: &[
                ("v.poll_id", Text),
                ("v.voter_kind", Text),
                ("v.voter_id", Text),
                ("v.option_id", Text),
            ],
            columns: &[
                ("poll", "v.poll_id", Text),
                ("voter_kind", "v.voter_kind", Text),
                ("voter", "v.voter_id", Text),
                ("option", "v.option_id", Text),
                ("voted_at", "b.voted_at", Text),
                ("changed_at", "b.changed_at", Text),
            ],
        },
        ExportTable::Spins => Spec {
            from: "lottery_spins s
                   LEFT JOIN members m ON m.site_id = s.site_id AND m.member_id = s.member_id
                   LEFT JOIN lottery_prizes p ON p.site_id = s.site_id
                   AND p.lottery_id = s.lottery_id AND p.prize_id = s.prize_id",
            site: "s.site_id",
            key: &[("s.lottery_id", Text), ("s.seq", Int)],
            columns: &[
                ("lottery", "s.lottery_id", Text),
                ("seq", "s.seq", Int),
                ("member", "s.member_id", Text),
                ("name", "m.name", Text),
                ("spin", "s.spin", Int),
                ("prize", "s.prize_id", Text),
                ("prize_name", "p.name", Text),
                ("day", "s.day", Text),
                ("at", "s.at", Text),
            ],
        },
        ExportTable::Entries => Spec {
            from: "lottery_entries e
                   LEFT JOIN members m ON m.site_id = e.site_id AND m.member_id = e.member_id
                   LEFT JOIN lottery_winners w ON w.site_id = e.site_id
                   AND w.lottery_id = e.lottery_id AND w.member_id = e.member_id",
            site: "e.site_id",
            key: &[("e.lottery_id", Text), ("e.seq", Int)],
            columns: &[
                ("lottery", "e.lottery_id", Text),
                ("seq", "e.seq", Int),
                ("member", "e.member_id", Text),
                ("name", "m.name", Text),
                ("at", "e.at", Text),
                ("winner_place", "w.place", Int),
            ],
        },
        ExportTable::Feedback => Spec {
            from: "feedback f LEFT JOIN members m ON f.sender_kind = 'member'
                   AND m.site_id = f.site_id AND m.member_id = f.sender_id",
            site: "f.site_id",
            key: &[("f.id", Int)],
            columns: &[
                ("id", "f.id", Int),
                ("day", "f.day", Text),
                ("created_at", "f.created_at", Text),
                ("status", "f.status", Text),
                ("rating", "f.rating", Int),
                ("nps", "f.nps", Int),
                ("category", "f.category", Text),
                ("text", "f.text", Text),
                ("contact", "f.contact", Text),
                ("page_url", "f.page_url", Text),
                (
                    "member",
                    "CASE WHEN f.sender_kind = 'member' THEN f.sender_id END",
                    Text,
                ),
                (
                    "visitor",
                    "CASE WHEN f.sender_kind = 'visitor' THEN f.sender_id END",
                    Text,
                ),
                ("name", "m.name", Text),
                ("spam_reason", "f.spam_reason", Text),
                (
                    "replies",
                    "(SELECT COUNT(*) FROM feedback_replies r WHERE r.feedback_id = f.id)",
                    Int,
                ),
                ("updated_at", "f.updated_at", Text),
            ],
        },
        ExportTable::Badges => Spec {
            from: "member_badges mb",
            site: "mb.site_id",
            key: &[("mb.member_id", Text), ("mb.badge_id", Text)],
            columns: &[
                ("member", "mb.member_id", Text),
                ("badge", "mb.badge_id", Text),
                ("earned_at", "mb.earned_at", Text),
            ],
        },
        ExportTable::Redemptions => Spec {
            from: "redemptions r
                   LEFT JOIN members m ON m.site_id = r.site_id AND m.member_id = r.member_id",
            site: "r.site_id",
            key: &[("r.seq", Int)],
            columns: &[
                ("id", "r.seq", Int),
                ("reward", "r.reward_id", Text),
                ("name", "r.name", Text),
                ("kind", "r.kind", Text),
                ("member", "r.member_id", Text),
                ("member_name", "m.name", Text),
                ("price", "r.price", Int),
                ("status", "r.status", Text),
                ("code", "r.code", Text),
                ("created_at", "r.created_at", Text),
                ("updated_at", "r.updated_at", Text),
            ],
        },
        ExportTable::Audit => Spec {
            from: "audit_log a",
            site: "a.site_id",
            key: &[("a.id", Int)],
            columns: &[
                ("id", "a.id", Int),
                ("at", "a.at", Text),
                ("actor", "json_extract(a.actor, '$.kind')", Text),
                ("actor_id", "json_extract(a.actor, '$.id')", Int),
                ("actor_email", "json_extract(a.actor, '$.email')", Text),
                ("action", "a.action", Text),
                ("detail", "a.detail", Text),
            ],
        },
    }
}

/// The page query of `spec`: the key columns, then the CSV's; after the key `?2…` when
/// `after_key` (the first page has none).
fn page_sql(spec: &Spec, after_key: bool) -> String {
    let keys: Vec<&str> = spec.key.iter().map(|(expr, _)| *expr).collect();
    let columns: Vec<&str> = spec.columns.iter().map(|(_, expr, _)| *expr).collect();
    let after = if after_key {
        let params: Vec<String> = (2..2 + keys.len()).map(|i| format!("?{i}")).collect();
        format!("AND ({}) > ({})", keys.join(", "), params.join(", "))
    } else {
        String::new()
    };
    format!(
        "SELECT {}, {} FROM {} WHERE {} = ?1 {after} ORDER BY {} LIMIT {EXPORT_PAGE_ROWS}",
        keys.join(", "),
        columns.join(", "),
        spec.from,
        spec.site,
        keys.join(", "),
    )
}

/// A value read from a row, before it becomes a cell.
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

fn read_value(row: &SqliteRow, index: usize, kind: Kind) -> Result<Value, StoreError> {
    Ok(match kind {
        Text => Value::Text(row.try_get(index)?),
        Int => Value::Int(row.try_get(index)?),
    })
}

impl Store {
    /// The header row of an export of `table` (CRLF-ended, no byte order mark).
    pub fn export_header(table: ExportTable) -> String {
        let names: Vec<&str> = spec(table)
            .columns
            .iter()
            .map(|(name, _, _)| *name)
            .collect();
        let mut out = String::new();
        push_header(&mut out, &names);
        out
    }

    /// One page of `table` for `site` as CSV rows, starting after `after` (from the first row
    /// when `None`); its `next` is where the following page starts, `None` after the last.
    pub async fn export_page(
        &self,
        site: &SiteId,
        table: ExportTable,
        after: Option<&ExportKey>,
    ) -> Result<ExportPage, StoreError> {
        let spec = spec(table);
        let sql = page_sql(&spec, after.is_some());
        // Audited: the SQL is built only from the constant table specs above.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(site.as_str());
        for part in after.map(|key| key.0.as_slice()).unwrap_or_default() {
            query = match part {
                KeyPart::Text(text) => query.bind(text.clone()),
                KeyPart::Int(number) => query.bind(*number),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut csv = String::with_capacity(rows.len() * 96);
        let mut values = Vec::with_capacity(spec.columns.len());
        for row in &rows {
            values.clear();
            for (i, (_, _, kind)) in spec.columns.iter().enumerate() {
                values.push(read_value(row, spec.key.len() + i, *kind)?);
            }
            let cells: Vec<Cell<'_>> = values
                .iter()
                .map(|value| match value {
                    Value::Text(text) => Cell::opt(text.as_deref()),
                    Value::Int(number) => Cell::opt_int(*number),
                })
                .collect();
            push_row(&mut csv, &cells);
        }
        let next = match rows.last() {
            Some(last) if rows.len() == EXPORT_PAGE_ROWS => Some(ExportKey(
                spec.key
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| {
                        Ok(match read_value(last, i, *kind)? {
                            Value::Text(text) => KeyPart::Text(text.unwrap_or_default()),
                            Value::Int(number) => KeyPart::Int(number.unwrap_or_default()),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            )),
            _ => None,
        };
        Ok(ExportPage {
            csv,
            rows: rows.len(),
            next,
        })
    }

    /// SQLite's plan for a page of `table` after some key (`EXPLAIN QUERY PLAN`, one line per
    /// step), so tests can check that every page is read along an index in key order, without
    /// sorting the table.
    pub async fn export_query_plan(&self, table: ExportTable) -> Result<Vec<String>, StoreError> {
        let spec = spec(table);
        let sql = format!("EXPLAIN QUERY PLAN {}", page_sql(&spec, true));
        // Audited: the SQL is built only from the constant table specs above.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind("site");
        for (_, kind) in spec.key {
            query = match kind {
                Text => query.bind(""),
                Int => query.bind(0_i64),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>("detail")?))
            .collect()
    }
}
