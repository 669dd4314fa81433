//! Who gets in: staff create portal users from contacts, organizations and bulk
//! invitations, change a user's access and send new invitation links; organization
//! administrators (portal users with the flag) do the same for their own organization.
//! `/staff` routes need a staff token with `portal.users.manage` (the `Staff` extractor);
//! `/org` routes a portal access token of an administrator (checked against the store).

mod routes;
mod views;

/// What this function reads at cold start: the same as the other function that serves
/// staff and organization administrators.
pub use portal_lambda::ManagerConfig as FunctionConfig;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, StaffVerifier};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Clone)]
pub struct InvitationState {
    ports: Ports,
    staff: Arc<StaffVerifier>,
    tokens: Arc<AccessTokenVerifier>,
}

impl FromRef<InvitationState> for Ports {
    fn from_ref(state: &InvitationState) -> Self {
        state.ports.clone()
    }
}

impl FromRef<InvitationState> for Arc<StaffVerifier> {
    fn from_ref(state: &InvitationState) -> Self {
        state.staff.clone()
    }
}

impl FromRef<InvitationState> for Arc<AccessTokenVerifier> {
    fn from_ref(state: &InvitationState) -> Self {
        state.tokens.clone()
    }
}

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
pub fn router(ports: Ports, staff: Arc<StaffVerifier>, tokens: Arc<AccessTokenVerifier>) -> Router {
    let (router, _) = operations().split_for_parts();
    router.with_state(InvitationState {
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
fn operations() -> OpenApiRouter<InvitationState> {
    use routes::{access_info, imports, org_members, organizations, portal_users};
    // The upload takes a file of up to 5 MB, more than any JSON body may be.
    let upload = OpenApiRouter::default()
        .routes(routes!(imports::start))
        .layer(DefaultBodyLimit::max(imports::UPLOAD_LIMIT));
    OpenApiRouter::default()
        .merge(upload)
        .routes(routes!(imports::detail))
        .routes(routes!(imports::rows))
        .routes(routes!(portal_users::create, portal_users::list))
        .routes(routes!(portal_users::detail, portal_users::change))
        .routes(routes!(portal_users::reinvite))
        .routes(routes!(access_info::send))
        .routes(routes!(access_info::send_many))
        .routes(routes!(access_info::org_send_many))
        .routes(routes!(organizations::create, organizations::list))
        .routes(routes!(organizations::detail, organizations::change))
        .routes(routes!(organizations::add_members))
        .routes(routes!(org_members::list, org_members::add))
        .routes(routes!(org_members::reinvite))
        .routes(routes!(org_members::set_admin))
        .routes(routes!(org_members::change_roles))
}
