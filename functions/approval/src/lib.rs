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
use axum::middleware::from_fn_with_state;
use portal_domain::Ports;
use portal_http::{StaffVerifier, limit_per_client};
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
/// The sign-in's routes anyone may call, so they are limited per client (each writes, and
/// the callback calls the provider).
pub fn router(ports: Ports, staff: Arc<StaffVerifier>) -> Router {
    let (staff_routes, _) = operations().split_for_parts();
    let (sign_in, _) = sign_in_operations().split_for_parts();
    staff_routes
        .merge(sign_in.route_layer(from_fn_with_state(ports.clone(), limit_per_client)))
        .with_state(ApprovalState { ports, staff })
}

/// This function's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = operations().into_openapi();
    api.merge(sign_in_operations().into_openapi());
    api
}

/// Staff sign-in through the company's identity provider.
fn sign_in_operations() -> OpenApiRouter<ApprovalState> {
    use routes::sign_in;
    OpenApiRouter::default()
        .routes(routes!(sign_in::login))
        .routes(routes!(sign_in::callback))
        .routes(routes!(sign_in::logout))
        .routes(routes!(sign_in::session))
}

/// Every staff route with its OpenAPI description: the router and the document from one
/// list.
fn operations() -> OpenApiRouter<ApprovalState> {
    use routes::{contacts, decisions, oidc_clients, outbox, queue};
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
        .routes(routes!(oidc_clients::register, oidc_clients::list))
        .routes(routes!(
            oidc_clients::detail,
            oidc_clients::change,
            oidc_clients::remove
        ))
}
