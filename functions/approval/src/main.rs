//! The approval Lambda: ports and the staff token verifier are built once per cold start.

use std::sync::Arc;

use portal_http::{StaffAuthConfig, StaffVerifier};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let ports = portal_lambda::ports_from_env().await?;
    let staff = Arc::new(StaffVerifier::new(StaffAuthConfig::from_env()?)?);
    lambda_http::run(portal_http::app(portal_approval::router(ports, staff))).await
}
