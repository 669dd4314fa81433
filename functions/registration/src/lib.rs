//! Public self-registration: submit a request, verify the email code, resend the code.

mod function_config;
mod routes;

pub use function_config::FunctionConfig;

use axum::Router;
use axum::middleware::from_fn_with_state;
use portal_domain::Ports;
use portal_http::limit_per_client;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
/// Every one is public, so every one is limited per client.
pub fn router(ports: Ports) -> Router {
    let (router, _) = operations().split_for_parts();
    router
        .route_layer(from_fn_with_state(ports.clone(), limit_per_client))
        .with_state(ports)
}

/// This function's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    operations().into_openapi()
}

/// Every route with its OpenAPI description: the router and the document from one list.
fn operations() -> OpenApiRouter<Ports> {
    use routes::{resend, submit, verify};
    OpenApiRouter::default()
        .routes(routes!(submit::submit))
        .routes(routes!(verify::verify))
        .routes(routes!(resend::resend_code))
}
