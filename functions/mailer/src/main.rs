//! The mailer Lambda: ports and settings are built once per cold start.

use lambda_runtime::{LambdaEvent, service_fn};
use portal_mailer::FunctionConfig;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_http::init_tracing();
    let FunctionConfig { ports, mailer } = FunctionConfig::from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        portal_mailer::handle(&ports, &mailer, event)
    }))
    .await
}
