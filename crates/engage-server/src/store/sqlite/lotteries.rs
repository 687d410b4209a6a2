//! Lotteries in SQLite. A spin is one `BEGIN IMMEDIATE` transaction: the core decides it
//! (`decide_spin`) from the stock, the member's spins and balance read inside the transaction,
//! then the cost is appended to the ledger (`spin:<lottery>:<n>`), one unit of stock is taken
//! and the spin row written — all or nothing. Giveaway entries work the same way, and closing
//! draws a giveaway's winners in the transaction that reveals the seed.

use engage_core::analytics::Kind;
use engage_core::api::lottery::{LotteryMode, PrizeDefinition};
use engage_core::jiff::Timestamp;
use engage_core::jiff::civil::Date;
use engage_core::ledger::{LedgerError, Source};
use engage_core::lottery::{
    EntryDecision, EntryError, Lottery, LotteryError, Outcome, PrizeStock, Seed, SpinAttempt,
    SpinError, decide_entry, decide_spin, draw_winners,
};
use engage_core::rules::Rules;
use engage_core::{LotteryId, MemberId, SiteId};
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use super::{
    EntryToAppend, Finish, Store, WRITTEN, append_entry, audit_in, award_badges, enqueue_event,
    ledger_corrupt, note_acted, note_lottery, parse_timestamp, read_balance, retry_busy,
    upsert_member_in,
};
use crate::audit::{Actor, AuditAction};
use crate::store::{
    CloseWhen, EntryRecorded, LotteryHistory, LotteryMember, LotteryOpened, LotteryRecord,
    LotteryUpdated, MemberLottery, MemberRow, SpinRecorded, SpinRow, StoreError, StoredProof,
};

/// How many of a member's spins a lottery answer lists.
const RECENT_SPINS: i64 = 10;

impl Store {
    /// Creates a lottery with its prizes (stock full), audited as `actor`'s; refuses an id the
    /// site already uses.
    pub async fn create_lottery(
        &self,
        site: &SiteId,
        lottery: &Lottery,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<LotteryRecord, StoreError> {
        write_transaction!(self, |conn| {
            let inserted = sqlx::query(
                "INSERT INTO lotteries (site_id, lottery_id, mode, no_prize_weight, cost,
                 daily_spins, winners, opens_at, closes_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (site_id, lottery_id) DO NOTHING",
            )
            .bind(site.as_str())
            .bind(lottery.id.as_str())
            .bind(lottery.mode.as_str())
            .bind(i64::from(lottery.no_prize_weight))
            .bind(lottery.cost)
            .bind(i64::from(lottery.daily_spins))
            .bind(i64::from(lottery.winners))
            .bind(lottery.opens_at.to_string())
            .bind(lottery.closes_at.to_string())
            .bind(now.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::LotteryExists(lottery.id.clone()));
            }
            insert_prizes(conn, site, lottery).await?;
            let detail = serde_json::json!({ "lottery": lottery.id.as_str() });
            audit_in(conn, site, actor, AuditAction::LotteryCreate, detail, now).await?;
            Ok(Finish::Commit(
                existing_lottery(conn, site, &lottery.id).await?,
            ))
        })
    }

    /// Puts `edit`'s definition (from the lottery as stored, see `core::lottery::update_lottery`)
    /// in place of the lottery's, stock full again, if the owner has not opened it yet: once
    /// opened its seed hash and prizes are published and stay as they were. Audited as
    /// `actor`'s, with the fields that changed.
    pub async fn update_lottery(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        edit: impl Fn(&Lottery) -> Result<Lottery, LotteryError>,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<LotteryUpdated, StoreError> {
        write_transaction!(self, |conn| {
            note_lottery(site, lottery_id);
            let before = existing_lottery(conn, site, lottery_id).await?;
            if before.is_closed_at(now) {
                return Ok(Finish::Rollback(LotteryUpdated::Closed));
            }
            if before.seed.is_some() {
                return Ok(Finish::Rollback(LotteryUpdated::Opened));
            }
            let lottery = match edit(&before.lottery) {
                Ok(lottery) => lottery,
                Err(error) => return Ok(Finish::Rollback(LotteryUpdated::Refused(error))),
            };
            sqlx::query(
                "UPDATE lotteries SET mode = ?, no_prize_weight = ?, cost = ?, daily_spins = ?,
                 winners = ?, opens_at = ?, closes_at = ? WHERE site_id = ? AND lottery_id = ?",
            )
            .bind(lottery.mode.as_str())
            .bind(i64::from(lottery.no_prize_weight))
            .bind(lottery.cost)
            .bind(i64::from(lottery.daily_spins))
            .bind(i64::from(lottery.winners))
            .bind(lottery.opens_at.to_string())
            .bind(lottery.closes_at.to_string())
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM lottery_prizes WHERE site_id = ? AND lottery_id = ?")
                .bind(site.as_str())
                .bind(lottery_id.as_str())
                .execute(&mut *conn)
                .await?;
            insert_prizes(conn, site, &lottery).await?;
            let detail = serde_json::json!({
                "lottery": lottery_id.as_str(),
                "changed": changed_fields(&before.lottery, &lottery),
            });
            audit_in(conn, site, actor, AuditAction::LotteryUpdate, detail, now).await?;
            Ok(Finish::Commit(LotteryUpdated::Done(Box::new(
                existing_lottery(conn, site, lottery_id).await?,
            ))))
        })
    }

    /// Fixes `seed` as the lottery's secret and publishes its hash; a lottery already opened
    /// keeps its seed. A closed lottery cannot be opened. Opening is audited as `actor`'s.
    pub async fn open_lottery(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        seed: &Seed,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<LotteryOpened, StoreError> {
        write_transaction!(self, |conn| {
            note_lottery(site, lottery_id);
            let before = existing_lottery(conn, site, lottery_id).await?;
            if before.is_closed_at(now) {
                return Ok(Finish::Rollback(LotteryOpened::Closed));
            }
            if before.seed.is_some() {
                return Ok(Finish::Rollback(LotteryOpened::Done(Box::new(before))));
            }
            set_seed(conn, site, lottery_id, seed, now).await?;
            let record = existing_lottery(conn, site, lottery_id).await?;
            let detail = serde_json::json!({
                "lottery": lottery_id.as_str(),
                "seed_hash": seed.hash_hex(),
            });
            audit_in(conn, site, actor, AuditAction::LotteryOpen, detail, now).await?;
            Ok(Finish::Commit(LotteryOpened::Done(Box::new(record))))
        })
    }

    /// Closes a lottery now (`CloseWhen::Now`) or only once its close time has passed
    /// (`CloseWhen::IfDue`): reveals the seed (fixing `seed` first if the lottery was never
    /// opened) and draws a giveaway's winners. Closing a closed lottery changes nothing. An
    /// owner's close is audited as `actor`'s (`None` for the close of a due lottery).
    pub async fn close_lottery(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        seed: &Seed,
        when: CloseWhen,
        now: Timestamp,
        actor: Option<&Actor>,
    ) -> Result<LotteryRecord, StoreError> {
        write_transaction!(self, |conn| {
            note_lottery(site, lottery_id);
            let before = existing_lottery(conn, site, lottery_id).await?;
            let due = now >= before.lottery.closes_at;
            if before.closed_at.is_some() || (when == CloseWhen::IfDue && !due) {
                return Ok(Finish::Rollback(before));
            }
            let seed = match &before.seed {
                Some(seed) => seed.clone(),
                None => {
                    set_seed(conn, site, lottery_id, seed, now).await?;
                    seed.clone()
                }
            };
            let closed_at = now.min(before.lottery.closes_at);
            sqlx::query("UPDATE lotteries SET closed_at = ? WHERE site_id = ? AND lottery_id = ?")
                .bind(closed_at.to_string())
                .bind(site.as_str())
                .bind(lottery_id.as_str())
                .execute(&mut *conn)
                .await?;
            if before.lottery.mode == LotteryMode::Giveaway {
                let entrants = read_entrants(conn, site, lottery_id).await?;
                let winners = draw_winners(
                    &seed,
                    lottery_id.as_str(),
                    entrants.iter().map(String::as_str),
                    before.lottery.winners,
                );
                for (place, member) in (1_i64..).zip(&winners) {
                    sqlx::query(
                        "INSERT INTO lottery_winners (site_id, lottery_id, place, member_id)
                         VALUES (?, ?, ?, ?)",
                    )
                    .bind(site.as_str())
                    .bind(lottery_id.as_str())
                    .bind(place)
                    .bind(member)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            let detail = serde_json::json!({ "lottery": lottery_id.as_str() });
            audit_in(conn, site, actor, AuditAction::LotteryClose, detail, now).await?;
            Ok(Finish::Commit(
                existing_lottery(conn, site, lottery_id).await?,
            ))
        })
    }

    /// A lottery and, for `member`, their side of it; read from one snapshot.
    pub async fn lottery(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        member: Option<(&MemberId, Date)>,
    ) -> Result<Option<(LotteryRecord, Option<MemberLottery>)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(record) = read_lottery(&mut tx, site, lottery_id).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let mine = match member {
            Some((member, today)) => {
                Some(read_member_lottery(&mut tx, site, lottery_id, member, today).await?)
            }
            None => None,
        };
        tx.rollback().await?;
        Ok(Some((record, mine)))
    }

    /// Every spin in `seq` order and every entrant in entry order, for the proof.
    pub async fn lottery_history(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
    ) -> Result<LotteryHistory, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT seq, member_id, spin, prize_id FROM lottery_spins
             WHERE site_id = ? AND lottery_id = ? ORDER BY seq",
        )
        .bind(site.as_str())
        .bind(lottery_id.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let entrants = read_entrants(&mut tx, site, lottery_id).await?;
        tx.rollback().await?;
        let spins = rows
            .into_iter()
            .map(|(seq, member, spin, prize)| {
                Ok((
                    u64::try_from(seq).map_err(|_| corrupt(lottery_id, "seq"))?,
                    member,
                    u32::try_from(spin).map_err(|_| corrupt(lottery_id, "spin"))?,
                    prize,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(LotteryHistory { spins, entrants })
    }

    /// The entity tag of the stored proof of a closed lottery; `None` until it is stored.
    pub async fn lottery_proof_etag(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT etag FROM lottery_proofs WHERE site_id = ? AND lottery_id = ?",
        )
        .bind(site.as_str())
        .bind(lottery_id.as_str())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The stored proof of a closed lottery; `None` until it is stored.
    pub async fn lottery_proof(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
    ) -> Result<Option<StoredProof>, StoreError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT proof, etag FROM lottery_proofs WHERE site_id = ? AND lottery_id = ?",
        )
        .bind(site.as_str())
        .bind(lottery_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(proof, etag)| StoredProof { proof, etag }))
    }

    /// Keeps the proof of a closed lottery, once: when two requests build it at the same time
    /// the first one stored wins, and both answer what is stored. Nothing is stored for a
    /// lottery that is not closed (`None`), as its proof could still change.
    pub async fn store_lottery_proof(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        proof: &StoredProof,
        now: Timestamp,
    ) -> Result<Option<StoredProof>, StoreError> {
        let now = now.to_string();
        retry_busy(|| async {
            sqlx::query(
                "INSERT INTO lottery_proofs (site_id, lottery_id, proof, etag, created_at)
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (
                     SELECT 1 FROM lotteries
                     WHERE site_id = ?1 AND lottery_id = ?2 AND closed_at IS NOT NULL)
                 ON CONFLICT (site_id, lottery_id) DO NOTHING",
            )
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .bind(&proof.proof)
            .bind(&proof.etag)
            .bind(&now)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await?;
        self.lottery_proof(site, lottery_id).await
    }

    /// One spin, exactly as the core's `decide_spin` decides it against what is stored at
    /// that moment; every refusal writes nothing.
    pub async fn record_spin(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        spinner: LotteryMember<'_>,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<SpinRecorded, StoreError> {
        let LotteryMember {
            member,
            name,
            today,
        } = spinner;
        write_transaction!(self, |conn| {
            note_lottery(site, lottery_id);
            let before = existing_lottery(conn, site, lottery_id).await?;
            let mine = read_member_lottery(conn, site, lottery_id, member, today).await?;
            let spins_so_far: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM lottery_spins
                 WHERE site_id = ? AND lottery_id = ? AND member_id = ?",
            )
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .bind(member.as_str())
            .fetch_one(&mut *conn)
            .await?;
            let spin = u32::try_from(spins_so_far + 1).map_err(|_| corrupt(lottery_id, "spin"))?;
            let stock = stock_state(&before);
            let attempt = SpinAttempt {
                seed: before.seed.as_ref(),
                closed_at: before.closed_at,
                member: member.as_str(),
                spin,
                spins_today: mine.spins_today,
                balance: mine.balance,
                stock: &stock,
            };
            let outcome = match decide_spin(&before.lottery, attempt, now) {
                Ok(outcome) => outcome,
                Err(reason) => return Ok(Finish::Rollback(SpinRecorded::Refused(reason))),
            };
            upsert_member_in(conn, site, member, name, now).await?;
            let cost = before.lottery.cost;
            let key = format!("spin:{lottery_id}:{spin}");
            if let Err(reason) = charge(conn, site, member, cost, &key, today, now, rules).await? {
                return Ok(Finish::Rollback(SpinRecorded::Refused(
                    SpinError::InsufficientPoints {
                        cost,
                        balance: reason,
                    },
                )));
            }
            let prize_id = match outcome {
                Outcome::Prize(index) => {
                    let prize = &before.lottery.prizes[index];
                    take_one(conn, site, lottery_id, prize).await?;
                    Some(prize.id.as_str())
                }
                Outcome::NoPrize => None,
            };
            let seq: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM lottery_spins
                 WHERE site_id = ? AND lottery_id = ?",
            )
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO lottery_spins (site_id, lottery_id, seq, member_id, spin, prize_id,
                 day, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .bind(seq)
            .bind(member.as_str())
            .bind(i64::from(spin))
            .bind(prize_id)
            .bind(today.to_string())
            .bind(now.to_string())
            .execute(&mut *conn)
            .await?;
            note_acted(conn, site, member, today, Kind::Lottery, true).await?;
            let badges = award_badges(conn, site, member, today, now, rules).await?;
            if let Outcome::Prize(index) = outcome {
                let prize = &before.lottery.prizes[index];
                let won = serde_json::json!({
                    "member": member.as_str(),
                    "name": name,
                    "lottery": lottery_id.as_str(),
                    "spin": spin,
                    "prize": { "id": prize.id, "name": prize.name },
                });
                enqueue_event(conn, site, "prize", now, won).await?;
            }
            let record = existing_lottery(conn, site, lottery_id).await?;
            let mine = read_member_lottery(conn, site, lottery_id, member, today).await?;
            Ok(Finish::Commit(SpinRecorded::Done {
                spin,
                seq: u64::try_from(seq).map_err(|_| corrupt(lottery_id, "seq"))?,
                outcome,
                spent: cost,
                record: Box::new(record),
                member: mine,
                badges,
            }))
        })
    }

    /// A giveaway entry, once per member, paying the cost; a repeat changes nothing.
    pub async fn record_entry(
        &self,
        site: &SiteId,
        lottery_id: &LotteryId,
        entrant: LotteryMember<'_>,
        now: Timestamp,
        rules: &Rules,
    ) -> Result<EntryRecorded, StoreError> {
        let LotteryMember {
            member,
            name,
            today,
        } = entrant;
        write_transaction!(self, |conn| {
            note_lottery(site, lottery_id);
            let before = existing_lottery(conn, site, lottery_id).await?;
            let mine = read_member_lottery(conn, site, lottery_id, member, today).await?;
            let decision = decide_entry(
                &before.lottery,
                before.seed.as_ref(),
                before.closed_at,
                mine.entered,
                mine.balance,
                now,
            );
            match decision {
                Err(reason) => return Ok(Finish::Rollback(EntryRecorded::Refused(reason))),
                Ok(EntryDecision::Already) => {
                    return Ok(Finish::Rollback(EntryRecorded::Done {
                        already: true,
                        spent: 0,
                        record: Box::new(before),
                        balance: mine.balance,
                        badges: Vec::new(),
                    }));
                }
                Ok(EntryDecision::Enter) => {}
            }
            upsert_member_in(conn, site, member, name, now).await?;
            let cost = before.lottery.cost;
            let key = format!("entry:{lottery_id}");
            if let Err(balance) = charge(conn, site, member, cost, &key, today, now, rules).await? {
                return Ok(Finish::Rollback(EntryRecorded::Refused(
                    EntryError::InsufficientPoints { cost, balance },
                )));
            }
            sqlx::query(
                "INSERT INTO lottery_entries (site_id, lottery_id, member_id, seq, at)
                 VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM lottery_entries
                 WHERE site_id = ? AND lottery_id = ?), ?)",
            )
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .bind(member.as_str())
            .bind(site.as_str())
            .bind(lottery_id.as_str())
            .bind(now.to_string())
            .execute(&mut *conn)
            .await?;
            note_acted(conn, site, member, today, Kind::Lottery, true).await?;
            let badges = award_badges(conn, site, member, today, now, rules).await?;
            let record = existing_lottery(conn, site, lottery_id).await?;
            let balance = read_balance(conn, site, member).await?;
            Ok(Finish::Commit(EntryRecorded::Done {
                already: false,
                spent: cost,
                record: Box::new(record),
                balance,
                badges,
            }))
        })
    }
}

/// The stock state a draw sees, in prize order.
fn stock_state(record: &LotteryRecord) -> Vec<PrizeStock> {
    record
        .lottery
        .prizes
        .iter()
        .zip(&record.stock_left)
        .map(|(prize, &left)| PrizeStock {
            weight: prize.weight,
            left,
        })
        .collect()
}

/// Spends `cost` points (nothing when 0) under the ledger key `key`; `Err(balance)` when the
/// balance is short. A repeated key would mean a spin or entry row went missing: corrupt.
#[allow(clippy::too_many_arguments)]
async fn charge(
    conn: &mut SqliteConnection,
    site: &SiteId,
    member: &MemberId,
    cost: i64,
    key: &str,
    today: Date,
    now: Timestamp,
    rules: &Rules,
) -> Result<Result<(), i64>, StoreError> {
    if cost == 0 {
        return Ok(Ok(()));
    }
    let entry = EntryToAppend {
        site,
        member,
        source: Source::Spin,
        amount: -cost,
        key,
        detail: None,
        today,
        now,
    };
    match append_entry(conn, entry, rules).await? {
        Ok(appended) if !appended.duplicate => Ok(Ok(())),
        Ok(_) => Err(StoreError::Corrupt(format!(
            "ledger key '{key}' exists without its spin or entry"
        ))),
        Err(LedgerError::InsufficientPoints { balance, .. }) => Ok(Err(balance)),
        Err(other) => Err(ledger_corrupt(other)),
    }
}

/// Takes one unit of a prize's stock; the core never draws a prize with none left.
async fn take_one(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery_id: &LotteryId,
    prize: &PrizeDefinition,
) -> Result<(), StoreError> {
    let taken = sqlx::query(
        "UPDATE lottery_prizes SET stock_left = stock_left - 1
         WHERE site_id = ? AND lottery_id = ? AND prize_id = ? AND stock_left > 0",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .bind(&prize.id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken != 1 {
        return Err(corrupt(lottery_id, "a prize with no stock was drawn"));
    }
    Ok(())
}

async fn set_seed(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery_id: &LotteryId,
    seed: &Seed,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE lotteries SET seed = ?, seed_hash = ?, opened_at = ?
         WHERE site_id = ? AND lottery_id = ? AND seed IS NULL",
    )
    .bind(seed.to_hex())
    .bind(seed.hash_hex())
    .bind(now.to_string())
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn read_entrants(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery_id: &LotteryId,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT member_id FROM lottery_entries WHERE site_id = ? AND lottery_id = ? ORDER BY seq",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .fetch_all(&mut *conn)
    .await?)
}

/// A lottery with its prizes, stock, seed, entrant count and drawn winners.
pub(super) async fn read_lottery(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery_id: &LotteryId,
) -> Result<Option<LotteryRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT mode, no_prize_weight, cost, daily_spins, winners, opens_at, closes_at, seed,
         closed_at FROM lotteries WHERE site_id = ? AND lottery_id = ?",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let prizes: Vec<(String, String, i64, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT prize_id, name, weight, stock, stock_left, image FROM lottery_prizes
         WHERE site_id = ? AND lottery_id = ? ORDER BY position",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let entrants: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM lottery_entries WHERE site_id = ? AND lottery_id = ?",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .fetch_one(&mut *conn)
    .await?;
    let winners: Vec<(String, String)> = sqlx::query_as(
        "SELECT w.member_id, m.name FROM lottery_winners w
         JOIN members m ON m.site_id = w.site_id AND m.member_id = w.member_id
         WHERE w.site_id = ? AND w.lottery_id = ? ORDER BY w.place",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let number =
        |value: i64, what: &str| u32::try_from(value).map_err(|_| corrupt(lottery_id, what));
    let count = |column: &str| -> Result<u32, StoreError> {
        let value: i64 = row.try_get(column)?;
        number(value, column)
    };
    let mode: String = row.try_get("mode")?;
    let seed: Option<String> = row.try_get("seed")?;
    let closed_at: Option<String> = row.try_get("closed_at")?;
    let mut definitions = Vec::with_capacity(prizes.len());
    let mut stock_left = Vec::with_capacity(prizes.len());
    for (id, name, weight, stock, left, image) in prizes {
        definitions.push(PrizeDefinition {
            id,
            name,
            weight: number(weight, "weight")?,
            stock: number(stock, "stock")?,
            image,
        });
        stock_left.push(number(left, "stock_left")?);
    }
    let lottery = Lottery {
        id: lottery_id.clone(),
        mode: LotteryMode::parse(&mode).ok_or_else(|| corrupt(lottery_id, "mode"))?,
        prizes: definitions,
        no_prize_weight: count("no_prize_weight")?,
        cost: row.try_get("cost")?,
        daily_spins: count("daily_spins")?,
        opens_at: parse_timestamp(&row.try_get::<String, _>("opens_at")?)?,
        closes_at: parse_timestamp(&row.try_get::<String, _>("closes_at")?)?,
        winners: count("winners")?,
    };
    let drawn_winners = winners
        .into_iter()
        .map(|(member, name)| {
            Ok(MemberRow {
                member: MemberId::parse(&member).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                name,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(LotteryRecord {
        lottery,
        stock_left,
        seed: seed
            .map(|hex| Seed::from_hex(&hex).ok_or_else(|| corrupt(lottery_id, "seed")))
            .transpose()?,
        closed_at: closed_at.as_deref().map(parse_timestamp).transpose()?,
        entrants: u64::try_from(entrants).map_err(|_| corrupt(lottery_id, "entrants"))?,
        drawn_winners,
    }))
}

/// A member's spins today, balance, newest spins and whether they entered.
async fn read_member_lottery(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery_id: &LotteryId,
    member: &MemberId,
    today: Date,
) -> Result<MemberLottery, StoreError> {
    let spins_today: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM lottery_spins
         WHERE site_id = ? AND lottery_id = ? AND member_id = ? AND day = ?",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .bind(member.as_str())
    .bind(today.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let recent: Vec<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT spin, prize_id, at FROM lottery_spins
         WHERE site_id = ? AND lottery_id = ? AND member_id = ? ORDER BY spin DESC LIMIT ?",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .bind(member.as_str())
    .bind(RECENT_SPINS)
    .fetch_all(&mut *conn)
    .await?;
    let entered: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM lottery_entries WHERE site_id = ? AND lottery_id = ? AND member_id = ?",
    )
    .bind(site.as_str())
    .bind(lottery_id.as_str())
    .bind(member.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let recent_spins = recent
        .into_iter()
        .map(|(spin, prize, at)| {
            Ok(SpinRow {
                spin: u32::try_from(spin).map_err(|_| corrupt(lottery_id, "spin"))?,
                prize,
                at: parse_timestamp(&at)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(MemberLottery {
        spins_today: u32::try_from(spins_today).unwrap_or(u32::MAX),
        balance: read_balance(conn, site, member).await?,
        recent_spins,
        entered: entered.is_some(),
    })
}

fn corrupt(lottery_id: &LotteryId, what: &str) -> StoreError {
    StoreError::Corrupt(format!("lottery '{lottery_id}': {what}"))
}

/// A lottery that must exist: `LotteryNotFound` otherwise.
async fn existing_lottery(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery_id: &LotteryId,
) -> Result<LotteryRecord, StoreError> {
    read_lottery(conn, site, lottery_id)
        .await?
        .ok_or_else(|| StoreError::LotteryNotFound(lottery_id.clone()))
}

/// Writes a lottery's prizes, in wheel order, with their stock full.
async fn insert_prizes(
    conn: &mut SqliteConnection,
    site: &SiteId,
    lottery: &Lottery,
) -> Result<(), StoreError> {
    for (position, prize) in (0_i64..).zip(&lottery.prizes) {
        sqlx::query(
            "INSERT INTO lottery_prizes (site_id, lottery_id, prize_id, name, weight,
             stock, stock_left, image, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(site.as_str())
        .bind(lottery.id.as_str())
        .bind(&prize.id)
        .bind(&prize.name)
        .bind(i64::from(prize.weight))
        .bind(i64::from(prize.stock))
        .bind(i64::from(prize.stock))
        .bind(prize.image.as_deref())
        .bind(position)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The names of the definition's fields an edit changed, for the audit log.
fn changed_fields(before: &Lottery, after: &Lottery) -> Vec<&'static str> {
    [
        ("mode", before.mode != after.mode),
        ("prizes", before.prizes != after.prizes),
        (
            "no_prize_weight",
            before.no_prize_weight != after.no_prize_weight,
        ),
        ("cost", before.cost != after.cost),
        ("daily_spins", before.daily_spins != after.daily_spins),
        ("opens_at", before.opens_at != after.opens_at),
        ("closes_at", before.closes_at != after.closes_at),
        ("winners", before.winners != after.winners),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}
