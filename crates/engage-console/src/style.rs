//! The console's stylesheet as a constructed `CSSStyleSheet` adopted by the document: allowed
//! by `style-src 'self'`, which blocks `<style>` elements and `style` attributes.

use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Document};

/// Adopts `css` into `document`, once (mounting the app again does not add it twice).
pub fn adopt(document: &Document, css: &str) {
    let sheets = document.adopted_style_sheets();
    let already = sheets.iter().any(|sheet| {
        sheet
            .dyn_ref::<CssStyleSheet>()
            .and_then(|s| js_sys::Reflect::get(s, &MARK.into()).ok())
            .is_some_and(|mark| mark.is_truthy())
    });
    if already {
        return;
    }
    let Ok(sheet) = CssStyleSheet::new() else {
        return;
    };
    if sheet.replace_sync(css).is_err() {
        return;
    }
    let _ = js_sys::Reflect::set(&sheet, &MARK.into(), &true.into());
    sheets.push(&sheet);
    document.set_adopted_style_sheets(&sheets);
}

/// The property that tells the console's sheet from any other the page adopted.
const MARK: &str = "__engageConsole";
