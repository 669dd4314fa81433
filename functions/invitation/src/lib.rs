//! Who gets in: staff create portal users from contacts, organizations and bulk
//! invitations, change a user's access and send new invitation links; organization
//! administrators (portal users with the flag) do the same for their own organization.
//! `/staff` routes need a staff token with `portal.users.manage` (the `Staff` extractor);
//! `/org` routes a portal access token of an administrator (checked against the store).

mod routes;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post, put};
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, StaffVerifier};

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
    use routes::{org_members, organizations, portal_users};
    Router::new()
        .route(
            "/staff/portal-users",
            post(portal_users::create).get(portal_users::list),
        )
        .route(
            "/staff/portal-users/{id}",
            get(portal_users::detail).patch(portal_users::change),
        )
        .route(
            "/staff/portal-users/{id}/invitation",
            post(portal_users::reinvite),
        )
        .route("/staff/organizations", post(organizations::create))
        .route("/staff/organizations/{id}", get(organizations::detail))
        .route(
            "/staff/organizations/{id}/members",
            post(organizations::add_members),
        )
        .route(
            "/org/members",
            get(org_members::list).post(org_members::add),
        )
        .route("/org/members/{id}/invitation", post(org_members::reinvite))
        .route("/org/members/{id}/admin", put(org_members::set_admin))
        .with_state(InvitationState {
            ports,
            staff,
            tokens,
        })
}
