use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use portal_domain::Ports;
use portal_domain::oidc::SUPPORTED_SCOPES;
use portal_http::{AccessTokenVerifier, Problem};
use serde_json::{Value, json};

use super::issuer;
use crate::OidcState;

/// OpenID Connect Discovery 1.0: what a client library reads to find everything else.
#[utoipa::path(get, path = "/.well-known/openid-configuration", operation_id = "openid_configuration",
    responses((status = 200, description = "The provider's metadata (OpenID Connect Discovery 1.0 §3)", body = Object)))]
pub async fn configuration(State(ports): State<Ports>) -> impl IntoResponse {
    let issuer = issuer(&ports);
    (
        [(CACHE_CONTROL, "public, max-age=300")],
        Json(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/oauth2/authorize"),
            "token_endpoint": format!("{issuer}/oauth2/token"),
            "userinfo_endpoint": format!("{issuer}/oauth2/userinfo"),
            "jwks_uri": format!("{issuer}/oauth2/jwks"),
            "revocation_endpoint": format!("{issuer}/oauth2/revoke"),
            "end_session_endpoint": format!("{issuer}/oauth2/logout"),
            "scopes_supported": SUPPORTED_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "prompt_values_supported": ["none", "login"],
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "sid",
                "email", "name", "given_name", "family_name", "locale",
                "org", "roles", "org_admin",
            ],
            "authorization_response_iss_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_parameter_supported": false,
        })),
    )
}

/// The keys of ID tokens (RS256) and of access tokens (EdDSA), for clients that check
/// either; `/.well-known/jwks.json` keeps giving the access tokens' key alone.
#[utoipa::path(get, path = "/oauth2/jwks", operation_id = "oidc_jwks",
    responses((status = 200, description = "A JSON Web Key Set (RFC 7517)", body = Object)))]
pub async fn jwks(
    State(state): State<OidcState>,
    State(access): State<Arc<AccessTokenVerifier>>,
) -> Result<impl IntoResponse, Problem> {
    let mut keys = state.keys().await?.jwks();
    let mut access_jwks = access.jwks();
    if let Value::Array(access_keys) = access_jwks["keys"].take() {
        keys.extend(access_keys);
    }
    Ok((
        [(CACHE_CONTROL, "public, max-age=300")],
        Json(json!({ "keys": keys })),
    ))
}
