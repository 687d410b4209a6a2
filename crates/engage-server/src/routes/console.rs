//! The owner console's own API under `/api/v1/console`: signing in and out (a server-side
//! session row behind an HttpOnly, SameSite=Strict cookie), the first owner's setup with the
//! one-time token `serve` logs, the owner's language, and the sites they run.
//!
//! A failed sign-in says only "the email or the password is not right" and costs as much
//! work whether or not the email has an account (an unknown email is checked against a dummy
//! hash), so answers do not tell which emails exist. Failures are throttled per email and per
//! address ([`crate::sign_in_throttle`]).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use engage_core::api::console::{
    CreateSite, OwnerView, SessionView, Setup, SignIn, SiteCreated, SiteView, UpdateMe,
};
use engage_core::jiff::tz::TimeZone;

use crate::audit::{Actor, AuditAction};
use crate::auth::{OwnerSession, check_origin_if_sent, scheme_of, session_cookie_name};
use crate::client_scheme::ClientScheme;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientIp};
use crate::owners::{
    OwnerEmail, SESSION_LIFETIME, check_new_password, hash_password, verify_password,
};
use crate::state::AppState;
use crate::store::{NewOwner, NewSession, NewSite, Owner, SetupOutcome, Site};
use crate::token::{hash_api_key, new_api_key, new_owner_token, new_site_secret, sha256_hex};

/// `POST /api/v1/console/session` with `{"email", "password"}`: 200 `{"owner"}` and the
/// session cookie; 401 `invalid_credentials`; 429 `rate_limited` after too many failures for
/// the email or from the address.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    parts: Parts,
    ApiJson(request): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let scheme = scheme_of(&parts, &state);
    check_origin_if_sent(&parts, &state, scheme)?;
    let now = state.now();
    state.sign_ins.check(&request.email, address, now)?;
    let email = OwnerEmail::parse(&request.email).ok();
    let credentials = match &email {
        Some(email) => state.store.owner_credentials(email.as_str()).await?,
        None => None,
    };
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = verify_password(request.password, stored).await;
    let owner = match credentials {
        Some(credentials) if verified => credentials.owner,
        _ => {
            state.sign_ins.record_failure(&request.email, address, now);
            tracing::info!(%address, "console sign-in failed");
            // A wrong password for a real account is in the audit log of its sites; an
            // unknown email has no sites to tell.
            if let Some(credentials) = credentials {
                let detail = serde_json::json!({ "address": address.to_string() });
                audit_owner_event(
                    &state,
                    &credentials.owner,
                    AuditAction::SignInFailed,
                    detail,
                )
                .await?;
            }
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.sign_ins.forget_email(&request.email);
    tracing::info!(owner = owner.id, "console sign-in");
    let detail = serde_json::json!({ "address": address.to_string() });
    audit_owner_event(&state, &owner, AuditAction::SignIn, detail).await?;
    signed_in(&state, &owner, scheme, StatusCode::OK).await
}

/// Records an owner's own event (a sign-in, a sign-out) in the audit log of every site they
/// run, since each site's log should show who had access to it and when.
async fn audit_owner_event(
    state: &AppState,
    owner: &Owner,
    action: AuditAction,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    let actor = Actor::Owner {
        id: owner.id,
        email: owner.email.clone(),
    };
    for site in state.store.owner_sites(owner).await? {
        state
            .store
            .record_audit(&site.id, &actor, action, detail.clone(), state.now())
            .await?;
    }
    Ok(())
}

/// `GET /api/v1/console/session`: the signed-in owner (and the cookie again, so that its
/// lifetime slides with the session's); 401 `not_signed_in`.
pub async fn session(
    State(state): State<AppState>,
    session: OwnerSession,
) -> Result<Response, ApiError> {
    let view = owner_view(&state, &session.owner).await?;
    Ok(with_session_cookie(
        Json(SessionView { owner: view }).into_response(),
        session.scheme,
        &session.token,
    ))
}

/// `DELETE /api/v1/console/session`: 204, the session row deleted and the cookie cleared.
/// Without a live session there is nothing to end, and the answer is the same.
pub async fn sign_out(
    State(state): State<AppState>,
    parts: Parts,
    session: Result<OwnerSession, ApiError>,
) -> Result<Response, ApiError> {
    let scheme = scheme_of(&parts, &state);
    match session {
        Ok(session) => {
            state.store.delete_session(&session.token_hash).await?;
            tracing::info!(owner = session.owner.id, "console sign-out");
            let detail = serde_json::json!({});
            audit_owner_event(&state, &session.owner, AuditAction::SignOut, detail).await?;
        }
        Err(ApiError::NotSignedIn) => {}
        Err(refused) => return Err(refused),
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie_header(scheme, "", Duration::ZERO),
    );
    Ok(response)
}

/// `PATCH /api/v1/console/me` with `{"lang": "en"|"zh-CN"|null}`: 200 `{"owner"}`.
pub async fn update_me(
    State(state): State<AppState>,
    session: OwnerSession,
    ApiJson(update): ApiJson<UpdateMe>,
) -> Result<Json<SessionView>, ApiError> {
    let mut owner = session.owner;
    if let Some(lang) = update.lang {
        state.store.set_owner_lang(owner.id, lang).await?;
        owner.lang = lang;
    }
    Ok(Json(SessionView {
        owner: owner_view(&state, &owner).await?,
    }))
}

/// `POST /api/v1/console/setup` with `{"token", "email", "password"}`: creates the first
/// owner, an admin, and signs them in (201 `{"owner"}` and the cookie); 403
/// `invalid_setup_token` when the token is unknown, used or expired, or an owner exists.
pub async fn set_up(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(request): ApiJson<Setup>,
) -> Result<Response, ApiError> {
    let scheme = scheme_of(&parts, &state);
    check_origin_if_sent(&parts, &state, scheme)?;
    let email = OwnerEmail::parse(&request.email).map_err(ApiError::OwnerInput)?;
    check_new_password(&request.password).map_err(ApiError::OwnerInput)?;
    let token_hash = sha256_hex(request.token.trim());
    let now = state.now();
    // Checked before hashing, so made-up tokens cost no Argon2 work.
    if !state.store.setup_token_usable(&token_hash, now).await? {
        return Err(ApiError::InvalidSetupToken);
    }
    let password_hash = hash_password(request.password)
        .await
        .map_err(ApiError::Internal)?;
    let session_token = new_owner_token();
    let outcome = state
        .store
        .set_up_first_owner(
            &token_hash,
            NewOwner {
                email: email.as_str(),
                password_hash: &password_hash,
                admin: true,
                sites: &[],
            },
            NewSession {
                token_hash: &sha256_hex(&session_token),
                lifetime: SESSION_LIFETIME,
            },
            now,
        )
        .await?;
    let SetupOutcome::Created(owner) = outcome else {
        return Err(ApiError::InvalidSetupToken);
    };
    tracing::info!(owner = owner.id, "first console owner set up");
    let view = owner_view(&state, &owner).await?;
    Ok(with_session_cookie(
        (StatusCode::CREATED, Json(SessionView { owner: view })).into_response(),
        scheme,
        &session_token,
    ))
}

/// `GET /api/v1/console/sites`: the sites the owner runs (admins: all), by id.
pub async fn sites(
    State(state): State<AppState>,
    session: OwnerSession,
) -> Result<Json<Vec<SiteView>>, ApiError> {
    Ok(Json(state.store.site_views(&session.owner).await?))
}

/// `POST /api/v1/console/sites` (admin owners) with `{"id", "name"?, "tz", "origins"}`: 201
/// `{"site", "secret", "api_key"}`, the secret and key shown this once; the creator is
/// granted the site. 409 `site_exists`; 403 `admin_required`.
pub async fn create_site(
    State(state): State<AppState>,
    session: OwnerSession,
    ApiJson(request): ApiJson<CreateSite>,
) -> Result<(StatusCode, Json<SiteCreated>), ApiError> {
    if !session.owner.admin {
        return Err(ApiError::AdminRequired);
    }
    let name = match request.name {
        Some(name) => valid_site_name(&name)?,
        None => request.id.to_string(),
    };
    let tz = valid_time_zone(&request.tz)?;
    let origins = valid_origins(&request.origins)?;
    let secret = new_site_secret();
    let api_key = new_api_key();
    let new = NewSite {
        site: Site {
            id: request.id.clone(),
            name,
            tz,
            secret: secret.clone(),
            api_key_hash: hash_api_key(&api_key),
        },
        origins,
    };
    state
        .store
        .create_site_for_owner(&new, session.owner.id, state.now())
        .await?;
    state.forget_origins(request.id.as_str());
    let site = state
        .store
        .site_view(&request.id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("site '{}' vanished", request.id)))?;
    Ok((
        StatusCode::CREATED,
        Json(SiteCreated {
            site,
            secret,
            api_key,
        }),
    ))
}

/// The longest site name.
const MAX_SITE_NAME_CHARS: usize = 100;

/// A site name: trimmed, 1 to 100 characters, no control characters.
pub fn valid_site_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_SITE_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::InvalidBody(format!(
            "name must have 1 to {MAX_SITE_NAME_CHARS} characters and no control characters"
        )));
    }
    Ok(name.to_owned())
}

/// An IANA time zone this server knows.
pub fn valid_time_zone(tz: &str) -> Result<String, ApiError> {
    let tz = tz.trim();
    TimeZone::get(tz).map_err(|_| {
        ApiError::InvalidBody(format!(
            "tz '{}' is not an IANA time zone such as Asia/Shanghai",
            tz.chars().take(64).collect::<String>()
        ))
    })?;
    Ok(tz.to_owned())
}

/// The most origins a site may list.
const MAX_ORIGINS: usize = 50;

/// At least one origin, each `scheme://host[:port]`, normalised as browsers send them.
pub fn valid_origins(origins: &[String]) -> Result<Vec<String>, ApiError> {
    if origins.is_empty() || origins.len() > MAX_ORIGINS {
        return Err(ApiError::InvalidBody(format!(
            "origins must list 1 to {MAX_ORIGINS} origins such as https://forum.example.com"
        )));
    }
    let mut normalized = Vec::with_capacity(origins.len());
    for origin in origins {
        let origin = crate::cli::normalize_origin(origin)
            .map_err(|refused| ApiError::InvalidBody(format!("origins: {refused}")))?;
        if !normalized.contains(&origin) {
            normalized.push(origin);
        }
    }
    Ok(normalized)
}

/// The owner as the console shows them.
pub async fn owner_view(state: &AppState, owner: &Owner) -> Result<OwnerView, ApiError> {
    Ok(OwnerView {
        email: owner.email.clone(),
        admin: owner.admin,
        lang: owner.lang,
        sites: state.store.owner_sites(owner).await?,
    })
}

/// Starts a session for `owner` and answers `{"owner"}` with its cookie.
async fn signed_in(
    state: &AppState,
    owner: &Owner,
    scheme: ClientScheme,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let token = new_owner_token();
    state
        .store
        .create_session(
            owner.id,
            NewSession {
                token_hash: &sha256_hex(&token),
                lifetime: SESSION_LIFETIME,
            },
            state.now(),
        )
        .await?;
    let view = owner_view(state, owner).await?;
    Ok(with_session_cookie(
        (status, Json(SessionView { owner: view })).into_response(),
        scheme,
        &token,
    ))
}

fn with_session_cookie(mut response: Response, scheme: ClientScheme, token: &str) -> Response {
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie_header(scheme, token, SESSION_LIFETIME),
    );
    response
}

/// `Set-Cookie` for the session cookie: HttpOnly, SameSite=Strict, Path=/, Max-Age, and behind
/// https the `__Host-` name with Secure. An empty token with no lifetime clears it.
fn cookie_header(scheme: ClientScheme, token: &str, lifetime: Duration) -> HeaderValue {
    let max_age = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    let cookie = Cookie::build((session_cookie_name(scheme), token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(scheme == ClientScheme::Https)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("a base64url cookie is a valid header")
}
