//! Who is cut off: staff and organization administrators deactivate a portal user (every
//! session and access token ends, a pending invitation is revoked, the person is told by
//! email) and reactivate them (active again, or invited with a new link when they never
//! set a password). `/staff` routes need `portal.users.manage`; `/org` routes a portal
//! access token of an administrator, who reaches their own organization's members only.

mod routes;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::post;
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, StaffVerifier};

#[derive(Clone)]
pub struct DeactivationState {
    ports: Ports,
    staff: Arc<StaffVerifier>,
    tokens: Arc<AccessTokenVerifier>,
}

impl FromRef<DeactivationState> for Ports {
    fn from_ref(state: &DeactivationState) -> Self {
        state.ports.clone()
    }
}

impl FromRef<DeactivationState> for Arc<StaffVerifier> {
    fn from_ref(state: &DeactivationState) -> Self {
        state.staff.clone()
    }
}

impl FromRef<DeactivationState> for Arc<AccessTokenVerifier> {
    fn from_ref(state: &DeactivationState) -> Self {
        state.tokens.clone()
    }
}

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
pub fn router(ports: Ports, staff: Arc<StaffVerifier>, tokens: Arc<AccessTokenVerifier>) -> Router {
    use routes::{
        org_deactivate, org_reactivate, staff_deactivate, staff_reactivate, staff_unlock,
    };
    Router::new()
        .route(
            "/staff/portal-users/{id}/deactivate",
            post(staff_deactivate),
        )
        .route(
            "/staff/portal-users/{id}/reactivate",
            post(staff_reactivate),
        )
        .route("/staff/portal-users/{id}/unlock", post(staff_unlock))
        .route("/org/members/{id}/deactivate", post(org_deactivate))
        .route("/org/members/{id}/reactivate", post(org_reactivate))
        .with_state(DeactivationState {
            ports,
            staff,
            tokens,
        })
}
