//! `/staff/organizations`: create one, read one, and invite many people into one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::ids::Organization;
use portal_domain::organization::{OrganizationForm, parse_account_ref};
use portal_domain::types::{Company, Role};
use portal_domain::use_cases::{
    BulkInvite, Manager, add_members as add, create_organization, organization,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::CompanyOrBlank;
use portal_http::{ApiJson, PathId, Problem, Staff};
use serde::Deserialize;

use super::{Emails, parse_roles};
use crate::views::{BulkResults, OrganizationView};

/// A new organization.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct OrganizationBody {
    #[schema(value_type = Company)]
    name: Option<String>,
    /// The organization's reference in another system (blank: none): 1 to 200 characters
    /// once trimmed, no control characters, as a company's name.
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
    account_ref: Option<String>,
    /// The roles every member inherits (an empty list gives none; roles need
    /// `portal.roles.assign`): names of lowercase letters, digits, `.`, `_` and `-`,
    /// starting with a letter, at most 50.
    #[schema(value_type = Vec<Role>, max_items = 50)]
    roles: Option<Vec<String>>,
}

impl TryFrom<OrganizationBody> for OrganizationForm {
    type Error = FieldErrors;

    fn try_from(body: OrganizationBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.require("name", body.name.as_deref(), Company::parse);
        let account_ref = errors.optional(
            "account_ref",
            body.account_ref.as_deref(),
            parse_account_ref,
        );
        let roles = match body.roles {
            Some(raw) => parse_roles(&mut errors, Some(raw)),
            None => {
                errors.add("roles", "is required (an empty list gives no roles)");
                None
            }
        };
        errors.finish(|| {
            Some(OrganizationForm {
                name: name?,
                account_ref: account_ref?,
                roles: roles?,
            })
        })
    }
}

/// Creates an organization; its members inherit its roles.
#[utoipa::path(post, path = "/staff/organizations",
    operation_id = "create_organization", security(("staff" = [])),
    request_body = OrganizationBody,
    responses(
        (status = 201, description = "Created", body = OrganizationView),
        (status = 422, description = "A field is missing or invalid (`validation_failed`)"),
    ))]
pub async fn create(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<OrganizationBody>,
) -> Result<(StatusCode, Json<OrganizationView>), Problem> {
    let form = OrganizationForm::try_from(body).map_err(DomainError::from)?;
    let organization = create_organization(&ports, &staff, form).await?;
    Ok((StatusCode::CREATED, Json((&organization).into())))
}

/// One organization with its roles and history.
#[utoipa::path(get, path = "/staff/organizations/{id}",
    operation_id = "organization_detail", security(("staff" = [])),
    params(PathId<Organization>),
    responses(
        (status = 200, description = "The organization", body = OrganizationView),
        (status = 404, description = "No such organization (`not_found`)"),
    ))]
pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Organization>,
) -> Result<Json<OrganizationView>, Problem> {
    let organization = organization(&ports, &id).await?;
    Ok(Json((&organization).into()))
}

/// People to invite into an organization by email address.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MembersBody {
    #[schema(value_type = Emails)]
    emails: Option<Emails>,
    /// Given to new members and added to those of existing users who join (needs
    /// `portal.roles.assign`): names of lowercase letters, digits, `.`, `_` and `-`,
    /// starting with a letter, at most 50.
    #[schema(value_type = Option<Vec<Role>>, max_items = 50)]
    roles: Option<Vec<String>>,
    /// Makes every member an administrator of the organization (needs
    /// `portal.roles.assign`).
    org_admin: Option<bool>,
    /// `false`: new members are added without an invitation (`true` when absent).
    send_invitations: Option<bool>,
}

impl TryFrom<MembersBody> for BulkInvite {
    type Error = FieldErrors;

    fn try_from(body: MembersBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let emails = body.emails.map(Emails::into_entries);
        if emails.is_none() {
            errors.add("emails", "is required");
        }
        let roles = parse_roles(&mut errors, body.roles);
        errors.finish(|| {
            Some(BulkInvite {
                emails: emails?,
                roles: roles?,
                org_admin: body.org_admin.unwrap_or(false),
                send_invitations: body.send_invitations.unwrap_or(true),
            })
        })
    }
}

/// Invites many people into an organization at once, by email address.
///
/// One row per distinct address given. Each member is written on its own, and the
/// invitation emails are left to the mailer, so 500 addresses answer well within API
/// Gateway's 29 s.
#[utoipa::path(post, path = "/staff/organizations/{id}/members",
    operation_id = "add_organization_members", security(("staff" = [])),
    params(PathId<Organization>), request_body = MembersBody,
    responses(
        (status = 200, description = "One row per distinct address, in the order given",
            body = BulkResults),
        (status = 404, description = "No such organization (`not_found`)"),
        (status = 422, description = "`emails` is missing, names no address or more than 500, \
            or a role is invalid (`validation_failed`)"),
    ))]
pub async fn add_members(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Organization>,
    ApiJson(body): ApiJson<MembersBody>,
) -> Result<Json<BulkResults>, Problem> {
    let bulk = BulkInvite::try_from(body).map_err(DomainError::from)?;
    let results = add(&ports, &Manager::Staff(staff), &id, &bulk).await?;
    Ok(Json(BulkResults::new(&results)))
}
