//! The JSON answers about portal users, organizations and bulk invitations, built from
//! domain values.

use std::collections::HashMap;

use portal_domain::audit::AuditEvent;
use portal_domain::ids::{ContactId, ImportId, OrganizationId, PortalUserId};
use portal_domain::import::{ImportCounts, ImportJob, ImportStatus, RowResult};
use portal_domain::invitation::Invitation;
use portal_domain::mfa::MfaMethod;
use portal_domain::organization::Organization;
use portal_domain::page::Page;
use portal_domain::types::Role;
use portal_domain::use_cases::{Entry, MemberDetail, MemberOutcome, MemberResult};
use portal_domain::user::{PortalUser, PortalUserStatus};
use portal_http::{InvitationSummary, List, LoginView};
use serde::Serialize;
use time::OffsetDateTime;

/// A portal user as lists show them: everything of the detail but the logins and history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalUserView {
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    #[schema(value_type = String)]
    contact_id: ContactId,
    /// What they sign in with; `null` for a person known by name alone until they confirm
    /// an address through their personal link (it becomes their username).
    username: Option<String>,
    /// The name the person goes by; `null` until a person invited by address alone gives it.
    first_name: Option<String>,
    last_name: Option<String>,
    /// Where the portal writes to them; `null` for a person known by name alone until they
    /// confirm one.
    email: Option<String>,
    status: PortalUserStatus,
    /// The user's own roles.
    roles: Vec<Role>,
    /// What the user holds: their own roles, their organization's and `portal.user`.
    effective_roles: Vec<Role>,
    #[schema(value_type = Option<String>)]
    organization_id: Option<OrganizationId>,
    /// Whether the user administers their organization.
    org_admin: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    last_login_at: Option<OffsetDateTime>,
    /// The newest invitation; `null` for a user never sent one.
    invitation: Option<InvitationSummary>,
}

impl PortalUserView {
    /// `organization_roles` are the roles of the user's organization (none without one).
    pub fn new(user: &PortalUser, organization_roles: &[Role], now: OffsetDateTime) -> Self {
        Self {
            portal_user_id: user.id().clone(),
            contact_id: user.contact_id().clone(),
            username: user.username().map(ToString::to_string),
            first_name: user.first_name().map(ToString::to_string),
            last_name: user.last_name().map(ToString::to_string),
            email: user.email().as_ref().map(ToString::to_string),
            status: user.status(),
            roles: user.roles().to_vec(),
            effective_roles: user.effective_roles(organization_roles),
            organization_id: user.organization_id().cloned(),
            org_admin: user.org_admin(),
            created_at: user.created_at(),
            last_login_at: user.last_login_at(),
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

    /// One page of users, each holding the `roles` of their organization.
    pub fn list(
        page: Page<PortalUser>,
        roles: &HashMap<OrganizationId, Vec<Role>>,
        now: OffsetDateTime,
    ) -> List<Self> {
        let of = |user: &PortalUser| {
            user.organization_id()
                .and_then(|id| roles.get(id))
                .map_or(&[][..], Vec::as_slice)
        };
        List {
            items: page
                .items
                .iter()
                .map(|user| Self::new(user, of(user), now))
                .collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// A portal user with their latest logins and history: the staff's detail of a user, and
/// what a change of their access answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PortalUserDetail {
    #[serde(flatten)]
    user: PortalUserView,
    /// The newest logins first.
    logins: Vec<LoginView>,
    history: Vec<AuditEvent>,
    /// What the user's sign-in can be finished with after the password (empty: the
    /// password alone); what a reset of their second factors would remove.
    second_factors: Vec<MfaMethod>,
}

impl PortalUserDetail {
    pub fn new(detail: &MemberDetail, now: OffsetDateTime) -> Self {
        Self {
            second_factors: detail.user.second_factors().methods(),
            user: PortalUserView::of_detail(detail, now),
            logins: detail.logins.iter().map(LoginView::from).collect(),
            history: detail.user.audit().to_vec(),
        }
    }
}

/// A portal user just created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    /// `null` for a person known by name alone (see `PortalUserView`).
    username: Option<String>,
    status: PortalUserStatus,
    /// The invitation sent; `null` when none was (`send_invitation: false`).
    invitation: Option<InvitationSummary>,
}

impl CreatedUser {
    pub fn new(user: &PortalUser, now: OffsetDateTime) -> Self {
        Self {
            portal_user_id: user.id().clone(),
            username: user.username().map(ToString::to_string),
            status: user.status(),
            invitation: InvitationSummary::of(user, now),
        }
    }
}

/// A new invitation link, sent by email: when it stops working.
#[derive(Serialize, utoipa::ToSchema)]
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

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrganizationView {
    #[schema(value_type = String)]
    organization_id: OrganizationId,
    name: String,
    account_ref: Option<String>,
    /// The roles every member inherits.
    roles: Vec<Role>,
    /// Whether members must have a second factor.
    require_mfa: bool,
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
            require_mfa: organization.require_mfa,
            created_at: organization.created_at,
            history: organization.audit.clone(),
        }
    }
}

/// The answer of a bulk invitation: one row per distinct address, in the order given.
#[derive(Serialize, utoipa::ToSchema)]
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

/// One address of a bulk invitation. `portal_user_id` is left out of an `invalid` row,
/// and `reason` only explains one.
#[derive(Serialize, utoipa::ToSchema)]
struct MemberRow {
    /// The address as normalized, or the entry as given when it is not an address (rows
    /// of addresses).
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    /// The contact given (rows of contact ids).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    contact_id: Option<ContactId>,
    outcome: MemberOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    portal_user_id: Option<PortalUserId>,
    /// Whether a contact was created for the address (always `false` for an
    /// organization administrator).
    contact_created: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

impl From<&MemberResult> for MemberRow {
    fn from(result: &MemberResult) -> Self {
        Self {
            email: match &result.entry {
                Entry::Email(email) => Some(email.clone()),
                Entry::Contact(_) => None,
            },
            contact_id: match &result.entry {
                Entry::Email(_) => None,
                Entry::Contact(id) => Some(id.clone()),
            },
            outcome: result.outcome,
            portal_user_id: result.portal_user_id.clone(),
            contact_created: result.contact_created,
            reason: result.reason,
        }
    }
}

/// An import job: its progress and counts.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportView {
    #[schema(value_type = String)]
    import_id: ImportId,
    status: ImportStatus,
    file_name: String,
    /// Rows in the file (blank ones aside).
    total: u32,
    /// Rows run so far.
    processed: u32,
    counts: ImportCounts,
    #[schema(value_type = Option<String>)]
    organization_id: Option<OrganizationId>,
    send_invitations: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    finished_at: Option<OffsetDateTime>,
}

impl From<&ImportJob> for ImportView {
    fn from(job: &ImportJob) -> Self {
        Self {
            import_id: job.id.clone(),
            status: job.status,
            file_name: job.file_name.clone(),
            total: job.total,
            processed: job.processed,
            counts: job.counts,
            organization_id: job.organization_id.clone(),
            send_invitations: job.send_invitations,
            created_at: job.created_at,
            finished_at: job.finished_at,
        }
    }
}

/// How one row of an imported file ended.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportRowView {
    /// The row's number in the file, as a spreadsheet shows it (the header is row 1).
    row: u32,
    email: Option<String>,
    outcome: MemberOutcome,
    /// Left out for an `invalid` row.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    portal_user_id: Option<PortalUserId>,
    /// Why the row is `invalid` (only then).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl From<&RowResult> for ImportRowView {
    fn from(result: &RowResult) -> Self {
        Self {
            row: result.row,
            email: result.email.clone(),
            outcome: result.outcome,
            portal_user_id: result.portal_user_id.clone(),
            reason: result.reason.clone(),
        }
    }
}
