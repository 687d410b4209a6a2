//! Arbitrary bytes as a JSON rules document.
#![no_main]

use engage_core::rules::RulesFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| engage_fuzz::rules::check_rules(data, RulesFormat::Json));
