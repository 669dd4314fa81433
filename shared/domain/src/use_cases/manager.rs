//! Who manages portal users, and so which users they reach: staff reach every user; an
//! organization administrator reaches the members of their own organization only, the
//! organization always taken from their token.

use crate::audit::Actor;
use crate::ids::{OrganizationId, PortalUserId};
use crate::staff::{ASSIGN_ROLES, StaffMember};
use crate::user::{PortalUser, PortalUserStatus};
use crate::{DomainError, Ports};

use super::accounts::current_user;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    Staff(StaffMember),
    OrgAdmin {
        actor: Actor,
        user_id: PortalUserId,
        organization_id: OrganizationId,
    },
}

impl Manager {
    pub fn actor(&self) -> Actor {
        match self {
            Self::Staff(staff) => staff.actor(),
            Self::OrgAdmin { actor, .. } => actor.clone(),
        }
    }

    /// Setting roles or the administrator flag: staff need `portal.roles.assign`; an
    /// organization administrator may (within their organization's roles, checked apart).
    pub(super) fn require_role_assignment(&self) -> Result<(), DomainError> {
        match self {
            Self::Staff(staff) => staff.require(ASSIGN_ROLES),
            Self::OrgAdmin { .. } => Ok(()),
        }
    }
}

/// The organization administrator behind a portal access token: still active, still an
/// administrator, of the organization the token names (`Forbidden` otherwise; a revoked
/// token is `Unauthenticated`).
pub async fn org_admin(
    ports: &Ports,
    user_id: &PortalUserId,
    token_version: u64,
    session_id: &str,
    token_organization: Option<&OrganizationId>,
) -> Result<Manager, DomainError> {
    let user = current_user(ports, user_id, token_version, session_id).await?;
    match (token_organization, user.organization_id()) {
        (Some(token_org), Some(user_org)) if user.org_admin() && token_org == user_org => {
            Ok(Manager::OrgAdmin {
                actor: Actor {
                    subject: user.id().to_string(),
                    name: user.username().map(ToString::to_string),
                },
                user_id: user.id().clone(),
                organization_id: user_org.clone(),
            })
        }
        _ => Err(DomainError::Forbidden(
            "only an administrator of an organization manages its members",
        )),
    }
}

/// The user `id`, if `manager` reaches them; a member of another organization is
/// `NotFound`, exactly like a user who does not exist.
pub(super) async fn managed_user(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<PortalUser, DomainError> {
    let user = ports
        .store
        .portal_user(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    match manager {
        Manager::Staff(_) => Ok(user),
        Manager::OrgAdmin {
            organization_id, ..
        } if user.organization_id() == Some(organization_id) => Ok(user),
        Manager::OrgAdmin { .. } => Err(DomainError::NotFound),
    }
}

/// An administrator may not remove themselves as the last active administrator of their
/// organization (by demotion or deactivation): nobody would be left to manage it.
pub(super) async fn refuse_leaving_no_admin(
    ports: &Ports,
    manager: &Manager,
    target: &PortalUser,
) -> Result<(), DomainError> {
    let Manager::OrgAdmin {
        user_id,
        organization_id,
        ..
    } = manager
    else {
        return Ok(());
    };
    if user_id != target.id() {
        return Ok(());
    }
    let members = super::organizations::all_members(ports, organization_id).await?;
    let other_admins = members
        .iter()
        .filter(|member| {
            member.id() != target.id()
                && member.org_admin()
                && member.status() == PortalUserStatus::Active
        })
        .count();
    if other_admins == 0 {
        return Err(DomainError::InvalidState(
            "you are the organization's last active administrator: promote another member first",
        ));
    }
    Ok(())
}
