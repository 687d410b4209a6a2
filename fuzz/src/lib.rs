//! What the fuzz targets check, beyond "no panic": each entry point answers an error for what it
//! refuses, and what it accepts holds the invariants the rest of the code relies on.
//!
//! The targets in `fuzz_targets/` are one line each; the checks live here so that a crash
//! artifact can be replayed from a plain test too (`check_rules(include_bytes!(…), …)`).

pub mod bodies;
pub mod rules;
pub mod token;
