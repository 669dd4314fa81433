//! The routes: the same two transitions, for staff and for organization administrators,
//! and the staff unlock of a login lock and reset of a user's second factors.

use axum::Json;
use axum::extract::State;
use portal_domain::Ports;
use portal_domain::ids::PortalUser as PortalUserKind;
use portal_domain::ids::PortalUserId;
use portal_domain::use_cases::{Manager, deactivate, reactivate, reset_second_factors, unlock};
use portal_domain::user::{PortalUser, PortalUserStatus};
use portal_http::{PathId, PortalCaller, Problem, Staff};
use serde::Serialize;

/// What both transitions answer: the user and where they are now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Transitioned {
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    status: PortalUserStatus,
}

impl From<&PortalUser> for Transitioned {
    fn from(user: &PortalUser) -> Self {
        Self {
            portal_user_id: user.id().clone(),
            status: user.status(),
        }
    }
}

/// Deactivates a portal user.
///
/// Every session and access token of theirs ends, a pending invitation is revoked, and
/// they are told by email.
#[utoipa::path(post, path = "/staff/portal-users/{id}/deactivate",
    operation_id = "deactivate_portal_user", security(("staff" = [])),
    params(PathId<PortalUserKind>),
    responses(
        (status = 200, description = "Deactivated", body = Transitioned),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user is deactivated already (`invalid_state`), or \
            kept changing; try again (`conflict`)"),
    ))]
pub async fn staff_deactivate(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUserKind>,
) -> Result<Json<Transitioned>, Problem> {
    let user = deactivate(&ports, &Manager::Staff(staff), &id).await?;
    Ok(Json((&user).into()))
}

/// Ends a user's login lock early.
///
/// Answers the user as they are: the status does not change.
#[utoipa::path(post, path = "/staff/portal-users/{id}/unlock",
    operation_id = "unlock_portal_user", security(("staff" = [])),
    params(PathId<PortalUserKind>),
    responses(
        (status = 200, description = "Unlocked (whether or not a lock was on)",
            body = Transitioned),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user kept changing; try again (`conflict`)"),
    ))]
pub async fn staff_unlock(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUserKind>,
) -> Result<Json<Transitioned>, Problem> {
    let user = unlock(&ports, &Manager::Staff(staff), &id).await?;
    Ok(Json((&user).into()))
}

/// Removes every second factor of a user (a lost phone).
///
/// Their next sign-in needs the password alone, or sets a factor up again where their
/// organization requires one. Audited; the user is emailed.
#[utoipa::path(post, path = "/staff/portal-users/{id}/mfa/reset",
    operation_id = "reset_portal_user_mfa", security(("staff" = [])),
    params(PathId<PortalUserKind>),
    responses(
        (status = 200, description = "Every second factor removed", body = Transitioned),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user has no second factor (`invalid_state`), or \
            kept changing; try again (`conflict`)"),
    ))]
pub async fn staff_reset_mfa(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUserKind>,
) -> Result<Json<Transitioned>, Problem> {
    let user = reset_second_factors(&ports, &Manager::Staff(staff), &id).await?;
    Ok(Json((&user).into()))
}

/// Reactivates a deactivated user.
///
/// They are `active` again, or `invited` with a new link when they never set a password.
#[utoipa::path(post, path = "/staff/portal-users/{id}/reactivate",
    operation_id = "reactivate_portal_user", security(("staff" = [])),
    params(PathId<PortalUserKind>),
    responses(
        (status = 200, description = "Reactivated", body = Transitioned),
        (status = 404, description = "No such user (`not_found`)"),
        (status = 409, description = "The user is not deactivated (`invalid_state`), or kept \
            changing; try again (`conflict`)"),
    ))]
pub async fn staff_reactivate(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    PathId(id): PathId<PortalUserKind>,
) -> Result<Json<Transitioned>, Problem> {
    let user = reactivate(&ports, &Manager::Staff(staff), &id).await?;
    Ok(Json((&user).into()))
}

/// Deactivates a member of the caller's organization.
///
/// As staff do; the last active administrator cannot deactivate themselves.
#[utoipa::path(post, path = "/org/members/{id}/deactivate",
    operation_id = "deactivate_org_member", security(("portal" = [])),
    params(PathId<PortalUserKind>),
    responses(
        (status = 200, description = "Deactivated", body = Transitioned),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 404, description = "No such member of the caller's organization \
            (`not_found`)"),
        (status = 409, description = "The member is deactivated already, or is the caller \
            and the organization's last active administrator (`invalid_state`), or kept \
            changing; try again (`conflict`)"),
    ))]
pub async fn org_deactivate(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    PathId(id): PathId<PortalUserKind>,
) -> Result<Json<Transitioned>, Problem> {
    let manager = claims.org_admin(&ports).await?;
    let user = deactivate(&ports, &manager, &id).await?;
    Ok(Json((&user).into()))
}

/// Reactivates a deactivated member of the caller's organization, as staff do.
#[utoipa::path(post, path = "/org/members/{id}/reactivate",
    operation_id = "reactivate_org_member", security(("portal" = [])),
    params(PathId<PortalUserKind>),
    responses(
        (status = 200, description = "Reactivated", body = Transitioned),
        (status = 403, description = "The caller is not an administrator of their \
            organization (`forbidden`)"),
        (status = 404, description = "No such member of the caller's organization \
            (`not_found`)"),
        (status = 409, description = "The member is not deactivated (`invalid_state`), or \
            kept changing; try again (`conflict`)"),
    ))]
pub async fn org_reactivate(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    PathId(id): PathId<PortalUserKind>,
) -> Result<Json<Transitioned>, Problem> {
    let manager = claims.org_admin(&ports).await?;
    let user = reactivate(&ports, &manager, &id).await?;
    Ok(Json((&user).into()))
}
