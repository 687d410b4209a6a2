//! Feedback in SQLite: storing what `feedback::check_feedback` accepted (with the first
//! feedback's points in the same transaction), the sender's own list, the owner's filtered
//! inbox, status changes, replies, and the counts behind the owner's numbers.
//!
//! Text is bound as a parameter and stored exactly as sent. The owner's text search (over the
//! text, the contact and the sending member's name) uses `LIKE … ESCAPE '\'` with `%`, `_` and
//! `\` escaped, so a search for "100%" finds just that.

use engage_core::analytics::Kind;
use engage_core::api::feedback::{FeedbackItem, FeedbackReply, FeedbackSent, FeedbackStatus};
use engage_core::feedback::{AcceptedFeedback, FeedbackCount, FeedbackFilter};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::ledger::Source;
use engage_core::poll::Voter;
use engage_core::rules::Rules;
use engage_core::{MemberId, SiteId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use super::{
    EntryToAppend, Finish, Store, StoreError, WRITTEN, append_entry, audit_in, award_badges,
    ledger_corrupt, note_acted, parse_day, parse_timestamp, read_balance, retry_busy,
    upsert_member_in, voter_key,
};
use crate::audit::{Actor, AuditAction};

/// The ledger key of the feedback award: a member earns the feedback points once, for their
/// first feedback that is not spam.
pub const FEEDBACK_AWARD_KEY: &str = "feedback:first";

/// How many of their own pieces of feedback a sender sees.
const MINE_LIMIT: i64 = 50;

const SELECT_ITEMS: &str = "
    SELECT f.id, f.sender_kind, f.sender_id, m.name, f.rating, f.nps, f.category, f.text,
           f.contact, f.page_url, f.context, f.status, f.spam_reason, f.day, f.created_at,
           f.updated_at
    FROM feedback f
    LEFT JOIN members m
      ON f.sender_kind = 'member' AND m.site_id = f.site_id AND m.member_id = f.sender_id";

impl Store {
    /// Stores accepted feedback (as spam when the rules said so) and, for a member's first
    /// feedback that is not spam, the award (ledger source `feedback`, key
    /// [`FEEDBACK_AWARD_KEY`], daily caps included), all in one transaction.
    pub async fn record_feedback(
        &self,
        site: &SiteId,
        feedback: &AcceptedFeedback,
        name: &str,
        today: Date,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<FeedbackSent, StoreError> {
        let (kind, sender) = voter_key(&feedback.sender);
        let status = feedback.status();
        let spam_reason = feedback.spam.as_ref().map(ToString::to_string);
        let stamp = now.to_string();
        write_transaction!(self, |conn| {
            let id = sqlx::query(
                "INSERT INTO feedback (site_id, sender_kind, sender_id, rating, nps, category,
                 text, contact, page_url, context, status, spam_reason, day, created_at,
                 updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(kind)
            .bind(sender)
            .bind(feedback.rating.map(i64::from))
            .bind(feedback.nps.map(i64::from))
            .bind(feedback.category.as_deref())
            .bind(&feedback.text)
            .bind(feedback.contact.as_deref())
            .bind(feedback.page_url.as_deref())
            .bind(feedback.context.as_deref())
            .bind(status.as_str())
            .bind(spam_reason.as_deref())
            .bind(today.to_string())
            .bind(&stamp)
            .bind(&stamp)
            .execute(&mut *conn)
            .await?
            .last_insert_rowid();
            let mut sent = FeedbackSent {
                id,
                status: status.as_seen_by_sender(),
                awarded: None,
                points: None,
                badges: None,
            };
            if let Voter::Member(member) = &feedback.sender {
                upsert_member_in(conn, site, member, name, now).await?;
                if feedback.spam.is_none() {
                    note_acted(conn, site, member, today, Kind::Feedback, true).await?;
                }
                let awarded =
                    award_first_feedback(conn, site, member, feedback, today, now, rules).await?;
                sent.awarded = Some(awarded);
                sent.badges = Some(award_badges(conn, site, member, today, now, rules).await?);
                sent.points = Some(read_balance(conn, site, member).await?);
            }
            Ok(Finish::Commit(sent))
        })
    }

    /// The sender's own feedback, newest first, with the owner's replies.
    pub async fn my_feedback(
        &self,
        site: &SiteId,
        sender: &Voter,
    ) -> Result<Vec<FeedbackItem>, StoreError> {
        let (kind, id) = voter_key(sender);
        let mut conn = self.pool.acquire().await?;
        let sql = format!(
            "{SELECT_ITEMS} WHERE f.site_id = ? AND f.sender_kind = ? AND f.sender_id = ?
             ORDER BY f.id DESC LIMIT ?"
        );
        // Audited: the only text spliced in is the constant SELECT_ITEMS.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(kind)
            .bind(id)
            .bind(MINE_LIMIT)
            .fetch_all(&mut *conn)
            .await?;
        items_with_replies(&mut conn, &rows).await
    }

    /// The owner's inbox: feedback matching `filter`, newest first, at most `filter.limit`,
    /// and whether more follow.
    pub async fn list_feedback(
        &self,
        site: &SiteId,
        filter: &FeedbackFilter,
    ) -> Result<(Vec<FeedbackItem>, bool), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let sql = format!(
            "{SELECT_ITEMS}
             WHERE f.site_id = ?1
               AND (?2 IS NULL OR f.status = ?2)
               AND (?3 IS NULL OR f.category = ?3)
               AND (?4 IS NULL OR f.rating = ?4)
               AND (?5 IS NULL OR f.nps = ?5)
               AND (?6 IS NULL OR f.day >= ?6)
               AND (?7 IS NULL OR f.day <= ?7)
               AND (?8 IS NULL OR f.text LIKE ?8 ESCAPE '\\' OR f.contact LIKE ?8 ESCAPE '\\'
                    OR m.name LIKE ?8 ESCAPE '\\')
               AND (?9 IS NULL OR f.id < ?9)
             ORDER BY f.id DESC LIMIT ?10"
        );
        let pattern = filter
            .search
            .as_deref()
            .map(|text| format!("%{}%", escape_like(text)));
        // Audited: the only text spliced in is the constant SELECT_ITEMS.
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(filter.status.map(FeedbackStatus::as_str))
            .bind(filter.category.as_deref())
            .bind(filter.rating.map(i64::from))
            .bind(filter.nps.map(i64::from))
            .bind(filter.from.map(|day| day.to_string()))
            .bind(filter.to.map(|day| day.to_string()))
            .bind(pattern)
            .bind(filter.before_id)
            .bind(i64::from(filter.limit) + 1)
            .fetch_all(&mut *conn)
            .await?;
        let more = rows.len() > filter.limit as usize;
        rows.truncate(filter.limit as usize);
        Ok((items_with_replies(&mut conn, &rows).await?, more))
    }

    /// One piece of feedback of a site, as its owner sees it.
    pub async fn feedback_item(
        &self,
        site: &SiteId,
        id: i64,
    ) -> Result<Option<FeedbackItem>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_item(&mut conn, site, id).await
    }

    /// Sets a piece of feedback's status (the owner's triage, or restoring spam), audited as
    /// `actor`'s; `None` when the site has no such feedback. Setting the status it has writes
    /// nothing.
    pub async fn set_feedback_status(
        &self,
        site: &SiteId,
        id: i64,
        status: FeedbackStatus,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<Option<FeedbackItem>, StoreError> {
        write_transaction!(self, |conn| {
            let Some(before) = read_item(conn, site, id).await? else {
                return Ok(Finish::Rollback(None));
            };
            if before.status == status {
                return Ok(Finish::Rollback(Some(before)));
            }
            sqlx::query(
                "UPDATE feedback SET status = ?, updated_at = ? WHERE site_id = ? AND id = ?",
            )
            .bind(status.as_str())
            .bind(now.to_string())
            .bind(site.as_str())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            let detail = serde_json::json!({
                "feedback": id,
                "from": before.status.as_str(),
                "status": status.as_str(),
            });
            audit_in(conn, site, actor, AuditAction::FeedbackStatus, detail, now).await?;
            Ok(Finish::Commit(read_item(conn, site, id).await?))
        })
    }

    /// Adds the owner's reply (kept as sent) to a piece of feedback, audited as `actor`'s;
    /// `None` when the site has no such feedback.
    pub async fn add_feedback_reply(
        &self,
        site: &SiteId,
        id: i64,
        text: &str,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<Option<FeedbackReply>, StoreError> {
        let stamp = now.to_string();
        write_transaction!(self, |conn| {
            let touched =
                sqlx::query("UPDATE feedback SET updated_at = ? WHERE site_id = ? AND id = ?")
                    .bind(&stamp)
                    .bind(site.as_str())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            if touched == 0 {
                return Ok(Finish::Rollback(None));
            }
            let reply_id = sqlx::query(
                "INSERT INTO feedback_replies (feedback_id, text, created_at) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(text)
            .bind(&stamp)
            .execute(&mut *conn)
            .await?
            .last_insert_rowid();
            let detail = serde_json::json!({ "feedback": id, "reply": reply_id });
            audit_in(conn, site, actor, AuditAction::FeedbackReply, detail, now).await?;
            Ok(Finish::Commit(Some(FeedbackReply {
                id: reply_id,
                text: text.to_owned(),
                created_at: now,
            })))
        })
    }

    /// Sets the status of each of `ids` that the site has and that has another status, in one
    /// transaction, audited as one `feedback_status` entry of `actor`'s listing the ids changed;
    /// returns how many changed. Ids of other sites or of no feedback are left alone.
    pub async fn set_feedback_statuses(
        &self,
        site: &SiteId,
        ids: &[i64],
        status: FeedbackStatus,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<u64, StoreError> {
        let ids_json = serde_json::Value::from(ids).to_string();
        write_transaction!(self, |conn| {
            let changed: Vec<i64> = sqlx::query_scalar(
                "UPDATE feedback SET status = ?1, updated_at = ?2
                 WHERE site_id = ?3 AND status <> ?1
                   AND id IN (SELECT value FROM json_each(?4))
                 RETURNING id",
            )
            .bind(status.as_str())
            .bind(now.to_string())
            .bind(site.as_str())
            .bind(&ids_json)
            .fetch_all(&mut *conn)
            .await?;
            if changed.is_empty() {
                return Ok(Finish::Rollback(0));
            }
            let mut sorted = changed.clone();
            sorted.sort_unstable();
            let detail = serde_json::json!({ "feedback": sorted, "status": status.as_str() });
            audit_in(conn, site, actor, AuditAction::FeedbackStatus, detail, now).await?;
            Ok(Finish::Commit(u64::try_from(changed.len()).unwrap_or(0)))
        })
    }

    /// How many pieces of feedback share a day, rating, NPS score and spam status, for the
    /// site-local days `from..=to`.
    pub async fn feedback_counts(
        &self,
        site: &SiteId,
        from: Date,
        to: Date,
    ) -> Result<Vec<FeedbackCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, rating, nps, status = 'spam' AS spam, COUNT(*) AS count FROM feedback
             WHERE site_id = ? AND day BETWEEN ? AND ?
             GROUP BY day, rating, nps, status = 'spam'",
        )
        .bind(site.as_str())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let day: String = row.try_get("day")?;
                let count: i64 = row.try_get("count")?;
                Ok(FeedbackCount {
                    day: parse_day(&day)?,
                    rating: small(row, "rating")?,
                    nps: small(row, "nps")?,
                    spam: row.try_get("spam")?,
                    count: u64::try_from(count).unwrap_or(0),
                })
            })
            .collect()
    }
}

/// Awards the feedback points for a member's first feedback that is not spam; 0 otherwise.
async fn award_first_feedback(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    feedback: &AcceptedFeedback,
    today: Date,
    now: Timestamp,
    rules: &Rules,
) -> Result<i64, StoreError> {
    if feedback.spam.is_some() || rules.feedback.points <= 0 {
        return Ok(0);
    }
    let entry = EntryToAppend {
        site,
        member,
        source: Source::Feedback,
        amount: rules.feedback.points,
        key: FEEDBACK_AWARD_KEY,
        detail: None,
        today,
        now,
    };
    let appended = append_entry(conn, entry, rules)
        .await?
        .map_err(ledger_corrupt)?;
    Ok(appended.awarded)
}

/// `text` as a `LIKE` pattern that matches it literally (with `ESCAPE '\'`).
pub(super) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

async fn read_item(
    conn: &mut SqliteConnection,
    site: &SiteId,
    id: i64,
) -> Result<Option<FeedbackItem>, StoreError> {
    let sql = format!("{SELECT_ITEMS} WHERE f.site_id = ? AND f.id = ?");
    // Audited: the only text spliced in is the constant SELECT_ITEMS.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let rows: Vec<SqliteRow> = row.into_iter().collect();
    Ok(items_with_replies(conn, &rows).await?.pop())
}

/// The items of `rows` (from [`SELECT_ITEMS`]), each with its replies, oldest first.
async fn items_with_replies(
    conn: &mut SqliteConnection,
    rows: &[SqliteRow],
) -> Result<Vec<FeedbackItem>, StoreError> {
    let mut items = rows.iter().map(item).collect::<Result<Vec<_>, _>>()?;
    if items.is_empty() {
        return Ok(items);
    }
    let ids = serde_json::to_string(&items.iter().map(|i| i.id).collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let replies = sqlx::query(
        "SELECT id, feedback_id, text, created_at FROM feedback_replies
         WHERE feedback_id IN (SELECT value FROM json_each(?)) ORDER BY id",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in &replies {
        let feedback_id: i64 = row.try_get("feedback_id")?;
        let created_at: String = row.try_get("created_at")?;
        let reply = FeedbackReply {
            id: row.try_get("id")?,
            text: row.try_get("text")?,
            created_at: parse_timestamp(&created_at)?,
        };
        if let Some(item) = items.iter_mut().find(|i| i.id == feedback_id) {
            item.replies.push(reply);
        }
    }
    Ok(items)
}

fn item(row: &SqliteRow) -> Result<FeedbackItem, StoreError> {
    let id: i64 = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("feedback {id}: {what}"));
    let kind: String = row.try_get("sender_kind")?;
    let sender: String = row.try_get("sender_id")?;
    let status: String = row.try_get("status")?;
    let context: Option<String> = row.try_get("context")?;
    let day: String = row.try_get("day")?;
    let created_at: String = row.try_get("created_at")?;
    let updated_at: String = row.try_get("updated_at")?;
    let is_member = kind == "member";
    Ok(FeedbackItem {
        id,
        status: FeedbackStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        rating: small(row, "rating")?,
        nps: small(row, "nps")?,
        category: row.try_get("category")?,
        text: row.try_get("text")?,
        contact: row.try_get("contact")?,
        page_url: row.try_get("page_url")?,
        context: context
            .map(|json| serde_json::from_str(&json).map_err(|_| corrupt("context")))
            .transpose()?,
        name: if is_member {
            row.try_get("name")?
        } else {
            None
        },
        member: is_member.then(|| sender.clone()),
        visitor: (!is_member).then_some(sender),
        spam_reason: row.try_get("spam_reason")?,
        day: parse_day(&day)?,
        created_at: parse_timestamp(&created_at)?,
        updated_at: parse_timestamp(&updated_at)?,
        replies: Vec::new(),
    })
}

/// A small integer column (rating, NPS score) that may be NULL.
fn small(row: &SqliteRow, column: &str) -> Result<Option<u8>, StoreError> {
    let value: Option<i64> = row.try_get(column)?;
    value
        .map(|v| u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("{column} {v}"))))
        .transpose()
}
