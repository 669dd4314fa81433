//! The invited person's side: the invitation landing (password setup), logins with
//! rotating refresh tokens, password resets, `/me`, and the JWKS of access tokens.

mod client;
mod routes;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, AccessTokens, limit_per_client};

#[derive(Clone)]
pub struct PasswordState {
    ports: Ports,
    tokens: Arc<AccessTokens>,
}

impl FromRef<PasswordState> for Ports {
    fn from_ref(state: &PasswordState) -> Self {
        state.ports.clone()
    }
}

impl FromRef<PasswordState> for Arc<AccessTokens> {
    fn from_ref(state: &PasswordState) -> Self {
        state.tokens.clone()
    }
}

impl FromRef<PasswordState> for Arc<AccessTokenVerifier> {
    fn from_ref(state: &PasswordState) -> Self {
        state.tokens.verifier().clone()
    }
}

/// The routes of this function, without the shared layers (`portal_http::app` adds them).
/// Public routes (invitations, sessions, resets) are limited per client.
pub fn router(ports: Ports, tokens: Arc<AccessTokens>) -> Router {
    use routes::{invitations, me, resets, sessions};
    let public = Router::new()
        .route("/invitations/lookup", post(invitations::lookup))
        .route("/invitations/accept", post(invitations::accept))
        .route(
            "/sessions",
            post(sessions::log_in).delete(sessions::log_out),
        )
        .route("/sessions/refresh", post(sessions::refresh))
        .route("/password-resets", post(resets::request))
        .route("/password-resets/complete", post(resets::complete))
        .route_layer(from_fn_with_state(ports.clone(), limit_per_client));
    Router::new()
        .route("/me", get(me::me))
        .route("/.well-known/jwks.json", get(me::jwks))
        .merge(public)
        .with_state(PasswordState { ports, tokens })
}
