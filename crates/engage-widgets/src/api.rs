//! The widgets' HTTP client: a thin `fetch` over `web-sys` that speaks the JSON API (v1), and the
//! error type that turns statuses and error codes into messages a member can act on.
//!
//! Responses are parsed by the browser (`Response.json()`) and converted with
//! `serde-wasm-bindgen`, which keeps `serde_json` out of the wasm.

use engage_core::api::{CheckinState, ErrorBody, MakeupRequest};
use engage_core::calendar::YearMonth;
use engage_core::jiff::civil::Date;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, RequestMode, Response};

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

    /// What to tell the member, in their language. Server messages are English only, so known
    /// codes get our own translated text and unknown ones a generic message with the status.
    pub fn user_message(&self, lang: Lang) -> String {
        match self {
            ApiError::NotSignedIn => lang.sign_in_to_check_in().to_owned(),
            ApiError::Offline => lang.offline().to_owned(),
            ApiError::RateLimited {
                retry_after_seconds,
            } => lang.rate_limited(*retry_after_seconds),
            ApiError::BadResponse { .. } => lang.unexpected_response().to_owned(),
            ApiError::Server { status, code, .. } => match code.as_str() {
                "missing_token" | "invalid_token" => lang.session_invalid().to_owned(),
                "token_expired" => lang.session_expired().to_owned(),
                "insufficient_points" => lang.insufficient_points().to_owned(),
                "already_checked_in" => lang.day_already_checked_in().to_owned(),
                "makeup_monthly_limit" => lang.makeup_monthly_limit().to_owned(),
                "makeup_outside_window" => lang.makeup_outside_window().to_owned(),
                "site_not_found" | "unknown_site" => lang.site_not_found().to_owned(),
                _ if *status == 404 => lang.site_not_found().to_owned(),
                _ => lang.server_error(*status),
            },
        }
    }
}

impl Endpoint {
    /// `GET /api/v1/sites/{site}/checkin[?month=YYYY-MM]`.
    pub async fn checkin_state(&self, month: Option<YearMonth>) -> Result<CheckinState, ApiError> {
        let query = month.map(|m| format!("?month={m}")).unwrap_or_default();
        let value = self.send("GET", &format!("/checkin{query}"), None).await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/checkin`: idempotent per member and day on the server.
    pub async fn check_in(&self) -> Result<CheckinState, ApiError> {
        let value = self
            .send("POST", "/checkin", Some(JsValue::from_str("{}")))
            .await?;
        parse(value)
    }

    /// `POST /api/v1/sites/{site}/checkin/makeup` with `{"date": "YYYY-MM-DD"}`.
    pub async fn make_up(&self, date: Date) -> Result<CheckinState, ApiError> {
        let request = serde_wasm_bindgen::to_value(&MakeupRequest { date })
            .ok()
            .and_then(|v| js_sys::JSON::stringify(&v).ok())
            .ok_or(ApiError::BadResponse { status: 0 })?;
        let value = self
            .send("POST", "/checkin/makeup", Some(request.into()))
            .await?;
        parse(value)
    }

    fn url(&self, path: &str) -> String {
        let server = self.server.trim_end_matches('/');
        let site = js_sys::encode_uri_component(&self.site);
        format!("{server}/api/v1/sites/{site}{path}")
    }

    /// Sends a member request and returns the parsed JSON of a success answer.
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<JsValue>,
    ) -> Result<JsValue, ApiError> {
        let Some(token) = &self.token else {
            return Err(ApiError::NotSignedIn);
        };
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
        headers
            .set("Authorization", &format!("Bearer {}", token.trim()))
            .map_err(invalid_token)?;
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

fn parse(value: JsValue) -> Result<CheckinState, ApiError> {
    serde_wasm_bindgen::from_value(value).map_err(|_| ApiError::BadResponse { status: 200 })
}
