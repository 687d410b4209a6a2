//! Polls (投票): the owner's definition and its limits, whether a vote may be stored, who may
//! see the tally, and the tally itself.
//!
//! The server keeps one row per (voter, option chosen) and counts them; it asks
//! [`check_vote`] inside the transaction that stores a vote, and builds what callers see with
//! [`poll_view`]. [`tally`] is the same count over votes in memory.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::api::{CreatePoll, PollOption, PollOptionView, PollView, ResultsVisibility, UpdatePoll};
use crate::ids::{IdError, PollId, parse_slug};
use crate::{MemberId, VisitorId};

pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_QUESTION_CHARS: usize = 500;
pub const MAX_LABEL_CHARS: usize = 200;
pub const MAX_OPTION_ID_LEN: usize = 64;
pub const MAX_POINTS: i64 = 1_000_000;
/// Anonymous votes one IP address may cast in a poll when the owner does not say.
pub const DEFAULT_IP_LIMIT: u32 = 20;
pub const MAX_IP_LIMIT: u32 = 1_000_000;

/// A poll definition that passed [`validate_poll`]. Question and labels are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub id: PollId,
    pub question: String,
    /// 2 to 20 options with distinct slug ids, in display order.
    pub options: Vec<PollOption>,
    pub multiple: bool,
    /// 1 for single choice; 1 to the number of options for multiple choice.
    pub max_choices: u32,
    pub closes_at: Option<Timestamp>,
    pub results: ResultsVisibility,
    pub anonymous: bool,
    pub allow_change: bool,
    pub points: i64,
    pub ip_limit: u32,
}

/// Why a poll definition or edit is refused. Each message starts with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    /// Occurs when the poll id is not a slug.
    #[error("id: {0}")]
    Id(IdError),
    /// Occurs when the question is blank or too long.
    #[error("question must have 1 to {MAX_QUESTION_CHARS} characters and not be blank")]
    Question,
    /// Occurs when there are too few or too many options.
    #[error("options: a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options, not {count}")]
    OptionCount { count: usize },
    /// Occurs when an option id is not a slug.
    #[error("options[{index}].id: {error}")]
    OptionId { index: usize, error: IdError },
    /// Occurs when two options share an id.
    #[error("options[{index}].id: '{option}' is used by another option")]
    DuplicateOption { index: usize, option: String },
    /// Occurs when an option's label is blank or too long.
    #[error("options[{index}].label must have 1 to {MAX_LABEL_CHARS} characters and not be blank")]
    Label { index: usize },
    /// Occurs when `max_choices` is 0, above the number of options, or not 1 for single choice.
    #[error("max_choices must be between 1 and {allowed}, not {max_choices}")]
    MaxChoices { max_choices: u32, allowed: u32 },
    /// Occurs when the points are negative or too many.
    #[error("points must be between 0 and {MAX_POINTS}, not {points}")]
    Points { points: i64 },
    /// Occurs when the per-IP limit is 0 or too high.
    #[error("ip_limit must be between 1 and {MAX_IP_LIMIT}, not {ip_limit}")]
    IpLimit { ip_limit: u32 },
    /// Occurs when an edit sends `"closed": false`; reopening is done by moving `closes_at`.
    #[error("closed accepts only true (close now); to reopen a poll, set closes_at")]
    Reopen,
    /// Occurs when an edit sends both `closed` and `closes_at`.
    #[error("closed and closes_at cannot both be set")]
    ClosedAndClosesAt,
    /// Occurs when an edit drops an option that voters chose.
    #[error("options: '{option}' has votes and cannot be removed")]
    OptionHasVotes { option: String },
}

/// Checks a poll definition and fills in its defaults: `max_choices` (1, or every option for
/// multiple choice) and `ip_limit` ([`DEFAULT_IP_LIMIT`]).
pub fn validate_poll(definition: CreatePoll) -> Result<Poll, PollError> {
    let id = PollId::parse(&definition.id).map_err(PollError::Id)?;
    if !text_fits(&definition.question, MAX_QUESTION_CHARS) {
        return Err(PollError::Question);
    }
    let count = definition.options.len();
    if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&count) {
        return Err(PollError::OptionCount { count });
    }
    let mut seen = BTreeSet::new();
    for (index, option) in definition.options.iter().enumerate() {
        parse_slug("option id", &option.id, MAX_OPTION_ID_LEN)
            .map_err(|error| PollError::OptionId { index, error })?;
        if !seen.insert(option.id.as_str()) {
            return Err(PollError::DuplicateOption {
                index,
                option: option.id.clone(),
            });
        }
        if !text_fits(&option.label, MAX_LABEL_CHARS) {
            return Err(PollError::Label { index });
        }
    }
    let allowed = if definition.multiple {
        u32::try_from(count).unwrap_or(u32::MAX)
    } else {
        1
    };
    let max_choices = definition.max_choices.unwrap_or(allowed);
    if !(1..=allowed).contains(&max_choices) {
        return Err(PollError::MaxChoices {
            max_choices,
            allowed,
        });
    }
    if !(0..=MAX_POINTS).contains(&definition.points) {
        return Err(PollError::Points {
            points: definition.points,
        });
    }
    let ip_limit = definition.ip_limit.unwrap_or(DEFAULT_IP_LIMIT);
    if !(1..=MAX_IP_LIMIT).contains(&ip_limit) {
        return Err(PollError::IpLimit { ip_limit });
    }
    Ok(Poll {
        id,
        question: definition.question,
        options: definition.options,
        multiple: definition.multiple,
        max_choices,
        closes_at: definition.closes_at,
        results: definition.results,
        anonymous: definition.anonymous,
        allow_change: definition.allow_change,
        points: definition.points,
        ip_limit,
    })
}

/// Not blank, and at most `max` characters. The text itself is kept as sent.
fn text_fits(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max
}

/// The poll after an owner's edit at `now`, validated like a new poll; `tally` is its current
/// count, so that an option with votes is never removed.
pub fn apply_update(
    poll: &Poll,
    update: UpdatePoll,
    tally: &Tally,
    now: Timestamp,
) -> Result<Poll, PollError> {
    let closes_at = match (update.closed, update.closes_at) {
        (Some(false), _) => return Err(PollError::Reopen),
        (Some(true), Some(_)) => return Err(PollError::ClosedAndClosesAt),
        // Closing a poll that is already closed keeps the time it closed.
        (Some(true), None) => Some(poll.closes_at.filter(|at| *at <= now).unwrap_or(now)),
        (None, Some(closes_at)) => closes_at,
        (None, None) => poll.closes_at,
    };
    let multiple = update.multiple.unwrap_or(poll.multiple);
    // Switching between single and multiple choice without a new maximum takes the default.
    let max_choices = update
        .max_choices
        .or((multiple == poll.multiple).then_some(poll.max_choices));
    let candidate = CreatePoll {
        id: poll.id.to_string(),
        question: update.question.unwrap_or_else(|| poll.question.clone()),
        options: update.options.unwrap_or_else(|| poll.options.clone()),
        multiple,
        max_choices,
        closes_at,
        results: update.results.unwrap_or(poll.results),
        anonymous: update.anonymous.unwrap_or(poll.anonymous),
        allow_change: update.allow_change.unwrap_or(poll.allow_change),
        points: update.points.unwrap_or(poll.points),
        ip_limit: Some(update.ip_limit.unwrap_or(poll.ip_limit)),
    };
    let updated = validate_poll(candidate)?;
    let removed_with_votes = poll
        .options
        .iter()
        .filter(|old| !updated.options.iter().any(|new| new.id == old.id))
        .find(|old| tally.votes_for(&old.id) > 0);
    if let Some(option) = removed_with_votes {
        return Err(PollError::OptionHasVotes {
            option: option.id.clone(),
        });
    }
    Ok(updated)
}

/// Whether voting has ended at `now`.
pub fn is_closed(poll: &Poll, now: Timestamp) -> bool {
    poll.closes_at.is_some_and(|at| at <= now)
}

/// Whether a caller who has (`voted`) or has not voted may see the tally at `now`. A closed
/// poll always shows its final tally.
pub fn results_visible(poll: &Poll, voted: bool, now: Timestamp) -> bool {
    is_closed(poll, now)
        || match poll.results {
            ResultsVisibility::Always => true,
            ResultsVisibility::AfterVote => voted,
            ResultsVisibility::AfterClose => false,
        }
}

/// Who votes: a member proven by a token, or an anonymous visitor known by their visitor id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Voter {
    Member(MemberId),
    Visitor(VisitorId),
}

/// Why a vote is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteError {
    /// Occurs when a visitor without a member token votes in a members-only poll.
    #[error("this poll is for members only; sign in to vote")]
    MembersOnly,
    /// Occurs when an anonymous vote comes without a valid visitor id.
    #[error(
        "an anonymous vote needs a visitor id of {min} to {max} letters, digits, '-' or '_'",
        min = VisitorId::MIN_LEN,
        max = VisitorId::MAX_LEN
    )]
    MissingVisitorId,
    /// Occurs when no option is chosen.
    #[error("choose at least one option")]
    NoChoice,
    /// Occurs when a choice is not an option of the poll.
    #[error("'{choice}' is not an option of this poll")]
    InvalidChoice { choice: String },
    /// Occurs when the same option is chosen twice.
    #[error("'{choice}' is chosen more than once")]
    DuplicateChoice { choice: String },
    /// Occurs when more options are chosen than the poll allows.
    #[error("choose at most {max} options, not {given}")]
    TooManyChoices { max: u32, given: usize },
    /// Occurs when voting after the poll closed.
    #[error("the poll closed at {closed_at}")]
    Closed { closed_at: Timestamp },
    /// Occurs when a voter who voted sends other choices and the poll does not allow changes.
    #[error("you have already voted and this poll does not allow changing a vote")]
    AlreadyVoted,
    /// Occurs when an IP address has cast as many anonymous votes as the poll allows.
    #[error("this network has cast the {limit} anonymous votes this poll allows")]
    IpLimitReached { limit: u32 },
}

/// The chosen option ids as a set, checked against the poll: at least one, each an option
/// and chosen once, at most `max_choices`.
pub fn validate_choices(poll: &Poll, choices: &[String]) -> Result<BTreeSet<String>, VoteError> {
    if choices.is_empty() {
        return Err(VoteError::NoChoice);
    }
    let mut chosen = BTreeSet::new();
    for choice in choices {
        let shown = || choice.chars().take(MAX_OPTION_ID_LEN).collect::<String>();
        if !poll.options.iter().any(|option| option.id == *choice) {
            return Err(VoteError::InvalidChoice { choice: shown() });
        }
        if !chosen.insert(choice.clone()) {
            return Err(VoteError::DuplicateChoice { choice: shown() });
        }
    }
    if chosen.len() > usize::try_from(poll.max_choices).unwrap_or(usize::MAX) {
        return Err(VoteError::TooManyChoices {
            max: poll.max_choices,
            given: chosen.len(),
        });
    }
    Ok(chosen)
}

/// A vote as it reaches the rules: who, what, and what is already stored.
#[derive(Debug, Clone, Copy)]
pub struct VoteAttempt<'a> {
    /// `None` for a caller with neither a member token nor a visitor id.
    pub voter: Option<&'a Voter>,
    pub choices: &'a [String],
    /// The voter's stored choices, if they voted before.
    pub previous: Option<&'a BTreeSet<String>>,
    /// Anonymous votes already stored from the caller's IP address in this poll.
    pub anonymous_votes_from_ip: u32,
}

/// What storing an accepted vote must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteDecision {
    /// A first vote: store these choices; a member earns the poll's points.
    Cast(BTreeSet<String>),
    /// A changed vote: these choices replace the stored ones; nothing is awarded again.
    Change(BTreeSet<String>),
    /// The same choices as stored: nothing changes (a retry or a double click).
    Unchanged,
}

/// Decides a vote at `now`. Checks run in this order: who may vote, the choices, a repeat of
/// the stored choices (accepted as is, even after close, so a retry gets the same answer),
/// the close time, changing a vote, and the per-IP limit on new anonymous votes.
pub fn check_vote(
    poll: &Poll,
    attempt: VoteAttempt<'_>,
    now: Timestamp,
) -> Result<VoteDecision, VoteError> {
    match attempt.voter {
        Some(Voter::Member(_)) => {}
        _ if !poll.anonymous => return Err(VoteError::MembersOnly),
        Some(Voter::Visitor(_)) => {}
        None => return Err(VoteError::MissingVisitorId),
    }
    let chosen = validate_choices(poll, attempt.choices)?;
    if attempt.previous == Some(&chosen) {
        return Ok(VoteDecision::Unchanged);
    }
    if let Some(closed_at) = poll.closes_at.filter(|at| *at <= now) {
        return Err(VoteError::Closed { closed_at });
    }
    if attempt.previous.is_some() {
        return if poll.allow_change {
            Ok(VoteDecision::Change(chosen))
        } else {
            Err(VoteError::AlreadyVoted)
        };
    }
    if matches!(attempt.voter, Some(Voter::Visitor(_)))
        && attempt.anonymous_votes_from_ip >= poll.ip_limit
    {
        return Err(VoteError::IpLimitReached {
            limit: poll.ip_limit,
        });
    }
    Ok(VoteDecision::Cast(chosen))
}

/// One stored choice: a voter chose an option.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoredVote {
    pub voter: Voter,
    pub option: String,
}

/// A poll's count: voters per option, and how many voters voted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Option id → voters who chose it; every option of the poll is present.
    pub votes: BTreeMap<String, u64>,
    /// Distinct voters.
    pub voters: u64,
}

impl Tally {
    pub fn votes_for(&self, option: &str) -> u64 {
        self.votes.get(option).copied().unwrap_or(0)
    }
}

/// Counts stored choices per option of `options`, and the distinct voters behind them.
pub fn tally<'a>(votes: impl IntoIterator<Item = &'a StoredVote>, options: &[PollOption]) -> Tally {
    let mut counts: BTreeMap<String, u64> = options
        .iter()
        .map(|option| (option.id.clone(), 0))
        .collect();
    let mut voters = BTreeSet::new();
    for vote in votes {
        if let Some(count) = counts.get_mut(&vote.option) {
            *count += 1;
        }
        voters.insert(&vote.voter);
    }
    Tally {
        votes: counts,
        voters: u64::try_from(voters.len()).unwrap_or(u64::MAX),
    }
}

/// The poll as a caller sees it at `now`, given their stored choices (empty when they have not
/// voted): the counts only where [`results_visible`] allows.
pub fn poll_view(
    poll: &Poll,
    tally: &Tally,
    my_choices: &BTreeSet<String>,
    now: Timestamp,
) -> PollView {
    let visible = results_visible(poll, !my_choices.is_empty(), now);
    view(poll, tally, my_choices, visible, now)
}

/// The poll as its owner sees it: always with the counts, and with the per-IP limit.
pub fn owner_poll_view(poll: &Poll, tally: &Tally, now: Timestamp) -> PollView {
    PollView {
        ip_limit: Some(poll.ip_limit),
        ..view(poll, tally, &BTreeSet::new(), true, now)
    }
}

fn view(
    poll: &Poll,
    tally: &Tally,
    my_choices: &BTreeSet<String>,
    visible: bool,
    now: Timestamp,
) -> PollView {
    PollView {
        id: poll.id.clone(),
        question: poll.question.clone(),
        options: poll
            .options
            .iter()
            .map(|option| PollOptionView {
                id: option.id.clone(),
                label: option.label.clone(),
                votes: visible.then(|| tally.votes_for(&option.id)),
            })
            .collect(),
        multiple: poll.multiple,
        max_choices: poll.max_choices,
        closes_at: poll.closes_at,
        closed: is_closed(poll, now),
        my_choices: poll
            .options
            .iter()
            .filter(|option| my_choices.contains(&option.id))
            .map(|option| option.id.clone())
            .collect(),
        total_votes: visible.then_some(tally.voters),
        results_visible: visible,
        results: poll.results,
        anonymous: poll.anonymous,
        allow_change: poll.allow_change,
        points_per_vote: poll.points,
        awarded: None,
        points: None,
        ip_limit: None,
        badges: None,
    }
}

#[cfg(test)]
mod tests;
