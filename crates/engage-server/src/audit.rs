//! The audit log's vocabulary: who acted ([`Actor`]) and what they did ([`AuditAction`]), the
//! same types the console reads back from `GET …/audit`.
//!
//! Store operations of audited facts (a rules install, a points adjustment, a poll edit, …)
//! take an `Option<&Actor>` and write the entry inside the fact's own transaction, so the two
//! commit or roll back together; `None` is for what no one asked for (the demo's seeding, a
//! lottery closing itself when its time has come). Facts without a transaction of their own (an
//! export, a sign-in) call `Store::record_audit`.

pub use engage_core::api::console::{Actor, AuditAction};
