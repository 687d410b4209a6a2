//! The reward form's checks and the reading of uploaded codes.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use engage_core::api::rewards::RewardKind;

use super::{FieldError, RewardText, create_request, parse_codes, update_request};

fn text(over: impl FnOnce(&mut RewardText)) -> RewardText {
    let mut text = RewardText {
        id: "stickers".to_owned(),
        name: " Sticker pack ".to_owned(),
        price: "30".to_owned(),
        ..RewardText::default()
    };
    over(&mut text);
    text
}

fn refused(over: impl FnOnce(&mut RewardText)) -> FieldError {
    create_request(&text(over)).expect_err("the form should be refused")
}

#[test]
fn a_plain_item_is_created_with_unlimited_stock_and_no_limit() {
    let request = create_request(&text(|_| {})).unwrap();
    assert_eq!(request.id, "stickers");
    assert_eq!(request.name, "Sticker pack");
    assert_eq!(request.price, 30);
    assert_eq!(request.stock, None);
    assert_eq!(request.per_member, None);
    assert_eq!(request.description, None);
    assert_eq!(request.kind, RewardKind::Item);
}

#[test]
fn numbers_times_and_urls_are_read() {
    let request = create_request(&text(|t| {
        t.stock = "12".to_owned();
        t.per_member = "2".to_owned();
        t.image_url = "/img/stickers.png".to_owned();
        t.opens_at = "2026-12-01T10:00".to_owned();
        t.closes_at = "2026-12-31T10:00".to_owned();
    }))
    .unwrap();
    assert_eq!(request.stock, Some(12));
    assert_eq!(request.per_member, Some(2));
    assert_eq!(request.image_url.as_deref(), Some("/img/stickers.png"));
    assert!(request.opens_at.unwrap() < request.closes_at.unwrap());
}

#[test]
fn each_bad_field_is_named() {
    assert_eq!(refused(|t| t.id.clear()), FieldError::IdRequired);
    assert_eq!(
        refused(|t| t.id = "Big Prize".to_owned()),
        FieldError::IdInvalid
    );
    assert_eq!(refused(|t| t.id = "a".repeat(65)), FieldError::IdInvalid);
    assert_eq!(
        refused(|t| t.name = "  ".to_owned()),
        FieldError::NameRequired
    );
    assert_eq!(
        refused(|t| t.name = "n".repeat(101)),
        FieldError::NameTooLong
    );
    for price in ["", "0", "-5", "1.5", "ten"] {
        assert_eq!(
            refused(|t| t.price = price.to_owned()),
            FieldError::PriceInvalid,
            "{price}"
        );
    }
    assert_eq!(
        refused(|t| t.stock = "-1".to_owned()),
        FieldError::StockInvalid
    );
    assert_eq!(
        refused(|t| t.per_member = "0".to_owned()),
        FieldError::PerMemberInvalid
    );
    assert_eq!(
        refused(|t| t.opens_at = "soon".to_owned()),
        FieldError::TimeInvalid
    );
    assert_eq!(
        refused(|t| {
            t.opens_at = "2026-12-31T10:00".to_owned();
            t.closes_at = "2026-12-01T10:00".to_owned();
        }),
        FieldError::ClosesBeforeOpens
    );
    assert_eq!(
        refused(|t| t.image_url = "javascript:alert(1)".to_owned()),
        FieldError::ImageUrlInvalid
    );
}

#[test]
fn a_coupon_reward_has_no_stock_of_its_own() {
    let request = create_request(&text(|t| {
        t.kind = RewardKind::Code;
        t.stock = "nonsense".to_owned();
    }))
    .unwrap();
    assert_eq!(request.stock, None);
    let update = update_request(&text(|t| t.kind = RewardKind::Code), false).unwrap();
    assert_eq!(update.stock, None, "an edit leaves a coupon's stock alone");
    let update = update_request(&text(|t| t.stock = "3".to_owned()), true).unwrap();
    assert_eq!(update.stock, Some(Some(3)));
    assert_eq!(update.archived, Some(true));
    assert_eq!(
        update.description,
        Some(None),
        "an emptied field is cleared"
    );
}

#[test]
fn codes_are_read_from_lines_or_the_first_csv_column() {
    assert_eq!(parse_codes("A1\n\n A2 \r\nA1\n"), ["A1", "A2"]);
    assert_eq!(
        parse_codes("\u{feff}code,batch\nSAVE-1,nov\n\"SAVE,2\",nov\nSAVE-3;x\n"),
        ["SAVE-1", "SAVE,2", "SAVE-3"]
    );
    assert!(parse_codes(" \n\t\n").is_empty());
}
