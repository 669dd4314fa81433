//! Portal users: the accounts people log in with. Registration only needs to know
//! whether an email already belongs to one.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::types::EmailAddress;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalUserStatus {
    Invited,
    Active,
    Deactivated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalUser {
    pub id: String,
    pub contact_id: String,
    /// The contact's email; unique among portal users.
    pub username: EmailAddress,
    pub status: PortalUserStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: u64,
}
