//! The member-token verifier: `unverified_claims` and `verify_member_token` with arbitrary
//! tokens, secrets and clocks, and genuine tokens minted from the claims found, then tampered
//! with.
//!
//! An input is text of three lines, `secret`, `now` (seconds since the epoch, or anything
//! else for 2026-01-01) and the token (the rest), so that seeds are real tokens as a host
//! backend mints them.

use engage_core::jiff::Timestamp;
use engage_server::token::{
    MAX_TOKEN_LIFETIME_SECONDS, MemberClaims, mint_member_token, unverified_claims,
    verify_member_token,
};

/// 2026-01-01T00:00:00Z, "now" when the input names none.
const DEFAULT_NOW: i64 = 1_767_225_600;

/// The clock skew the verifier tolerates, in seconds.
const LEEWAY_SECONDS: i64 = 60;

pub fn check_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.splitn(3, '\n');
    let secret = lines.next().unwrap_or("");
    let now = lines
        .next()
        .and_then(|line| line.trim().parse::<i64>().ok())
        .and_then(|second| Timestamp::from_second(second).ok())
        .unwrap_or_else(|| Timestamp::from_second(DEFAULT_NOW).expect("a valid instant"));
    let token = lines.next().unwrap_or("");

    let unverified = unverified_claims(token);
    if let Ok(claims) = verify_member_token(secret, token, now) {
        assert_eq!(unverified, Ok(claims.clone()));
        assert!(
            current(&claims, now),
            "accepted out of time: {claims:?} at {now}"
        );
    }

    // The claims found (or made up) signed with the right secret: only time may refuse them.
    let claims = unverified.unwrap_or_else(|_| MemberClaims {
        sub: token.to_owned(),
        name: secret.to_owned(),
        site: "forum".to_owned(),
        iat: now.as_second() - 10,
        exp: now.as_second() + 3600,
    });
    let genuine = mint_member_token(secret, &claims);
    assert_eq!(unverified_claims(&genuine), Ok(claims.clone()));
    match verify_member_token(secret, &genuine, now) {
        Ok(verified) => {
            assert_eq!(verified, claims);
            assert!(
                current(&claims, now),
                "accepted out of time: {claims:?} at {now}"
            );
        }
        Err(error) => assert!(
            !current(&claims, now),
            "a genuine, current token was refused: {error}: {claims:?} at {now}"
        ),
    }

    // One character of the genuine token changed, anywhere: never accepted.
    let mut chars: Vec<char> = genuine.chars().collect();
    let at = text.len() % chars.len();
    let replacement = token.chars().next().unwrap_or('A');
    if chars[at] != replacement {
        chars[at] = replacement;
        let tampered: String = chars.into_iter().collect();
        assert!(
            verify_member_token(secret, &tampered, now).is_err(),
            "a tampered token was accepted: {tampered}"
        );
    }
}

/// The time rules a token must meet to be accepted at `now`.
fn current(claims: &MemberClaims, now: Timestamp) -> bool {
    let now = now.as_second();
    claims.exp > now
        && claims.iat <= now + LEEWAY_SECONDS
        && claims.exp <= now + MAX_TOKEN_LIFETIME_SECONDS + LEEWAY_SECONDS
        && claims.exp.saturating_sub(claims.iat) <= MAX_TOKEN_LIFETIME_SECONDS
}
