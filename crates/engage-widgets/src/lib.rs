//! The Engage widgets: Leptos components that run in the member's browser, and the bridge that
//! mounts them into the shadow roots of the custom elements the loader (`www/engage.js`) defines.
//!
//! This crate is the only one that knows the DOM; the rules it displays come from `engage-core`
//! and the data from the server's JSON API (see [`api`]).
//!
//! From a Leptos app, use the components directly:
//! `view! { <Checkin site="demo" member_token=token /> }`.

pub mod api;
pub mod checkin;
pub mod element;
pub mod i18n;

pub use api::{ApiClient, ApiError};
pub use checkin::Checkin;
pub use element::{MountHandle, mount_checkin};
pub use i18n::Lang;

/// A widget's colour theme (`theme` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Theme {
    Light,
    Dark,
    /// Follows the member's `prefers-color-scheme`.
    #[default]
    Auto,
}

impl Theme {
    /// Reads the `theme` attribute; unknown values are `None` so the default applies.
    pub fn parse(text: &str) -> Option<Theme> {
        match text.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "auto" => Some(Theme::Auto),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}
