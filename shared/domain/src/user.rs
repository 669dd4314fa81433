//! Portal users: the accounts people log in with.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::AuditEvent;
use crate::invitation::{Invitation, InvitationStatus};
use crate::types::{EmailAddress, Role};

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
    /// The user's own roles; organization roles and the base role come on top.
    #[serde(default)]
    pub roles: Vec<Role>,
    pub organization_id: Option<String>,
    #[serde(default)]
    pub org_admin: bool,
    /// The newest invitation; older ones no longer work.
    pub invitation: Option<Invitation>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_login_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
    pub version: u64,
}

/// What staff decide about a new user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    pub roles: Vec<Role>,
    pub organization_id: Option<String>,
}

impl PortalUser {
    /// A user who must open the invitation link to set a password.
    pub fn invite(
        id: String,
        contact_id: String,
        username: EmailAddress,
        grant: Grant,
        invitation: Invitation,
        invited: AuditEvent,
    ) -> Self {
        Self {
            id,
            contact_id,
            username,
            status: PortalUserStatus::Invited,
            roles: grant.roles,
            organization_id: grant.organization_id,
            org_admin: false,
            invitation: Some(invitation),
            last_login_at: None,
            created_at: invited.at,
            audit: vec![invited],
            version: 1,
        }
    }

    /// The invitation as people see it: a pending one past its deadline is expired.
    pub fn invitation_state(&self, now: OffsetDateTime) -> Option<(&'static str, OffsetDateTime)> {
        self.invitation.as_ref().map(|invitation| {
            let state = match invitation.status {
                InvitationStatus::Pending if invitation.expires_at <= now => "expired",
                InvitationStatus::Pending => "pending",
                InvitationStatus::Accepted => "accepted",
                InvitationStatus::Revoked => "revoked",
            };
            (state, invitation.expires_at)
        })
    }
}
