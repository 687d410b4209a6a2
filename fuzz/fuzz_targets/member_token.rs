//! Arbitrary member tokens, site secrets and clocks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| engage_fuzz::token::check_token(data));
