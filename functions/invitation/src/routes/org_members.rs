//! `/org/members`: an organization administrator manages the members of their own
//! organization, always the one their token and the store agree on. A member of another
//! organization answers 404, like one that does not exist.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portal_domain::use_cases::{
    BulkInvite, add_members, change_access, organization, portal_users, reinvite as new_link,
};
use portal_domain::user::AccessChange;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, List, PortalCaller, Problem};
use serde::Deserialize;

use super::{Emails, ListParams, known_shape, org_manager, parse_roles};
use crate::views::{BulkResults, PortalUserView, Reinvited};

/// The members, oldest first. An `organization_id` in the query is ignored.
pub async fn list(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<List<PortalUserView>>, Problem> {
    let (_, organization_id) = org_manager(&ports, &claims).await?;
    let params = ListParams::from_query(params)?;
    let mut errors = FieldErrors::new();
    let parsed = params.parse(&mut errors);
    let (status, page) = errors.finish(|| parsed).map_err(DomainError::from)?;
    let organization_roles = organization(&ports, &organization_id).await?.roles;
    let page = portal_users(&ports, Some(&organization_id), status, &page).await?;
    Ok(Json(PortalUserView::list(
        page,
        &organization_roles,
        ports.clock.now(),
    )))
}

/// `{emails, roles?}`: the organization is the caller's; anything else in the body (an
/// organization id, the admin flag) is ignored.
#[derive(Deserialize)]
pub struct AddBody {
    emails: Option<Emails>,
    roles: Option<Vec<String>>,
}

pub async fn add(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    ApiJson(body): ApiJson<AddBody>,
) -> Result<Json<BulkResults>, Problem> {
    let (manager, organization_id) = org_manager(&ports, &claims).await?;
    let mut errors = FieldErrors::new();
    let emails = body.emails.map(Emails::into_entries);
    if emails.is_none() {
        errors.add("emails", "is required");
    }
    let roles = parse_roles(&mut errors, body.roles);
    let bulk = errors
        .finish(|| {
            Some(BulkInvite {
                emails: emails?,
                roles: roles?,
                org_admin: false,
                send_invitations: true,
            })
        })
        .map_err(DomainError::from)?;
    let results = add_members(&ports, &manager, &organization_id, &bulk).await?;
    Ok(Json(BulkResults::new(&results)))
}

pub async fn reinvite(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Reinvited>), Problem> {
    let (manager, _) = org_manager(&ports, &claims).await?;
    let invitation = new_link(&ports, &manager, known_shape(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json((&invitation).into())))
}

#[derive(Deserialize)]
pub struct AdminBody {
    org_admin: Option<bool>,
}

/// Promotes or demotes a member; the last active administrator cannot demote themselves.
pub async fn set_admin(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdminBody>,
) -> Result<Json<PortalUserView>, Problem> {
    let (manager, _) = org_manager(&ports, &claims).await?;
    let id = known_shape(&id)?;
    let mut errors = FieldErrors::new();
    let org_admin = body.org_admin;
    if org_admin.is_none() {
        errors.add("org_admin", "is required");
    }
    let org_admin = errors.finish(|| org_admin).map_err(DomainError::from)?;
    let change = AccessChange {
        org_admin: Some(org_admin),
        ..AccessChange::default()
    };
    let detail = change_access(&ports, &manager, id, &change).await?;
    Ok(Json(PortalUserView::of_detail(&detail, ports.clock.now())))
}
