//! The OpenID provider the company's portal apps sign people in with: discovery and keys,
//! the authorization endpoint (our login page is its login page), the token endpoint,
//! userinfo, revocation and RP-initiated logout. Apps are registered by staff
//! (`/staff/oidc-clients`, in the approval function).

mod function_config;
mod id_tokens;
mod pages;
mod provider_cookie;
mod routes;

pub use function_config::FunctionConfig;
pub use id_tokens::{ID_TOKEN_LIFETIME, IdTokenClaims, KeySource, ProviderKeys};

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, AccessTokens, limit_per_client};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Clone)]
pub struct OidcState {
    ports: Ports,
    tokens: Arc<AccessTokens>,
    keys: Arc<KeySource>,
}

impl OidcState {
    /// The ID-token keys; a 500 (logged) when their secret cannot be read.
    async fn keys(&self) -> Result<&ProviderKeys, portal_http::Problem> {
        self.keys.get().await.map_err(|reason| {
            tracing::error!(%reason, "the ID-token keys cannot be read");
            portal_http::Problem::internal()
        })
    }
}

impl FromRef<OidcState> for Ports {
    fn from_ref(state: &OidcState) -> Self {
        state.ports.clone()
    }
}

impl FromRef<OidcState> for Arc<AccessTokenVerifier> {
    fn from_ref(state: &OidcState) -> Self {
        state.tokens.verifier().clone()
    }
}

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
/// All are public, so all are limited per client.
pub fn router(ports: Ports, tokens: Arc<AccessTokens>, keys: Arc<KeySource>) -> Router {
    let (routes, _) = operations().split_for_parts();
    routes
        .route_layer(from_fn_with_state(ports.clone(), limit_per_client))
        .with_state(OidcState {
            ports,
            tokens,
            keys,
        })
}

/// This function's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    operations().into_openapi()
}

fn operations() -> OpenApiRouter<OidcState> {
    use routes::{authorize, discovery, initiate, logout, token, userinfo};
    OpenApiRouter::default()
        .routes(routes!(discovery::configuration))
        .routes(routes!(discovery::jwks))
        .routes(routes!(authorize::authorize))
        .routes(routes!(authorize::sign_in))
        .routes(routes!(authorize::sign_in_second_factor))
        .routes(routes!(authorize::sign_in_with_passkey))
        .routes(routes!(initiate::initiate))
        .routes(routes!(token::token))
        .routes(routes!(token::revoke))
        .routes(routes!(userinfo::userinfo_get, userinfo::userinfo_post))
        .routes(routes!(logout::logout, logout::confirmed_logout))
}
