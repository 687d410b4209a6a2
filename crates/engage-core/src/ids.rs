//! Identifiers chosen by site owners and host backends, validated once at the edge.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Occurs when the identifier is the empty string.
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    /// Occurs when the identifier is longer than allowed.
    #[error("{kind} is longer than {max} characters")]
    TooLong { kind: &'static str, max: usize },
    /// Occurs when the identifier is shorter than allowed.
    #[error("{kind} is shorter than {min} characters")]
    TooShort { kind: &'static str, min: usize },
    /// Occurs when the identifier holds a character outside its alphabet.
    #[error("{kind} '{value}' may only contain {allowed}")]
    BadCharacter {
        kind: &'static str,
        value: String,
        allowed: &'static str,
    },
}

/// A site's slug: lowercase ASCII letters, digits, `-` and `_`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SiteId(String);

impl SiteId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<SiteId, IdError> {
        parse_slug("site id", value, Self::MAX_LEN).map(SiteId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member id as the host site knows it (a number, a UUID, a user name): any printable text
/// without control characters, at most 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct MemberId(String);

impl MemberId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(value: &str) -> Result<MemberId, IdError> {
        const KIND: &str = "member id";
        if value.trim().is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(IdError::TooLong {
                kind: KIND,
                max: Self::MAX_LEN,
            });
        }
        if value.chars().any(char::is_control) {
            return Err(IdError::BadCharacter {
                kind: KIND,
                value: value.escape_debug().to_string(),
                allowed: "printable characters",
            });
        }
        Ok(MemberId(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A poll's slug, chosen by the site owner; same alphabet as a [`SiteId`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PollId(String);

impl PollId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<PollId, IdError> {
        parse_slug("poll id", value, Self::MAX_LEN).map(PollId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lottery's slug, chosen by the site owner; same alphabet as a [`SiteId`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LotteryId(String);

impl LotteryId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<LotteryId, IdError> {
        parse_slug("lottery id", value, Self::MAX_LEN).map(LotteryId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reward's slug in the rewards shop, chosen by the site owner; same alphabet as a [`SiteId`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RewardId(String);

impl RewardId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<RewardId, IdError> {
        parse_slug("reward id", value, Self::MAX_LEN).map(RewardId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A badge's slug, chosen by the site owner in the rules; same alphabet as a [`SiteId`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct BadgeId(String);

impl BadgeId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<BadgeId, IdError> {
        parse_slug("badge id", value, Self::MAX_LEN).map(BadgeId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The random id an anonymous visitor's browser keeps (`X-Engage-Visitor`): 22 to 64 ASCII
/// letters, digits, `-` and `_`. It is not a secret and proves nothing; it only tells one
/// browser's votes from another's, and per-IP limits bound what a forger can do with it.
/// At least 22 characters (about 128 bits when random, as the widgets make them) so that ids
/// are not guessed or collide by chance: a short id would let one visitor's vote be taken for
/// another's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct VisitorId(String);

impl VisitorId {
    pub const MIN_LEN: usize = 22;
    pub const MAX_LEN: usize = 64;

    pub fn parse(value: &str) -> Result<VisitorId, IdError> {
        const KIND: &str = "visitor id";
        if value.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        if value.len() > Self::MAX_LEN {
            return Err(IdError::TooLong {
                kind: KIND,
                max: Self::MAX_LEN,
            });
        }
        let alphabet_ok = value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !alphabet_ok {
            return Err(IdError::BadCharacter {
                kind: KIND,
                value: value.escape_debug().to_string(),
                allowed: "ASCII letters, digits, '-' and '_'",
            });
        }
        if value.len() < Self::MIN_LEN {
            return Err(IdError::TooShort {
                kind: KIND,
                min: Self::MIN_LEN,
            });
        }
        Ok(VisitorId(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses an owner-chosen slug such as a site, poll or lottery id.
pub fn parse_slug(kind: &'static str, value: &str, max: usize) -> Result<String, IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if value.len() > max {
        return Err(IdError::TooLong { kind, max });
    }
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !(first_ok && rest_ok) {
        return Err(IdError::BadCharacter {
            kind,
            value: value.escape_debug().to_string(),
            allowed: "lowercase letters, digits, '-' and '_', starting with a letter or digit",
        });
    }
    Ok(value.to_owned())
}

macro_rules! impl_id_traits {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $ty::parse(s)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

impl_id_traits!(SiteId);
impl_id_traits!(MemberId);
impl_id_traits!(PollId);
impl_id_traits!(LotteryId);
impl_id_traits!(RewardId);
impl_id_traits!(VisitorId);
impl_id_traits!(BadgeId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids() {
        assert!(SiteId::parse("demo").is_ok());
        assert!(SiteId::parse("my-site_2").is_ok());
        assert_eq!(SiteId::parse(""), Err(IdError::Empty { kind: "site id" }));
        assert!(matches!(
            SiteId::parse("Demo"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(matches!(
            SiteId::parse("-demo"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(matches!(
            SiteId::parse("de mo"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(matches!(
            SiteId::parse(&"a".repeat(65)),
            Err(IdError::TooLong { .. })
        ));
    }

    #[test]
    fn poll_ids() {
        assert!(PollId::parse("favourite-feature").is_ok());
        assert!(PollId::parse("Favourite").is_err());
    }

    #[test]
    fn visitor_ids() {
        let check = |value: &str, expected: Result<(), IdError>| {
            assert_eq!(VisitorId::parse(value).map(|_| ()), expected, "{value:?}");
        };
        let short = Err(IdError::TooShort {
            kind: "visitor id",
            min: 22,
        });
        check("Ab3_-xyzAb3_-xyzAb3_-x", Ok(()));
        check(&"v".repeat(64), Ok(()));
        // What the widgets make: 32 hex digits.
        check("0123456789abcdef0123456789abcdef", Ok(()));
        check("", Err(IdError::Empty { kind: "visitor id" }));
        check("short", short.clone());
        check("visitor-01", short.clone());
        check(&"v".repeat(21), short);
        check(
            &"v".repeat(65),
            Err(IdError::TooLong {
                kind: "visitor id",
                max: 64,
            }),
        );
        for bad in ["has space has space has", "名字名字名字名字名字"] {
            assert!(
                matches!(VisitorId::parse(bad), Err(IdError::BadCharacter { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn member_ids() {
        assert!(MemberId::parse("alice").is_ok());
        assert!(MemberId::parse("小明 42").is_ok());
        assert!(MemberId::parse("  ").is_err());
        assert!(MemberId::parse("a\nb").is_err());
        assert!(MemberId::parse(&"名".repeat(128)).is_ok());
        assert!(MemberId::parse(&"名".repeat(129)).is_err());
    }
}
