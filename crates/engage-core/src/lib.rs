//! The pure rules of Engage, shared by the browser and the server.
//!
//! Nothing here does I/O, reads a clock or draws randomness: time, time zones and seeds come in
//! as arguments, so the widgets can preview what the server will decide with the same code, and
//! every rule can be tested without a database or a browser.

pub mod api;
pub mod badges;
pub mod calendar;
pub mod checkin;
pub mod feedback;
pub mod ids;
pub mod leaderboard;
pub mod ledger;
pub mod level;
pub mod lottery;
pub mod poll;
pub mod rewards;
pub mod rfc3339;
pub mod rules;
pub mod text;
pub mod ymd;

#[cfg(test)]
mod hostile_input_tests;

pub use ids::{BadgeId, IdError, LotteryId, MemberId, PollId, RewardId, SiteId, VisitorId};
pub use jiff;
