//! The invitation Lambda: ports, the staff token verifier and the access-token public key are
//! built once per cold start.

use std::sync::Arc;

use portal_http::{AccessTokenVerifier, StaffVerifier};
use portal_invitation::FunctionConfig;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let config = FunctionConfig::from_env().await?;
    let staff = Arc::new(StaffVerifier::new(config.staff)?);
    let tokens = Arc::new(AccessTokenVerifier::new(config.tokens));
    let router = portal_invitation::router(config.ports, staff, tokens);
    lambda_http::run(portal_http::app(router)).await
}
