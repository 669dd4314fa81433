//! The mailer Lambda: ports and settings are built once per cold start.

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_http::init_tracing();
    let ports = portal_lambda::ports_from_env().await?;
    let config = portal_mailer::Config::from_env()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        portal_mailer::handle(&ports, &config, event)
    }))
    .await
}
