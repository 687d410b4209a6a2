//! The rules document: `parse_rules` from TOML or JSON.

use engage_core::rules::{RulesFormat, parse_rules};

/// Parses `data` as a rules document in `format`. A refusal must name a line inside the
/// document (or none) and print; an accepted document must survive a round trip through JSON,
/// the form `parse_rules` reads back unchanged.
pub fn check_rules(data: &[u8], format: RulesFormat) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_rules(text, format) {
        Err(error) => {
            let lines = text.split('\n').count();
            if let Some(line) = error.line {
                assert!(
                    (1..=lines).contains(&line),
                    "line {line} outside a document of {lines} lines: {error}"
                );
            }
            assert!(!error.to_string().is_empty());
        }
        Ok(rules) => {
            let json = serde_json::to_string(&rules).expect("accepted rules serialize");
            let again = parse_rules(&json, RulesFormat::Json)
                .unwrap_or_else(|e| panic!("accepted rules do not read back: {e}\n{json}"));
            assert_eq!(again, rules, "rules changed through JSON");
        }
    }
}
