//! The approval Lambda: ports and the staff token verifier are built once per cold start.

use std::sync::Arc;

use portal_approval::FunctionConfig;
use portal_http::StaffVerifier;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let config = FunctionConfig::from_env().await?;
    let staff = Arc::new(StaffVerifier::new(config.staff)?);
    lambda_http::run(portal_http::app(portal_approval::router(
        config.ports,
        staff,
    )))
    .await
}
