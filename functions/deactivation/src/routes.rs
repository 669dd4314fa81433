//! The routes: the same two transitions, for staff and for organization administrators,
//! and the staff unlock of a login lock.

use axum::Json;
use axum::extract::{Path, State};
use portal_domain::random::is_well_formed_id;
use portal_domain::use_cases::{Manager, deactivate, reactivate, unlock};
use portal_domain::user::{PortalUser, PortalUserStatus};
use portal_domain::{DomainError, Ports};
use portal_http::{PortalCaller, Problem, Staff};
use serde::Serialize;

/// What both transitions answer: the user and where they are now.
#[derive(Serialize)]
pub struct Transitioned {
    portal_user_id: String,
    status: PortalUserStatus,
}

impl From<&PortalUser> for Transitioned {
    fn from(user: &PortalUser) -> Self {
        Self {
            portal_user_id: user.id.clone(),
            status: user.status,
        }
    }
}

pub async fn staff_deactivate(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<Transitioned>, Problem> {
    let user = deactivate(&ports, &Manager::Staff(staff), known_shape(&id)?).await?;
    Ok(Json((&user).into()))
}

/// Ends a user's login lock early; answers the user as they are (unchanged status).
pub async fn staff_unlock(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<Transitioned>, Problem> {
    let user = unlock(&ports, &Manager::Staff(staff), known_shape(&id)?).await?;
    Ok(Json((&user).into()))
}

pub async fn staff_reactivate(
    Staff(staff): Staff,
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<Json<Transitioned>, Problem> {
    let user = reactivate(&ports, &Manager::Staff(staff), known_shape(&id)?).await?;
    Ok(Json((&user).into()))
}

pub async fn org_deactivate(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    Path(id): Path<String>,
) -> Result<Json<Transitioned>, Problem> {
    let manager = claims.org_admin(&ports).await?;
    let user = deactivate(&ports, &manager, known_shape(&id)?).await?;
    Ok(Json((&user).into()))
}

pub async fn org_reactivate(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    Path(id): Path<String>,
) -> Result<Json<Transitioned>, Problem> {
    let manager = claims.org_admin(&ports).await?;
    let user = reactivate(&ports, &manager, known_shape(&id)?).await?;
    Ok(Json((&user).into()))
}

/// Ids of another shape cannot exist: answered 404 without a store call.
fn known_shape(id: &str) -> Result<&str, Problem> {
    if is_well_formed_id(id) {
        Ok(id)
    } else {
        Err(DomainError::NotFound.into())
    }
}
