use super::*;

#[test]
fn emails_are_lowercased_and_checked() {
    assert_eq!(
        OwnerEmail::parse("  Ada@Example.COM ").unwrap().as_str(),
        "ada@example.com"
    );
    assert_eq!(
        OwnerEmail::parse("李@例子.中国").unwrap().as_str(),
        "李@例子.中国"
    );
    for bad in [
        "",
        "ada",
        "@example.com",
        "ada@",
        "ada@@example.com",
        "a@b@example.com",
        "ada @example.com",
        "ada@.example.com",
        "ada@example.com.",
        "ada\u{7}@example.com",
    ] {
        assert!(
            matches!(
                OwnerEmail::parse(bad),
                Err(OwnerInputError::InvalidEmail(_))
            ),
            "{bad:?}"
        );
    }
    let long = format!("{}@example.com", "a".repeat(250));
    assert!(OwnerEmail::parse(&long).is_err());
}

#[test]
fn passwords_need_ten_characters() {
    assert_eq!(check_new_password(""), Err(OwnerInputError::EmptyPassword));
    assert_eq!(
        check_new_password("123456789"),
        Err(OwnerInputError::PasswordTooShort(9))
    );
    // Characters, not bytes: ten CJK characters are enough.
    assert_eq!(check_new_password("一二三四五六七八九十"), Ok(()));
    assert_eq!(check_new_password("correct horse"), Ok(()));
    assert_eq!(
        check_new_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)),
        Err(OwnerInputError::PasswordTooLong)
    );
}

#[tokio::test]
async fn hashes_are_argon2id_with_the_recommended_parameters() {
    let hash = hash_password("correct horse battery".into()).await.unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let again = hash_password("correct horse battery".into()).await.unwrap();
    assert_ne!(hash, again, "each hash has its own salt");
    assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
    assert!(!verify_password("correct horse battery!".into(), Some(hash)).await);
    // Without an account, nothing verifies (against the dummy hash).
    assert!(!verify_password("correct horse battery".into(), None).await);
    assert!(!verify_password(String::new(), Some("not a hash".into())).await);
}
