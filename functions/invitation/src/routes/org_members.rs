//! `/org/members`: an organization administrator manages the members of their own
//! organization, always the one their token and the store agree on. A member of another
//! organization answers 404, like one that does not exist.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portal_domain::ids::PortalUser;
use portal_domain::types::Role;
use portal_domain::use_cases::{
    BulkInvite, add_members, change_access, organization, portal_users, reinvite as new_link,
};
use portal_domain::user::AccessChange;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, List, PathId, PortalCaller, Problem};
use serde::Deserialize;

use super::{Emails, org_manager, parse_filter, parse_roles, query};
use crate::views::{BulkResults, PortalUserView, Reinvited};

/// The filter and page of the members list (any other parameter is ignored).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberListParams {
    /// Members of this status only (every status when absent): a page may then be short,
    /// even empty, and still have a `next_cursor`.
    #[param(value_type = Option<String>, pattern = r"^\s*(invited|active|deactivated)?\s*$")]
    status: Option<String>,
    /// Page size, 1 to 100 (50 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The members of the caller's organization, oldest first.
#[utoipa::path(get, path = "/org/members",
    operation_id = "list_org_members", security(("portal" = [])),
    params(MemberListParams),
    responses(
        (status = 200, description = "One page of members", body = List<PortalUserView>),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 422, description = "`status`, `limit` or `cursor` is invalid \
            (`validation_failed`)"),
    ))]
pub async fn list(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    params: Result<Query<MemberListParams>, QueryRejection>,
) -> Result<Json<List<PortalUserView>>, Problem> {
    let (_, organization_id) = org_manager(&ports, &claims).await?;
    let params = query(params)?;
    let mut errors = FieldErrors::new();
    let parsed = parse_filter(
        &mut errors,
        params.status.as_deref(),
        params.limit.as_deref(),
        params.cursor,
    );
    let (status, page) = errors.finish(|| parsed).map_err(DomainError::from)?;
    let roles = organization(&ports, &organization_id).await?.roles;
    let page = portal_users(&ports, Some(&organization_id), status, &page).await?;
    let roles = HashMap::from([(organization_id, roles)]);
    Ok(Json(PortalUserView::list(page, &roles, ports.clock.now())))
}

/// People to invite into the caller's organization; anything else in the body (an
/// organization id, the administrator flag) is ignored.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AddBody {
    #[schema(value_type = Emails)]
    emails: Option<Emails>,
    /// Given to new members and added to those of existing members: roles of the
    /// organization only.
    #[schema(value_type = Option<Vec<Role>>, max_items = 50)]
    roles: Option<Vec<String>>,
    /// `false`: new members are added without an invitation, sent later (`true` when
    /// absent).
    send_invitations: Option<bool>,
}

/// Invites people into the caller's organization by email address.
///
/// One row per distinct address given. The address of a user outside the organization is
/// `invalid` ("cannot be added"), whatever the reason.
#[utoipa::path(post, path = "/org/members",
    operation_id = "add_org_members", security(("portal" = [])), request_body = AddBody,
    responses(
        (status = 200, description = "One row per distinct address, in the order given",
            body = BulkResults),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 422, description = "`emails` is missing, names no address or more than 500, \
            or a role is invalid or not one of the organization's (`validation_failed`)"),
    ))]
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
                contact_ids: Vec::new(),
                roles: roles?,
                org_admin: false,
                send_invitations: body.send_invitations.unwrap_or(true),
            })
        })
        .map_err(DomainError::from)?;
    let results = add_members(&ports, &manager, &organization_id, &bulk).await?;
    Ok(Json(BulkResults::new(&results)))
}

/// Emails an invited member a new link; every older one stops working.
#[utoipa::path(post, path = "/org/members/{id}/invitation",
    operation_id = "reinvite_org_member", security(("portal" = [])),
    params(PathId<PortalUser>),
    responses(
        (status = 202, description = "A new link is on its way", body = Reinvited),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 404, description = "No such member of the caller's organization \
            (`not_found`)"),
        (status = 409, description = "The member is not `invited` (`invalid_state`), or kept \
            changing while the link was made; try again (`conflict`)"),
    ))]
pub async fn reinvite(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    PathId(id): PathId<PortalUser>,
) -> Result<(StatusCode, Json<Reinvited>), Problem> {
    let (manager, _) = org_manager(&ports, &claims).await?;
    let invitation = new_link(&ports, &manager, &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&invitation).into())))
}

/// The administrator flag to set.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AdminBody {
    /// `true` promotes the member, `false` demotes them.
    #[schema(value_type = bool)]
    org_admin: Option<bool>,
}

/// The roles a member should hold of their own.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RolesBody {
    /// Roles of the organization only, at most 50; they replace the member's own.
    #[schema(value_type = Vec<Role>, max_items = 50)]
    roles: Option<Vec<String>>,
}

/// Sets a member's own roles, within the organization's.
#[utoipa::path(patch, path = "/org/members/{id}",
    operation_id = "change_org_member", security(("portal" = [])),
    params(PathId<PortalUser>), request_body = RolesBody,
    responses(
        (status = 200, description = "The member as changed", body = PortalUserView),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 404, description = "No such member of the caller's organization \
            (`not_found`)"),
        (status = 409, description = "The member kept changing; try again (`conflict`)"),
        (status = 422, description = "`roles` is missing, invalid, or names a role the \
            organization does not have (`validation_failed`)"),
    ))]
pub async fn change_roles(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    PathId(id): PathId<PortalUser>,
    ApiJson(body): ApiJson<RolesBody>,
) -> Result<Json<PortalUserView>, Problem> {
    let (manager, _) = org_manager(&ports, &claims).await?;
    let mut errors = FieldErrors::new();
    if body.roles.is_none() {
        errors.add("roles", "is required");
    }
    let roles = parse_roles(&mut errors, body.roles);
    let roles = errors.finish(|| roles).map_err(DomainError::from)?;
    let change = AccessChange {
        roles: Some(roles),
        ..AccessChange::default()
    };
    let detail = change_access(&ports, &manager, &id, &change).await?;
    Ok(Json(PortalUserView::of_detail(&detail, ports.clock.now())))
}

/// Promotes or demotes a member; the last active administrator cannot demote themselves.
#[utoipa::path(put, path = "/org/members/{id}/admin",
    operation_id = "set_org_admin", security(("portal" = [])),
    params(PathId<PortalUser>), request_body = AdminBody,
    responses(
        (status = 200, description = "The member as changed", body = PortalUserView),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 404, description = "No such member of the caller's organization \
            (`not_found`)"),
        (status = 409, description = "The caller would demote themselves as the last active \
            administrator (`invalid_state`), or the member kept changing; try again \
            (`conflict`)"),
        (status = 422, description = "`org_admin` is missing (`validation_failed`)"),
    ))]
pub async fn set_admin(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    PathId(id): PathId<PortalUser>,
    ApiJson(body): ApiJson<AdminBody>,
) -> Result<Json<PortalUserView>, Problem> {
    let (manager, _) = org_manager(&ports, &claims).await?;
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
    let detail = change_access(&ports, &manager, &id, &change).await?;
    Ok(Json(PortalUserView::of_detail(&detail, ports.clock.now())))
}
