//! Cleaning text that members write about themselves before others see it: a display name
//! must not reorder the text around it (bidi overrides such as U+202E, which make
//! `"Bob\u{202E}gnp.exe"` read as `Bobexe.png`) or hide in it (zero-width and other invisible
//! characters, which make two names that look alike differ, or make a name look empty).
//!
//! Only names are cleaned: feedback and replies are stored and answered byte for byte.

use std::borrow::Cow;

/// Whether `c` changes how the text around it is shown, or is not seen itself: the bidi
/// embeddings, overrides and isolates and the Arabic letter mark; zero-width spaces, joiners
/// and marks; the invisible operators and other default-ignorable format characters; line and
/// paragraph separators; blank fillers that render as nothing; and tag characters.
///
/// Variation selectors (U+FE00–U+FE0F) are kept: emoji need them to look as meant. Zero-width
/// joiners are not: an emoji sequence such as "👩\u{200D}💻" falls apart into its visible parts.
pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                     // soft hyphen
        | '\u{034F}'                   // combining grapheme joiner
        | '\u{061C}'                   // Arabic letter mark
        | '\u{115F}' | '\u{1160}'      // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'      // Khmer inherent vowels
        | '\u{180E}'                   // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'      // zero-width space, (non-)joiner, LRM, RLM
        | '\u{2028}' | '\u{2029}'      // line and paragraph separators
        | '\u{202A}'..='\u{202E}'      // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'      // word joiner, invisible operators
        | '\u{2065}'                   // reserved, default ignorable
        | '\u{2066}'..='\u{2069}'      // bidi isolates
        | '\u{206A}'..='\u{206F}'      // deprecated format characters
        | '\u{3164}' | '\u{FFA0}'      // Hangul fillers
        | '\u{FEFF}'                   // zero-width no-break space (BOM)
        | '\u{FFF9}'..='\u{FFFB}'      // interlinear annotation
        | '\u{1BCA0}'..='\u{1BCA3}'    // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}'    // musical symbol format controls
        | '\u{E0000}'..='\u{E007F}' // tags
    )
}

/// `text` without the characters of [`is_invisible_or_bidi`]; borrowed when it has none.
pub fn strip_invisible(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_invisible_or_bidi) {
        Cow::Owned(text.chars().filter(|&c| !is_invisible_or_bidi(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// The name to show others for `member` (a member id): `name` without invisible and bidi
/// characters, trimmed, or the member id when nothing is left.
pub fn display_name(name: &str, member: &str) -> String {
    let cleaned = strip_invisible(name);
    match cleaned.trim() {
        "" => member.to_owned(),
        name => name.to_owned(),
    }
}

#[cfg(test)]
mod tests;
