//! Public self-registration: submit a request, verify the email code, resend the code.

mod routes;

use axum::Router;
use axum::routing::post;
use portal_domain::Ports;

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
pub fn router(ports: Ports) -> Router {
    Router::new()
        .route("/registrations", post(routes::submit::submit))
        .route("/registrations/{id}/verify", post(routes::verify::verify))
        .route(
            "/registrations/{id}/resend-code",
            post(routes::resend::resend_code),
        )
        .with_state(ports)
}
