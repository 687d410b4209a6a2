//! CSV as the exports write it: the core's encoder (`engage_core::csv`), which the owner console
//! uses too for the tables beside its charts, so a file saved from either reads the same.

pub use engage_core::csv::*;
