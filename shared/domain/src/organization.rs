//! A customer organization: a named group of portal users (linked to an account in the
//! CRM) with a set of roles that every member inherits on top of their own.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::AuditEvent;
use crate::ids::OrganizationId;
use crate::types::{Company, Role};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: Company,
    /// The account this organization is in the CRM, as staff name it.
    #[serde(default)]
    pub account_ref: Option<String>,
    pub roles: Vec<Role>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
}

/// The validated fields staff give for a new organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationForm {
    pub name: Company,
    pub account_ref: Option<String>,
    pub roles: Vec<Role>,
}

/// An account reference: trimmed, 1..=200 characters, no control characters.
pub fn parse_account_ref(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 || trimmed.chars().any(char::is_control)
    {
        return Err("must be 1 to 200 characters");
    }
    Ok(trimmed.to_owned())
}

impl Organization {
    /// Whether every one of `roles` is one of this organization's: what its administrators
    /// may grant.
    pub fn grants(&self, roles: &[Role]) -> bool {
        roles.iter().all(|role| self.roles.contains(role))
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
            created_at: datetime!(2026-11-23 10:00 UTC),
            audit: Vec::new(),
        };
        assert!(organization.grants(&[role("billing.viewer")]));
        assert!(organization.grants(&[]));
        assert!(!organization.grants(&[role("billing.viewer"), role("admin")]));
    }

    #[test]
    fn an_account_reference_is_trimmed_and_bounded() {
        assert_eq!(parse_account_ref(" ACC-1 ").unwrap(), "ACC-1");
        for bad in ["", "  ", "a\nb", &"x".repeat(201)] {
            assert!(parse_account_ref(bad).is_err(), "{bad:?}");
        }
    }
}
