//! The JSON shapes of the owner console's own routes (`/api/v1/console/…`) and of the admin
//! site routes it calls: owner accounts and sessions, and sites as their owners see them.
//! Written by the server and read by the console, so the two cannot disagree.
//!
//! Passwords travel only in requests and are never answered; a site's secret and API key are
//! answered only when they are made (creation, rotation).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::SiteId;

/// The languages an owner may choose for the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsoleLang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl ConsoleLang {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleLang::En => "en",
            ConsoleLang::ZhCn => "zh-CN",
        }
    }

    pub fn parse(text: &str) -> Option<ConsoleLang> {
        match text {
            "en" => Some(ConsoleLang::En),
            "zh-CN" => Some(ConsoleLang::ZhCn),
            _ => None,
        }
    }
}

/// `POST /api/v1/console/session`: sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/console/setup`: the first owner, with the one-time token `serve` logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub token: String,
    pub email: String,
    pub password: String,
}

/// A site an owner holds, as the console's navigation lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerSite {
    pub id: SiteId,
    pub name: String,
}

/// The signed-in owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerView {
    pub email: String,
    /// Admins hold every site and may create sites.
    pub admin: bool,
    /// The owner's choice; `null`: follow the browser.
    pub lang: Option<ConsoleLang>,
    /// The sites the owner may run (admins: all), by id.
    pub sites: Vec<OwnerSite>,
}

/// The answer of the session routes, of setup and of `PATCH /api/v1/console/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub owner: OwnerView,
}

/// `PATCH /api/v1/console/me`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// Absent: unchanged; `null`: follow the browser; else the language.
    #[serde(
        default,
        deserialize_with = "super::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub lang: Option<Option<ConsoleLang>>,
}

/// A site as its owner sees it (never with its secret or API key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: SiteId,
    pub name: String,
    /// The IANA time zone in which the site's days begin and end.
    pub tz: String,
    /// Browser origins allowed to call the API, e.g. `https://forum.example.com`.
    pub origins: Vec<String>,
    pub created_at: Timestamp,
}

/// `POST /api/v1/console/sites` (admin owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSite {
    pub id: SiteId,
    /// Defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub tz: String,
    pub origins: Vec<String>,
}

/// The answer to creating a site: the member-token secret and the API key, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCreated {
    pub site: SiteView,
    pub secret: String,
    pub api_key: String,
}

/// `PATCH /api/v1/admin/sites/{site}`: any subset; `origins` is the whole new list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origins: Option<Vec<String>>,
}

/// Which of a site's credentials a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteCredential {
    /// The HS256 secret member tokens are signed with.
    Secret,
    /// The API key host backends call with.
    ApiKey,
}

impl SiteCredential {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteCredential::Secret => "secret",
            SiteCredential::ApiKey => "api_key",
        }
    }
}

/// `POST /api/v1/admin/sites/{site}/rotate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateCredential {
    pub what: SiteCredential,
    /// How long the old value keeps working, e.g. `24h` (the default), `30m`, `0s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlap: Option<String>,
}

/// The answer to a rotation: the new value under the name of what was rotated, shown this
/// once, and until when the previous one is still accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRotated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// `null`: the previous value stopped working at once.
    pub previous_valid_until: Option<Timestamp>,
}
