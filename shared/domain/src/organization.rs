//! A customer organization: a named group of portal users (linked to an account in the
//! CRM) with a set of roles that every member inherits on top of their own.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::{Actor, AuditAction, AuditEvent};
use crate::ids::OrganizationId;
use crate::types::{Company, Role, search_key};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: Company,
    /// The account this organization is in the CRM, as staff name it.
    #[serde(default)]
    pub account_ref: Option<String>,
    pub roles: Vec<Role>,
    /// Members without a second factor must set one up at their next sign-in, before
    /// they get any token.
    #[serde(default)]
    pub require_mfa: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
    /// Bumped by every change; stores write only if the version they read is still current
    /// (organizations stored before it existed read as the first).
    #[serde(default = "first_version")]
    pub version: u64,
}

fn first_version() -> u64 {
    1
}

/// What staff change about an organization; `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationChange {
    pub name: Option<Company>,
    /// `Some(None)` removes the reference.
    pub account_ref: Option<Option<String>>,
    /// Every member's effective roles follow at once (tokens issued from then on).
    pub roles: Option<Vec<Role>>,
    pub require_mfa: Option<bool>,
}

impl OrganizationChange {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.account_ref.is_none()
            && self.roles.is_none()
            && self.require_mfa.is_none()
    }
}

/// The validated fields staff give for a new organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationForm {
    pub name: Company,
    pub account_ref: Option<String>,
    pub roles: Vec<Role>,
    pub require_mfa: bool,
}

impl Organization {
    /// Whether every one of `roles` is one of this organization's: what its administrators
    /// may grant.
    pub fn grants(&self, roles: &[Role]) -> bool {
        roles.iter().all(|role| self.roles.contains(role))
    }

    /// How the organization is found by name: case and spacing do not matter.
    pub fn name_key(&self) -> String {
        search_key(self.name.as_ref())
    }

    /// The next version with `change` made, recorded in the history (the detail names what
    /// changed).
    pub fn change(&self, actor: &Actor, change: &OrganizationChange, now: OffsetDateTime) -> Self {
        let mut next = Self {
            version: self.version + 1,
            ..self.clone()
        };
        let mut what = Vec::new();
        if let Some(name) = &change.name {
            next.name = name.clone();
            what.push("name");
        }
        if let Some(account_ref) = &change.account_ref {
            next.account_ref = account_ref.clone();
            what.push("account_ref");
        }
        if let Some(roles) = &change.roles {
            next.roles = roles.clone();
            what.push("roles");
        }
        if let Some(require_mfa) = change.require_mfa {
            next.require_mfa = require_mfa;
            what.push("require_mfa");
        }
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::OrganizationChanged,
            Some(what.join(", ")),
            now,
        ));
        next
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn role(name: &str) -> Role {
        Role::parse(name).unwrap()
    }

    #[test]
    fn an_organization_grants_only_its_own_roles() {
        let organization = Organization {
            id: crate::testing::id("o"),
            name: Company::parse("Acme").unwrap(),
            account_ref: None,
            roles: vec![role("billing.viewer"), role("orders.viewer")],
            require_mfa: false,
            created_at: datetime!(2026-11-23 10:00 UTC),
            audit: Vec::new(),
            version: 1,
        };
        assert!(organization.grants(&[role("billing.viewer")]));
        assert!(organization.grants(&[]));
        assert!(!organization.grants(&[role("billing.viewer"), role("admin")]));
    }
}
