//! Owner accounts of the console: what an email and a password must be, Argon2id hashing (the
//! `argon2` crate with its recommended parameters: Argon2id v19, 19 MiB, 2 passes, 1 lane), and
//! how long sessions and setup tokens live.
//!
//! Hashing is slow on purpose, so it runs on the blocking pool, a few at a time: a burst of
//! sign-ins neither stalls the async workers nor takes 19 MiB per request without bound.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::client_scheme::PublicUrl;
use crate::sign_in_throttle::SignInThrottleConfig;

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most bytes a password may have (hashing cost does not grow with it, but nobody needs
/// more, and a bound keeps requests small).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// How long a session lasts without use; every use (at most every
/// [`SESSION_REFRESH_AFTER`]) starts it again.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// How stale a session's "last seen" may be before a request writes it again: sliding expiry
/// with at most one small write per session every few minutes.
pub const SESSION_REFRESH_AFTER: Duration = Duration::from_secs(5 * 60);
/// How long the setup link `serve` logs works.
pub const SETUP_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The console's settings chosen at start.
#[derive(Debug, Clone, Default)]
pub struct ConsoleConfig {
    /// The address browsers use (`--public-url`): the server's own origin for `Origin`
    /// checks, and https for the cookie when it is https.
    pub public_url: Option<PublicUrl>,
    /// Failed sign-ins allowed per email and per client address.
    pub sign_ins: SignInThrottleConfig,
}

/// Hashes (and verifications) running at once.
static HASHING: Semaphore = Semaphore::const_new(2);

/// Why an owner's email or password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnerInputError {
    /// Occurs when the email is not of the form `name@domain`.
    #[error("email '{0}' must look like name@example.com")]
    InvalidEmail(String),
    /// Occurs when the password is empty.
    #[error("the password is empty")]
    EmptyPassword,
    /// Occurs when the password has fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters (it has {0})")]
    PasswordTooShort(usize),
    /// Occurs when the password has more than [`MAX_PASSWORD_BYTES`] bytes.
    #[error("the password must have at most {MAX_PASSWORD_BYTES} bytes")]
    PasswordTooLong,
}

/// An owner's email, trimmed and lowercased: the account's name, unique whatever its case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnerEmail(String);

impl OwnerEmail {
    /// The longest email (RFC 5321's path limit).
    pub const MAX_LEN: usize = 254;

    pub fn parse(text: &str) -> Result<OwnerEmail, OwnerInputError> {
        let email = text.trim().to_lowercase();
        let refused = || OwnerInputError::InvalidEmail(text.chars().take(64).collect());
        let (local, domain) = email.split_once('@').ok_or_else(refused)?;
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && email.chars().count() <= Self::MAX_LEN
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(refused());
        }
        Ok(OwnerEmail(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses a password that is empty, shorter than [`MIN_PASSWORD_CHARS`] or longer than
/// [`MAX_PASSWORD_BYTES`].
pub fn check_new_password(password: &str) -> Result<(), OwnerInputError> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(OwnerInputError::EmptyPassword);
    }
    if chars < MIN_PASSWORD_CHARS {
        return Err(OwnerInputError::PasswordTooShort(chars));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(OwnerInputError::PasswordTooLong);
    }
    Ok(())
}

/// The Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `password`, with a fresh
/// random salt.
pub async fn hash_password(password: String) -> Result<String, String> {
    run_hashing(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| format!("cannot hash a password: {e}"))
    })
    .await?
}

/// Whether `password` is the one `stored` was made from. Without a stored hash (no account
/// with that email) it verifies against a hash of a random password, so an unknown email
/// takes as long as a wrong password and the answer does not tell them apart.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    let verified = run_hashing(move || {
        let stored = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let Ok(hash) = PasswordHash::new(stored) else {
            tracing::error!("an owner's stored password hash cannot be read");
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
    .await;
    verified.unwrap_or(false)
}

/// A hash of a random password nobody knows, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(crate::token::new_owner_token().as_bytes())
            .map(|hash| hash.to_string())
            .expect("argon2 hashes with its default parameters")
    })
}

async fn run_hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| format!("password hashing stopped: {e}"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("password hashing failed: {e}"))
}

#[cfg(test)]
mod tests;
