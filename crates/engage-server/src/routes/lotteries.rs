//! Lotteries (抽奖): reading one (anyone), spinning a wheel and entering a giveaway (members),
//! the proof after close (anyone), and the owner's list, view, spins log, create, edit (until
//! opened), open and close under `/api/v1/admin`. Every outcome is decided on the server by the core's rules; the seed is
//! in no answer before the lottery closes.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use engage_core::LotteryId;
use engage_core::api::console::{OwnerLotteryView, PrizeStockLeft, SpinLog};
use engage_core::api::lottery::{
    CreateLottery, EntryResult, LotteryMode, LotteryProof, LotteryView, MySpin, PrizeRef,
    PrizeStock, ProofSpin, SpinResult, UpdateLottery, WinnerView,
};
use engage_core::calendar::calendar_day;
use engage_core::jiff::Timestamp;
use engage_core::lottery::{
    Lottery, Outcome, Seed, lottery_proof, lottery_view, spins_left, update_lottery,
    validate_lottery,
};
use engage_core::text::display_name;
use sha2::{Digest, Sha256};

use crate::auth::{Member, SiteAdmin, Visitor};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, path_param, query_cursor, query_limit};
use crate::state::AppState;
use crate::store::{
    CloseWhen, EntryRecorded, LotteryMember, LotteryOpened, LotteryRecord, LotteryUpdated,
    MemberLottery, SpinRecorded, StoredProof,
};

/// The `{lottery}` of the path. An id that cannot exist is "not found", like a missing lottery.
#[derive(Debug, Clone)]
pub struct LotteryPath(pub LotteryId);

impl<S: Send + Sync> FromRequestParts<S> for LotteryPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<LotteryPath, ApiError> {
        let raw = path_param(parts, "lottery").await?;
        LotteryId::parse(&raw)
            .map(LotteryPath)
            .map_err(|_| ApiError::LotteryNotFound(raw.chars().take(LotteryId::MAX_LEN).collect()))
    }
}

/// A fresh secret seed from the operating system.
fn fresh_seed() -> Seed {
    let mut bytes = [0u8; engage_core::lottery::SEED_BYTES];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    Seed::from_bytes(bytes)
}

/// `GET /api/v1/sites/{site}/lotteries/{lottery}`: anyone; a member token adds `spins_left`,
/// `points` and `my_spins` (wheels) or `entered` (giveaways).
pub async fn lottery_state(
    State(state): State<AppState>,
    visitor: Visitor,
    LotteryPath(lottery_id): LotteryPath,
) -> Result<Json<LotteryView>, ApiError> {
    let now = state.now();
    let site = visitor.site();
    let member = match &visitor {
        Visitor::Member(member) => Some((&member.id, calendar_day(now, &site.zone))),
        Visitor::Anonymous { .. } => None,
    };
    let (record, mine) = read_closing_if_due(&state, &site.id, &lottery_id, member, now).await?;
    Ok(Json(view(&record, mine.as_ref(), now)))
}

/// Reads a lottery; the first read after its close time closes it (reveals the seed, draws a
/// giveaway's winners) and answers the closed lottery.
async fn read_closing_if_due(
    state: &AppState,
    site: &engage_core::SiteId,
    lottery_id: &LotteryId,
    member: Option<(&engage_core::MemberId, engage_core::jiff::civil::Date)>,
    now: Timestamp,
) -> Result<(LotteryRecord, Option<MemberLottery>), ApiError> {
    let not_found = || ApiError::LotteryNotFound(lottery_id.to_string());
    let (record, mine) = state
        .store
        .lottery(site, lottery_id, member)
        .await?
        .ok_or_else(not_found)?;
    if !record.close_is_due(now) {
        return Ok((record, mine));
    }
    state
        .store
        .close_lottery(site, lottery_id, &fresh_seed(), CloseWhen::IfDue, now, None)
        .await?;
    state
        .store
        .lottery(site, lottery_id, member)
        .await?
        .ok_or_else(not_found)
}

/// `POST /api/v1/sites/{site}/lotteries/{lottery}/spins`: one spin of a wheel, paid with
/// `cost` points, decided on the server.
pub async fn spin(
    State(state): State<AppState>,
    member: Member,
    LotteryPath(lottery_id): LotteryPath,
) -> Result<Json<SpinResult>, ApiError> {
    let now = state.now();
    let rules = state.rules(&member.site.id).await?;
    let spinner = lottery_member(&member, now);
    let recorded = state
        .store
        .record_spin(&member.site.id, &lottery_id, spinner, now, &rules)
        .await?;
    let (spin, seq, outcome, spent, record, mine, badges) = match recorded {
        SpinRecorded::Refused(reason) => return Err(ApiError::Spin(reason)),
        SpinRecorded::Done {
            spin,
            seq,
            outcome,
            spent,
            record,
            member,
            badges,
        } => (spin, seq, outcome, spent, record, member, badges),
    };
    let lottery = &record.lottery;
    Ok(Json(SpinResult {
        spin,
        seq,
        prize: match outcome {
            Outcome::Prize(index) => prize_ref(lottery, &lottery.prizes[index].id),
            Outcome::NoPrize => None,
        },
        points: mine.balance,
        spent,
        spins_left: spins_left(lottery, mine.spins_today),
        stock: lottery
            .prizes
            .iter()
            .zip(&record.stock_left)
            .map(|(prize, &stock)| PrizeStock {
                id: prize.id.clone(),
                stock,
            })
            .collect(),
        seed_hash: record
            .seed
            .as_ref()
            .map(Seed::hash_hex)
            .ok_or_else(|| ApiError::Internal(format!("lottery '{lottery_id}' spun unopened")))?,
        badges,
    }))
}

/// `POST /api/v1/sites/{site}/lotteries/{lottery}/entries`: enters a giveaway once, paying
/// `cost` points; entering again answers `already: true` and charges nothing.
pub async fn enter(
    State(state): State<AppState>,
    member: Member,
    LotteryPath(lottery_id): LotteryPath,
) -> Result<Json<EntryResult>, ApiError> {
    let now = state.now();
    let rules = state.rules(&member.site.id).await?;
    let entrant = lottery_member(&member, now);
    let recorded = state
        .store
        .record_entry(&member.site.id, &lottery_id, entrant, now, &rules)
        .await?;
    match recorded {
        EntryRecorded::Refused(reason) => Err(ApiError::Entry(reason)),
        EntryRecorded::Done {
            already,
            spent,
            record,
            balance,
            badges,
        } => Ok(Json(EntryResult {
            entered: true,
            already,
            entrants: record.entrants,
            points: balance,
            spent,
            badges,
        })),
    }
}

/// `GET /api/v1/sites/{site}/lotteries/{lottery}/proof`: after close, the seed, the prizes as
/// defined and every spin (and a giveaway's entrants and winners) in order; before close 409
/// `lottery_not_closed`. The proof is built once, by the first request after the close, and
/// stored (a closed lottery never changes); every answer carries its strong `ETag`, and a
/// request whose `If-None-Match` names it gets 304 with no body.
pub async fn proof(
    State(state): State<AppState>,
    visitor: Visitor,
    LotteryPath(lottery_id): LotteryPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let site = &visitor.site().id;
    let if_none_match = headers.get_all(header::IF_NONE_MATCH);
    if if_none_match.iter().next().is_some() {
        // A revalidation reads only the tag, not the proof.
        let etag = state.store.lottery_proof_etag(site, &lottery_id).await?;
        if let Some(etag) = etag.filter(|etag| etag_matches(if_none_match.iter(), etag)) {
            return Ok(not_modified(&etag));
        }
    }
    let stored = match state.store.lottery_proof(site, &lottery_id).await? {
        Some(stored) => stored,
        None => build_proof(&state, site, &lottery_id).await?,
    };
    if etag_matches(if_none_match.iter(), &stored.etag) {
        return Ok(not_modified(&stored.etag));
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag_header(&stored.etag)?),
        ],
        stored.proof,
    )
        .into_response())
}

/// Builds the proof of a lottery that is closed (or closes now, being due) from every spin and
/// entry, and stores it.
async fn build_proof(
    state: &AppState,
    site: &engage_core::SiteId,
    lottery_id: &LotteryId,
) -> Result<StoredProof, ApiError> {
    let now = state.now();
    let (record, _) = read_closing_if_due(state, site, lottery_id, None, now).await?;
    let (Some(seed), Some(_)) = (&record.seed, record.closed_at) else {
        return Err(ApiError::LotteryNotClosed);
    };
    let history = state.store.lottery_history(site, lottery_id).await?;
    let spins = history
        .spins
        .into_iter()
        .map(|(seq, member, spin, prize)| ProofSpin {
            seq,
            member,
            spin,
            prize,
        })
        .collect();
    let drawn_winners = record
        .drawn_winners
        .iter()
        .map(|winner| winner.member.to_string())
        .collect();
    let proof: LotteryProof = lottery_proof(
        &record.lottery,
        seed,
        spins,
        history.entrants,
        drawn_winners,
    );
    let proof = serde_json::to_string(&proof)
        .map_err(|e| ApiError::Internal(format!("lottery '{lottery_id}' proof: {e}")))?;
    let built = StoredProof {
        etag: proof_etag(&proof),
        proof,
    };
    state
        .store
        .store_lottery_proof(site, lottery_id, &built, now)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("lottery '{lottery_id}' proof was not kept")))
}

/// A strong entity tag of the proof's bytes: the first 128 bits of their SHA-256, quoted.
fn proof_etag(proof: &str) -> String {
    let digest = Sha256::digest(proof.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn etag_header(etag: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(etag).map_err(|_| ApiError::Internal(format!("entity tag {etag}")))
}

/// Whether `If-None-Match` names `etag` (or is `*`). For a GET the comparison is the weak one
/// (RFC 9110 §13.1.2): `W/"x"` matches `"x"`.
fn etag_matches<'a>(if_none_match: impl IntoIterator<Item = &'a HeaderValue>, etag: &str) -> bool {
    if_none_match
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// 304 with the entity tag and no body.
fn not_modified(etag: &str) -> Response {
    match etag_header(etag) {
        Ok(value) => (StatusCode::NOT_MODIFIED, [(header::ETAG, value)]).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `POST /api/v1/admin/sites/{site}/lotteries`: 201 with the new lottery (scheduled, no seed
/// yet); 409 `lottery_exists` when the id is taken, 422 `invalid_lottery` naming the field.
pub async fn create_lottery(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(definition): ApiJson<CreateLottery>,
) -> Result<(StatusCode, Json<LotteryView>), ApiError> {
    let lottery = validate_lottery(definition).map_err(ApiError::Lottery)?;
    let now = state.now();
    let record = state
        .store
        .create_lottery(&admin.site.id, &lottery, now, Some(&admin.actor))
        .await?;
    Ok((StatusCode::CREATED, Json(view(&record, None, now))))
}

/// `PATCH /api/v1/admin/sites/{site}/lotteries/{lottery}`: changes the fields given, only until
/// the owner opens the lottery — then 409 `lottery_open` (its seed hash and prizes are
/// published), once closed 409 `lottery_closed`. The result is checked like a new lottery:
/// 422 `invalid_lottery` naming the field, and nothing changes.
pub async fn edit_lottery(
    State(state): State<AppState>,
    admin: SiteAdmin,
    LotteryPath(lottery_id): LotteryPath,
    ApiJson(update): ApiJson<UpdateLottery>,
) -> Result<Json<LotteryView>, ApiError> {
    let now = state.now();
    let updated = state
        .store
        .update_lottery(
            &admin.site.id,
            &lottery_id,
            |current| update_lottery(current, update.clone()),
            now,
            Some(&admin.actor),
        )
        .await?;
    match updated {
        LotteryUpdated::Done(record) => Ok(Json(view(&record, None, now))),
        LotteryUpdated::Refused(error) => Err(ApiError::Lottery(error)),
        LotteryUpdated::Opened => Err(ApiError::LotteryOpened),
        LotteryUpdated::Closed => Err(ApiError::LotteryClosedEdit),
    }
}

/// `POST /api/v1/admin/sites/{site}/lotteries/{lottery}/open`: fixes the secret seed and
/// publishes its `seed_hash`; opening again keeps the seed. 409 `lottery_closed` once closed.
pub async fn open_lottery(
    State(state): State<AppState>,
    admin: SiteAdmin,
    LotteryPath(lottery_id): LotteryPath,
) -> Result<Json<LotteryView>, ApiError> {
    let now = state.now();
    let opened = state
        .store
        .open_lottery(
            &admin.site.id,
            &lottery_id,
            &fresh_seed(),
            now,
            Some(&admin.actor),
        )
        .await?;
    match opened {
        LotteryOpened::Done(record) => Ok(Json(view(&record, None, now))),
        LotteryOpened::Closed => Err(ApiError::LotteryClosed),
    }
}

/// `POST /api/v1/admin/sites/{site}/lotteries/{lottery}/close`: closes now, reveals the seed
/// and draws a giveaway's winners; closing again changes nothing.
pub async fn close_lottery(
    State(state): State<AppState>,
    admin: SiteAdmin,
    LotteryPath(lottery_id): LotteryPath,
) -> Result<Json<LotteryView>, ApiError> {
    let now = state.now();
    let record = state
        .store
        .close_lottery(
            &admin.site.id,
            &lottery_id,
            &fresh_seed(),
            CloseWhen::Now,
            now,
            Some(&admin.actor),
        )
        .await?;
    Ok(Json(view(&record, None, now)))
}

/// `GET /api/v1/admin/sites/{site}/lotteries`: every lottery, newest first, as its owner sees
/// it. Lotteries past their close time are closed first, as any read does.
pub async fn owner_lotteries(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<Vec<OwnerLotteryView>>, ApiError> {
    let now = state.now();
    let site = &admin.site.id;
    let mut views = Vec::new();
    for (record, spins) in state.store.owner_lotteries(site).await? {
        let record = if record.close_is_due(now) {
            read_closing_if_due(&state, site, &record.lottery.id, None, now)
                .await?
                .0
        } else {
            record
        };
        views.push(owner_view(site, &record, spins, now));
    }
    Ok(Json(views))
}

/// `GET /api/v1/admin/sites/{site}/lotteries/{lottery}`: the lottery with its stock as defined
/// and left, spins, entrants and, once closed, the proof's path; 404 `lottery_not_found`.
pub async fn owner_lottery(
    State(state): State<AppState>,
    admin: SiteAdmin,
    LotteryPath(lottery_id): LotteryPath,
) -> Result<Json<OwnerLotteryView>, ApiError> {
    let now = state.now();
    let site = &admin.site.id;
    let (record, _) = read_closing_if_due(&state, site, &lottery_id, None, now).await?;
    let spins = state.store.lottery_spin_count(site, &lottery_id).await?;
    Ok(Json(owner_view(site, &record, spins, now)))
}

fn owner_view(
    site: &engage_core::SiteId,
    record: &LotteryRecord,
    spins: u64,
    now: Timestamp,
) -> OwnerLotteryView {
    let mut lottery = view(record, None, now);
    lottery.entrants = Some(record.entrants);
    let id = &record.lottery.id;
    OwnerLotteryView {
        lottery,
        stock_left: record
            .lottery
            .prizes
            .iter()
            .zip(&record.stock_left)
            .map(|(prize, &left)| PrizeStockLeft {
                id: prize.id.clone(),
                name: prize.name.clone(),
                stock: prize.stock,
                stock_left: left,
            })
            .collect(),
        spins,
        proof: record
            .closed_at
            .map(|_| format!("/api/v1/sites/{site}/lotteries/{id}/proof")),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpinLogQuery {
    /// The `next_before` of the previous page.
    before: Option<String>,
    /// 1 to 200 (default 50).
    limit: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/lotteries/{lottery}/spins?before=&limit=`: the spins log,
/// newest first; 404 `lottery_not_found`.
pub async fn spin_log(
    State(state): State<AppState>,
    admin: SiteAdmin,
    LotteryPath(lottery_id): LotteryPath,
    ApiQuery(query): ApiQuery<SpinLogQuery>,
) -> Result<Json<SpinLog>, ApiError> {
    let before = query_cursor(query.before.as_deref(), "before")?
        .map(|seq| u64::try_from(seq).unwrap_or(u64::MAX));
    let limit = query_limit(query.limit.as_deref(), 50, 200)?;
    let site = &admin.site.id;
    if state
        .store
        .lottery(site, &lottery_id, None)
        .await?
        .is_none()
    {
        return Err(ApiError::LotteryNotFound(lottery_id.to_string()));
    }
    Ok(Json(
        state
            .store
            .spin_log(site, &lottery_id, before, limit)
            .await?,
    ))
}

fn lottery_member(member: &Member, now: Timestamp) -> LotteryMember<'_> {
    LotteryMember {
        member: &member.id,
        name: &member.name,
        today: calendar_day(now, &member.site.zone),
    }
}

fn prize_ref(lottery: &Lottery, id: &str) -> Option<PrizeRef> {
    lottery
        .prizes
        .iter()
        .find(|prize| prize.id == id)
        .map(|prize| PrizeRef {
            id: prize.id.clone(),
            name: prize.name.clone(),
        })
}

/// The lottery as a caller sees it: the core's public view, the giveaway's count and winners,
/// and the member's side when `mine` is given.
fn view(record: &LotteryRecord, mine: Option<&MemberLottery>, now: Timestamp) -> LotteryView {
    let lottery = &record.lottery;
    let mut view = lottery_view(
        lottery,
        &record.stock_left,
        record.seed.as_ref(),
        record.closed_at,
        now,
    );
    let giveaway = lottery.mode == LotteryMode::Giveaway;
    if giveaway {
        view.entrants = Some(record.entrants);
        view.drawn_winners = record.closed_at.map(|_| {
            record
                .drawn_winners
                .iter()
                .map(|winner| WinnerView {
                    member: winner.member.to_string(),
                    name: display_name(&winner.name, winner.member.as_str()),
                })
                .collect()
        });
    }
    if let Some(mine) = mine {
        view.points = Some(mine.balance);
        if giveaway {
            view.entered = Some(mine.entered);
        } else {
            view.spins_left = Some(spins_left(lottery, mine.spins_today));
            view.my_spins = Some(
                mine.recent_spins
                    .iter()
                    .map(|spin| MySpin {
                        spin: spin.spin,
                        prize: spin.prize.as_deref().and_then(|id| prize_ref(lottery, id)),
                        at: spin.at,
                    })
                    .collect(),
            );
        }
    }
    view
}
