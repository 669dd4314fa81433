//! The password Lambda: ports and the access-token key are built once per cold start.

use std::sync::Arc;

use portal_http::{AccessTokenConfig, AccessTokens};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let ports = portal_lambda::ports_from_env().await?;
    let tokens = Arc::new(AccessTokens::new(AccessTokenConfig::from_env()?));
    lambda_http::run(portal_http::app(portal_password::router(ports, tokens))).await
}
