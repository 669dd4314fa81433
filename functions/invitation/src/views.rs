//! The JSON shapes of API.md for portal users, organizations and bulk results, built from
//! domain values.

use portal_domain::audit::AuditEvent;
use portal_domain::invitation::Invitation;
use portal_domain::organization::Organization;
use portal_domain::page::Page;
use portal_domain::types::Role;
use portal_domain::use_cases::{MemberDetail, MemberOutcome, MemberResult};
use portal_domain::user::{PortalUser, PortalUserStatus};
use portal_http::{InvitationSummary, List, LoginView};
use serde::Serialize;
use time::OffsetDateTime;

/// A portal user as lists show them: everything of the detail but the logins and history.
#[derive(Serialize)]
pub struct PortalUserView {
    portal_user_id: String,
    contact_id: String,
    username: String,
    status: PortalUserStatus,
    roles: Vec<Role>,
    effective_roles: Vec<Role>,
    organization_id: Option<String>,
    org_admin: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    last_login_at: Option<OffsetDateTime>,
    invitation: Option<InvitationSummary>,
}

impl PortalUserView {
    /// `organization_roles` are the roles of the user's organization (none without one).
    pub fn new(user: &PortalUser, organization_roles: &[Role], now: OffsetDateTime) -> Self {
        Self {
            portal_user_id: user.id.clone(),
            contact_id: user.contact_id.clone(),
            username: user.username.to_string(),
            status: user.status,
            roles: user.roles.clone(),
            effective_roles: user.effective_roles(organization_roles),
            organization_id: user.organization_id.clone(),
            org_admin: user.org_admin,
            created_at: user.created_at,
            last_login_at: user.last_login_at,
            invitation: InvitationSummary::of(user, now),
        }
    }

    /// The user of a detail, with the effective roles it worked out.
    pub fn of_detail(detail: &MemberDetail, now: OffsetDateTime) -> Self {
        Self {
            effective_roles: detail.effective_roles.clone(),
            ..Self::new(&detail.user, &[], now)
        }
    }

    /// One page of users who all hold `organization_roles` from their organization.
    pub fn list(
        page: Page<PortalUser>,
        organization_roles: &[Role],
        now: OffsetDateTime,
    ) -> List<Self> {
        List {
            items: page
                .items
                .iter()
                .map(|user| Self::new(user, organization_roles, now))
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// `GET /staff/portal-users/{id}` and every answer that returns "the user".
#[derive(Serialize)]
pub struct PortalUserDetail {
    #[serde(flatten)]
    user: PortalUserView,
    /// The newest logins first.
    logins: Vec<LoginView>,
    history: Vec<AuditEvent>,
}

impl PortalUserDetail {
    pub fn new(detail: &MemberDetail, now: OffsetDateTime) -> Self {
        Self {
            user: PortalUserView::of_detail(detail, now),
            logins: detail.logins.iter().map(LoginView::from).collect(),
            history: detail.user.audit.clone(),
        }
    }
}

/// `POST /staff/portal-users`.
#[derive(Serialize)]
pub struct CreatedUser {
    portal_user_id: String,
    username: String,
    status: PortalUserStatus,
    invitation: Option<InvitationSummary>,
}

impl CreatedUser {
    pub fn new(user: &PortalUser, now: OffsetDateTime) -> Self {
        Self {
            portal_user_id: user.id.clone(),
            username: user.username.to_string(),
            status: user.status,
            invitation: InvitationSummary::of(user, now),
        }
    }
}

/// `202` of a new invitation link.
#[derive(Serialize)]
pub struct Reinvited {
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

impl From<&Invitation> for Reinvited {
    fn from(invitation: &Invitation) -> Self {
        Self {
            expires_at: invitation.expires_at,
        }
    }
}

#[derive(Serialize)]
pub struct OrganizationView {
    organization_id: String,
    name: String,
    account_ref: Option<String>,
    roles: Vec<Role>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    history: Vec<AuditEvent>,
}

impl From<&Organization> for OrganizationView {
    fn from(organization: &Organization) -> Self {
        Self {
            organization_id: organization.id.clone(),
            name: organization.name.to_string(),
            account_ref: organization.account_ref.clone(),
            roles: organization.roles.clone(),
            created_at: organization.created_at,
            history: organization.audit.clone(),
        }
    }
}

/// The answer of a bulk invitation: one row per distinct address, in the order given.
#[derive(Serialize)]
pub struct BulkResults {
    results: Vec<MemberRow>,
}

impl BulkResults {
    pub fn new(results: &[MemberResult]) -> Self {
        Self {
            results: results.iter().map(MemberRow::from).collect(),
        }
    }
}

/// Optional fields are left out when empty, as API.md marks them (`portal_user_id?`):
/// `reason` only explains an `invalid` row.
#[derive(Serialize)]
struct MemberRow {
    email: String,
    outcome: MemberOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    portal_user_id: Option<String>,
    contact_created: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

impl From<&MemberResult> for MemberRow {
    fn from(result: &MemberResult) -> Self {
        Self {
            email: result.email.clone(),
            outcome: result.outcome,
            portal_user_id: result.portal_user_id.clone(),
            contact_created: result.contact_created,
            reason: result.reason,
        }
    }
}
