//! Who is calling, as extractors: [`Member`] (a member token from the host site), [`Visitor`]
//! (anyone: a member if a token is sent, else an anonymous visitor with a visitor id),
//! [`SiteKey`] (the site's API key, for host backends), [`OwnerSession`] (an owner signed in
//! to the console) and [`SiteAdmin`] (the site's API key, or an owner session granted the
//! site: every `/api/v1/admin` route). A handler's signature says who may call it. Extractors
//! only verify; they store nothing (but a session's sliding expiry), so a refused request
//! leaves no trace.
//! During a rotation's overlap (`site rotate`) the replaced secret or API key is accepted too.
//!
//! Sessions ride on a cookie, so every session request that changes something must come from
//! the server's own pages: its `Origin` must be the server's own origin, else 403
//! `origin_refused`. Requests with the API key carry no ambient credential and are not checked.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use engage_core::calendar::calendar_day;
use engage_core::jiff::Timestamp;
use engage_core::poll::Voter;
use engage_core::text::display_name;
use engage_core::{MemberId, VisitorId};

use crate::activity::SeenSlot;
use crate::audit::Actor;
use crate::client_scheme::{ClientScheme, is_own_origin, own_origin, request_scheme};
use crate::error::ApiError;
use crate::extract::path_param;
use crate::owners::{SESSION_LIFETIME, SESSION_REFRESH_AFTER};
use crate::state::{AppState, SiteContext};
use crate::store::Owner;
use crate::token::{
    TokenError, api_key_hash_matches, hash_api_key, sha256_hex, unverified_claims,
    verify_member_token_any,
};

/// The longest display name a token may carry.
const MAX_NAME_CHARS: usize = 128;

/// A member of the site in the path, proven by an HS256 member token. Writes (any method but
/// GET and HEAD) count toward the member's write rate limit.
#[derive(Debug, Clone)]
pub struct Member {
    pub site: SiteContext,
    pub id: MemberId,
    pub name: String,
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Member, ApiError> {
        let site = site_in_path(parts, state).await?;
        let token = bearer(parts).ok_or(ApiError::MissingToken)?;
        member_from_token(parts, state, site, token)
    }
}

/// Verifies `token` as a member token of `site` and counts a write toward the member's limit.
fn member_from_token(
    parts: &Parts,
    state: &AppState,
    site: SiteContext,
    token: &str,
) -> Result<Member, ApiError> {
    // The site claim is compared before the signature so that a token of another site
    // gets a precise answer; it is verified with this site's secret right after.
    let claims = unverified_claims(token)?;
    if claims.site != site.id.as_str() {
        return Err(ApiError::TokenSiteMismatch {
            token_site: claims.site.chars().take(64).collect(),
            path_site: site.id.to_string(),
        });
    }
    let now = state.now();
    let claims = verify_member_token_any(accepted_secrets(&site, now), token, now)?;
    let id = MemberId::parse(&claims.sub).map_err(|_| TokenError::Malformed)?;
    // Others see this name (leaderboards, winners): bidi and invisible characters go first.
    let name = display_name(&claims.name, id.as_str());
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(TokenError::Malformed.into());
    }
    if parts.method != Method::GET && parts.method != Method::HEAD {
        state.limits.check_member_write(&site.id, &id)?;
    }
    SeenSlot::fill(parts, &site.id, &id, calendar_day(now, &site.zone));
    Ok(Member { site, id, name })
}

/// The header in which an anonymous visitor's browser sends its visitor id.
pub const VISITOR_HEADER: &str = "x-engage-visitor";

/// Anyone on the site in the path. A request with a member token is that member (and a bad
/// token is refused as for [`Member`]); without one it is an anonymous visitor, known by the
/// `X-Engage-Visitor` id when that is valid. Routes decide what an anonymous caller may do.
#[derive(Debug, Clone)]
pub enum Visitor {
    Member(Member),
    Anonymous {
        site: SiteContext,
        visitor_id: Option<VisitorId>,
    },
}

impl Visitor {
    pub fn site(&self) -> &SiteContext {
        match self {
            Visitor::Member(member) => &member.site,
            Visitor::Anonymous { site, .. } => site,
        }
    }

    /// Who votes: the member, or the visitor id; `None` for a visitor without a valid id.
    pub fn voter(&self) -> Option<Voter> {
        match self {
            Visitor::Member(member) => Some(Voter::Member(member.id.clone())),
            Visitor::Anonymous { visitor_id, .. } => visitor_id.clone().map(Voter::Visitor),
        }
    }

    /// The member's display name; empty for a visitor.
    pub fn name(&self) -> &str {
        match self {
            Visitor::Member(member) => &member.name,
            Visitor::Anonymous { .. } => "",
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, ApiError> {
        let site = site_in_path(parts, state).await?;
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let token = bearer(parts).ok_or(ApiError::MissingToken)?;
            return member_from_token(parts, state, site, token).map(Visitor::Member);
        }
        let visitor_id = parts
            .headers
            .get(VISITOR_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| VisitorId::parse(value).ok());
        Ok(Visitor::Anonymous { site, visitor_id })
    }
}

/// Anyone on the site in the path, for an event stream: as [`Visitor`], and also a member when
/// the token comes as the `token` query parameter, since a browser's `EventSource` cannot send
/// an `Authorization` header. The parameter is redacted from the request log like every
/// secret query parameter (`routes::redacted_uri`).
#[derive(Debug, Clone)]
pub struct StreamVisitor(pub Visitor);

#[derive(serde::Deserialize)]
struct TokenParam {
    token: Option<String>,
}

impl FromRequestParts<AppState> for StreamVisitor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<StreamVisitor, ApiError> {
        let in_query = axum::extract::Query::<TokenParam>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|query| query.0.token);
        match in_query {
            Some(token) if !parts.headers.contains_key(header::AUTHORIZATION) => {
                let site = site_in_path(parts, state).await?;
                member_from_token(parts, state, site, &token)
                    .map(|member| StreamVisitor(Visitor::Member(member)))
            }
            _ => Visitor::from_request_parts(parts, state)
                .await
                .map(StreamVisitor),
        }
    }
}

/// A host backend holding the API key of the site in the path.
#[derive(Debug, Clone)]
pub struct SiteKey {
    pub site: SiteContext,
}

impl FromRequestParts<AppState> for SiteKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SiteKey, ApiError> {
        let site = site_in_path(parts, state).await?;
        let key = bearer(parts).ok_or(ApiError::MissingApiKey)?;
        if !api_key_accepted(&site, key, state.now()) {
            return Err(ApiError::InvalidApiKey);
        }
        Ok(SiteKey { site })
    }
}

/// The secrets a member token of `site` may be signed with at `now`: the current one, and the
/// one a rotation replaced while its overlap lasts.
fn accepted_secrets(site: &SiteContext, now: Timestamp) -> impl Iterator<Item = &str> {
    let retiring = site
        .previous_secret
        .as_ref()
        .filter(|previous| previous.accepted_at(now));
    std::iter::once(site.secret.as_str()).chain(retiring.map(|previous| previous.value.as_str()))
}

/// Whether `key` is the site's API key at `now`: the current one, or the one a rotation
/// replaced while its overlap lasts.
fn api_key_accepted(site: &SiteContext, key: &str, now: Timestamp) -> bool {
    let presented = hash_api_key(key);
    api_key_hash_matches(&presented, &site.api_key_hash)
        || site.previous_api_key_hash.as_ref().is_some_and(|previous| {
            previous.accepted_at(now) && api_key_hash_matches(&presented, &previous.value)
        })
}

fn check_api_key(site: &SiteContext, key: &str, now: Timestamp) -> Result<(), ApiError> {
    if api_key_accepted(site, key, now) {
        Ok(())
    } else {
        Err(ApiError::InvalidApiKey)
    }
}

/// The session cookie over plain http.
pub const SESSION_COOKIE: &str = "engage_session";
/// The session cookie behind https: the `__Host-` prefix makes browsers keep it only when it
/// is `Secure`, for `Path=/` and without a `Domain`, so no other host can plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-engage_session";

/// The session cookie's name for a request of this scheme.
pub fn session_cookie_name(scheme: ClientScheme) -> &'static str {
    match scheme {
        ClientScheme::Http => SESSION_COOKIE,
        ClientScheme::Https => SECURE_SESSION_COOKIE,
    }
}

/// The longest session token accepted from a cookie (ours are 43 characters).
const MAX_SESSION_TOKEN_CHARS: usize = 128;

/// An owner signed in to the console, by the session cookie. A request that changes
/// something must come from the server's own origin.
#[derive(Debug, Clone)]
pub struct OwnerSession {
    pub owner: Owner,
    /// Hex SHA-256 of the cookie's token: the key of the session row.
    pub token_hash: String,
    /// The cookie's token, to set the cookie again with a fresh lifetime.
    pub token: String,
    /// How the request reached the server, which names the cookie.
    pub scheme: ClientScheme,
}

impl FromRequestParts<AppState> for OwnerSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<OwnerSession, ApiError> {
        let scheme = scheme_of(parts, state);
        let token = session_token(parts, scheme).ok_or(ApiError::NotSignedIn)?;
        checked_session(parts, state, &token, scheme).await
    }
}

/// Whoever may run the site in the path: a caller with its API key (`Authorization: Bearer
/// ek_…`), or an owner signed in to the console who was granted the site (admins: every
/// site). Without either, 401 `missing_api_key`; with a session that ended, 401
/// `not_signed_in`; an owner not granted the site, 403 `site_forbidden`.
#[derive(Debug, Clone)]
pub struct SiteAdmin {
    pub site: SiteContext,
    /// Who is acting, for the audit log.
    pub actor: Actor,
}

impl FromRequestParts<AppState> for SiteAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<SiteAdmin, ApiError> {
        let site = site_in_path(parts, state).await?;
        // An explicit key decides, even beside a cookie: a backend never acts as an owner.
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let key = bearer(parts).ok_or(ApiError::MissingApiKey)?;
            check_api_key(&site, key, state.now())?;
            return Ok(SiteAdmin {
                site,
                actor: Actor::ApiKey,
            });
        }
        let scheme = scheme_of(parts, state);
        let token = session_token(parts, scheme).ok_or(ApiError::MissingAdminCredentials)?;
        let session = checked_session(parts, state, &token, scheme).await?;
        if !state
            .store
            .owner_runs_site(&session.owner, &site.id)
            .await?
        {
            return Err(ApiError::SiteForbidden(site.id.to_string()));
        }
        Ok(SiteAdmin {
            site,
            actor: Actor::Owner {
                id: session.owner.id,
                email: session.owner.email,
            },
        })
    }
}

/// How the request reached the server: `--public-url`, else a trusted proxy's word.
pub fn scheme_of(parts: &Parts, state: &AppState) -> ClientScheme {
    let console = &state.config.console;
    request_scheme(
        parts,
        &state.config.proxy.trusted,
        console.public_url.as_ref(),
    )
}

/// Whether the method changes something (anything but GET, HEAD and OPTIONS).
fn changes_something(parts: &Parts) -> bool {
    !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The session token in the request's cookie of this scheme's name.
pub fn session_token(parts: &Parts, scheme: ClientScheme) -> Option<String> {
    let name = session_cookie_name(scheme);
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|token| !token.is_empty() && token.chars().count() <= MAX_SESSION_TOKEN_CHARS)
}

/// The live session of `token`; a request that changes something must also come from the
/// server's own origin.
async fn checked_session(
    parts: &Parts,
    state: &AppState,
    token: &str,
    scheme: ClientScheme,
) -> Result<OwnerSession, ApiError> {
    let session = live_session(state, token, scheme).await?;
    if changes_something(parts) {
        check_own_origin(parts, state, scheme)?;
    }
    Ok(session)
}

/// The session of `token`, if it is live (and then seen now).
async fn live_session(
    state: &AppState,
    token: &str,
    scheme: ClientScheme,
) -> Result<OwnerSession, ApiError> {
    let token_hash = sha256_hex(token);
    let owner = state
        .store
        .session_owner(
            &token_hash,
            state.now(),
            SESSION_LIFETIME,
            SESSION_REFRESH_AFTER,
        )
        .await?
        .ok_or(ApiError::NotSignedIn)?;
    Ok(OwnerSession {
        owner,
        token_hash,
        token: token.to_owned(),
        scheme,
    })
}

/// Refuses a request whose `Origin` is missing or is not the server's own origin.
pub fn check_own_origin(
    parts: &Parts,
    state: &AppState,
    scheme: ClientScheme,
) -> Result<(), ApiError> {
    let Some(sent) = parts.headers.get(header::ORIGIN) else {
        return Err(ApiError::OriginRefused(
            "a console request that changes something must carry the Origin header of the \
             server's own pages"
                .to_owned(),
        ));
    };
    check_origin_value(parts, state, scheme, sent.to_str().unwrap_or(""))
}

/// Refuses a request that carries an `Origin` other than the server's own; one without it
/// (a script, curl) passes. For sign-in and setup, which no session authenticates.
pub fn check_origin_if_sent(
    parts: &Parts,
    state: &AppState,
    scheme: ClientScheme,
) -> Result<(), ApiError> {
    match parts.headers.get(header::ORIGIN) {
        None => Ok(()),
        Some(sent) => check_origin_value(parts, state, scheme, sent.to_str().unwrap_or("")),
    }
}

fn check_origin_value(
    parts: &Parts,
    state: &AppState,
    scheme: ClientScheme,
    sent: &str,
) -> Result<(), ApiError> {
    let own = own_origin(parts, scheme, state.config.console.public_url.as_ref());
    match own {
        Some(own) if is_own_origin(sent, &own) => Ok(()),
        Some(own) => Err(ApiError::OriginRefused(format!(
            "origin '{}' is not this server's own ({own})",
            sent.chars().take(100).collect::<String>()
        ))),
        None => Err(ApiError::OriginRefused(
            "the request names no Host, so its origin cannot be checked".to_owned(),
        )),
    }
}

async fn site_in_path(parts: &mut Parts, state: &AppState) -> Result<SiteContext, ApiError> {
    let site = path_param(parts, "site").await?;
    state.site(&site).await
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
