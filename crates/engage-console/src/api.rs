//! The console's HTTP client: `fetch` on the page's own origin with the session cookie
//! (`credentials: "same-origin"`), JSON in and out, and one function per route it calls.
//!
//! Like the widgets, answers are parsed by the browser (`Response.json()`) and converted with
//! `serde-wasm-bindgen`; the shapes are those of `engage_core::api`, which the server writes.

use std::cell::RefCell;
use std::rc::Rc;

use engage_core::api::console::{
    AdjustPoints, AuditPage, BulkFeedbackStatus, BulkUpdated, ConsoleLang, CreateSite,
    CredentialRotated, ExportTable, InstallRules, LedgerPage, MemberDetail, MemberList,
    OwnerLotteryView, OwnerPollView, PointsAdjusted, RotateCredential, RulesDocument,
    RulesInstalled, RulesVersion, SessionView, Setup, SignIn, SiteCreated, SiteView, SpinLog,
    UpdateMe, UpdateSite,
};
use engage_core::api::feedback::{
    FeedbackForm, FeedbackItem, FeedbackList, FeedbackReply, FeedbackStats, FeedbackStatus,
    SendReply, UpdateFeedback,
};
use engage_core::api::lottery::{CreateLottery, LotteryView, UpdateLottery};
use engage_core::api::{CreatePoll, UpdatePoll};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

/// Why a request did not give the answer wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status; 0 when no answer arrived.
    pub status: u16,
    /// The server's stable code, or `offline` / `bad_response`.
    pub code: String,
    /// The server's message (English), safe to show.
    pub message: String,
    /// The field at fault, where the server names one (`invalid_rules`, `invalid_poll`).
    pub field: Option<String>,
    /// The 1-based line at fault in a rules document.
    pub line: Option<usize>,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after: Option<u32>,
}

impl ApiError {
    fn new(status: u16, code: &str, message: String) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message,
            field: None,
            line: None,
            retry_after: None,
        }
    }

    fn offline() -> ApiError {
        ApiError::new(0, "offline", String::new())
    }

    fn bad_response(status: u16) -> ApiError {
        ApiError::new(status, "bad_response", String::new())
    }
}

/// The error body the console reads: the usual `{"error": {"code", "message"}}` and the extra
/// fields some errors carry.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    line: Option<usize>,
}

thread_local! {
    /// Called when an answer says the session is gone (`401 not_signed_in`), so the console
    /// shows the sign-in form instead of an error on every page.
    static ON_SIGNED_OUT: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Sets what happens when the server says the session is gone.
pub fn on_signed_out(handler: impl Fn() + 'static) {
    ON_SIGNED_OUT.with_borrow_mut(|slot| *slot = Some(Rc::new(handler)));
}

/// Sends `method path` with an optional JSON `body` and returns the parsed JSON of a success
/// answer (`None` for 204 or an empty body).
async fn send(
    method: &str,
    path: &str,
    body: Option<JsValue>,
) -> Result<Option<JsValue>, ApiError> {
    let window = web_sys::window().ok_or_else(ApiError::offline)?;
    let init = RequestInit::new();
    init.set_method(method);
    // The session cookie goes with requests to our own origin only.
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|_| ApiError::offline())?;
    let _ = headers.set("Accept", "application/json");
    if let Some(body) = &body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(body);
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::offline())?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::offline())?
        .unchecked_into();
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    let json = if text.trim().is_empty() {
        None
    } else {
        js_sys::JSON::parse(&text).ok()
    };
    if response.ok() {
        return match (json, text.trim().is_empty()) {
            (Some(json), _) => Ok(Some(json)),
            (None, true) => Ok(None),
            (None, false) => Err(ApiError::bad_response(status)),
        };
    }
    let body: Option<ErrorBody> = json.and_then(|j| serde_wasm_bindgen::from_value(j).ok());
    let mut error = match body {
        Some(body) => ApiError {
            field: body.error.field,
            line: body.error.line,
            ..ApiError::new(status, &body.error.code, body.error.message)
        },
        None => ApiError::new(status, &format!("http_{status}"), response.status_text()),
    };
    if status == 429 {
        error.retry_after = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|s| s.trim().parse().ok());
    }
    if status == 401 && error.code == "not_signed_in" {
        let handler = ON_SIGNED_OUT.with_borrow(|h| h.clone());
        if let Some(handler) = handler {
            handler();
        }
    }
    Err(error)
}

/// `value` as a JSON text, objects as objects (not `Map`s).
pub fn to_json(value: &impl Serialize) -> Option<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .ok()
        .and_then(|v| js_sys::JSON::stringify(&v).ok())
        .map(JsValue::from)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(send("GET", path, None).await?)
}

async fn write<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    let body = to_json(body).ok_or_else(|| ApiError::bad_response(0))?;
    parse(send(method, path, Some(body)).await?)
}

/// A write whose answer has no body the console needs.
async fn write_only(method: &str, path: &str, body: Option<&JsValue>) -> Result<(), ApiError> {
    send(method, path, body.cloned()).await.map(|_| ())
}

fn parse<T: DeserializeOwned>(value: Option<JsValue>) -> Result<T, ApiError> {
    let value = value.ok_or_else(|| ApiError::bad_response(200))?;
    serde_wasm_bindgen::from_value(value).map_err(|_| ApiError::bad_response(200))
}

/// A path segment, percent-encoded.
pub fn segment(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// `/api/v1/admin/sites/{site}{rest}`.
fn admin(site: &str, rest: &str) -> String {
    format!("/api/v1/admin/sites/{}{rest}", segment(site))
}

/// `?name=value&…` of the pairs whose value is not empty.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let params = web_sys::UrlSearchParams::new().ok();
    let Some(params) = params else {
        return String::new();
    };
    for (name, value) in pairs {
        if !value.trim().is_empty() {
            params.append(name, value.trim());
        }
    }
    let text = String::from(params.to_string());
    if text.is_empty() {
        text
    } else {
        format!("?{text}")
    }
}

// --- Session -------------------------------------------------------------------------------

pub async fn session() -> Result<SessionView, ApiError> {
    get("/api/v1/console/session").await
}

pub async fn sign_in(body: &SignIn) -> Result<SessionView, ApiError> {
    write("POST", "/api/v1/console/session", body).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    write_only("DELETE", "/api/v1/console/session", None).await
}

pub async fn set_up(body: &Setup) -> Result<SessionView, ApiError> {
    write("POST", "/api/v1/console/setup", body).await
}

pub async fn save_lang(lang: Option<ConsoleLang>) -> Result<(), ApiError> {
    let body = to_json(&UpdateMe { lang: Some(lang) }).ok_or_else(|| ApiError::bad_response(0))?;
    write_only("PATCH", "/api/v1/console/me", Some(&body)).await
}

// --- Sites ---------------------------------------------------------------------------------

pub async fn sites() -> Result<Vec<SiteView>, ApiError> {
    get("/api/v1/console/sites").await
}

pub async fn create_site(body: &CreateSite) -> Result<SiteCreated, ApiError> {
    write("POST", "/api/v1/console/sites", body).await
}

pub async fn site(site: &str) -> Result<SiteView, ApiError> {
    get(&admin(site, "")).await
}

pub async fn update_site(site: &str, body: &UpdateSite) -> Result<SiteView, ApiError> {
    write("PATCH", &admin(site, ""), body).await
}

pub async fn rotate(site: &str, body: &RotateCredential) -> Result<CredentialRotated, ApiError> {
    write("POST", &admin(site, "/rotate"), body).await
}

// --- Rules ---------------------------------------------------------------------------------

pub async fn rules(site: &str) -> Result<RulesDocument, ApiError> {
    get(&admin(site, "/rules")).await
}

pub async fn rules_versions(site: &str) -> Result<Vec<RulesVersion>, ApiError> {
    get(&admin(site, "/rules/versions")).await
}

pub async fn rules_version(site: &str, version: i64) -> Result<RulesDocument, ApiError> {
    get(&admin(site, &format!("/rules/versions/{version}"))).await
}

pub async fn install_rules(site: &str, body: &InstallRules) -> Result<RulesInstalled, ApiError> {
    write("PUT", &admin(site, "/rules"), body).await
}

// --- Polls ---------------------------------------------------------------------------------

pub async fn polls(site: &str) -> Result<Vec<OwnerPollView>, ApiError> {
    get(&admin(site, "/polls")).await
}

pub async fn poll(site: &str, poll: &str) -> Result<OwnerPollView, ApiError> {
    get(&admin(site, &format!("/polls/{}", segment(poll)))).await
}

pub async fn create_poll(site: &str, body: &CreatePoll) -> Result<OwnerPollView, ApiError> {
    write("POST", &admin(site, "/polls"), body).await
}

pub async fn update_poll(
    site: &str,
    poll: &str,
    body: &UpdatePoll,
) -> Result<OwnerPollView, ApiError> {
    write(
        "PATCH",
        &admin(site, &format!("/polls/{}", segment(poll))),
        body,
    )
    .await
}

// --- Lotteries -----------------------------------------------------------------------------

pub async fn lotteries(site: &str) -> Result<Vec<OwnerLotteryView>, ApiError> {
    get(&admin(site, "/lotteries")).await
}

pub async fn lottery(site: &str, lottery: &str) -> Result<OwnerLotteryView, ApiError> {
    get(&admin(site, &format!("/lotteries/{}", segment(lottery)))).await
}

pub async fn create_lottery(site: &str, body: &CreateLottery) -> Result<LotteryView, ApiError> {
    write("POST", &admin(site, "/lotteries"), body).await
}

/// `PATCH …/lotteries/{lottery}`: allowed until the lottery is opened (then 409 `lottery_open`).
pub async fn update_lottery(
    site: &str,
    lottery: &str,
    body: &UpdateLottery,
) -> Result<LotteryView, ApiError> {
    write(
        "PATCH",
        &admin(site, &format!("/lotteries/{}", segment(lottery))),
        body,
    )
    .await
}

/// `POST …/lotteries/{lottery}/open` or `…/close` (`action`).
pub async fn lottery_action(
    site: &str,
    lottery: &str,
    action: &str,
) -> Result<LotteryView, ApiError> {
    let path = admin(site, &format!("/lotteries/{}/{action}", segment(lottery)));
    parse(send("POST", &path, None).await?)
}

pub async fn spins(site: &str, lottery: &str, before: Option<&str>) -> Result<SpinLog, ApiError> {
    let rest = format!(
        "/lotteries/{}/spins{}",
        segment(lottery),
        query(&[("before", before.unwrap_or("")), ("limit", "50")])
    );
    get(&admin(site, &rest)).await
}

// --- Feedback ------------------------------------------------------------------------------

/// `GET …/feedback` with the inbox filters already written as a query string.
pub async fn feedback(site: &str, query: &str) -> Result<FeedbackList, ApiError> {
    get(&admin(site, &format!("/feedback{query}"))).await
}

/// `GET /api/v1/sites/{site}/feedback/form`: the feedback form as the site's rules define it
/// (its categories filter the inbox).
pub async fn feedback_form(site: &str) -> Result<FeedbackForm, ApiError> {
    get(&format!("/api/v1/sites/{}/feedback/form", segment(site))).await
}

pub async fn feedback_stats(site: &str) -> Result<FeedbackStats, ApiError> {
    get(&admin(site, "/feedback/stats")).await
}

pub async fn set_feedback_status(
    site: &str,
    id: i64,
    status: FeedbackStatus,
) -> Result<FeedbackItem, ApiError> {
    let body = UpdateFeedback { status };
    write("PATCH", &admin(site, &format!("/feedback/{id}")), &body).await
}

pub async fn reply(site: &str, id: i64, text: String) -> Result<FeedbackReply, ApiError> {
    let body = SendReply { text };
    write(
        "POST",
        &admin(site, &format!("/feedback/{id}/replies")),
        &body,
    )
    .await
}

pub async fn bulk_feedback(site: &str, body: &BulkFeedbackStatus) -> Result<BulkUpdated, ApiError> {
    write("POST", &admin(site, "/feedback/bulk"), body).await
}

// --- Members -------------------------------------------------------------------------------

pub async fn members(site: &str, q: &str, after: Option<&str>) -> Result<MemberList, ApiError> {
    let rest = format!(
        "/members{}",
        query(&[("q", q), ("after", after.unwrap_or("")), ("limit", "50")])
    );
    get(&admin(site, &rest)).await
}

pub async fn member(site: &str, member: &str) -> Result<MemberDetail, ApiError> {
    get(&admin(site, &format!("/members/{}", segment(member)))).await
}

pub async fn ledger(
    site: &str,
    member: &str,
    before: Option<&str>,
) -> Result<LedgerPage, ApiError> {
    let rest = format!(
        "/members/{}/ledger{}",
        segment(member),
        query(&[("before", before.unwrap_or("")), ("limit", "50")])
    );
    get(&admin(site, &rest)).await
}

pub async fn adjust_points(
    site: &str,
    member: &str,
    body: &AdjustPoints,
) -> Result<PointsAdjusted, ApiError> {
    let path = admin(site, &format!("/members/{}/adjustments", segment(member)));
    write("POST", &path, body).await
}

// --- Webhooks ------------------------------------------------------------------------------

pub use engage_core::api::webhooks::{DeliveryLog, DeliveryView, SetWebhook, WebhookView};

/// The site's webhook; `None` when none is set (`404 webhook_not_found`).
pub async fn webhook(site: &str) -> Result<Option<WebhookView>, ApiError> {
    match get(&admin(site, "/webhook")).await {
        Ok(view) => Ok(Some(view)),
        Err(error) if error.status == 404 => Ok(None),
        Err(error) => Err(error),
    }
}

pub async fn set_webhook(site: &str, body: &SetWebhook) -> Result<WebhookView, ApiError> {
    write("PUT", &admin(site, "/webhook"), body).await
}

pub async fn deliveries(site: &str) -> Result<DeliveryLog, ApiError> {
    get(&admin(site, "/webhook/deliveries")).await
}

pub async fn redeliver(site: &str, delivery: &str) -> Result<(), ApiError> {
    let path = admin(
        site,
        &format!("/webhook/deliveries/{}/redeliver", segment(delivery)),
    );
    write_only("POST", &path, None).await
}

// --- Export --------------------------------------------------------------------------------

/// `GET …/export/{table}.csv`. Downloaded by a plain link: same-origin, so the browser sends
/// the session cookie, and the server streams the file as an attachment.
pub fn export_href(site: &str, table: ExportTable) -> String {
    admin(site, &format!("/export/{}.csv", table.as_str()))
}

// --- Audit ---------------------------------------------------------------------------------

pub async fn audit(site: &str, before: Option<&str>) -> Result<AuditPage, ApiError> {
    let rest = format!(
        "/audit{}",
        query(&[("before", before.unwrap_or("")), ("limit", "50")])
    );
    get(&admin(site, &rest)).await
}
