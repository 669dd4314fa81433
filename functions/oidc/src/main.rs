//! The OpenID provider's Lambda: ports, the access-token key and the ID-token keys (all
//! from Secrets Manager, fetched at once) are built once per cold start.

use std::sync::Arc;

use portal_http::AccessTokens;
use portal_oidc::FunctionConfig;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let config = FunctionConfig::from_env().await?;
    lambda_http::run(portal_http::app(portal_oidc::router(
        config.ports,
        Arc::new(AccessTokens::new(config.tokens)),
        Arc::new(config.keys),
    )))
    .await
}
