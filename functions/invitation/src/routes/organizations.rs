//! `/staff/organizations`: create one, read one, and invite many people into one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portal_domain::organization::{OrganizationForm, parse_account_ref};
use portal_domain::types::Company;
use portal_domain::use_cases::{
    BulkInvite, Manager, add_members as add, create_organization, organization,
};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, Problem, Staff};
use serde::Deserialize;

use super::{Emails, known_shape, parse_roles};
use crate::views::{BulkResults, OrganizationView};

#[derive(Deserialize)]
pub struct OrganizationBody {
    name: Option<String>,
    account_ref: Option<String>,
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

pub async fn create(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<OrganizationBody>,
) -> Result<(StatusCode, Json<OrganizationView>), Problem> {
    let form = OrganizationForm::try_from(body).map_err(DomainError::from)?;
    let organization = create_organization(&ports, &staff, form).await?;
    Ok((StatusCode::CREATED, Json((&organization).into())))
}

pub async fn detail(
    Staff(_): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<OrganizationView>, Problem> {
    let organization = organization(&ports, known_shape(&id)?).await?;
    Ok(Json((&organization).into()))
}

#[derive(Deserialize)]
pub struct MembersBody {
    emails: Option<Emails>,
    roles: Option<Vec<String>>,
    org_admin: Option<bool>,
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

/// One row per distinct address given; each member is written on its own, and the
/// invitation emails are left to the mailer, so 500 addresses answer well within API
/// Gateway's 29 s.
pub async fn add_members(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MembersBody>,
) -> Result<Json<BulkResults>, Problem> {
    let id = known_shape(&id)?;
    let bulk = BulkInvite::try_from(body).map_err(DomainError::from)?;
    let results = add(&ports, &Manager::Staff(staff), id, &bulk).await?;
    Ok(Json(BulkResults::new(&results)))
}
