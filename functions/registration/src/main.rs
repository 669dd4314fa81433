//! The registration Lambda: ports are built once per cold start, then every invocation
//! goes through the same router `portal-local` serves.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let ports = portal_lambda::ports_from_env().await?;
    lambda_http::run(portal_http::app(portal_registration::router(ports))).await
}
