//! Staff: the review queue, contacts, linking a request to a contact, approval and rejection,
//! and the emails that could not be delivered.
//! Every route needs a staff token with `portal.users.manage` (the `Staff` extractor).

mod routes;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use portal_domain::Ports;
use portal_http::StaffVerifier;

#[derive(Clone)]
pub struct ApprovalState {
    ports: Ports,
    staff: Arc<StaffVerifier>,
}

impl FromRef<ApprovalState> for Ports {
    fn from_ref(state: &ApprovalState) -> Self {
        state.ports.clone()
    }
}

impl FromRef<ApprovalState> for Arc<StaffVerifier> {
    fn from_ref(state: &ApprovalState) -> Self {
        state.staff.clone()
    }
}

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
pub fn router(ports: Ports, staff: Arc<StaffVerifier>) -> Router {
    use routes::{contacts, decisions, outbox, queue};
    Router::new()
        .route("/staff/registrations", get(queue::list))
        .route("/staff/registrations/{id}", get(queue::detail))
        .route(
            "/staff/registrations/{id}/link-contact",
            post(decisions::link_contact),
        )
        .route(
            "/staff/registrations/{id}/approve",
            post(decisions::approve),
        )
        .route("/staff/registrations/{id}/reject", post(decisions::reject))
        .route(
            "/staff/contacts",
            post(contacts::create).get(contacts::find),
        )
        .route("/staff/contacts/{id}", get(contacts::detail))
        .route("/staff/outbox/dead", get(outbox::dead))
        .with_state(ApprovalState { ports, staff })
}
