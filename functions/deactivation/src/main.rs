//! The deactivation Lambda: ports, the staff token verifier and the access-token public key are
//! built once per cold start.

use std::sync::Arc;

use portal_http::{AccessTokenVerifier, AccessTokenVerifierConfig, StaffAuthConfig, StaffVerifier};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let ports = portal_lambda::ports_from_env().await?;
    let staff = Arc::new(StaffVerifier::new(StaffAuthConfig::from_env()?)?);
    let tokens = Arc::new(AccessTokenVerifier::new(
        AccessTokenVerifierConfig::from_env()?,
    ));
    let router = portal_deactivation::router(ports, staff, tokens);
    lambda_http::run(portal_http::app(router)).await
}
