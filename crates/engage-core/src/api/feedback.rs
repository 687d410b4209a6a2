//! The JSON shapes of feedback (反馈): what a member or visitor sends and sees, what the widget
//! needs to draw the form, and the owner's inbox, replies and numbers.
//!
//! Text (feedback, contact, replies) travels exactly as it was sent; whoever shows it renders it
//! as text, never as HTML.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How the owner asks for a rating: 1 to 5 stars, or the NPS question (0 to 10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackScale {
    #[default]
    Stars,
    Nps,
}

impl FeedbackScale {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackScale::Stars => "stars",
            FeedbackScale::Nps => "nps",
        }
    }
}

/// One category the owner offers: a slug and the label shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackCategory {
    pub id: String,
    pub label: String,
}

/// Where a piece of feedback is in the owner's triage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    #[default]
    New,
    InProgress,
    Done,
    /// Set when the rules judged it suspect (too many links, a blocked word), or by the owner.
    Spam,
}

impl FeedbackStatus {
    pub const ALL: [FeedbackStatus; 4] = [
        FeedbackStatus::New,
        FeedbackStatus::InProgress,
        FeedbackStatus::Done,
        FeedbackStatus::Spam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::New => "new",
            FeedbackStatus::InProgress => "in_progress",
            FeedbackStatus::Done => "done",
            FeedbackStatus::Spam => "spam",
        }
    }

    pub fn parse(text: &str) -> Option<FeedbackStatus> {
        FeedbackStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status as its sender sees it: feedback held as spam looks new, so that a spammer
    /// learns nothing from the answer.
    pub fn as_seen_by_sender(self) -> FeedbackStatus {
        match self {
            FeedbackStatus::Spam => FeedbackStatus::New,
            other => other,
        }
    }
}

/// `POST /api/v1/sites/{site}/feedback`. Only `text` is required; see
/// `feedback::check_feedback` for the limits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendFeedback {
    /// 1 to 5, where the owner's scale is stars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<i64>,
    /// 0 to 10, where the owner's scale is NPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nps: Option<i64>,
    /// One of the owner's category ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub text: String,
    /// How to reach the sender (an e-mail address, a handle), if they want an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The page the widget is on (attached by the widget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// A small object the widget attaches (language, theme, widget version, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The answer to sending feedback (201). Feedback held as spam gets the same answer as any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackSent {
    pub id: i64,
    /// As the sender sees it: `new` for fresh feedback.
    pub status: FeedbackStatus,
    /// Points this feedback earned (members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded: Option<i64>,
    /// The member's balance afterwards (members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Badge ids this feedback earned (members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badges: Option<Vec<String>>,
}

/// `GET /api/v1/sites/{site}/feedback/form`: what the widget needs to draw the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackForm {
    pub scale: FeedbackScale,
    /// May be empty: then the form shows no category choice.
    pub categories: Vec<FeedbackCategory>,
    /// The most characters the text may have (after trimming).
    pub max_length: u32,
    pub max_contact_length: u32,
    /// Whether visitors without a member token may send feedback.
    pub anonymous: bool,
    /// Points a member's first feedback earns.
    pub points: i64,
}

/// An owner's reply to a piece of feedback, shown to its sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackReply {
    pub id: i64,
    pub text: String,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
}

/// `GET /api/v1/sites/{site}/feedback/mine`: the caller's feedback, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyFeedback {
    pub items: Vec<MyFeedbackItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyFeedbackItem {
    pub id: i64,
    /// As the sender sees it (never `spam`).
    pub status: FeedbackStatus,
    pub rating: Option<u8>,
    pub nps: Option<u8>,
    pub category: Option<String>,
    pub text: String,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
    /// The owner's replies, oldest first.
    pub replies: Vec<FeedbackReply>,
}

/// One piece of feedback as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackItem {
    pub id: i64,
    pub status: FeedbackStatus,
    pub rating: Option<u8>,
    pub nps: Option<u8>,
    pub category: Option<String>,
    pub text: String,
    pub contact: Option<String>,
    pub page_url: Option<String>,
    pub context: Option<serde_json::Map<String, serde_json::Value>>,
    /// The member who sent it, with their current name; `null` for a visitor.
    pub member: Option<String>,
    pub name: Option<String>,
    /// The visitor id of an anonymous sender; `null` for a member.
    pub visitor: Option<String>,
    /// Why the rules held it as spam, e.g. `too many links (3, at most 2)`.
    pub spam_reason: Option<String>,
    /// The site-local day it was sent.
    #[serde(with = "crate::ymd")]
    pub day: Date,
    #[serde(with = "crate::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "crate::rfc3339")]
    pub updated_at: Timestamp,
    /// Oldest first.
    pub replies: Vec<FeedbackReply>,
}

/// `GET /api/v1/admin/sites/{site}/feedback`: newest first; pass `next_cursor` as `cursor` for
/// the next page (`null` on the last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackList {
    pub items: Vec<FeedbackItem>,
    pub next_cursor: Option<String>,
}

/// `PATCH /api/v1/admin/sites/{site}/feedback/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateFeedback {
    pub status: FeedbackStatus,
}

/// `POST /api/v1/admin/sites/{site}/feedback/{id}/replies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendReply {
    pub text: String,
}

/// The time buckets of the owner's numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsBucket {
    #[default]
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
}

impl StatsBucket {
    pub fn parse(text: &str) -> Option<StatsBucket> {
        match text {
            "day" => Some(StatsBucket::Day),
            "week" => Some(StatsBucket::Week),
            _ => None,
        }
    }
}

/// `GET /api/v1/admin/sites/{site}/feedback/stats`: days are the site's, both ends included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackStats {
    #[serde(with = "crate::ymd")]
    pub from: Date,
    #[serde(with = "crate::ymd")]
    pub to: Date,
    pub bucket: StatsBucket,
    pub totals: FeedbackTally,
    /// Every bucket that meets the range, in order, empty ones included.
    pub buckets: Vec<FeedbackBucket>,
}

/// Counts over some feedback. Everything but `spam` leaves spam out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedbackTally {
    /// Feedback that is not spam.
    pub count: u64,
    /// Feedback with status `spam`.
    pub spam: u64,
    /// Feedback with a star rating, and their average (2 decimals; `null` when none).
    pub ratings: u64,
    pub rating_average: Option<f64>,
    /// Feedback with an NPS score, split the NPS way: 9–10, 7–8, 0–6.
    pub nps_responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Promoters % − detractors % (−100 to 100, 1 decimal; `null` when no responses).
    pub nps: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackBucket {
    /// The bucket's first day (a Monday for weeks).
    #[serde(with = "crate::ymd")]
    pub start: Date,
    #[serde(flatten)]
    pub tally: FeedbackTally,
}
