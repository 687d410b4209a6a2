//! The Engage server: HTTP API, storage and the owner's command line, as a library so tests can
//! drive [`router`] without a socket and call the CLI without a process.

pub mod activity;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod client_addr;
pub mod client_scheme;
pub mod csv_encode;
pub mod error;
pub mod extract;
pub mod limits;
pub mod live;
pub mod owners;
pub mod routes;
pub mod serve;
pub mod sign_in_throttle;
pub mod state;
pub mod store;
pub mod streams;
pub mod token;
pub mod webhooks;

pub use error::ApiError;
pub use limits::LimitConfig;
pub use routes::router;
pub use state::{AppState, Clock, Config};
pub use store::{Store, StoreError};
