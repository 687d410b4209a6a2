//! The Engage widgets: Leptos components that run in the member's browser, and the bridge that
//! mounts them into the shadow roots of the custom elements the loader (`www/engage.js`) defines.
//!
//! This crate is the only one that knows the DOM; the rules it displays come from `engage-core`
//! and the data from the server's JSON API (see [`api`]).
//!
//! From a Leptos app, use the components directly:
//! `view! { <Checkin site="demo" member_token=token /> }`,
//! `view! { <Poll site="demo" poll="favourite-feature" /> }`,
//! `view! { <Leaderboard site="demo" period=Period::Week limit=10_u32 /> }`.

pub mod api;
pub mod checkin;
pub mod element;
pub mod feedback;
pub mod i18n;
pub mod leaderboard;
mod live;
pub mod lottery;
pub mod poll;
pub mod rewards;
mod widget;

pub use api::{ApiClient, ApiError};
pub use checkin::Checkin;
pub use element::{MountHandle, mount};
pub use feedback::{Feedback, FeedbackMode};
pub use i18n::Lang;
pub use leaderboard::Leaderboard;
pub use lottery::Lottery;
pub use poll::Poll;
pub use rewards::Rewards;

/// The widgets, by the name the loader mounts them by and events report them with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Widget {
    /// `<engage-checkin>`: the daily check-in.
    Checkin,
    /// `<engage-poll>`: a poll.
    Poll,
    /// `<engage-lottery>`: a lucky wheel or a giveaway.
    Lottery,
    /// `<engage-feedback>`: the feedback form and the sender's earlier feedback.
    Feedback,
    /// `<engage-leaderboard>`: the points ranking of a period and the member's own place.
    Leaderboard,
    /// `<engage-rewards>`: the points shop (积分兑换) and the member's redemptions.
    Rewards,
}

impl Widget {
    /// Reads a widget name (`checkin`, `poll`).
    pub fn parse(name: &str) -> Option<Widget> {
        match name {
            "checkin" => Some(Widget::Checkin),
            "poll" => Some(Widget::Poll),
            "lottery" => Some(Widget::Lottery),
            "feedback" => Some(Widget::Feedback),
            "leaderboard" => Some(Widget::Leaderboard),
            "rewards" => Some(Widget::Rewards),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Widget::Checkin => "checkin",
            Widget::Poll => "poll",
            Widget::Lottery => "lottery",
            Widget::Feedback => "feedback",
            Widget::Leaderboard => "leaderboard",
            Widget::Rewards => "rewards",
        }
    }
}

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
