//! The Engage server: HTTP API, storage and the owner's command line, as a library so tests can
//! drive [`router`] without a socket.

pub mod store;

pub use store::{Store, StoreError};
