//! Who did something, for the audit log of owner actions: a host backend with the site's API
//! key, a signed-in owner, or the command line on the server itself.

/// The author of an owner action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A caller holding the site's API key.
    ApiKey,
    /// An owner signed in to the console.
    Owner { id: i64, email: String },
    /// `engage-server` run on the server.
    Cli,
}
