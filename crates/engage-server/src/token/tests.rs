use super::*;

const SECRET: &str = "test-secret";

fn claims(iat: i64, exp: i64) -> MemberClaims {
    MemberClaims {
        sub: "alice".into(),
        name: "Alice".into(),
        site: "demo".into(),
        iat,
        exp,
    }
}

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

#[test]
fn round_trip() {
    let token = mint_member_token(SECRET, &claims(1000, 4600));
    assert_eq!(
        verify_member_token(SECRET, &token, at(2000)),
        Ok(claims(1000, 4600))
    );
}

#[test]
fn refusals() {
    let check = |token: &str, now: i64, expect: TokenError| {
        assert_eq!(verify_member_token(SECRET, token, at(now)), Err(expect));
    };
    let good = mint_member_token(SECRET, &claims(1000, 4600));
    check(
        &mint_member_token("other", &claims(1000, 4600)),
        2000,
        TokenError::BadSignature,
    );
    check(&good, 4600, TokenError::Expired);
    check(
        &mint_member_token(SECRET, &claims(1000, 1000 + 2 * 86_400)),
        2000,
        TokenError::TooLongLived,
    );
    check("abc", 2000, TokenError::Malformed);
    check("a.b.c.d", 2000, TokenError::Malformed);
    let other = mint_member_token(SECRET, &claims(1000, 4000));
    let (_, good_signature) = good.rsplit_once('.').unwrap();
    let (other_input, _) = other.rsplit_once('.').unwrap();
    check(
        &format!("{other_input}.{good_signature}"),
        2000,
        TokenError::BadSignature,
    );
    let (_, rest) = good.split_once('.').unwrap();
    let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    check(
        &format!("{none}.{rest}"),
        2000,
        TokenError::WrongAlgorithm("none".into()),
    );
}

#[test]
fn api_keys() {
    let key = new_api_key();
    assert!(key.starts_with("ek_"));
    assert!(api_key_hash_matches(
        &hash_api_key(&key),
        &hash_api_key(&key)
    ));
    assert!(!api_key_hash_matches(
        &hash_api_key(&key),
        &hash_api_key("ek_x")
    ));
    assert_eq!(new_site_secret().len(), 43);
}
