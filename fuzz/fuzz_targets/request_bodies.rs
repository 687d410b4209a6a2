//! Arbitrary bytes as every JSON request body, and as a lottery proof.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| engage_fuzz::bodies::check_bodies(data));
