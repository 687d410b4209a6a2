//! The rewards shop (积分兑换) in SQLite. A redemption is one `BEGIN IMMEDIATE` transaction: the
//! core decides it (`decide_redemption`) from the balance, the stock or unused codes and the
//! member's redemptions read inside the transaction, then the price is appended to the ledger
//! (`redemption:<id>`, source `redemption`, negative), one unit of stock is taken, one unused code
//! is given (its row marked with the redemption, both sides under a unique key), a freeze is
//! granted, and the redemption row written — all or nothing. A cancellation refunds through
//! the ledger under the key `redemption:<id>:refund`, which exists at most once.

use std::collections::BTreeMap;

use engage_core::api::console::AuditAction;
use engage_core::api::rewards::{RedemptionStatus, RewardKind};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::ledger::{LedgerError, Source};
use engage_core::rewards::{
    RedeemAttempt, RedeemError, RedemptionState, Reward, RewardError, StatusChange,
    decide_redemption, decide_status_change,
};
use engage_core::rules::Rules;
use engage_core::{MemberId, RewardId, SiteId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};

use super::{
    EntryToAppend, Finish, Store, WRITTEN, append_entry, audit_in, award_badges, enqueue_event,
    ledger_corrupt, note_rewards, parse_timestamp, read_balance, read_freezes_held, retry_busy,
    upsert_member_in,
};
use crate::audit::Actor;
use crate::store::{
    CodesRecorded, MemberShop, RedeemRecorded, RedeemRequest, RedemptionFilter, RedemptionRecord,
    RewardRecord, RewardUpdated, StatusRecorded, StoreError,
};

/// How many duplicate codes an upload's answer names.
const DUPLICATES_NAMED: usize = 100;
/// How many of a member's redemptions `my_redemptions` lists.
const MY_REDEMPTIONS: i64 = 100;

/// A reward's columns with its code and redemption counts, for [`reward_record`].
const REWARD_COLUMNS: &str = "r.reward_id, r.name, r.description, r.image_url, r.price, r.kind,
    r.stock_left, r.per_member, r.opens_at, r.closes_at, r.archived, r.created_at,
    (SELECT COUNT(*) FROM reward_codes c
     WHERE c.site_id = r.site_id AND c.reward_id = r.reward_id) AS codes_total,
    (SELECT COUNT(*) FROM reward_codes c
     WHERE c.site_id = r.site_id AND c.reward_id = r.reward_id
     AND c.redemption_seq IS NULL) AS codes_left,
    (SELECT COUNT(*) FROM redemptions d WHERE d.site_id = r.site_id
     AND d.reward_id = r.reward_id AND d.status = 'pending') AS pending,
    (SELECT COUNT(*) FROM redemptions d WHERE d.site_id = r.site_id
     AND d.reward_id = r.reward_id AND d.status = 'fulfilled') AS fulfilled,
    (SELECT COUNT(*) FROM redemptions d WHERE d.site_id = r.site_id
     AND d.reward_id = r.reward_id AND d.status = 'cancelled') AS cancelled,
    (SELECT COALESCE(SUM(d.price), 0) FROM redemptions d WHERE d.site_id = r.site_id
     AND d.reward_id = r.reward_id AND d.status <> 'cancelled') AS points_taken";

/// A redemption's columns with its member's name, for [`redemption_record`].
const REDEMPTION_COLUMNS: &str = "d.seq, d.reward_id, d.name, d.price, d.kind, d.status, d.code,
    d.member_id, COALESCE(m.name, d.member_id) AS member_name, d.created_at, d.updated_at
    FROM redemptions d
    LEFT JOIN members m ON m.site_id = d.site_id AND m.member_id = d.member_id";

impl Store {
    /// Creates a reward (audited as `actor`'s); refuses an id the site already uses.
    pub async fn create_reward(
        &self,
        site: &SiteId,
        reward: &Reward,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<RewardRecord, StoreError> {
        write_transaction!(self, |conn| {
            let stamp = now.to_string();
            let inserted = sqlx::query(
                "INSERT INTO rewards (site_id, reward_id, name, description, image_url, price,
                 kind, stock_left, per_member, opens_at, closes_at, archived, position,
                 created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                 (SELECT COALESCE(MAX(position), 0) + 1 FROM rewards WHERE site_id = ?1), ?13, ?13)
                 ON CONFLICT (site_id, reward_id) DO NOTHING",
            )
            .bind(site.as_str())
            .bind(reward.id.as_str())
            .bind(&reward.name)
            .bind(reward.description.as_deref())
            .bind(reward.image_url.as_deref())
            .bind(reward.price)
            .bind(reward.kind.as_str())
            .bind(reward.stock.map(i64::from))
            .bind(reward.per_member.map(i64::from))
            .bind(reward.opens_at.map(|at| at.to_string()))
            .bind(reward.closes_at.map(|at| at.to_string()))
            .bind(reward.archived)
            .bind(&stamp)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::RewardExists(reward.id.clone()));
            }
            let detail = serde_json::json!({ "reward": reward.id.as_str(), "kind": reward.kind });
            audit_in(conn, site, actor, AuditAction::RewardCreate, detail, now).await?;
            Ok(Finish::Commit(
                existing_reward(conn, site, &reward.id).await?,
            ))
        })
    }

    /// Puts `edit`'s result (see `core::rewards::update_reward`) in place of the reward. An edit
    /// that changes nothing writes nothing; one that does is audited as `actor`'s, with the
    /// fields that changed.
    pub async fn update_reward(
        &self,
        site: &SiteId,
        reward_id: &RewardId,
        edit: impl Fn(&Reward) -> Result<Reward, RewardError>,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<RewardUpdated, StoreError> {
        write_transaction!(self, |conn| {
            note_rewards(site);
            let before = existing_reward(conn, site, reward_id).await?;
            let reward = match edit(&before.reward) {
                Ok(reward) => reward,
                Err(error) => return Ok(Finish::Rollback(RewardUpdated::Refused(error))),
            };
            if reward == before.reward {
                return Ok(Finish::Rollback(RewardUpdated::Done {
                    record: Box::new(before),
                    changed: false,
                }));
            }
            sqlx::query(
                "UPDATE rewards SET name = ?, description = ?, image_url = ?, price = ?,
                 stock_left = ?, per_member = ?, opens_at = ?, closes_at = ?, archived = ?,
                 updated_at = ? WHERE site_id = ? AND reward_id = ?",
            )
            .bind(&reward.name)
            .bind(reward.description.as_deref())
            .bind(reward.image_url.as_deref())
            .bind(reward.price)
            .bind(reward.stock.map(i64::from))
            .bind(reward.per_member.map(i64::from))
            .bind(reward.opens_at.map(|at| at.to_string()))
            .bind(reward.closes_at.map(|at| at.to_string()))
            .bind(reward.archived)
            .bind(now.to_string())
            .bind(site.as_str())
            .bind(reward_id.as_str())
            .execute(&mut *conn)
            .await?;
            let detail = serde_json::json!({
                "reward": reward_id.as_str(),
                "changed": changed_fields(&before.reward, &reward),
            });
            audit_in(conn, site, actor, AuditAction::RewardUpdate, detail, now).await?;
            Ok(Finish::Commit(RewardUpdated::Done {
                record: Box::new(existing_reward(conn, site, reward_id).await?),
                changed: true,
            }))
        })
    }

    /// Adds codes to a `code` reward's pool, in order; codes already there (or twice in the
    /// upload) are counted as duplicates and change nothing. Audited as `actor`'s with the
    /// counts, never the codes.
    pub async fn add_reward_codes(
        &self,
        site: &SiteId,
        reward_id: &RewardId,
        codes: &[String],
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<CodesRecorded, StoreError> {
        write_transaction!(self, |conn| {
            note_rewards(site);
            let record = existing_reward(conn, site, reward_id).await?;
            if record.reward.kind != RewardKind::Code {
                return Ok(Finish::Rollback(CodesRecorded::NotCodeReward(
                    record.reward.kind,
                )));
            }
            let mut seq: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) FROM reward_codes WHERE site_id = ? AND reward_id = ?",
            )
            .bind(site.as_str())
            .bind(reward_id.as_str())
            .fetch_one(&mut *conn)
            .await?;
            let stamp = now.to_string();
            let mut added = 0u32;
            let mut duplicate_codes = Vec::new();
            let mut duplicates = 0u32;
            for code in codes {
                let inserted = sqlx::query(
                    "INSERT INTO reward_codes (site_id, reward_id, code, seq, added_at)
                     VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, reward_id, code) DO NOTHING",
                )
                .bind(site.as_str())
                .bind(reward_id.as_str())
                .bind(code)
                .bind(seq + 1)
                .bind(&stamp)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if inserted == 1 {
                    seq += 1;
                    added += 1;
                } else {
                    duplicates += 1;
                    if duplicate_codes.len() < DUPLICATES_NAMED {
                        duplicate_codes.push(code.clone());
                    }
                }
            }
            let codes_left = count_unused_codes(conn, site, reward_id).await?;
            if added == 0 {
                return Ok(Finish::Rollback(CodesRecorded::Done {
                    added,
                    duplicates,
                    duplicate_codes,
                    codes_left,
                }));
            }
            let detail = serde_json::json!({
                "reward": reward_id.as_str(),
                "added": added,
                "duplicates": duplicates,
            });
            audit_in(conn, site, actor, AuditAction::RewardCodesAdd, detail, now).await?;
            Ok(Finish::Commit(CodesRecorded::Done {
                added,
                duplicates,
                duplicate_codes,
                codes_left,
            }))
        })
    }

    /// A site's rewards in the owner's order (oldest first), archived ones only when asked.
    pub async fn rewards(
        &self,
        site: &SiteId,
        include_archived: bool,
    ) -> Result<Vec<RewardRecord>, StoreError> {
        let sql = format!(
            "SELECT {REWARD_COLUMNS} FROM rewards r WHERE r.site_id = ? AND (? OR r.archived = 0)
             ORDER BY r.position"
        );
        // Audited: the only text spliced in is this module's constant column list.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(include_archived)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(reward_record).collect()
    }

    /// One reward, archived or not.
    pub async fn reward(
        &self,
        site: &SiteId,
        reward_id: &RewardId,
    ) -> Result<Option<RewardRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_reward(&mut conn, site, reward_id).await
    }

    /// A member's balance, freezes held and redemptions per reward (not cancelled).
    pub async fn member_shop(
        &self,
        site: &SiteId,
        member: &MemberId,
    ) -> Result<MemberShop, StoreError> {
        let mut tx = self.pool.begin().await?;
        let balance = read_balance(&mut tx, site, member).await?;
        let freezes = read_freezes_held(&mut tx, site, member).await?;
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT reward_id, COUNT(*) FROM redemptions
             WHERE site_id = ? AND member_id = ? AND status <> 'cancelled' GROUP BY reward_id",
        )
        .bind(site.as_str())
        .bind(member.as_str())
        .fetch_all(&mut *tx)
        .await?;
        tx.rollback().await?;
        Ok(MemberShop {
            balance,
            freezes,
            redeemed: counts
                .into_iter()
                .map(|(reward, n)| (reward, u32::try_from(n).unwrap_or(u32::MAX)))
                .collect::<BTreeMap<_, _>>(),
        })
    }

    /// A member's newest redemptions, newest first.
    pub async fn my_redemptions(
        &self,
        site: &SiteId,
        member: &MemberId,
    ) -> Result<Vec<RedemptionRecord>, StoreError> {
        let sql = format!(
            "SELECT {REDEMPTION_COLUMNS} WHERE d.site_id = ? AND d.member_id = ?
             ORDER BY d.seq DESC LIMIT ?"
        );
        // Audited: the only text spliced in is this module's constant column list.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(MY_REDEMPTIONS)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(redemption_record).collect()
    }

    /// The fulfilment queue: redemptions matching `filter`, newest first, at most
    /// `filter.limit`.
    pub async fn redemptions(
        &self,
        site: &SiteId,
        filter: &RedemptionFilter,
    ) -> Result<Vec<RedemptionRecord>, StoreError> {
        let sql = format!(
            "SELECT {REDEMPTION_COLUMNS} WHERE d.site_id = ?1
             AND (?2 IS NULL OR d.status = ?2) AND (?3 IS NULL OR d.reward_id = ?3)
             AND (?4 IS NULL OR d.seq < ?4)
             ORDER BY d.seq DESC LIMIT ?5"
        );
        // Audited: the only text spliced in is this module's constant column list.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(site.as_str())
            .bind(filter.status.map(RedemptionStatus::as_str))
            .bind(filter.reward.as_ref().map(RewardId::as_str))
            .bind(filter.before)
            .bind(i64::from(filter.limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(redemption_record).collect()
    }

    /// One redemption of a site.
    pub async fn redemption(
        &self,
        site: &SiteId,
        seq: i64,
    ) -> Result<Option<RedemptionRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_redemption(&mut conn, site, seq).await
    }

    /// One redemption, exactly as the core's `decide_redemption` decides it against what is
    /// stored at that moment; every refusal writes nothing. With an idempotency key, a repeat
    /// answers the first redemption and writes nothing.
    pub async fn redeem(
        &self,
        site: &SiteId,
        reward_id: &RewardId,
        request: RedeemRequest<'_>,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<RedeemRecorded, StoreError> {
        let RedeemRequest {
            member,
            name,
            idempotency_key,
            today,
        } = request;
        write_transaction!(self, |conn| {
            note_rewards(site);
            let record = existing_reward(conn, site, reward_id).await?;
            if record.reward.archived {
                return Err(StoreError::RewardNotFound(reward_id.clone()));
            }
            if let Some(key) = idempotency_key {
                let seen: Option<i64> = sqlx::query_scalar(
                    "SELECT seq FROM redemptions
                     WHERE site_id = ? AND member_id = ? AND idempotency_key = ?",
                )
                .bind(site.as_str())
                .bind(member.as_str())
                .bind(key)
                .fetch_optional(&mut *conn)
                .await?;
                if let Some(seq) = seen {
                    let first = existing_redemption(conn, site, seq).await?;
                    if first.reward != reward_id.as_str() {
                        return Ok(Finish::Rollback(RedeemRecorded::KeyReused));
                    }
                    return Ok(Finish::Rollback(RedeemRecorded::Done {
                        redemption: first,
                        balance: read_balance(conn, site, member).await?,
                        badges: Vec::new(),
                        duplicate: true,
                    }));
                }
            }
            let mine: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM redemptions WHERE site_id = ? AND member_id = ?
                 AND reward_id = ? AND status <> 'cancelled'",
            )
            .bind(site.as_str())
            .bind(member.as_str())
            .bind(reward_id.as_str())
            .fetch_one(&mut *conn)
            .await?;
            let balance = read_balance(conn, site, member).await?;
            let attempt = RedeemAttempt {
                balance,
                redeemed_by_member: u32::try_from(mine).unwrap_or(u32::MAX),
                codes_left: record.codes_left,
            };
            let decision = match decide_redemption(&record.reward, attempt, now) {
                Ok(decision) => decision,
                Err(reason) => return Ok(Finish::Rollback(RedeemRecorded::Refused(reason))),
            };
            upsert_member_in(conn, site, member, name, now).await?;
            let seq: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM redemptions WHERE site_id = ?",
            )
            .bind(site.as_str())
            .fetch_one(&mut *conn)
            .await?;
            let key = format!("redemption:{seq}");
            let entry = EntryToAppend {
                site,
                member,
                source: Source::Redemption,
                amount: -decision.price,
                key: &key,
                detail: Some(reward_id.to_string()),
                today,
                now,
            };
            match append_entry(conn, entry, rules).await? {
                Ok(appended) if !appended.duplicate => {}
                Ok(_) => {
                    return Err(StoreError::Corrupt(format!(
                        "ledger key '{key}' exists without its redemption"
                    )));
                }
                Err(LedgerError::InsufficientPoints { balance, .. }) => {
                    return Ok(Finish::Rollback(RedeemRecorded::Refused(
                        RedeemError::InsufficientPoints {
                            price: decision.price,
                            balance,
                        },
                    )));
                }
                Err(other) => return Err(ledger_corrupt(other)),
            }
            if decision.takes_stock {
                let taken = sqlx::query(
                    "UPDATE rewards SET stock_left = stock_left - 1
                     WHERE site_id = ? AND reward_id = ? AND stock_left > 0",
                )
                .bind(site.as_str())
                .bind(reward_id.as_str())
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if taken != 1 {
                    return Err(corrupt(reward_id, "a unit was taken from no stock"));
                }
            }
            let code: Option<String> = if decision.takes_code {
                let code: String = sqlx::query_scalar(
                    "SELECT code FROM reward_codes WHERE site_id = ? AND reward_id = ?
                     AND redemption_seq IS NULL ORDER BY seq LIMIT 1",
                )
                .bind(site.as_str())
                .bind(reward_id.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| corrupt(reward_id, "a code was given from an empty pool"))?;
                Some(code)
            } else {
                None
            };
            let stamp = now.to_string();
            sqlx::query(
                "INSERT INTO redemptions (site_id, seq, reward_id, member_id, kind, name, price,
                 status, code, idempotency_key, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(seq)
            .bind(reward_id.as_str())
            .bind(member.as_str())
            .bind(record.reward.kind.as_str())
            .bind(&record.reward.name)
            .bind(decision.price)
            .bind(decision.status.as_str())
            .bind(code.as_deref())
            .bind(idempotency_key)
            .bind(&stamp)
            .bind(&stamp)
            .execute(&mut *conn)
            .await?;
            if let Some(code) = &code {
                let given = sqlx::query(
                    "UPDATE reward_codes SET redemption_seq = ?
                     WHERE site_id = ? AND reward_id = ? AND code = ? AND redemption_seq IS NULL",
                )
                .bind(seq)
                .bind(site.as_str())
                .bind(reward_id.as_str())
                .bind(code)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if given != 1 {
                    return Err(corrupt(reward_id, "a code was given twice"));
                }
            }
            if decision.grants_freeze {
                sqlx::query(
                    "INSERT INTO streak_freezes (site_id, member_id, held) VALUES (?, ?, 1)
                     ON CONFLICT (site_id, member_id) DO UPDATE SET held = held + 1",
                )
                .bind(site.as_str())
                .bind(member.as_str())
                .execute(&mut *conn)
                .await?;
            }
            // analytics: redemption counts as acting
            let badges = award_badges(conn, site, member, today, now, rules).await?;
            let redemption = existing_redemption(conn, site, seq).await?;
            let balance = read_balance(conn, site, member).await?;
            enqueue_event(
                conn,
                site,
                "redemption",
                now,
                redemption_event(&redemption, Some(balance)),
            )
            .await?;
            Ok(Finish::Commit(RedeemRecorded::Done {
                redemption,
                balance,
                badges,
                duplicate: false,
            }))
        })
    }

    /// An owner's status change of a redemption, as the core's `decide_status_change` decides
    /// it: a cancellation refunds the price through the ledger once (key
    /// `redemption:<id>:refund`), puts a unit back in a finite stock and takes back a freeze;
    /// a code stays with the cancelled redemption. Audited as `actor`'s when it changes
    /// something.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_redemption_status(
        &self,
        site: &SiteId,
        seq: i64,
        to: RedemptionStatus,
        today: Date,
        now: Timestamp,
        rules: &Rules,
        actor: Option<&Actor>,
    ) -> Result<StatusRecorded, StoreError> {
        write_transaction!(self, |conn| {
            note_rewards(site);
            let before = existing_redemption(conn, site, seq).await?;
            let member = MemberId::parse(&before.member)
                .map_err(|e| StoreError::Corrupt(format!("redemption {seq}: {e}")))?;
            let stock: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT stock_left FROM rewards WHERE site_id = ? AND reward_id = ?",
            )
            .bind(site.as_str())
            .bind(&before.reward)
            .fetch_optional(&mut *conn)
            .await?;
            let current = RedemptionState {
                status: before.status,
                kind: before.kind,
                price: before.price,
                finite_stock: stock.flatten().is_some(),
                freezes_held: read_freezes_held(conn, site, &member).await?,
            };
            let change = match decide_status_change(current, to) {
                Ok(change) => change,
                Err(reason) => return Ok(Finish::Rollback(StatusRecorded::Refused(reason))),
            };
            let mut refunded = 0;
            match change {
                StatusChange::Unchanged => {
                    return Ok(Finish::Rollback(StatusRecorded::Done {
                        redemption: before,
                        changed: false,
                        refunded: 0,
                    }));
                }
                StatusChange::Fulfil => {}
                StatusChange::Cancel {
                    refund,
                    returns_stock,
                    takes_back_freeze,
                } => {
                    let key = format!("redemption:{seq}:refund");
                    let entry = EntryToAppend {
                        site,
                        member: &member,
                        source: Source::Redemption,
                        amount: refund,
                        key: &key,
                        detail: Some(before.reward.clone()),
                        today,
                        now,
                    };
                    let appended = append_entry(conn, entry, rules)
                        .await?
                        .map_err(ledger_corrupt)?;
                    if appended.duplicate || appended.awarded != refund {
                        return Err(StoreError::Corrupt(format!(
                            "refund '{key}' was already made or cut to {}",
                            appended.awarded
                        )));
                    }
                    refunded = refund;
                    if returns_stock {
                        sqlx::query(
                            "UPDATE rewards SET stock_left = stock_left + 1
                             WHERE site_id = ? AND reward_id = ? AND stock_left IS NOT NULL",
                        )
                        .bind(site.as_str())
                        .bind(&before.reward)
                        .execute(&mut *conn)
                        .await?;
                    }
                    if takes_back_freeze {
                        let taken = sqlx::query(
                            "UPDATE streak_freezes SET held = held - 1
                             WHERE site_id = ? AND member_id = ? AND held >= 1",
                        )
                        .bind(site.as_str())
                        .bind(member.as_str())
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                        if taken != 1 {
                            return Err(StoreError::Corrupt(format!(
                                "redemption {seq}: no freeze to take back"
                            )));
                        }
                    }
                }
            }
            sqlx::query(
                "UPDATE redemptions SET status = ?, updated_at = ? WHERE site_id = ? AND seq = ?",
            )
            .bind(to.as_str())
            .bind(now.to_string())
            .bind(site.as_str())
            .bind(seq)
            .execute(&mut *conn)
            .await?;
            let detail = serde_json::json!({
                "redemption": seq.to_string(),
                "reward": before.reward,
                "member": before.member,
                "status": to.as_str(),
                "refunded": refunded,
            });
            audit_in(
                conn,
                site,
                actor,
                AuditAction::RedemptionStatus,
                detail,
                now,
            )
            .await?;
            let redemption = existing_redemption(conn, site, seq).await?;
            let balance = read_balance(conn, site, &member).await?;
            enqueue_event(
                conn,
                site,
                "redemption",
                now,
                redemption_event(&redemption, Some(balance)),
            )
            .await?;
            Ok(Finish::Commit(StatusRecorded::Done {
                redemption,
                changed: true,
                refunded,
            }))
        })
    }
}

/// Freezes each member of `site` holds that do not equal their freeze redemptions not
/// cancelled, less their frozen days: one line per member, for `audit_ledger`.
pub(super) async fn audit_freezes(
    pool: &SqlitePool,
    site: &SiteId,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT m.member_id,
                COALESCE((SELECT held FROM streak_freezes f
                          WHERE f.site_id = m.site_id AND f.member_id = m.member_id), 0),
                (SELECT COUNT(*) FROM redemptions d WHERE d.site_id = m.site_id
                 AND d.member_id = m.member_id AND d.kind = 'streak_freeze'
                 AND d.status <> 'cancelled')
                - (SELECT COUNT(*) FROM frozen_days z
                   WHERE z.site_id = m.site_id AND z.member_id = m.member_id)
         FROM members m WHERE m.site_id = ?",
    )
    .bind(site.as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, held, expected)| held != expected)
        .map(|(member, held, expected)| {
            format!(
                "member '{member}': holds {held} streak freezes, {expected} redeemed and unused"
            )
        })
        .collect())
}

/// The webhook event of a redemption, new or changed.
fn redemption_event(redemption: &RedemptionRecord, balance: Option<i64>) -> serde_json::Value {
    serde_json::json!({
        "member": redemption.member,
        "name": redemption.member_name,
        "redemption": {
            "id": redemption.seq.to_string(),
            "reward": redemption.reward,
            "name": redemption.name,
            "kind": redemption.kind,
            "price": redemption.price,
            "status": redemption.status,
            "code": redemption.code,
            "at": redemption.created_at.to_string(),
        },
        "points": balance,
    })
}

async fn count_unused_codes(
    conn: &mut SqliteConnection,
    site: &SiteId,
    reward_id: &RewardId,
) -> Result<u32, StoreError> {
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM reward_codes WHERE site_id = ? AND reward_id = ?
         AND redemption_seq IS NULL",
    )
    .bind(site.as_str())
    .bind(reward_id.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(left).unwrap_or(u32::MAX))
}

async fn read_reward(
    conn: &mut SqliteConnection,
    site: &SiteId,
    reward_id: &RewardId,
) -> Result<Option<RewardRecord>, StoreError> {
    let sql =
        format!("SELECT {REWARD_COLUMNS} FROM rewards r WHERE r.site_id = ? AND r.reward_id = ?");
    // Audited: the only text spliced in is this module's constant column list.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(reward_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(reward_record).transpose()
}

/// A reward that must exist: `RewardNotFound` otherwise.
async fn existing_reward(
    conn: &mut SqliteConnection,
    site: &SiteId,
    reward_id: &RewardId,
) -> Result<RewardRecord, StoreError> {
    read_reward(conn, site, reward_id)
        .await?
        .ok_or_else(|| StoreError::RewardNotFound(reward_id.clone()))
}

async fn read_redemption(
    conn: &mut SqliteConnection,
    site: &SiteId,
    seq: i64,
) -> Result<Option<RedemptionRecord>, StoreError> {
    let sql = format!("SELECT {REDEMPTION_COLUMNS} WHERE d.site_id = ? AND d.seq = ?");
    // Audited: the only text spliced in is this module's constant column list.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(site.as_str())
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(redemption_record).transpose()
}

/// A redemption that must exist: `RedemptionNotFound` otherwise.
async fn existing_redemption(
    conn: &mut SqliteConnection,
    site: &SiteId,
    seq: i64,
) -> Result<RedemptionRecord, StoreError> {
    read_redemption(conn, site, seq)
        .await?
        .ok_or(StoreError::RedemptionNotFound(seq))
}

fn corrupt(reward_id: &RewardId, what: &str) -> StoreError {
    StoreError::Corrupt(format!("reward '{reward_id}': {what}"))
}

fn count(row: &SqliteRow, column: &str) -> Result<u64, StoreError> {
    let value: i64 = row.try_get(column)?;
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("reward count {column}")))
}

fn small(value: Option<i64>, what: &str) -> Result<Option<u32>, StoreError> {
    value
        .map(|n| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("reward {what} {n}"))))
        .transpose()
}

fn optional_time(row: &SqliteRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.as_deref().map(parse_timestamp).transpose()
}

fn reward_record(row: &SqliteRow) -> Result<RewardRecord, StoreError> {
    let id: String = row.try_get("reward_id")?;
    let kind: String = row.try_get("kind")?;
    let reward = Reward {
        id: RewardId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        image_url: row.try_get("image_url")?,
        price: row.try_get("price")?,
        kind: RewardKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("reward kind '{kind}'")))?,
        stock: small(row.try_get("stock_left")?, "stock_left")?,
        per_member: small(row.try_get("per_member")?, "per_member")?,
        opens_at: optional_time(row, "opens_at")?,
        closes_at: optional_time(row, "closes_at")?,
        archived: row.try_get("archived")?,
    };
    let created_at: String = row.try_get("created_at")?;
    let codes = |column: &str| -> Result<u32, StoreError> {
        Ok(u32::try_from(count(row, column)?).unwrap_or(u32::MAX))
    };
    Ok(RewardRecord {
        reward,
        codes_total: codes("codes_total")?,
        codes_left: codes("codes_left")?,
        pending: count(row, "pending")?,
        fulfilled: count(row, "fulfilled")?,
        cancelled: count(row, "cancelled")?,
        points_taken: row.try_get("points_taken")?,
        created_at: parse_timestamp(&created_at)?,
    })
}

fn redemption_record(row: &SqliteRow) -> Result<RedemptionRecord, StoreError> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let created_at: String = row.try_get("created_at")?;
    let updated_at: String = row.try_get("updated_at")?;
    Ok(RedemptionRecord {
        seq: row.try_get("seq")?,
        reward: row.try_get("reward_id")?,
        name: row.try_get("name")?,
        price: row.try_get("price")?,
        kind: RewardKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("redemption kind '{kind}'")))?,
        status: RedemptionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("redemption status '{status}'")))?,
        code: row.try_get("code")?,
        member: row.try_get("member_id")?,
        member_name: row.try_get("member_name")?,
        created_at: parse_timestamp(&created_at)?,
        updated_at: parse_timestamp(&updated_at)?,
    })
}

/// The names of the fields an edit changed, for the audit log.
fn changed_fields(before: &Reward, after: &Reward) -> Vec<&'static str> {
    [
        ("name", before.name != after.name),
        ("description", before.description != after.description),
        ("image_url", before.image_url != after.image_url),
        ("price", before.price != after.price),
        ("stock", before.stock != after.stock),
        ("per_member", before.per_member != after.per_member),
        ("opens_at", before.opens_at != after.opens_at),
        ("closes_at", before.closes_at != after.closes_at),
        ("archived", before.archived != after.archived),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}
