//! Public self-registration: submit a request, verify the email code, resend the code.

mod routes;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use portal_domain::Ports;
use portal_http::limit_per_client;

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
/// Every one is public, so every one is limited per client.
pub fn router(ports: Ports) -> Router {
    Router::new()
        .route("/registrations", post(routes::submit::submit))
        .route("/registrations/{id}/verify", post(routes::verify::verify))
        .route(
            "/registrations/{id}/resend-code",
            post(routes::resend::resend_code),
        )
        .route_layer(from_fn_with_state(ports.clone(), limit_per_client))
        .with_state(ports)
}
