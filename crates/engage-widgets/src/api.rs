//! The widgets' HTTP client: a thin `fetch` over `web-sys` that speaks the JSON API (v1), and the
//! error type that turns statuses and error codes into messages a member can act on.
//!
//! Responses are parsed by the browser (`Response.json()`) and converted with
//! `serde-wasm-bindgen`, which keeps `serde_json` out of the wasm.
//!
//! Anonymous visitors are known by a random visitor id kept in the browser ([`visitor_id`]),
//! sent as `X-Engage-Visitor` on the requests an anonymous caller may make.

use std::cell::RefCell;

use engage_core::VisitorId;
use engage_core::api::feedback::{FeedbackForm, FeedbackSent, MyFeedback};
use engage_core::api::leaderboard::{LeaderboardView, Period};
use engage_core::api::lottery::{EntryResult, LotteryView, SpinResult};
use engage_core::api::rewards::{MyRedemptions, RedeemResult, RewardsCatalogue};
use engage_core::api::{CheckinState, ErrorBody, MakeupRequest, Me, PollView, VoteRequest};
use engage_core::calendar::YearMonth;
use engage_core::jiff::civil::Date;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, RequestMode, Response};

use crate::Widget;
use crate::i18n::Lang;

/// Where a widget's API lives and who is asking: provided as context once at the mount point.
///
/// The fields are signals so that a changed `server`, `site` or `member-token` attribute takes
/// effect without remounting.
#[derive(Debug, Clone, Copy)]
pub struct ApiClient {
    /// The server's origin, e.g. `https://engage.example.com`; empty for the page's own origin.
    pub server: Signal<String>,
    pub site: Signal<String>,
    /// The member token, when the host page knows the member.
    pub token: Signal<Option<String>>,
}

impl ApiClient {
    /// The current server, site and token, read reactively: call it where a change should
    /// re-run the caller (a resource's fetcher, an effect).
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            server: self.server.get(),
            site: self.site.get(),
            token: self.token.get().filter(|t| !t.trim().is_empty()),
        }
    }

    /// Like [`ApiClient::endpoint`] but without subscribing, for event handlers.
    pub fn endpoint_untracked(&self) -> Endpoint {
        Endpoint {
            server: self.server.get_untracked(),
            site: self.site.get_untracked(),
            token: self.token.get_untracked().filter(|t| !t.trim().is_empty()),
        }
    }
}

/// One snapshot of server, site and member token: what a request is sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub server: String,
    pub site: String,
    pub token: Option<String>,
}

/// Why a request did not give the answer we wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Occurs when the widget has no member token, so a member-only request was not sent.
    NotSignedIn,
    /// Occurs when the browser is offline or the request failed before any answer arrived.
    Offline,
    /// Occurs when the server answered 429; `retry_after_seconds` is its `Retry-After` header.
    RateLimited { retry_after_seconds: Option<u32> },
    /// Occurs when the server answered with an error status and (usually) an error body.
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// Occurs when a success answer was not the JSON we expect.
    BadResponse { status: u16 },
}

impl ApiError {
    /// The stable code reported in `engage:error` events.
    pub fn code(&self) -> &str {
        match self {
            ApiError::NotSignedIn => "not_signed_in",
            ApiError::Offline => "offline",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { code, .. } => code,
            ApiError::BadResponse { .. } => "bad_response",
        }
    }

    /// The HTTP status, or 0 when no answer arrived.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::NotSignedIn | ApiError::Offline => 0,
            ApiError::RateLimited { .. } => 429,
            ApiError::Server { status, .. } | ApiError::BadResponse { status } => *status,
        }
    }

    /// What to tell the member of `widget`, in their language. Server messages are English
    /// only, so known codes get our own translated text and unknown ones a generic message
    /// with the status.
    pub fn user_message(&self, lang: Lang, widget: Widget) -> String {
        let not_found = || match widget {
            Widget::Checkin => lang.checkin_not_set_up(),
            Widget::Poll => lang.poll_not_found(),
            Widget::Lottery => lang.lottery_not_found(),
            Widget::Feedback => lang.feedback_not_set_up(),
            Widget::Leaderboard => lang.leaderboard_not_available(),
            Widget::Rewards => lang.rewards_not_set_up(),
        };
        match self {
            ApiError::NotSignedIn => match widget {
                Widget::Checkin => lang.sign_in_to_check_in(),
                Widget::Poll => lang.sign_in_to_vote(),
                Widget::Lottery => lang.sign_in_to_spin(),
                Widget::Feedback => lang.sign_in_to_send_feedback(),
                Widget::Leaderboard => lang.sign_in_to_see_rank(),
                Widget::Rewards => lang.sign_in_to_redeem(),
            }
            .to_owned(),
            ApiError::Offline => lang.offline().to_owned(),
            ApiError::RateLimited {
                retry_after_seconds,
            } => lang.rate_limited(*retry_after_seconds),
            ApiError::BadResponse { .. } => lang.unexpected_response().to_owned(),
            ApiError::Server {
                status,
                code,
                message,
            } => match code.as_str() {
                "missing_token" | "invalid_token" => lang.session_invalid().to_owned(),
                "token_expired" => lang.session_expired().to_owned(),
                "insufficient_points" => lang.insufficient_points().to_owned(),
                "already_checked_in" => lang.day_already_checked_in().to_owned(),
                "makeup_monthly_limit" => lang.makeup_monthly_limit().to_owned(),
                "makeup_outside_window" => lang.makeup_outside_window().to_owned(),
                "members_only" if widget == Widget::Feedback => {
                    lang.sign_in_to_send_feedback().to_owned()
                }
                "invalid_feedback" => lang.feedback_not_accepted(message),
                "body_too_large" => lang.feedback_too_large().to_owned(),
                "members_only" => lang.sign_in_to_vote().to_owned(),
                "poll_closed" => lang.poll_has_closed().to_owned(),
                "already_voted" => lang.already_voted().to_owned(),
                "ip_limit_reached" => lang.ip_limit_reached().to_owned(),
                "missing_visitor_id" => lang.visitor_id_blocked().to_owned(),
                "invalid_choice" | "no_choice" | "too_many_choices" => {
                    lang.choices_not_accepted().to_owned()
                }
                "lottery_not_open" => lang.lottery_not_open_yet().to_owned(),
                "lottery_closed" => lang.lottery_has_closed().to_owned(),
                "daily_limit_reached" => lang.no_spins_left_today().to_owned(),
                "lottery_sold_out" => lang.lottery_sold_out().to_owned(),
                "out_of_stock" => lang.reward_out_of_stock().to_owned(),
                "limit_reached" => lang.reward_limit_reached().to_owned(),
                "reward_not_found" => lang.reward_not_found().to_owned(),
                _ if *status == 403 && widget == Widget::Rewards => {
                    lang.reward_not_open_now().to_owned()
                }
                "site_not_found" | "unknown_site" if widget == Widget::Poll => {
                    lang.polls_not_set_up().to_owned()
                }
                _ if *status == 404 => not_found().to_owned(),
                _ => lang.server_error(*status),
            },
        }
    }
}

impl Endpoint {
    /// `GET /api/v1/sites/{site}/checkin[?month=YYYY-MM]`.
    pub async fn checkin_state(&self, month: Option<YearMonth>) -> Result<CheckinState, ApiError> {
        let query = month.map(|m| format!("?month={m}")).unwrap_or_default();
        let value = self
            .send(Caller::Member, "GET", &format!("/checkin{query}"), None)
            .await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/checkin`: idempotent per member and day on the server.
    pub async fn check_in(&self) -> Result<CheckinState, ApiError> {
        let value = self
            .send(Caller::Member, "POST", "/checkin", Some("{}".into()))
            .await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/checkin/makeup` with `{"date": "YYYY-MM-DD"}`.
    pub async fn make_up(&self, date: Date) -> Result<CheckinState, ApiError> {
        let body = json_body(&MakeupRequest { date })?;
        let value = self
            .send(Caller::Member, "POST", "/checkin/makeup", Some(body))
            .await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/polls/{poll}`, as the member or, without a token, as this
    /// browser's anonymous visitor (so that `my_choices` is theirs).
    pub async fn poll(&self, poll: &str) -> Result<PollView, ApiError> {
        let path = poll_path(poll, "");
        let value = self.send(Caller::Anyone, "GET", &path, None).await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/polls/{poll}/votes` with `{"choices": [...]}`; the answer is
    /// the poll as the voter now sees it, with `awarded` and (for members) `points`.
    pub async fn vote(&self, poll: &str, choices: Vec<String>) -> Result<PollView, ApiError> {
        let body = json_body(&VoteRequest { choices })?;
        let path = poll_path(poll, "/votes");
        let value = self.send(Caller::Anyone, "POST", &path, Some(body)).await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/lotteries/{lottery}`; with a member token the answer adds
    /// the member's points, spins left today and own spins (or giveaway entry).
    pub async fn lottery(&self, lottery: &str) -> Result<LotteryView, ApiError> {
        let path = lottery_path(lottery, "");
        let value = self.send(Caller::Anyone, "GET", &path, None).await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/lotteries/{lottery}/spins`: one spin, decided by the server.
    pub async fn spin(&self, lottery: &str) -> Result<SpinResult, ApiError> {
        let path = lottery_path(lottery, "/spins");
        let value = self.send(Caller::Member, "POST", &path, None).await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/lotteries/{lottery}/entries`: enters a giveaway (once).
    pub async fn enter_giveaway(&self, lottery: &str) -> Result<EntryResult, ApiError> {
        let path = lottery_path(lottery, "/entries");
        let value = self.send(Caller::Member, "POST", &path, None).await?;
        parse(value)
    }

    /// Where a closed lottery's proof is published (anyone may read it).
    pub fn lottery_proof_url(&self, lottery: &str) -> String {
        self.url(&lottery_path(lottery, "/proof"))
    }

    /// `GET /api/v1/sites/{site}/feedback/form`: the owner's settings for the feedback form.
    pub async fn feedback_form(&self) -> Result<FeedbackForm, ApiError> {
        let value = self
            .send(Caller::Anyone, "GET", "/feedback/form", None)
            .await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/feedback` as the member or this browser's visitor. `body` is
    /// built by the widget as a JS object: its open `context` object is `serde_json` values in
    /// `SendFeedback`, which the wasm does without.
    pub async fn send_feedback(&self, body: &js_sys::Object) -> Result<FeedbackSent, ApiError> {
        let body = js_sys::JSON::stringify(body)
            .map(JsValue::from)
            .map_err(|_| ApiError::BadResponse { status: 0 })?;
        let value = self
            .send(Caller::Anyone, "POST", "/feedback", Some(body))
            .await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/feedback/mine`: the caller's feedback and the owner's replies.
    pub async fn my_feedback(&self) -> Result<MyFeedback, ApiError> {
        let value = self
            .send(Caller::Anyone, "GET", "/feedback/mine", None)
            .await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/leaderboard?period=&limit=`: anyone may read it; with a
    /// member token the answer adds the member's own place (`me`).
    pub async fn leaderboard(
        &self,
        period: Period,
        limit: u32,
    ) -> Result<LeaderboardView, ApiError> {
        let path = format!("/leaderboard?period={period}&limit={limit}");
        let value = self.send(Caller::Anyone, "GET", &path, None).await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/me`: the member's points, level, title and badges.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let value = self.send(Caller::Member, "GET", "/me", None).await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/rewards`: anyone may read the catalogue; with a member token
    /// the answer adds the balance, freezes held and what the member can afford.
    pub async fn rewards(&self) -> Result<RewardsCatalogue, ApiError> {
        let value = self.send(Caller::Anyone, "GET", "/rewards", None).await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/rewards/{reward}/redemptions`: points, stock, the member's
    /// limit and (for a code reward) one code are taken together on the server. The same
    /// `idempotency_key` again answers the first redemption instead of making another.
    pub async fn redeem(
        &self,
        reward: &str,
        idempotency_key: &str,
    ) -> Result<RedeemResult, ApiError> {
        let path = format!(
            "/rewards/{}/redemptions",
            js_sys::encode_uri_component(reward)
        );
        let body = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&body, &"idempotency_key".into(), &idempotency_key.into());
        let body = js_sys::JSON::stringify(&body)
            .map(JsValue::from)
            .map_err(|_| ApiError::BadResponse { status: 0 })?;
        let value = self.send(Caller::Member, "POST", &path, Some(body)).await?;
        parse(value)
    }

    /// `GET /api/v1/sites/{site}/rewards/redemptions/mine`, newest first.
    pub async fn my_redemptions(&self) -> Result<MyRedemptions, ApiError> {
        let value = self
            .send(Caller::Member, "GET", "/rewards/redemptions/mine", None)
            .await?;
        parse(value)
    }

    /// The page's event stream of the site (`?channels=` added by `live`).
    pub fn stream_url(&self) -> String {
        self.url("/stream")
    }

    fn url(&self, path: &str) -> String {
        let server = self.server.trim_end_matches('/');
        let site = js_sys::encode_uri_component(&self.site);
        format!("{server}/api/v1/sites/{site}{path}")
    }

    /// Sends a request as `caller` and returns the parsed JSON of a success answer.
    async fn send(
        &self,
        caller: Caller,
        method: &str,
        path: &str,
        body: Option<JsValue>,
    ) -> Result<JsValue, ApiError> {
        let token = self.token.as_deref().map(str::trim);
        if token.is_none() && caller == Caller::Member {
            return Err(ApiError::NotSignedIn);
        }
        let window = web_sys::window().ok_or(ApiError::Offline)?;
        if !window.navigator().on_line() {
            return Err(ApiError::Offline);
        }
        let init = RequestInit::new();
        init.set_method(method);
        init.set_mode(RequestMode::Cors);
        let headers = Headers::new().map_err(|_| ApiError::Offline)?;
        // Header values we set are plain ASCII; a token with invalid characters fails here,
        // which is the server's `invalid_token` in effect.
        let invalid_token = |_| ApiError::Server {
            status: 401,
            code: "invalid_token".to_owned(),
            message: "the member token cannot be sent".to_owned(),
        };
        headers
            .set("Accept", "application/json")
            .map_err(invalid_token)?;
        match token {
            Some(token) => headers
                .set("Authorization", &format!("Bearer {token}"))
                .map_err(invalid_token)?,
            // Without an id the server refuses an anonymous vote with `missing_visitor_id`,
            // which says what to do; reading works either way.
            None => {
                if let Some(visitor) = visitor_id() {
                    headers
                        .set("X-Engage-Visitor", &visitor)
                        .map_err(invalid_token)?;
                }
            }
        }
        if let Some(body) = &body {
            headers
                .set("Content-Type", "application/json")
                .map_err(invalid_token)?;
            init.set_body(body);
        }
        init.set_headers(&headers);
        let request = Request::new_with_str_and_init(&self.url(path), &init)
            .map_err(|_| ApiError::Offline)?;
        // A rejected fetch is a network failure (offline, server down, or refused by CORS);
        // the browser does not tell which.
        let response: Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| ApiError::Offline)?
            .unchecked_into();
        let status = response.status();
        let json = match response.json() {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        if response.ok() {
            return json.ok_or(ApiError::BadResponse { status });
        }
        if status == 429 {
            let retry_after_seconds = response
                .headers()
                .get("Retry-After")
                .ok()
                .flatten()
                .and_then(|s| s.trim().parse().ok());
            return Err(ApiError::RateLimited {
                retry_after_seconds,
            });
        }
        let body: Option<ErrorBody> = json.and_then(|j| serde_wasm_bindgen::from_value(j).ok());
        Err(match body {
            Some(body) => ApiError::Server {
                status,
                code: body.error.code,
                message: body.error.message,
            },
            None => ApiError::Server {
                status,
                code: format!("http_{status}"),
                message: response.status_text(),
            },
        })
    }
}

/// Who may send a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// A member only: without a token the request is not sent ([`ApiError::NotSignedIn`]).
    Member,
    /// The member if there is a token, else the anonymous visitor.
    Anyone,
}

fn poll_path(poll: &str, rest: &str) -> String {
    format!("/polls/{}{rest}", js_sys::encode_uri_component(poll))
}

fn lottery_path(lottery: &str, rest: &str) -> String {
    format!("/lotteries/{}{rest}", js_sys::encode_uri_component(lottery))
}

/// `value` as a JSON request body.
fn json_body(value: &impl Serialize) -> Result<JsValue, ApiError> {
    serde_wasm_bindgen::to_value(value)
        .ok()
        .and_then(|v| js_sys::JSON::stringify(&v).ok())
        .map(JsValue::from)
        .ok_or(ApiError::BadResponse { status: 0 })
}

fn parse<T: DeserializeOwned>(value: JsValue) -> Result<T, ApiError> {
    serde_wasm_bindgen::from_value(value).map_err(|_| ApiError::BadResponse { status: 200 })
}

/// The key under which the visitor id is kept in `localStorage`.
const VISITOR_KEY: &str = "engage:visitor";

thread_local! {
    /// The visitor id when `localStorage` is blocked (private modes, sandboxed frames): it
    /// lasts as long as the page.
    static VISITOR_IN_MEMORY: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// This browser's anonymous visitor id: 32 random hex digits made once with
/// `crypto.getRandomValues` and kept in `localStorage` (`engage:visitor`), or in memory where
/// storage is blocked. `None` only where the browser offers no random numbers.
pub fn visitor_id() -> Option<String> {
    let window = web_sys::window()?;
    // Reading `localStorage` itself throws where storage is blocked.
    let storage = window.local_storage().ok().flatten();
    let stored = storage
        .as_ref()
        .and_then(|s| s.get_item(VISITOR_KEY).ok().flatten())
        .filter(|id| is_visitor_id(id));
    if stored.is_some() {
        return stored;
    }
    let id = VISITOR_IN_MEMORY
        .with_borrow(|id| id.clone())
        .or_else(|| new_visitor_id(&window))?;
    if let Some(storage) = &storage {
        let _ = storage.set_item(VISITOR_KEY, &id);
    }
    VISITOR_IN_MEMORY.with_borrow_mut(|memory| *memory = Some(id.clone()));
    Some(id)
}

/// A fresh random key (32 hex digits) for a write that must happen once, such as one
/// confirmed redemption however often it is sent.
pub fn random_key() -> Option<String> {
    new_visitor_id(&web_sys::window()?)
}

/// Random bytes in a new visitor id: 128 bits, written as 32 hex digits.
const VISITOR_ID_BYTES: usize = 16;
// The server refuses ids shorter than `VisitorId::MIN_LEN` (and longer than its maximum).
const _: () = assert!(
    2 * VISITOR_ID_BYTES >= VisitorId::MIN_LEN && 2 * VISITOR_ID_BYTES <= VisitorId::MAX_LEN
);

fn new_visitor_id(window: &web_sys::Window) -> Option<String> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0_u8; VISITOR_ID_BYTES];
    window
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    let digits = bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect();
    Some(digits)
}

/// What the server accepts as a visitor id: 22 to 64 of `[A-Za-z0-9_-]`. A stored id the
/// server would not accept (say, from an older widget) is replaced by a new one.
fn is_visitor_id(id: &str) -> bool {
    (VisitorId::MIN_LEN..=VisitorId::MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
