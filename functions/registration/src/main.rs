//! The registration Lambda: ports are built once per cold start, then every invocation
//! goes through the same router `portal-local` serves.

use portal_registration::FunctionConfig;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let config = FunctionConfig::from_env().await?;
    lambda_http::run(portal_http::app(portal_registration::router(config.ports))).await
}
