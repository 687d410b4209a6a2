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

/// No secret in Debug output (which ends up in logs): the member-token secret, API key hashes
/// (current and retiring), webhook secrets and a rotation's new value all print `[redacted]`.
#[test]
fn secrets_are_redacted_from_debug() {
    use crate::state::SiteContext;
    use crate::store::{
        Credential, DueDelivery, NewSite, Retiring, Rotated, Site, SiteRecord, WebhookSettings,
    };
    use engage_core::SiteId;
    use engage_core::api::webhooks::WebhookView;
    use engage_core::jiff::tz::TimeZone;

    const HIDDEN: [&str; 5] = [
        "site-secret-xyz",
        "hash-of-key-xyz",
        "old-secret-xyz",
        "old-hash-xyz",
        "hook-secret-xyz",
    ];
    let id = SiteId::parse("forum").unwrap();
    let site = Site {
        id: id.clone(),
        name: "Forum".into(),
        tz: "UTC".into(),
        secret: HIDDEN[0].into(),
        api_key_hash: HIDDEN[1].into(),
    };
    let retiring = |value: &str| Retiring {
        value: value.into(),
        until: at(86_400),
    };
    let context = SiteContext {
        id: id.clone(),
        name: "Forum".into(),
        zone: TimeZone::UTC,
        secret: HIDDEN[0].into(),
        api_key_hash: HIDDEN[1].into(),
        previous_secret: Some(retiring(HIDDEN[2])),
        previous_api_key_hash: Some(retiring(HIDDEN[3])),
    };
    let printed = [
        format!("{site:?}"),
        format!(
            "{:?}",
            NewSite {
                site: site.clone(),
                origins: vec!["https://forum.example.com".into()],
            }
        ),
        format!(
            "{:?}",
            SiteRecord {
                site: site.clone(),
                previous_secret: Some(retiring(HIDDEN[2])),
                previous_api_key_hash: Some(retiring(HIDDEN[3])),
            }
        ),
        format!("{context:?}"),
        format!("{context:#?}"),
        format!(
            "{:?}",
            Rotated {
                site: id,
                credential: Credential::Secret,
                value: HIDDEN[0].into(),
                previous_until: at(86_400),
            }
        ),
        format!(
            "{:?}",
            WebhookSettings {
                url: "https://forum.example.com/hook".into(),
                secret: HIDDEN[4].into(),
            }
        ),
        format!(
            "{:?}",
            DueDelivery {
                id: 1,
                site: "forum".into(),
                event_id: "evt_1".into(),
                body: "{}".into(),
                attempts: 0,
                next_attempt_ms: 0,
                url: "https://forum.example.com/hook".into(),
                secret: HIDDEN[4].into(),
            }
        ),
        format!(
            "{:?}",
            WebhookView {
                url: "https://forum.example.com/hook".into(),
                secret: HIDDEN[4].into(),
                events: vec!["checkin".into()],
            }
        ),
    ];
    for text in &printed {
        for secret in HIDDEN {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("[redacted]"), "{text}");
    }
    // What is not secret is still there to debug with.
    assert!(
        printed[0].contains("forum") && printed[0].contains("UTC"),
        "{}",
        printed[0]
    );
    assert!(
        printed[3].contains("1970-01-02T00:00:00Z"),
        "{}",
        printed[3]
    );
}
