//! Member tokens: HS256 JWTs minted by the host site's backend with the site's secret, and the
//! API keys host backends use. Written with `hmac`/`sha2`/`base64` rather than a JWT crate
//! because only one algorithm is ever accepted and the checks are few.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use engage_core::jiff::Timestamp;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The longest a member token may live, and how far ahead its expiry may be.
pub const MAX_TOKEN_LIFETIME_SECONDS: i64 = 24 * 60 * 60;

/// Clock skew tolerated between the host's backend and this server.
const LEEWAY_SECONDS: i64 = 60;

/// The claims of a member token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberClaims {
    /// The member id as the host knows it.
    pub sub: String,
    /// The member's display name.
    pub name: String,
    /// The site id the token is for.
    pub site: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

/// Why a member token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Occurs when the token is not three base64url parts of JSON with the expected claims.
    #[error("the token is malformed")]
    Malformed,
    /// Occurs when the header names any algorithm but HS256 (including `none`).
    #[error("the token algorithm '{0}' is not accepted; use HS256")]
    WrongAlgorithm(String),
    /// Occurs when the signature does not match the site's secret.
    #[error("the token signature is not valid")]
    BadSignature,
    /// Occurs when the token's expiry has passed.
    #[error("the token has expired")]
    Expired,
    /// Occurs when the token lives longer than 24 hours or expires more than 24 hours ahead.
    #[error("the token lives longer than 24 hours")]
    TooLongLived,
    /// Occurs when the token was issued in the future.
    #[error("the token is issued in the future")]
    IssuedInFuture,
}

/// Signs `claims` with `secret` as an HS256 JWT.
pub fn mint_member_token(secret: &str, claims: &MemberClaims) -> String {
    let header = Header {
        alg: "HS256".into(),
        typ: Some("JWT".into()),
    };
    let header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("header serializes"));
    let claims = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let signing_input = format!("{header}.{claims}");
    let signature = URL_SAFE_NO_PAD.encode(sign(secret, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// Reads a token's claims without checking its signature, so the caller can find the site whose
/// secret verifies it. Checks only the shape and the algorithm.
pub fn unverified_claims(token: &str) -> Result<MemberClaims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: Header = decode_json(header)?;
    if header.alg != "HS256" {
        return Err(TokenError::WrongAlgorithm(
            header.alg.chars().take(16).collect(),
        ));
    }
    decode_json(claims)
}

/// Verifies an HS256 token with `secret` at `now`: signature (compared in constant time),
/// algorithm, expiry, and a lifetime of at most 24 hours.
pub fn verify_member_token(
    secret: &str,
    token: &str,
    now: Timestamp,
) -> Result<MemberClaims, TokenError> {
    let claims = unverified_claims(token)?;
    let (signing_input, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("hmac takes any key");
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let now = now.as_second();
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    if claims.iat > now + LEEWAY_SECONDS {
        return Err(TokenError::IssuedInFuture);
    }
    if claims.exp > now + MAX_TOKEN_LIFETIME_SECONDS + LEEWAY_SECONDS
        || claims.exp.saturating_sub(claims.iat) > MAX_TOKEN_LIFETIME_SECONDS
    {
        return Err(TokenError::TooLongLived);
    }
    Ok(claims)
}

/// Verifies a token as [`verify_member_token`] does with each of `secrets` in turn (a site's
/// current secret, then one a rotation is retiring): the first whose signature matches decides,
/// so a token of the old secret that has expired is "expired", not "bad signature".
pub fn verify_member_token_any<'a>(
    secrets: impl IntoIterator<Item = &'a str>,
    token: &str,
    now: Timestamp,
) -> Result<MemberClaims, TokenError> {
    let mut verdict = Err(TokenError::BadSignature);
    for secret in secrets {
        verdict = verify_member_token(secret, token, now);
        if verdict != Err(TokenError::BadSignature) {
            break;
        }
    }
    verdict
}

fn sign(secret: &str, message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("hmac takes any key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// A new site secret: 32 random bytes, base64url. Its text is the HMAC key, as JWT libraries
/// use a shared secret string.
pub fn new_site_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// How every API key begins, so a request can be told apart from a member token unread.
pub const API_KEY_PREFIX: &str = "ek_";

/// A new API key, `ek_` and 32 random bytes base64url.
pub fn new_api_key() -> String {
    format!(
        "{API_KEY_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(random_bytes::<32>())
    )
}

/// The stored form of an API key: lowercase hex SHA-256.
pub fn hash_api_key(api_key: &str) -> String {
    sha256_hex(api_key)
}

/// Lowercase hex SHA-256 of `text`: how API keys and owner session and setup tokens are
/// stored, so a copy of the database holds none of them.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new owner session or setup token: 32 random bytes, base64url (cookie- and URL-safe).
pub fn new_owner_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What is stored instead of a client's IP address (for per-IP limits on anonymous votes):
/// lowercase hex HMAC-SHA256 of the address keyed with the site's secret, so the stored value
/// cannot be turned back into the address by trying every one.
pub fn hash_ip(secret: &str, ip: std::net::IpAddr) -> String {
    sign(secret, format!("ip:{ip}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two API key hashes without an early exit.
pub fn api_key_hash_matches(presented_hash: &str, stored_hash: &str) -> bool {
    presented_hash.len() == stored_hash.len()
        && presented_hash
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Stands in for a secret in `Debug` output, which ends up in logs: prints `[redacted]`.
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes
}

#[cfg(test)]
mod tests;
