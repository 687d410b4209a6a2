//! The console's pages, one module each. Every page loads with a [`crate::ui::Remote`] and shows
//! its loading, error and empty states; forms write with a [`crate::ui::Writer`].

pub mod analytics;
pub mod audit;
pub mod embed;
pub mod export;
pub mod feedback;
pub mod lotteries;
pub mod members;
pub mod polls;
pub mod rewards;
pub mod rules;
pub mod setup;
pub mod sign_in;
pub mod sites;
pub mod webhooks;
