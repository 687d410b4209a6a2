//! The console's shapes read the JSON the contract (CONSOLE.md) writes.

use serde_json::json;

use super::{Cursor, LedgerPage, OwnerLotteryView, Rotated, RulesDocument, RulesDocumentFormat};

#[test]
fn a_cursor_is_read_from_a_number_or_a_string_and_written_as_text() {
    let page: LedgerPage =
        serde_json::from_value(json!({"entries": [], "next_before": 42})).unwrap();
    assert_eq!(page.next_before, Some(Cursor("42".to_owned())));
    let page: LedgerPage =
        serde_json::from_value(json!({"entries": [], "next_before": "abc"})).unwrap();
    assert_eq!(page.next_before, Some(Cursor("abc".to_owned())));
    let page: LedgerPage = serde_json::from_value(json!({"entries": []})).unwrap();
    assert_eq!(page.next_before, None);
    assert_eq!(
        serde_json::to_value(Cursor("42".to_owned())).unwrap(),
        json!("42")
    );
}

#[test]
fn the_default_rules_have_no_version() {
    let rules: RulesDocument = serde_json::from_value(
        json!({"version": null, "format": "toml", "document": "[checkin]\n"}),
    )
    .unwrap();
    assert_eq!(rules.version, None);
    assert_eq!(rules.format, RulesDocumentFormat::Toml);
    assert_eq!(rules.installed_at, None);
}

#[test]
fn a_rotation_names_what_it_rotated() {
    let rotated: Rotated = serde_json::from_value(
        json!({"api_key": "ek_new", "previous_valid_until": "2026-11-21T10:00:00Z"}),
    )
    .unwrap();
    assert_eq!(rotated.api_key.as_deref(), Some("ek_new"));
    assert_eq!(rotated.secret, None);
    assert!(rotated.previous_valid_until.is_some());
}

#[test]
fn the_owner_lottery_view_is_the_lottery_view_plus_counts() {
    let view: OwnerLotteryView = serde_json::from_value(json!({
        "id": "wheel", "mode": "wheel", "status": "open",
        "prizes": [{"id": "mug", "name": "Mug", "weight": 1, "stock": 3}],
        "no_prize_weight": 0, "cost": 0, "daily_spins": 1,
        "opens_at": "2026-11-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z",
        "winners": 1, "spins": 12,
    }))
    .unwrap();
    assert_eq!(view.spins, 12);
    assert_eq!(view.lottery.prizes[0].stock, 3);
    assert_eq!(view.proof_url, None);
}
