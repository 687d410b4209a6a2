//! Feedback (反馈): the owner's settings, whether a piece of feedback may be stored and whether
//! it looks like spam, and the numbers over stored feedback (star averages, NPS).
//!
//! The server asks [`check_feedback`] before it stores anything. Suspect feedback (too many
//! links, a blocked word) is not refused: it is stored with status `spam`, so nothing is lost
//! and the owner can restore it, while its sender gets the same answer as anyone. Text is kept
//! verbatim; only its length, links and words are looked at.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::api::feedback::{
    FeedbackBucket, FeedbackCategory, FeedbackForm, FeedbackItem, FeedbackScale, FeedbackStats,
    FeedbackStatus, FeedbackTally, MyFeedbackItem, SendFeedback, StatsBucket,
};
use crate::calendar::{day_number, next_day};
use crate::poll::Voter;

/// The text's length limit when the owner does not set one, in characters.
pub const DEFAULT_MAX_LENGTH: u32 = 2000;
/// The highest `max_length` an owner may set, so a body always fits the server's limit.
pub const MAX_MAX_LENGTH: u32 = 4000;
pub const DEFAULT_MAX_LINKS: u32 = 2;
pub const MAX_MAX_LINKS: u32 = 100;
pub const MAX_CONTACT_CHARS: usize = 200;
pub const MAX_PAGE_URL_CHARS: usize = 2000;
/// The most bytes the widget's `context` object may take as JSON.
pub const MAX_CONTEXT_BYTES: usize = 2048;
pub const MAX_REPLY_CHARS: usize = 4000;
pub const MAX_CATEGORIES: usize = 20;
pub const MAX_CATEGORY_ID_LEN: usize = 64;
pub const MAX_CATEGORY_LABEL_CHARS: usize = 64;
pub const MAX_BLOCKED_WORDS: usize = 500;
pub const MAX_BLOCKED_WORD_CHARS: usize = 64;

/// The `[feedback]` section of a site's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackRules {
    /// Whether visitors without a member token may send feedback (keyed by their visitor id).
    pub anonymous: bool,
    pub scale: FeedbackScale,
    /// The categories offered; when empty, feedback has no category.
    pub categories: Vec<FeedbackCategory>,
    /// The most characters the text may have after trimming.
    pub max_length: u32,
    /// More links than this (`http://`, `https://`, `www.`) make feedback spam.
    pub max_links: u32,
    /// A word of this list in the text or contact makes feedback spam (case-insensitive,
    /// full-width letters and Latin accents folded).
    pub blocked_words: Vec<String>,
    /// Points a member's first feedback earns (ledger key `feedback:first`).
    pub points: i64,
}

impl Default for FeedbackRules {
    fn default() -> FeedbackRules {
        FeedbackRules {
            anonymous: true,
            scale: FeedbackScale::Stars,
            categories: Vec::new(),
            max_length: DEFAULT_MAX_LENGTH,
            max_links: DEFAULT_MAX_LINKS,
            blocked_words: Vec::new(),
            points: 0,
        }
    }
}

/// What the widget needs to draw the form.
pub fn feedback_form(rules: &FeedbackRules) -> FeedbackForm {
    FeedbackForm {
        scale: rules.scale,
        categories: rules.categories.clone(),
        max_length: rules.max_length,
        max_contact_length: MAX_CONTACT_CHARS as u32,
        anonymous: rules.anonymous,
        points: rules.points,
    }
}

/// Why feedback is refused. Each message about the body starts with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedbackError {
    /// Occurs when a visitor without a member token sends feedback and the owner allows only
    /// members.
    #[error("feedback on this site is for members only; sign in to send it")]
    MembersOnly,
    /// Occurs when anonymous feedback comes without a valid visitor id.
    #[error(
        "anonymous feedback needs a visitor id of {min} to {max} letters, digits, '-' or '_'",
        min = crate::VisitorId::MIN_LEN,
        max = crate::VisitorId::MAX_LEN
    )]
    MissingVisitorId,
    /// Occurs when the text is blank or too long.
    #[error("text must have 1 to {max} characters after trimming")]
    Text { max: u32 },
    /// Occurs when a star rating is outside 1 to 5.
    #[error("rating must be between 1 and 5, not {rating}")]
    Rating { rating: i64 },
    /// Occurs when an NPS score is outside 0 to 10.
    #[error("nps must be between 0 and 10, not {nps}")]
    Nps { nps: i64 },
    /// Occurs when the rating does not use the owner's scale.
    #[error("{field}: this site asks for {expected}")]
    WrongScale {
        field: &'static str,
        expected: &'static str,
    },
    /// Occurs when the category is not one of the owner's.
    #[error("category '{category}' is not one of this site's categories")]
    Category { category: String },
    /// Occurs when the contact is too long.
    #[error("contact must have at most {MAX_CONTACT_CHARS} characters")]
    Contact,
    /// Occurs when the page URL is not an http(s) URL or is too long.
    #[error(
        "page_url must be an http:// or https:// URL of at most {MAX_PAGE_URL_CHARS} characters"
    )]
    PageUrl,
    /// Occurs when the context object is too large.
    #[error("context must take at most {MAX_CONTEXT_BYTES} bytes as JSON")]
    Context,
    /// Occurs when an owner's reply is blank or too long.
    #[error("text must have 1 to {MAX_REPLY_CHARS} characters and not be blank")]
    Reply,
}

/// Why the rules hold feedback as spam.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpamReason {
    /// Occurs when the text holds more links than the owner allows.
    #[error("too many links ({links}, at most {max})")]
    TooManyLinks { links: usize, max: u32 },
    /// Occurs when the text or contact holds one of the owner's blocked words.
    #[error("blocked word '{word}'")]
    BlockedWord { word: String },
}

/// Feedback that may be stored: checked, with its context as JSON text and the spam verdict.
/// Text, contact and page URL are kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedFeedback {
    pub sender: Voter,
    pub rating: Option<u8>,
    pub nps: Option<u8>,
    pub category: Option<String>,
    pub text: String,
    pub contact: Option<String>,
    pub page_url: Option<String>,
    pub context: Option<String>,
    /// `Some` when the rules judge it suspect: it is stored as spam.
    pub spam: Option<SpamReason>,
}

impl AcceptedFeedback {
    /// The status it is stored with.
    pub fn status(&self) -> FeedbackStatus {
        if self.spam.is_some() {
            FeedbackStatus::Spam
        } else {
            FeedbackStatus::New
        }
    }
}

/// Decides whether feedback from `sender` (`None`: no member token and no valid visitor id)
/// may be stored. Checks run in this order: who may send, text, rating, nps, category,
/// contact, page URL, context; then the spam verdict, which never refuses.
pub fn check_feedback(
    rules: &FeedbackRules,
    sender: Option<Voter>,
    request: SendFeedback,
) -> Result<AcceptedFeedback, FeedbackError> {
    let sender = match sender {
        Some(member @ Voter::Member(_)) => member,
        _ if !rules.anonymous => return Err(FeedbackError::MembersOnly),
        Some(visitor) => visitor,
        None => return Err(FeedbackError::MissingVisitorId),
    };
    let length = request.text.trim().chars().count();
    if length == 0 || length > rules.max_length as usize {
        return Err(FeedbackError::Text {
            max: rules.max_length,
        });
    }
    let rating = request.rating.map(|r| check_rating(rules, r)).transpose()?;
    let nps = request.nps.map(|n| check_nps(rules, n)).transpose()?;
    if let Some(category) = &request.category
        && !rules.categories.iter().any(|c| c.id == *category)
    {
        return Err(FeedbackError::Category {
            category: category.chars().take(MAX_CATEGORY_ID_LEN).collect(),
        });
    }
    if let Some(contact) = &request.contact
        && contact.chars().count() > MAX_CONTACT_CHARS
    {
        return Err(FeedbackError::Contact);
    }
    if let Some(url) = &request.page_url
        && !is_page_url(url)
    {
        return Err(FeedbackError::PageUrl);
    }
    let context = match &request.context {
        None => None,
        Some(object) => {
            let json = serde_json::to_string(object).map_err(|_| FeedbackError::Context)?;
            if json.len() > MAX_CONTEXT_BYTES {
                return Err(FeedbackError::Context);
            }
            Some(json)
        }
    };
    let spam = spam_reason(rules, &request.text, request.contact.as_deref());
    Ok(AcceptedFeedback {
        sender,
        rating,
        nps,
        category: request.category,
        text: request.text,
        contact: request.contact,
        page_url: request.page_url,
        context,
        spam,
    })
}

/// A star rating (1 to 5) on a site whose scale is stars.
pub fn check_rating(rules: &FeedbackRules, rating: i64) -> Result<u8, FeedbackError> {
    if rules.scale != FeedbackScale::Stars {
        return Err(FeedbackError::WrongScale {
            field: "rating",
            expected: "an NPS score (nps, 0 to 10), not stars",
        });
    }
    u8::try_from(rating)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or(FeedbackError::Rating { rating })
}

/// An NPS score (0 to 10) on a site whose scale is NPS.
pub fn check_nps(rules: &FeedbackRules, nps: i64) -> Result<u8, FeedbackError> {
    if rules.scale != FeedbackScale::Nps {
        return Err(FeedbackError::WrongScale {
            field: "nps",
            expected: "a star rating (rating, 1 to 5), not an NPS score",
        });
    }
    u8::try_from(nps)
        .ok()
        .filter(|n| *n <= 10)
        .ok_or(FeedbackError::Nps { nps })
}

/// An `http://` or `https://` URL with a host, no white space or control characters, at most
/// [`MAX_PAGE_URL_CHARS`] long. Anything else (`javascript:`, `data:`) is refused.
pub fn is_page_url(url: &str) -> bool {
    if url.chars().count() > MAX_PAGE_URL_CHARS
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '?', '#']))
}

/// A piece of feedback as its sender sees it: no contact, context or spam verdict, and spam
/// shown as `new`.
pub fn sender_view(item: FeedbackItem) -> MyFeedbackItem {
    MyFeedbackItem {
        id: item.id,
        status: item.status.as_seen_by_sender(),
        rating: item.rating,
        nps: item.nps,
        category: item.category,
        text: item.text,
        created_at: item.created_at,
        replies: item.replies,
    }
}

/// An owner's reply: not blank, at most [`MAX_REPLY_CHARS`]. Kept as sent.
pub fn check_reply(text: &str) -> Result<(), FeedbackError> {
    if text.trim().is_empty() || text.chars().count() > MAX_REPLY_CHARS {
        return Err(FeedbackError::Reply);
    }
    Ok(())
}

/// Whether the rules hold this text (and contact) as spam, and why: more links than
/// `max_links` in the text, or a blocked word in the text or the contact.
pub fn spam_reason(rules: &FeedbackRules, text: &str, contact: Option<&str>) -> Option<SpamReason> {
    let links = count_links(text);
    if links > rules.max_links as usize {
        return Some(SpamReason::TooManyLinks {
            links,
            max: rules.max_links,
        });
    }
    [Some(text), contact]
        .into_iter()
        .flatten()
        .find_map(|part| find_blocked_word(part, &rules.blocked_words))
        .map(|word| SpamReason::BlockedWord {
            word: word.to_owned(),
        })
}

/// Counts links: each `http://`, `https://` or `www.` (case-insensitive, full-width forms
/// folded), where `https://www.` counts once.
pub fn count_links(text: &str) -> usize {
    let folded: Vec<char> = text.chars().map(fold_char).collect();
    let starts = |at: usize, pattern: &str| {
        pattern
            .chars()
            .enumerate()
            .all(|(i, c)| folded.get(at + i) == Some(&c))
    };
    let mut links = 0;
    let mut at = 0;
    while at < folded.len() {
        let skip = ["https://", "http://", "www."]
            .into_iter()
            .find(|pattern| starts(at, pattern))
            .map(|pattern| pattern.chars().count());
        match skip {
            Some(len) => {
                links += 1;
                at += len;
                // The `www.` right after a scheme belongs to the same link.
                if len > 4 && starts(at, "www.") {
                    at += 4;
                }
            }
            None => at += 1,
        }
    }
    links
}

/// The first of `words` found in `text`, comparing folded text (see [`fold_char`]). A word that
/// starts with a letter or digit matches only where a word starts, so `sex` finds "SEXY" but
/// not "Essex"; a word in a script without spaces (中文) matches anywhere.
pub fn find_blocked_word<'a>(text: &str, words: &'a [String]) -> Option<&'a str> {
    let folded: Vec<char> = text.chars().map(fold_char).collect();
    words.iter().map(String::as_str).find(|word| {
        let needle: Vec<char> = word.trim().chars().map(fold_char).collect();
        let Some(first) = needle.first() else {
            return false;
        };
        let word_start_only = first.is_ascii_alphanumeric();
        folded
            .windows(needle.len())
            .enumerate()
            .any(|(at, window)| {
                window == needle.as_slice()
                    && !(word_start_only && at > 0 && folded[at - 1].is_alphanumeric())
            })
    })
}

/// One character as the spam checks compare it: lower case, full-width ASCII forms
/// (`ｃａｓｉｎｏ`, `：／／`) as ASCII, common accented Latin letters without their accent.
pub fn fold_char(c: char) -> char {
    let c = match u32::from(c) {
        // Full-width forms U+FF01..=U+FF5E mirror ASCII 0x21..=0x7E.
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFF01 + 0x21).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    let c = match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ => c,
    };
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ł' | 'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// What the owner's inbox is filtered by; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    pub status: Option<FeedbackStatus>,
    pub category: Option<String>,
    pub rating: Option<u8>,
    pub nps: Option<u8>,
    /// Site-local days, both included.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Text searched for in the text and the contact (case-insensitive for ASCII).
    pub search: Option<String>,
    /// Only feedback older than this id (the previous page's `next_cursor`).
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// How many stored feedback rows share a site-local day, a rating, an NPS score and whether
/// they are spam: what the server counts with one `GROUP BY` for [`feedback_stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackCount {
    pub day: Date,
    pub rating: Option<u8>,
    pub nps: Option<u8>,
    pub spam: bool,
    pub count: u64,
}

/// Promoters % − detractors %, rounded to one decimal; `None` without responses.
pub fn nps_score(promoters: u64, passives: u64, detractors: u64) -> Option<f64> {
    let total = promoters + passives + detractors;
    if total == 0 {
        return None;
    }
    let score = (promoters as f64 - detractors as f64) * 100.0 / total as f64;
    Some((score * 10.0).round() / 10.0)
}

/// The average of `count` ratings summing to `sum`, rounded to two decimals.
pub fn rating_average(sum: u64, count: u64) -> Option<f64> {
    (count > 0).then(|| ((sum as f64 / count as f64) * 100.0).round() / 100.0)
}

/// The first day of the bucket `day` falls in: itself, or the Monday of its week.
pub fn bucket_start(day: Date, bucket: StatsBucket) -> Date {
    match bucket {
        StatsBucket::Day => day,
        StatsBucket::Week => {
            let back = i64::from(day.weekday().to_monday_zero_offset());
            day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
        }
    }
}

/// The owner's numbers from `from` to `to` (site-local days, both included): totals, and one
/// entry per bucket that meets the range, empty ones included. Counts outside the range are
/// ignored.
pub fn feedback_stats(
    counts: &[FeedbackCount],
    from: Date,
    to: Date,
    bucket: StatsBucket,
) -> FeedbackStats {
    let mut sums: BTreeMap<Date, Sums> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        sums.entry(bucket_start(day, bucket)).or_default();
        match next_day(day) {
            Some(next) => day = next,
            None => break,
        }
    }
    let mut totals = Sums::default();
    for count in counts.iter().filter(|c| (from..=to).contains(&c.day)) {
        totals.add(count);
        sums.entry(bucket_start(count.day, bucket))
            .or_default()
            .add(count);
    }
    FeedbackStats {
        from,
        to,
        bucket,
        totals: totals.tally(),
        buckets: sums
            .into_iter()
            .map(|(start, sums)| FeedbackBucket {
                start,
                tally: sums.tally(),
            })
            .collect(),
    }
}

/// How many days `from..=to` spans (1 when they are the same day).
pub fn days_spanned(from: Date, to: Date) -> i64 {
    day_number(to) - day_number(from) + 1
}

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    count: u64,
    spam: u64,
    ratings: u64,
    rating_sum: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
}

impl Sums {
    fn add(&mut self, row: &FeedbackCount) {
        if row.spam {
            self.spam += row.count;
            return;
        }
        self.count += row.count;
        if let Some(rating) = row.rating {
            self.ratings += row.count;
            self.rating_sum += u64::from(rating) * row.count;
        }
        match row.nps {
            Some(9..=10) => self.promoters += row.count,
            Some(7..=8) => self.passives += row.count,
            Some(_) => self.detractors += row.count,
            None => {}
        }
    }

    fn tally(self) -> FeedbackTally {
        FeedbackTally {
            count: self.count,
            spam: self.spam,
            ratings: self.ratings,
            rating_average: rating_average(self.rating_sum, self.ratings),
            nps_responses: self.promoters + self.passives + self.detractors,
            promoters: self.promoters,
            passives: self.passives,
            detractors: self.detractors,
            nps: nps_score(self.promoters, self.passives, self.detractors),
        }
    }
}

#[cfg(test)]
mod tests;
