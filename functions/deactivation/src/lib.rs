//! Who is cut off: staff and organization administrators deactivate a portal user (every
//! session and access token ends, a pending invitation is revoked, the person is told by
//! email) and reactivate them (active again, or invited with a new link when they never
//! set a password). `/staff` routes need `portal.users.manage`; `/org` routes a portal
//! access token of an administrator, who reaches their own organization's members only.

mod routes;

/// What this function reads at cold start: the same as the other function that serves
/// staff and organization administrators.
pub use portal_lambda::ManagerConfig as FunctionConfig;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, StaffVerifier};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    let (router, _) = operations().split_for_parts();
    router.with_state(DeactivationState {
        ports,
        staff,
        tokens,
    })
}

/// This function's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    operations().into_openapi()
}

/// Every route with its OpenAPI description: the router and the document from one list.
fn operations() -> OpenApiRouter<DeactivationState> {
    OpenApiRouter::default()
        .routes(routes!(routes::staff_deactivate))
        .routes(routes!(routes::staff_reactivate))
        .routes(routes!(routes::staff_unlock))
        .routes(routes!(routes::staff_reset_mfa))
        .routes(routes!(routes::org_deactivate))
        .routes(routes!(routes::org_reactivate))
}
