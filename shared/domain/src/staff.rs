//! Staff members, authenticated by the company's identity provider.

use crate::audit::Actor;
use crate::error::DomainError;

/// Needed for every `/staff` route.
pub const MANAGE_USERS: &str = "portal.users.manage";
/// Needed to set roles or the org-admin flag.
pub const ASSIGN_ROLES: &str = "portal.roles.assign";
/// Needed to register, change or remove the portal apps that sign people in through us.
pub const MANAGE_CLIENTS: &str = "portal.clients.manage";

/// A verified staff token's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub subject: String,
    pub name: Option<String>,
    pub permissions: Vec<String>,
}

impl StaffMember {
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.iter().any(|held| held == permission)
    }

    pub fn require(&self, permission: &'static str) -> Result<(), DomainError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(permission))
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            subject: self.subject.clone(),
            name: self.name.clone(),
        }
    }
}
