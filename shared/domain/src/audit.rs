//! Who did what, when: every staff action leaves an event on the entity it changed.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The person behind a change, as their identity provider named them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Actor {
    /// The `sub` claim of the staff token.
    pub subject: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    ContactCreated,
    /// Staff edited the contact (the detail names the fields).
    ContactChanged,
    ContactLinked,
    Approved,
    Rejected,
    Invited,
    InvitationAccepted,
    PasswordReset,
    /// Roles, organization or the admin flag changed (the detail says what).
    AccessChanged,
    Deactivated,
    Reactivated,
    /// The username's failed logins cleared by staff (a lock ended early).
    Unlocked,
    OrganizationCreated,
    /// Name, account reference or roles changed (the detail says which).
    OrganizationChanged,
    /// An active user was given a new link to set their password (the detail says how).
    PasswordLinkIssued,
    /// A person known by name alone confirmed an email through their personal link (the
    /// detail is the address).
    EmailConfirmed,
    /// Staff put an email the mailer gave up on back on its list.
    EmailRequeued,
    /// The user enrolled a second factor (the detail names it).
    SecondFactorAdded,
    /// The user removed a second factor (the detail names it).
    SecondFactorRemoved,
    /// The user replaced their recovery codes.
    RecoveryCodesReplaced,
    /// Staff removed every second factor of the user (a lost phone).
    SecondFactorsReset,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: Actor,
    pub action: AuditAction,
    /// What the action was about, e.g. the linked contact's id or the rejection reason.
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(
        actor: &Actor,
        action: AuditAction,
        detail: Option<String>,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action,
            detail,
        }
    }
}
