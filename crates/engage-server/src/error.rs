//! The one error type of the HTTP API. Every refusal becomes `{"error": {"code", "message"}}`
//! with a stable code and the right status; details of internal failures go to the log (through
//! [`log_internal_errors`]), never to the client.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use engage_core::api::console::{RulesErrorBody, RulesErrorDetail};
use engage_core::api::{ErrorBody, ErrorDetail};
use engage_core::checkin::MakeupError;
use engage_core::feedback::FeedbackError;
use engage_core::lottery::{EntryError, LotteryError, SpinError};
use engage_core::poll::{PollError, VoteError};
use engage_core::rewards::{CodeError, RedeemError, RewardError, StatusError};
use engage_core::rules::RulesError;

use crate::owners::OwnerInputError;
use crate::store::StoreError;
use crate::token::TokenError;

/// Why an API request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Occurs when the body is not valid JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// Occurs when the JSON has missing fields, wrong types or invalid values.
    #[error("the request body is not valid: {0}")]
    InvalidBody(String),
    /// Occurs when a query parameter is not valid.
    #[error("the query is not valid: {0}")]
    InvalidQuery(String),
    /// Occurs when the body is not `application/json`.
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    /// Occurs when the body exceeds the limit.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// Occurs when a member route is called without a bearer token.
    #[error("this route needs a member token (Authorization: Bearer <token>)")]
    MissingToken,
    /// Occurs when the member token is malformed, forged, or otherwise not acceptable.
    #[error("{0}")]
    InvalidToken(TokenError),
    /// Occurs when the member token has expired.
    #[error("the member token has expired")]
    TokenExpired,
    /// Occurs when the token was minted for another site.
    #[error("the member token is for site '{token_site}', not '{path_site}'")]
    TokenSiteMismatch {
        token_site: String,
        path_site: String,
    },
    /// Occurs when a host-backend route is called without an API key.
    #[error("this route needs the site's API key (Authorization: Bearer ek_...)")]
    MissingApiKey,
    /// Occurs when the API key is not the site's.
    #[error("the API key is not valid for this site")]
    InvalidApiKey,
    /// Occurs when the site in the path does not exist.
    #[error("site '{0}' does not exist")]
    SiteNotFound(String),
    /// Occurs when the poll in the path does not exist.
    #[error("poll '{0}' does not exist")]
    PollNotFound(String),
    /// Occurs when creating a poll with an id the site already uses.
    #[error("poll '{0}' already exists")]
    PollExists(String),
    /// Occurs when a poll definition or edit is refused by the rules.
    #[error("{0}")]
    Poll(PollError),
    /// Occurs when a vote is refused by the rules.
    #[error("{0}")]
    Vote(VoteError),
    /// Occurs when feedback (or an owner's reply) is refused by the rules.
    #[error("{0}")]
    Feedback(FeedbackError),
    /// Occurs when the feedback in the path does not exist on the site.
    #[error("feedback {0} does not exist")]
    FeedbackNotFound(String),
    /// Occurs when asking for a site's webhook before one was set.
    #[error("the site has no webhook; set one with PUT /api/v1/admin/sites/{{site}}/webhook")]
    WebhookNotSet,
    /// Occurs when a webhook URL points at an address webhooks may not reach.
    #[error("{0}")]
    WebhookUrlForbidden(String),
    /// Occurs when a member named in a request does not exist.
    #[error("member '{0}' does not exist")]
    MemberNotFound(String),
    /// Occurs when no route matches the path.
    #[error("no such route")]
    NotFound,
    /// Occurs when the route exists but not for this method.
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    /// Occurs when the lottery in the path does not exist.
    #[error("lottery '{0}' does not exist")]
    LotteryNotFound(String),
    /// Occurs when creating a lottery with an id the site already uses.
    #[error("lottery '{0}' already exists")]
    LotteryExists(String),
    /// Occurs when a lottery definition is refused by the rules.
    #[error("{0}")]
    Lottery(LotteryError),
    /// Occurs when the owner opens a lottery that has closed.
    #[error("the lottery is closed and cannot be opened")]
    LotteryClosed,
    /// Occurs when the owner edits a lottery after opening it: its seed hash and prizes are
    /// published and stay as they were.
    #[error(
        "the lottery has been opened: its seed hash and prizes are published, so it can no longer be edited"
    )]
    LotteryOpened,
    /// Occurs when the owner edits a lottery that has closed.
    #[error("the lottery is closed and can no longer be edited")]
    LotteryClosedEdit,
    /// Occurs when asking for a lottery's proof before it closed.
    #[error("the proof is published when the lottery closes")]
    LotteryNotClosed,
    /// Occurs when a spin is refused by the rules.
    #[error("{0}")]
    Spin(SpinError),
    /// Occurs when a giveaway entry is refused by the rules.
    #[error("{0}")]
    Entry(EntryError),
    /// Occurs when a make-up check-in is refused by the rules.
    #[error("{0}")]
    Makeup(MakeupError),
    /// Occurs when a caller exceeds a rate limit.
    #[error("too many requests; retry in {} seconds", retry_after_seconds(*.retry_after))]
    RateLimited { retry_after: Duration },
    /// Occurs when one client address already holds as many live event streams as it may.
    #[error("too many live streams from this address; close one or retry in {} seconds", retry_after_seconds(*.retry_after))]
    TooManyStreams { retry_after: Duration },
    /// Occurs when the server holds as many live event streams as it may, from everyone.
    #[error("the server is busy; retry in {} seconds", retry_after_seconds(*.retry_after))]
    ServerBusy { retry_after: Duration },
    /// Occurs when an admin route is called with neither an API key nor a console session.
    #[error(
        "this route needs the site's API key (Authorization: Bearer ek_...) or an owner \
         signed in to the console"
    )]
    MissingAdminCredentials,
    /// Occurs when a console route is called without a live owner session (none sent, signed
    /// out, or expired).
    #[error("not signed in to the console; sign in at /console")]
    NotSignedIn,
    /// Occurs when a sign-in's email and password do not match an owner (whichever is wrong).
    #[error("the email or the password is not right")]
    InvalidCredentials,
    /// Occurs when a signed-in owner asks for a site not granted to them.
    #[error("your account is not granted site '{0}'")]
    SiteForbidden(String),
    /// Occurs when a browser request changing something in a session does not come from the
    /// server's own pages.
    #[error("{0}")]
    OriginRefused(String),
    /// Occurs when an owner who is not an admin does what only admins may.
    #[error("only an admin owner may do this")]
    AdminRequired,
    /// Occurs when the setup token is unknown, used or expired, or an owner exists already.
    #[error(
        "the setup link is not valid (used, expired, or an owner exists already); restart \
         the server with no owner for a new one, or use `engage-server owner add`"
    )]
    InvalidSetupToken,
    /// Occurs when an owner's new email or password is refused.
    #[error("{0}")]
    OwnerInput(OwnerInputError),
    /// Occurs when creating an owner with an email another owner has.
    #[error("an owner with email '{0}' already exists")]
    OwnerExists(String),
    /// Occurs when creating a site with an id that is taken.
    #[error("site '{0}' already exists")]
    SiteExists(String),
    /// Occurs when a rules document does not validate; the answer names its field and line.
    #[error("{0}")]
    InvalidRules(RulesError),
    /// Occurs when the rules version in the path was never installed.
    #[error("rules version {0} does not exist")]
    RulesVersionNotFound(String),
    /// Occurs when an owner's deduction is larger than the member's balance.
    #[error("the member has {balance} points, fewer than the {needed} to take away")]
    InsufficientPoints { balance: i64, needed: i64 },
    /// Occurs when the webhook event in the path does not exist on the site.
    #[error("webhook event '{0}' does not exist")]
    DeliveryNotFound(String),
    /// Occurs when the export in the path is no table's.
    #[error(
        "no export '{0}'; tables: members, ledger, checkins, votes, spins, entries, feedback, \
         badges, redemptions, audit (as <table>.csv)"
    )]
    ExportNotFound(String),
    /// Occurs when the reward in the path does not exist (for members: or is archived).
    #[error("reward '{0}' does not exist")]
    RewardNotFound(String),
    /// Occurs when creating a reward with an id the site already uses.
    #[error("reward '{0}' already exists")]
    RewardExists(String),
    /// Occurs when a reward definition or edit is refused by the rules.
    #[error("{0}")]
    Reward(RewardError),
    /// Occurs when a redemption is refused by the rules.
    #[error("{0}")]
    Redeem(RedeemError),
    /// Occurs when an idempotency key names a redemption of another reward.
    #[error("this Idempotency-Key was used for a redemption of another reward")]
    IdempotencyKeyReused,
    /// Occurs when an idempotency key is empty, too long or not visible ASCII.
    #[error("the idempotency key must be 1 to 100 visible ASCII characters")]
    InvalidIdempotencyKey,
    /// Occurs when the redemption in the path does not exist on the site.
    #[error("redemption '{0}' does not exist")]
    RedemptionNotFound(String),
    /// Occurs when an owner's status change of a redemption is refused.
    #[error("{0}")]
    RedemptionStatus(StatusError),
    /// Occurs when uploading codes to a reward that is not a `code` reward.
    #[error("reward '{reward}' is a {kind} reward; only code rewards take codes")]
    NotCodeReward { reward: String, kind: &'static str },
    /// Occurs when an upload of codes is refused.
    #[error("{0}")]
    Codes(CodeError),
    /// Occurs when an upload of codes is neither JSON nor text.
    #[error("codes are sent as application/json ({{\"codes\": [...]}}), text/plain or text/csv")]
    UnsupportedCodesMediaType,
    /// Occurs on any failure that is not the caller's: storage, corrupt data, bugs.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidBody(_) | ApiError::WebhookUrlForbidden(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MissingToken
            | ApiError::InvalidToken(_)
            | ApiError::TokenExpired
            | ApiError::TokenSiteMismatch { .. }
            | ApiError::MissingApiKey
            | ApiError::InvalidApiKey
            | ApiError::MissingAdminCredentials
            | ApiError::NotSignedIn
            | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::SiteForbidden(_)
            | ApiError::OriginRefused(_)
            | ApiError::AdminRequired
            | ApiError::InvalidSetupToken => StatusCode::FORBIDDEN,
            ApiError::OwnerInput(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::OwnerExists(_) | ApiError::SiteExists(_) => StatusCode::CONFLICT,
            ApiError::SiteNotFound(_)
            | ApiError::PollNotFound(_)
            | ApiError::MemberNotFound(_)
            | ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::PollExists(_) => StatusCode::CONFLICT,
            ApiError::Poll(PollError::OptionHasVotes { .. }) => StatusCode::CONFLICT,
            ApiError::Poll(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Vote(refused) => match refused {
                VoteError::MissingVisitorId => StatusCode::BAD_REQUEST,
                VoteError::MembersOnly => StatusCode::UNAUTHORIZED,
                VoteError::NoChoice
                | VoteError::InvalidChoice { .. }
                | VoteError::DuplicateChoice { .. }
                | VoteError::TooManyChoices { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                VoteError::Closed { .. }
                | VoteError::AlreadyVoted
                | VoteError::IpLimitReached { .. } => StatusCode::CONFLICT,
            },
            ApiError::Feedback(refused) => match refused {
                FeedbackError::MissingVisitorId => StatusCode::BAD_REQUEST,
                FeedbackError::MembersOnly => StatusCode::UNAUTHORIZED,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            ApiError::FeedbackNotFound(_) | ApiError::WebhookNotSet => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Makeup(refused) => match refused {
                MakeupError::Disabled => StatusCode::FORBIDDEN,
                MakeupError::NotPast { .. }
                | MakeupError::OutsideWindow { .. }
                | MakeupError::BeforeFirstCheckin { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                MakeupError::AlreadyCheckedIn { .. }
                | MakeupError::Frozen { .. }
                | MakeupError::MonthlyLimit { .. }
                | MakeupError::InsufficientPoints { .. } => StatusCode::CONFLICT,
            },
            ApiError::LotteryNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Lottery(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Spin(SpinError::InsufficientPoints { .. })
            | ApiError::Entry(EntryError::InsufficientPoints { .. }) => {
                StatusCode::PAYMENT_REQUIRED
            }
            ApiError::LotteryExists(_)
            | ApiError::LotteryClosed
            | ApiError::LotteryOpened
            | ApiError::LotteryClosedEdit
            | ApiError::LotteryNotClosed
            | ApiError::Spin(_)
            | ApiError::Entry(_) => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } | ApiError::TooManyStreams { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::ServerBusy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::InvalidRules(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RulesVersionNotFound(_)
            | ApiError::DeliveryNotFound(_)
            | ApiError::ExportNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::InsufficientPoints { .. } => StatusCode::CONFLICT,
            ApiError::RewardNotFound(_) | ApiError::RedemptionNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::RewardExists(_)
            | ApiError::IdempotencyKeyReused
            | ApiError::RedemptionStatus(_)
            | ApiError::NotCodeReward { .. } => StatusCode::CONFLICT,
            ApiError::Reward(_) | ApiError::Codes(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::InvalidIdempotencyKey => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedCodesMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Redeem(refused) => match refused {
                RedeemError::NotOpen { .. } | RedeemError::Closed => StatusCode::FORBIDDEN,
                RedeemError::OutOfStock | RedeemError::LimitReached { .. } => StatusCode::CONFLICT,
                RedeemError::InsufficientPoints { .. } => StatusCode::PAYMENT_REQUIRED,
            },
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::MissingToken => "missing_token",
            ApiError::InvalidToken(_) => "invalid_token",
            ApiError::TokenExpired => "token_expired",
            ApiError::TokenSiteMismatch { .. } => "token_site_mismatch",
            ApiError::MissingApiKey => "missing_api_key",
            ApiError::InvalidApiKey => "invalid_api_key",
            // The same code as the host-backend routes: a backend that forgot its key is told
            // the same thing on every route.
            ApiError::MissingAdminCredentials => "missing_api_key",
            ApiError::NotSignedIn => "not_signed_in",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::SiteForbidden(_) => "site_forbidden",
            ApiError::OriginRefused(_) => "origin_refused",
            ApiError::AdminRequired => "admin_required",
            ApiError::InvalidSetupToken => "invalid_setup_token",
            ApiError::OwnerInput(OwnerInputError::InvalidEmail(_)) => "invalid_email",
            ApiError::OwnerInput(_) => "invalid_password",
            ApiError::OwnerExists(_) => "owner_exists",
            ApiError::SiteExists(_) => "site_exists",
            ApiError::SiteNotFound(_) => "site_not_found",
            ApiError::PollNotFound(_) => "poll_not_found",
            ApiError::PollExists(_) => "poll_exists",
            ApiError::Poll(PollError::OptionHasVotes { .. }) => "option_has_votes",
            ApiError::Poll(_) => "invalid_poll",
            ApiError::Vote(refused) => match refused {
                VoteError::MissingVisitorId => "missing_visitor_id",
                VoteError::MembersOnly => "members_only",
                VoteError::NoChoice => "no_choice",
                VoteError::InvalidChoice { .. } | VoteError::DuplicateChoice { .. } => {
                    "invalid_choice"
                }
                VoteError::TooManyChoices { .. } => "too_many_choices",
                VoteError::Closed { .. } => "poll_closed",
                VoteError::AlreadyVoted => "already_voted",
                VoteError::IpLimitReached { .. } => "ip_limit_reached",
            },
            ApiError::Feedback(refused) => match refused {
                FeedbackError::MissingVisitorId => "missing_visitor_id",
                FeedbackError::MembersOnly => "members_only",
                FeedbackError::Reply => "invalid_reply",
                _ => "invalid_feedback",
            },
            ApiError::FeedbackNotFound(_) => "feedback_not_found",
            ApiError::MemberNotFound(_) => "member_not_found",
            ApiError::WebhookNotSet => "webhook_not_found",
            ApiError::WebhookUrlForbidden(_) => "webhook_url_forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Makeup(refused) => match refused {
                MakeupError::Disabled => "makeup_disabled",
                MakeupError::NotPast { .. } => "makeup_not_past",
                MakeupError::OutsideWindow { .. } => "makeup_outside_window",
                MakeupError::BeforeFirstCheckin { .. } => "makeup_before_first_checkin",
                MakeupError::AlreadyCheckedIn { .. } => "already_checked_in",
                MakeupError::Frozen { .. } => "day_frozen",
                MakeupError::MonthlyLimit { .. } => "makeup_monthly_limit",
                MakeupError::InsufficientPoints { .. } => "insufficient_points",
            },
            ApiError::LotteryNotFound(_) => "lottery_not_found",
            ApiError::LotteryExists(_) => "lottery_exists",
            ApiError::Lottery(_) => "invalid_lottery",
            ApiError::LotteryNotClosed => "lottery_not_closed",
            ApiError::LotteryOpened => "lottery_open",
            ApiError::LotteryClosed
            | ApiError::LotteryClosedEdit
            | ApiError::Spin(SpinError::Closed)
            | ApiError::Entry(EntryError::Closed) => "lottery_closed",
            ApiError::Spin(SpinError::NotOpen { .. })
            | ApiError::Entry(EntryError::NotOpen { .. }) => "lottery_not_open",
            ApiError::Spin(SpinError::InsufficientPoints { .. })
            | ApiError::Entry(EntryError::InsufficientPoints { .. }) => "insufficient_points",
            ApiError::Spin(SpinError::Giveaway) => "lottery_is_giveaway",
            ApiError::Entry(EntryError::Wheel) => "lottery_is_wheel",
            ApiError::Spin(SpinError::DailyLimitReached { .. }) => "daily_limit_reached",
            ApiError::Spin(SpinError::SoldOut) => "lottery_sold_out",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::TooManyStreams { .. } => "too_many_streams",
            ApiError::ServerBusy { .. } => "server_busy",
            ApiError::InvalidRules(_) => "invalid_rules",
            ApiError::RulesVersionNotFound(_) => "rules_version_not_found",
            ApiError::InsufficientPoints { .. } => "insufficient_points",
            ApiError::DeliveryNotFound(_) => "delivery_not_found",
            ApiError::ExportNotFound(_) => "export_not_found",
            ApiError::RewardNotFound(_) => "reward_not_found",
            ApiError::RewardExists(_) => "reward_exists",
            ApiError::Reward(_) => "invalid_reward",
            ApiError::Redeem(refused) => match refused {
                RedeemError::NotOpen { .. } => "not_open",
                RedeemError::Closed => "closed",
                RedeemError::OutOfStock => "out_of_stock",
                RedeemError::LimitReached { .. } => "limit_reached",
                RedeemError::InsufficientPoints { .. } => "insufficient_points",
            },
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::InvalidIdempotencyKey => "invalid_idempotency_key",
            ApiError::RedemptionNotFound(_) => "redemption_not_found",
            ApiError::RedemptionStatus(refused) => match refused {
                StatusError::Cancelled { .. } => "redemption_cancelled",
                StatusError::BackToPending => "redemption_fulfilled",
                StatusError::FreezeUsed => "freeze_used",
            },
            ApiError::NotCodeReward { .. } => "not_a_code_reward",
            ApiError::Codes(_) => "invalid_codes",
            ApiError::UnsupportedCodesMediaType => "unsupported_media_type",
            ApiError::Internal(_) => "internal",
        }
    }
}

/// Whole seconds to wait, rounded up and at least 1, so the message and the header agree.
fn retry_after_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::SiteNotFound(site) => ApiError::SiteNotFound(site.to_string()),
            StoreError::PollNotFound(poll) => ApiError::PollNotFound(poll.to_string()),
            StoreError::PollExists(poll) => ApiError::PollExists(poll.to_string()),
            StoreError::LotteryNotFound(lottery) => ApiError::LotteryNotFound(lottery.to_string()),
            StoreError::LotteryExists(lottery) => ApiError::LotteryExists(lottery.to_string()),
            StoreError::SiteExists(site) => ApiError::SiteExists(site.to_string()),
            StoreError::OwnerExists(email) => ApiError::OwnerExists(email),
            StoreError::RewardExists(reward) => ApiError::RewardExists(reward.to_string()),
            StoreError::RewardNotFound(reward) => ApiError::RewardNotFound(reward.to_string()),
            StoreError::RedemptionNotFound(seq) => ApiError::RedemptionNotFound(seq.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> ApiError {
        match error {
            TokenError::Expired => ApiError::TokenExpired,
            other => ApiError::InvalidToken(other),
        }
    }
}

/// The detail of an internal error, carried on the response for the logging middleware.
#[derive(Debug, Clone)]
struct InternalErrorDetail(String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(_) => "something went wrong on the server".to_owned(),
            other => other.to_string(),
        };
        let mut response = match &self {
            // Rules errors say where: the field and line travel beside the code and message.
            ApiError::InvalidRules(error) => {
                let body = RulesErrorBody {
                    error: RulesErrorDetail {
                        code: self.code().to_owned(),
                        message,
                        field: error.field.clone(),
                        line: error.line,
                    },
                };
                (status, axum::Json(body)).into_response()
            }
            _ => {
                let body = ErrorBody {
                    error: ErrorDetail {
                        code: self.code().to_owned(),
                        message,
                    },
                };
                (status, axum::Json(body)).into_response()
            }
        };
        match self {
            ApiError::RateLimited { retry_after }
            | ApiError::TooManyStreams { retry_after }
            | ApiError::ServerBusy { retry_after } => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_seconds(retry_after)),
                );
            }
            ApiError::Internal(detail) => {
                response
                    .extensions_mut()
                    .insert(InternalErrorDetail(detail));
            }
            _ => {}
        }
        response
    }
}

/// Logs the hidden detail of internal errors, with the request they answered.
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if let Some(InternalErrorDetail(detail)) = response.extensions().get() {
        tracing::error!(%method, %path, %detail, "internal error");
    }
    response
}

/// The JSON 404 for unknown API routes.
pub async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

/// The JSON 405 for known API routes called with another method.
pub async fn api_method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
