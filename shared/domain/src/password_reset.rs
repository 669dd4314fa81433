//! The one-time "choose a new password" link.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::PortalUserId;
use crate::user::PortalUser;

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// How long a link to set a password that staff send (access information) works.
pub const ACCESS_LINK_LIFETIME: Duration = Duration::hours(72);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    pub token_hash: String,
    pub user_id: PortalUserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub used_at: Option<OffsetDateTime>,
    /// The user's token version when the link was made. Completing any reset bumps it (as
    /// does a deactivation), which ends every other link of the user at once. Links made
    /// before this field existed read as 0 and no longer work.
    #[serde(default)]
    pub token_version: u64,
    /// The user's link version when the link was made: staff sending a new link bump it,
    /// which ends every older link (and leaves sessions alone).
    #[serde(default)]
    pub link_version: u64,
}

impl PasswordReset {
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }

    /// Whether the link still works for `user` as they are now.
    pub fn still_works_for(&self, user: &PortalUser) -> bool {
        &self.user_id == user.id()
            && self.token_version == user.token_version()
            && self.link_version == user.link_version()
    }
}
