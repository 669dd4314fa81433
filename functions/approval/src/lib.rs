//! Staff: the review queue, contacts, linking a request to a contact, approval and rejection,
//! and the emails that could not be delivered.
//! Every route needs a staff token with `portal.users.manage` (the `Staff` extractor).

mod function_config;
mod routes;
mod views;

pub use function_config::FunctionConfig;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use portal_domain::Ports;
use portal_http::StaffVerifier;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    let (router, _) = operations().split_for_parts();
    router.with_state(ApprovalState { ports, staff })
}

/// This function's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    operations().into_openapi()
}

/// Every route with its OpenAPI description: the router and the document from one list.
fn operations() -> OpenApiRouter<ApprovalState> {
    use routes::{contacts, decisions, outbox, queue, sign_in};
    OpenApiRouter::default()
        .routes(routes!(queue::list))
        .routes(routes!(queue::detail))
        .routes(routes!(decisions::link_contact))
        .routes(routes!(decisions::approve))
        .routes(routes!(decisions::reject))
        .routes(routes!(contacts::create, contacts::find))
        .routes(routes!(contacts::detail, contacts::change))
        .routes(routes!(outbox::dead))
        .routes(routes!(outbox::requeue))
        .routes(routes!(outbox::requeue_all))
        .routes(routes!(sign_in::login))
        .routes(routes!(sign_in::callback))
        .routes(routes!(sign_in::logout))
        .routes(routes!(sign_in::session))
}
