//! Checking a closed lottery's proof in the browser (`www/verify.js`), with the same core code
//! the server and `engage-server verify-lottery` use.

use engage_core::api::lottery::LotteryProof;
use engage_core::lottery::verify_proof;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Recomputes every outcome of a published proof (the JSON text of
/// `GET /api/v1/sites/{site}/lotteries/{lottery}/proof`) and returns the report as a plain
/// object: `{lottery, seed_matches_hash, spins_checked, winners_checked, mismatches: [{kind,
/// …}], passed, messages: ["seq 3: member 'lin' spin 3: expected 'mug', published …", …]}`.
/// Throws when the text is not JSON or not a proof.
#[wasm_bindgen]
pub fn verify_lottery_proof(proof_json: &str) -> Result<JsValue, JsValue> {
    // The browser parses the JSON; serde reads the parsed value, so no JSON parser of our
    // own goes into the wasm.
    let value = js_sys::JSON::parse(proof_json)?;
    let proof: LotteryProof = serde_wasm_bindgen::from_value(value)
        .map_err(|error| JsValue::from_str(&format!("this is not a lottery proof: {error}")))?;
    let report = verify_proof(&proof);
    let object = report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| JsValue::from_str(&error.to_string()))?;
    let messages: js_sys::Array = report
        .mismatches
        .iter()
        .map(|m| JsValue::from_str(&m.to_string()))
        .collect();
    js_sys::Reflect::set(&object, &"passed".into(), &report.passed().into())?;
    js_sys::Reflect::set(&object, &"messages".into(), &messages)?;
    Ok(object)
}
