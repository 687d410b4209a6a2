use super::*;

fn check(name: &str, expected: &str) {
    assert_eq!(display_name(name, "m-42"), expected, "{name:?}");
}

#[test]
fn display_names() {
    check("Alice", "Alice");
    check("  小明  ", "小明");
    // Bidi overrides, embeddings and isolates.
    check("Bob\u{202E}gnp.exe", "Bobgnp.exe");
    check("\u{202A}\u{202B}\u{202C}\u{202D}a", "a");
    check("\u{2066}x\u{2067}y\u{2068}z\u{2069}", "xyz");
    check("\u{061C}مريم", "مريم");
    // Zero-width and invisible characters.
    check("Ad\u{200B}min", "Admin");
    check("\u{200C}\u{200D}\u{200E}\u{200F}a", "a");
    check("a\u{2060}\u{2061}\u{2062}\u{2063}\u{2064}b", "ab");
    check("\u{FEFF}Eve", "Eve");
    check("Tag\u{E0041}\u{E007F}s", "Tags");
    check("so\u{00AD}ft", "soft");
    // Emoji keep their variation selectors; a joined sequence falls apart into visible parts.
    check("❤\u{FE0F} fan", "❤\u{FE0F} fan");
    check("👩\u{200D}💻", "👩💻");
    // Nothing visible left: the member id, as for an empty name.
    check("", "m-42");
    check("\u{200B}\u{202E} \u{2066}", "m-42");
    check("\u{3164}", "m-42");
}

#[test]
fn strip_invisible_borrows_clean_text() {
    assert!(matches!(strip_invisible("plain 名字"), Cow::Borrowed(_)));
    assert_eq!(strip_invisible("a\u{202E}b"), "ab");
}

#[test]
fn every_listed_character_is_stripped() {
    let listed = ('\u{202A}'..='\u{202E}')
        .chain('\u{2066}'..='\u{2069}')
        .chain('\u{200B}'..='\u{200F}')
        .chain('\u{2060}'..='\u{2064}')
        .chain(['\u{FEFF}', '\u{061C}']);
    for c in listed {
        assert!(is_invisible_or_bidi(c), "U+{:04X}", u32::from(c));
    }
    for kept in ['a', ' ', '名', 'é', '\u{0301}', '\u{FE0F}', '🙂', '-'] {
        assert!(!is_invisible_or_bidi(kept), "U+{:04X}", u32::from(kept));
    }
}
