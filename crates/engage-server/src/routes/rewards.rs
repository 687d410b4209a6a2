//! The rewards shop (积分兑换): the catalogue (anyone; a member sees what they can afford),
//! redeeming and a member's own redemptions, and the owner's rewards, coupon codes and
//! fulfilment queue under `/api/v1/admin`. Every decision is the core's (`engage_core::rewards`);
//! a redemption is one store transaction.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use engage_core::RewardId;
use engage_core::api::rewards::{
    AddCodes, CodesAdded, CreateReward, MyRedemptions, OwnerRedemptionView, OwnerRewardView,
    RedeemRequest, RedeemResult, RedemptionPage, RedemptionStatus, RedemptionView,
    RewardsCatalogue, SetRedemptionStatus, UpdateReward,
};
use engage_core::calendar::calendar_day;
use engage_core::jiff::Timestamp;
use engage_core::rewards::{
    clean_codes, codes_from_text, idempotency_key_ok, reward_view, update_reward, validate_reward,
};
use engage_core::text::display_name;
use serde::Deserialize;

use crate::auth::{Member, SiteAdmin, Visitor};
use crate::error::ApiError;
use crate::extract::{
    ApiJson, ApiQuery, BODY_LIMIT_BYTES, JsonObject, path_param, query_cursor, query_limit,
};
use crate::state::AppState;
use crate::store::{
    CodesRecorded, RedeemRecorded, RedemptionFilter, RedemptionRecord, RewardRecord, RewardUpdated,
    StatusRecorded,
};

/// The most bytes an upload of codes may hold (a pool of tens of thousands of codes).
pub const CODES_BODY_LIMIT_BYTES: usize = 1024 * 1024;
/// The header a client may send its idempotency key in.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The `{reward}` of the path. An id that cannot exist is "not found", like a missing reward.
#[derive(Debug, Clone)]
pub struct RewardPath(pub RewardId);

impl<S: Send + Sync> FromRequestParts<S> for RewardPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<RewardPath, ApiError> {
        let raw = path_param(parts, "reward").await?;
        RewardId::parse(&raw)
            .map(RewardPath)
            .map_err(|_| ApiError::RewardNotFound(raw.chars().take(RewardId::MAX_LEN).collect()))
    }
}

/// The `{id}` of a redemption in the path: the decimal number the API gives it.
#[derive(Debug, Clone, Copy)]
pub struct RedemptionPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for RedemptionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<RedemptionPath, ApiError> {
        let raw = path_param(parts, "redemption").await?;
        raw.parse::<i64>()
            .ok()
            .filter(|seq| *seq >= 1)
            .map(RedemptionPath)
            .ok_or_else(|| ApiError::RedemptionNotFound(raw.chars().take(32).collect()))
    }
}

/// `GET /api/v1/sites/{site}/rewards`: the rewards not archived; with a member token also
/// whether each is affordable, the member's redemptions left, balance and freezes held.
pub async fn catalogue(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<RewardsCatalogue>, ApiError> {
    let now = state.now();
    let site = visitor.site();
    let records = state.store.rewards(&site.id, false).await?;
    let shop = match &visitor {
        Visitor::Member(member) => {
            state
                .store
                .note_member_seen(&site.id, &member.id, &member.name, now)
                .await?;
            Some(state.store.member_shop(&site.id, &member.id).await?)
        }
        Visitor::Anonymous { .. } => None,
    };
    let rewards = records
        .iter()
        .map(|record| {
            let mine = shop.as_ref().map(|shop| {
                let redeemed = shop
                    .redeemed
                    .get(record.reward.id.as_str())
                    .copied()
                    .unwrap_or(0);
                (shop.balance, redeemed)
            });
            reward_view(&record.reward, record.codes_left, mine, now)
        })
        .collect();
    Ok(Json(RewardsCatalogue {
        rewards,
        points: shop.as_ref().map(|shop| shop.balance),
        freezes: shop.as_ref().map(|shop| shop.freezes),
    }))
}

/// `POST /api/v1/sites/{site}/rewards/{reward}/redemptions`: takes the price, one unit of
/// stock and, for a `code` reward, one unused code, in one transaction; 201 with the
/// redemption. An idempotency key (the `Idempotency-Key` header, or `idempotency_key` in an
/// optional JSON body) makes a repeat answer 200 with the first redemption.
pub async fn redeem(
    State(state): State<AppState>,
    member: Member,
    RewardPath(reward_id): RewardPath,
    request: Request,
) -> Result<(StatusCode, Json<RedeemResult>), ApiError> {
    let headers = request.headers().clone();
    let body = read_body(request, BODY_LIMIT_BYTES).await?;
    let key = idempotency_key(&headers, &body)?;
    let now = state.now();
    let rules = state.rules(&member.site.id).await?;
    let request = crate::store::RedeemRequest {
        member: &member.id,
        name: &member.name,
        idempotency_key: key.as_deref(),
        today: calendar_day(now, &member.site.zone),
    };
    let recorded = state
        .store
        .redeem(&member.site.id, &reward_id, request, now, &rules)
        .await?;
    match recorded {
        RedeemRecorded::Refused(reason) => Err(ApiError::Redeem(reason)),
        RedeemRecorded::KeyReused => Err(ApiError::IdempotencyKeyReused),
        RedeemRecorded::Done {
            redemption,
            balance,
            badges,
            duplicate,
        } => {
            let status = if duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok((
                status,
                Json(RedeemResult {
                    redemption: member_view(&redemption),
                    points: balance,
                    badges,
                    duplicate,
                }),
            ))
        }
    }
}

/// The idempotency key of a redemption: the header, else the body's; both must agree.
fn idempotency_key(headers: &HeaderMap, body: &Bytes) -> Result<Option<String>, ApiError> {
    let from_header = match headers.get(IDEMPOTENCY_KEY_HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::InvalidIdempotencyKey)?
                .to_owned(),
        ),
    };
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim_start().starts_with("application/json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let request: RedeemRequest = json_object(body)?;
        request.idempotency_key
    };
    let key = match (from_header, from_body) {
        (Some(header), Some(body)) if header != body => {
            return Err(ApiError::InvalidBody(
                "idempotency_key differs from the Idempotency-Key header".into(),
            ));
        }
        (header, body) => header.or(body),
    };
    match key {
        Some(key) if !idempotency_key_ok(&key) => Err(ApiError::InvalidIdempotencyKey),
        other => Ok(other),
    }
}

/// The whole body of `request`, at most `limit` bytes (413 `body_too_large` past it).
async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| ApiError::BodyTooLarge { limit })
}

/// A JSON object read from bytes already taken from the request (the same errors as
/// `ApiJson`: 400 `malformed_json`, 422 `invalid_body`).
fn json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice::<JsonObject<T>>(bytes)
        .map(|JsonObject(value)| value)
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Data => ApiError::InvalidBody(e.to_string()),
            _ => ApiError::MalformedJson(e.to_string()),
        })
}

/// `GET /api/v1/sites/{site}/rewards/redemptions/mine`: the member's redemptions, newest first.
pub async fn mine(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<MyRedemptions>, ApiError> {
    let records = state
        .store
        .my_redemptions(&member.site.id, &member.id)
        .await?;
    Ok(Json(MyRedemptions {
        redemptions: records.iter().map(member_view).collect(),
    }))
}

fn member_view(record: &RedemptionRecord) -> RedemptionView {
    RedemptionView {
        id: record.seq.to_string(),
        reward: record.reward.clone(),
        name: record.name.clone(),
        status: record.status,
        code: record.code.clone(),
        price: record.price,
        at: Some(record.created_at),
    }
}

fn owner_redemption_view(record: &RedemptionRecord) -> OwnerRedemptionView {
    OwnerRedemptionView {
        redemption: member_view(record),
        member: record.member.clone(),
        member_name: display_name(&record.member_name, &record.member),
        updated_at: Some(record.updated_at),
    }
}

fn owner_view(record: &RewardRecord, now: Timestamp) -> OwnerRewardView {
    let is_code = record.reward.kind == engage_core::api::rewards::RewardKind::Code;
    OwnerRewardView {
        reward: reward_view(&record.reward, record.codes_left, None, now),
        archived: record.reward.archived,
        codes_total: is_code.then_some(record.codes_total),
        codes_left: is_code.then_some(record.codes_left),
        redeemed: record.pending + record.fulfilled + record.cancelled,
        pending: record.pending,
        fulfilled: record.fulfilled,
        cancelled: record.cancelled,
        points_taken: record.points_taken,
        created_at: record.created_at,
    }
}

/// `POST /api/v1/admin/sites/{site}/rewards`: 201 with the new reward; 409 `reward_exists`,
/// 422 `invalid_reward` naming the field.
pub async fn create_reward(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiJson(definition): ApiJson<CreateReward>,
) -> Result<(StatusCode, Json<OwnerRewardView>), ApiError> {
    let reward = validate_reward(definition).map_err(ApiError::Reward)?;
    let now = state.now();
    let record = state
        .store
        .create_reward(&admin.site.id, &reward, now, Some(&admin.actor))
        .await?;
    Ok((StatusCode::CREATED, Json(owner_view(&record, now))))
}

/// `GET /api/v1/admin/sites/{site}/rewards`: every reward, archived ones too, oldest first,
/// with its numbers.
pub async fn owner_rewards(
    State(state): State<AppState>,
    admin: SiteAdmin,
) -> Result<Json<Vec<OwnerRewardView>>, ApiError> {
    let now = state.now();
    let records = state.store.rewards(&admin.site.id, true).await?;
    Ok(Json(
        records
            .iter()
            .map(|record| owner_view(record, now))
            .collect(),
    ))
}

/// `GET /api/v1/admin/sites/{site}/rewards/{reward}`.
pub async fn owner_reward(
    State(state): State<AppState>,
    admin: SiteAdmin,
    RewardPath(reward_id): RewardPath,
) -> Result<Json<OwnerRewardView>, ApiError> {
    let record = state
        .store
        .reward(&admin.site.id, &reward_id)
        .await?
        .ok_or_else(|| ApiError::RewardNotFound(reward_id.to_string()))?;
    Ok(Json(owner_view(&record, state.now())))
}

/// `PATCH /api/v1/admin/sites/{site}/rewards/{reward}`: changes the fields given, checked like
/// a new reward (422 `invalid_reward`, nothing changes).
pub async fn edit_reward(
    State(state): State<AppState>,
    admin: SiteAdmin,
    RewardPath(reward_id): RewardPath,
    ApiJson(update): ApiJson<UpdateReward>,
) -> Result<Json<OwnerRewardView>, ApiError> {
    let now = state.now();
    let updated = state
        .store
        .update_reward(
            &admin.site.id,
            &reward_id,
            |current| update_reward(current, update.clone()),
            now,
            Some(&admin.actor),
        )
        .await?;
    match updated {
        RewardUpdated::Refused(error) => Err(ApiError::Reward(error)),
        RewardUpdated::Done { record, .. } => Ok(Json(owner_view(&record, now))),
    }
}

/// `POST /api/v1/admin/sites/{site}/rewards/{reward}/codes`: adds coupon codes to a `code`
/// reward's pool, as JSON `{"codes": […]}` or as `text/plain` / `text/csv` (one code a line, or
/// a CSV's first column), trimmed, blank lines skipped; codes already in the pool are counted
/// as duplicates. A bad code refuses the whole upload (422 `invalid_codes` naming its line).
pub async fn add_codes(
    State(state): State<AppState>,
    admin: SiteAdmin,
    RewardPath(reward_id): RewardPath,
    request: Request,
) -> Result<Json<CodesAdded>, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let bytes = read_body(request, CODES_BODY_LIMIT_BYTES).await?;
    let lines: Vec<(usize, String)> = match content_type.as_str() {
        "application/json" => {
            let AddCodes { codes } = json_object(&bytes)?;
            (1..).zip(codes).collect()
        }
        "text/plain" | "text/csv" => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ApiError::InvalidBody("the codes are not UTF-8 text".into()))?;
            codes_from_text(text)
        }
        _ => return Err(ApiError::UnsupportedCodesMediaType),
    };
    let codes: Vec<String> = clean_codes(lines.iter().map(|(line, code)| (*line, code.as_str())))
        .map_err(ApiError::Codes)?
        .into_iter()
        .map(|(_, code)| code)
        .collect();
    let recorded = state
        .store
        .add_reward_codes(
            &admin.site.id,
            &reward_id,
            &codes,
            state.now(),
            Some(&admin.actor),
        )
        .await?;
    match recorded {
        CodesRecorded::NotCodeReward(kind) => Err(ApiError::NotCodeReward {
            reward: reward_id.to_string(),
            kind: kind.as_str(),
        }),
        CodesRecorded::Done {
            added,
            duplicates,
            duplicate_codes,
            codes_left,
        } => Ok(Json(CodesAdded {
            added,
            duplicates,
            codes_left,
            duplicate_codes,
        })),
    }
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    reward: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/admin/sites/{site}/redemptions?status=&reward=&before=&limit=` (also under
/// `…/rewards/redemptions`): the fulfilment queue, newest first, a page at a time.
pub async fn queue(
    State(state): State<AppState>,
    admin: SiteAdmin,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<RedemptionPage>, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(RedemptionStatus::parse(text).ok_or_else(|| {
            ApiError::InvalidQuery(format!(
                "status must be pending, fulfilled or cancelled, not '{}'",
                text.chars().take(32).collect::<String>()
            ))
        })?),
    };
    let reward = match query.reward.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            RewardId::parse(text).map_err(|e| ApiError::InvalidQuery(format!("reward: {e}")))?,
        ),
    };
    let limit = query_limit(query.limit.as_deref(), 50, 200)?;
    let filter = RedemptionFilter {
        status,
        reward,
        before: query_cursor(query.before.as_deref(), "before")?,
        limit: limit + 1,
    };
    let mut records = state.store.redemptions(&admin.site.id, &filter).await?;
    let more = records.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    records.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = records
        .last()
        .filter(|_| more)
        .map(|last| last.seq.to_string());
    Ok(Json(RedemptionPage {
        redemptions: records.iter().map(owner_redemption_view).collect(),
        next,
    }))
}

/// `PATCH /api/v1/admin/sites/{site}/redemptions/{id}` `{"status": …}`: `fulfilled` marks an
/// item sent; `cancelled` refunds the price once through the ledger (source `redemption`),
/// puts the unit back in stock and never puts a code back in the pool. Repeating the current
/// status changes nothing.
pub async fn set_status(
    State(state): State<AppState>,
    admin: SiteAdmin,
    RedemptionPath(seq): RedemptionPath,
    ApiJson(request): ApiJson<SetRedemptionStatus>,
) -> Result<Json<OwnerRedemptionView>, ApiError> {
    let now = state.now();
    let rules = state.rules(&admin.site.id).await?;
    let recorded = state
        .store
        .set_redemption_status(
            &admin.site.id,
            seq,
            request.status,
            calendar_day(now, &admin.site.zone),
            now,
            &rules,
            Some(&admin.actor),
        )
        .await?;
    match recorded {
        StatusRecorded::Refused(reason) => Err(ApiError::RedemptionStatus(reason)),
        StatusRecorded::Done { redemption, .. } => Ok(Json(owner_redemption_view(&redemption))),
    }
}
