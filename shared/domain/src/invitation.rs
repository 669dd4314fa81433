//! The one-time link that lets an invited person set their password.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::types::EmailAddress;
use crate::verification_code::PendingCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
}

/// The user's newest invitation: only the token's hash is kept, and only this one works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub token_hash: String,
    pub status: InvitationStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Whether the person confirms (or corrects) their name and phone before choosing a
    /// password; `false` goes straight to the password (ELMA365's "without contact data
    /// confirmation"). A person whose name is unknown is asked for it either way.
    #[serde(default = "confirm_by_default")]
    pub confirm_contact_data: bool,
    /// For a person known by name alone: the address they gave on the welcome page and the
    /// code sent to it, which accepting the invitation needs.
    #[serde(default)]
    pub email_code: Option<EmailCode>,
}

/// An address a person gave through their personal link, not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailCode {
    pub email: EmailAddress,
    pub code: PendingCode,
}

fn confirm_by_default() -> bool {
    true
}

pub use crate::secret_token::{SecretToken, token_hash};
