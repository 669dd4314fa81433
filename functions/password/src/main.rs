//! The password Lambda: ports and the access-token key (both keys from Secrets Manager)
//! are built once per cold start.

use std::sync::Arc;

use portal_http::AccessTokens;
use portal_password::FunctionConfig;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let config = FunctionConfig::from_env().await?;
    let tokens = Arc::new(AccessTokens::new(config.tokens));
    lambda_http::run(portal_http::app(portal_password::router(
        config.ports,
        tokens,
    )))
    .await
}
