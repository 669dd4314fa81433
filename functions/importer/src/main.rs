//! The importer Lambda: ports are built once per cold start.

use lambda_runtime::{LambdaEvent, service_fn};
use portal_importer::FunctionConfig;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    portal_http::init_tracing();
    let FunctionConfig { ports } = FunctionConfig::from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        portal_importer::handle(&ports, event)
    }))
    .await
}
