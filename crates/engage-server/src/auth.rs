//! Who is calling, as extractors: [`Member`] (a member token from the host site) and
//! [`SiteKey`] (the site's API key, for host backends). A handler's signature says who may
//! call it. Extractors only verify; they store nothing, so a refused request leaves no trace.

use std::collections::HashMap;

use axum::RequestPartsExt;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{Method, header};
use engage_core::MemberId;

use crate::error::ApiError;
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
        let name = claims.name.trim();
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(TokenError::Malformed.into());
        }
        let name = if name.is_empty() {
            id.to_string()
        } else {
            name.to_owned()
        };
        if parts.method != Method::GET && parts.method != Method::HEAD {
            state.limits.check_member_write(&site.id, &id)?;
        }
        Ok(Member { site, id, name })
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
    let Path(params) = parts
        .extract::<Path<HashMap<String, String>>>()
        .await
        .map_err(|e| ApiError::Internal(format!("route has no site parameter: {e}")))?;
    let site = params
        .get("site")
        .ok_or_else(|| ApiError::Internal("route has no site parameter".into()))?;
    state.site(site).await
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
