//! Who is calling, as extractors: [`Member`] (a member token from the host site), [`Visitor`]
//! (anyone: a member if a token is sent, else an anonymous visitor with a visitor id) and
//! [`SiteKey`] (the site's API key, for host backends). A handler's signature says who may
//! call it. Extractors only verify; they store nothing, so a refused request leaves no trace.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use engage_core::poll::Voter;
use engage_core::text::display_name;
use engage_core::{MemberId, VisitorId};

use crate::error::ApiError;
use crate::extract::path_param;
use crate::state::{AppState, SiteContext};
use crate::token::{
    TokenError, api_key_hash_matches, hash_api_key, unverified_claims, verify_member_token,
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
    let claims = verify_member_token(&site.secret, token, state.now())?;
    let id = MemberId::parse(&claims.sub).map_err(|_| TokenError::Malformed)?;
    // Others see this name (leaderboards, winners): bidi and invisible characters go first.
    let name = display_name(&claims.name, id.as_str());
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(TokenError::Malformed.into());
    }
    if parts.method != Method::GET && parts.method != Method::HEAD {
        state.limits.check_member_write(&site.id, &id)?;
    }
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
        if !api_key_hash_matches(&hash_api_key(key), &site.api_key_hash) {
            return Err(ApiError::InvalidApiKey);
        }
        Ok(SiteKey { site })
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
