//! `/staff/organizations`: create, list and search, read, change, and invite many
//! people into one.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portal_domain::contact::parse_reference;
use portal_domain::ids::{ContactId, Organization};
use portal_domain::organization::{OrganizationChange, OrganizationForm};
use portal_domain::page::PageRequest;
use portal_domain::types::{Company, Role};
use portal_domain::use_cases::{
    BulkInvite, Manager, add_members as add, change_organization, create_organization,
    list_organizations, organization,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::openapi::CompanyOrBlank;
use portal_http::{ApiJson, List, PathId, Problem, Staff};
use serde::Deserialize;

use super::{Emails, parse_limit, parse_roles, query};
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
    /// Members without a second factor must set one up at their next sign-in (false
    /// when left out).
    require_mfa: Option<bool>,
}

impl TryFrom<OrganizationBody> for OrganizationForm {
    type Error = FieldErrors;

    fn try_from(body: OrganizationBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.require("name", body.name.as_deref(), Company::parse);
        let account_ref =
            errors.optional("account_ref", body.account_ref.as_deref(), parse_reference);
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
                require_mfa: body.require_mfa.unwrap_or(false),
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

/// The search and page of the organizations list (any other parameter is ignored).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Organizations whose name starts with this (case and spacing aside), at most 100
    /// characters; every organization when absent or blank.
    #[param(value_type = Option<String>, max_length = 100)]
    q: Option<String>,
    /// Page size, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page (of the same search).
    cursor: Option<String>,
}

/// Organizations by name, a page at a time; found by the start of their name with `q`.
/// A Query of an index, never a Scan.
#[utoipa::path(get, path = "/staff/organizations",
    operation_id = "list_organizations", security(("staff" = [])), params(ListParams),
    responses(
        (status = 200, description = "One page of organizations", body = List<OrganizationView>),
        (status = 422, description = "`q`, `limit` or `cursor` is invalid (`validation_failed`)"),
    ))]
pub async fn list(
    Staff(_): Staff,
    State(ports): State<Ports>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<List<OrganizationView>>, Problem> {
    let params = query(params)?;
    let mut errors = FieldErrors::new();
    let search = match params.q {
        Some(raw) if raw.chars().count() > 100 => {
            errors.add("q", "must be at most 100 characters");
            None
        }
        given => Some(given),
    };
    let limit = errors.check("limit", parse_limit(params.limit.as_deref()));
    let page = errors.check("limit", PageRequest::parse(limit.flatten(), params.cursor));
    let (search, page) = errors
        .finish(|| Some((search?, page?)))
        .map_err(DomainError::from)?;
    let found = list_organizations(&ports, search.as_deref(), &page).await?;
    Ok(Json(List {
        items: found.items.iter().map(OrganizationView::from).collect(),
        next_cursor: found.next_cursor,
    }))
}

/// What to change; a field left out (or `null`) stays as it is.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct OrganizationChangeBody {
    #[schema(value_type = Option<Company>)]
    name: Option<String>,
    /// The reference in another system; blank removes it.
    #[schema(value_type = Option<CompanyOrBlank>, inline)]
    account_ref: Option<String>,
    /// The roles every member inherits, replacing them (needs `portal.roles.assign`).
    #[schema(value_type = Option<Vec<Role>>, max_items = 50)]
    roles: Option<Vec<String>>,
    /// Whether members without a second factor must set one up at their next sign-in.
    require_mfa: Option<bool>,
}

const ONE_CHANGE: &str = "one of name, account_ref, roles and require_mfa is required";

impl TryFrom<OrganizationChangeBody> for OrganizationChange {
    type Error = FieldErrors;

    fn try_from(body: OrganizationChangeBody) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if body.name.is_none()
            && body.account_ref.is_none()
            && body.roles.is_none()
            && body.require_mfa.is_none()
        {
            for field in ["name", "account_ref", "roles", "require_mfa"] {
                errors.add(field, ONE_CHANGE);
            }
        }
        let name = match body.name.as_deref() {
            None => Some(None),
            Some(raw) => errors.check("name", Company::parse(raw)).map(Some),
        };
        let account_ref = match body.account_ref.as_deref() {
            None => Some(None),
            Some(raw) => errors
                .optional("account_ref", Some(raw), parse_reference)
                .map(Some),
        };
        let roles = match body.roles {
            Some(raw) => parse_roles(&mut errors, Some(raw)).map(Some),
            None => Some(None),
        };
        errors.finish(|| {
            Some(OrganizationChange {
                name: name?,
                account_ref: account_ref?,
                roles: roles?,
                require_mfa: body.require_mfa,
            })
        })
    }
}

/// Changes an organization's name, account reference or roles; members' effective roles
/// follow at once (tokens issued from then on carry them).
#[utoipa::path(patch, path = "/staff/organizations/{id}",
    operation_id = "change_organization", security(("staff" = [])),
    params(PathId<Organization>), request_body = OrganizationChangeBody,
    responses(
        (status = 200, description = "The organization as changed", body = OrganizationView),
        (status = 403, description = "`roles` without `portal.roles.assign` (`forbidden`)"),
        (status = 404, description = "No such organization (`not_found`)"),
        (status = 409, description = "It kept changing; try again (`conflict`)"),
        (status = 422, description = "Nothing to change, or a field is invalid \
            (`validation_failed`)"),
    ))]
pub async fn change(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<Organization>,
    ApiJson(body): ApiJson<OrganizationChangeBody>,
) -> Result<Json<OrganizationView>, Problem> {
    let change = OrganizationChange::try_from(body).map_err(DomainError::from)?;
    let organization = change_organization(&ports, &staff, &id, &change).await?;
    Ok(Json((&organization).into()))
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

/// People to invite into an organization: by email address, or contacts that exist by
/// id (exactly one of the two).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MembersBody {
    #[schema(value_type = Option<Emails>)]
    emails: Option<Emails>,
    /// Contacts that exist (Creatio's "add existing contacts"), 1 to 500; each row then
    /// names its `contact_id` instead of an `email`.
    #[schema(inline, min_items = 1, max_items = 500)]
    contact_ids: Option<Vec<ContactId>>,
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
        match (&emails, &body.contact_ids) {
            (None, None) => errors.add("emails", "one of emails and contact_ids is required"),
            (Some(_), Some(_)) => errors.add("contact_ids", "must not be given with emails"),
            (None, Some(ids)) if ids.is_empty() => {
                errors.add("contact_ids", "must name at least one contact");
            }
            _ => {}
        }
        let roles = parse_roles(&mut errors, body.roles);
        errors.finish(|| {
            Some(BulkInvite {
                emails: emails.unwrap_or_default(),
                contact_ids: body.contact_ids.unwrap_or_default(),
                roles: roles?,
                org_admin: body.org_admin.unwrap_or(false),
                send_invitations: body.send_invitations.unwrap_or(true),
            })
        })
    }
}

/// Invites many people into an organization at once, by email address or as contacts
/// that exist.
///
/// One row per distinct address (or contact) given. Each member is written on its own, and the
/// invitation emails are left to the mailer, so 500 addresses answer well within API
/// Gateway's 29 s.
#[utoipa::path(post, path = "/staff/organizations/{id}/members",
    operation_id = "add_organization_members", security(("staff" = [])),
    params(PathId<Organization>), request_body = MembersBody,
    responses(
        (status = 200, description = "One row per distinct address or contact, in the order \
            given; a contact id that names no contact is an `invalid` row", body = BulkResults),
        (status = 404, description = "No such organization (`not_found`)"),
        (status = 422, description = "Neither or both of `emails` and `contact_ids`, no \
            address or contact or more than 500, or a role is invalid (`validation_failed`)"),
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
