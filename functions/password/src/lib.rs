//! The invited person's side: the invitation landing (password setup), logins with
//! rotating refresh tokens, password resets, `/me`, and the JWKS of access tokens.

mod function_config;
mod routes;

pub use function_config::FunctionConfig;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use portal_domain::Ports;
use portal_http::{AccessTokenVerifier, AccessTokens, limit_per_client};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    let (public, _) = public_operations().split_for_parts();
    let (signed_in, _) = signed_in_operations().split_for_parts();
    signed_in
        .merge(public.route_layer(from_fn_with_state(ports.clone(), limit_per_client)))
        .with_state(PasswordState { ports, tokens })
}

/// This function's part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = public_operations().into_openapi();
    api.merge(signed_in_operations().into_openapi());
    api
}

/// The routes anyone may call (limited per client), with their OpenAPI descriptions.
fn public_operations() -> OpenApiRouter<PasswordState> {
    use routes::{invitations, passkeys, resets, sessions};
    OpenApiRouter::default()
        .routes(routes!(invitations::lookup))
        .routes(routes!(invitations::email))
        .routes(routes!(invitations::accept))
        .routes(routes!(sessions::log_in, sessions::log_out))
        .routes(routes!(sessions::refresh))
        .routes(routes!(sessions::second_factor))
        .routes(routes!(passkeys::sign_in_options))
        .routes(routes!(passkeys::log_in))
        .routes(routes!(resets::request))
        .routes(routes!(resets::complete))
}

/// The caller's account and the token keys.
fn signed_in_operations() -> OpenApiRouter<PasswordState> {
    use routes::{me, mfa, passkeys};
    OpenApiRouter::default()
        .routes(routes!(me::me))
        .routes(routes!(mfa::status))
        .routes(routes!(mfa::start_totp, mfa::remove_totp))
        .routes(routes!(mfa::confirm_totp))
        .routes(routes!(mfa::replace_recovery_codes))
        .routes(routes!(passkeys::creation_options))
        .routes(routes!(passkeys::add, passkeys::list))
        .routes(routes!(passkeys::remove))
        .routes(routes!(me::jwks))
}
