//! The registration Lambda: clients and config are built once per cold start, then
//! every invocation goes through the same router `portal-local` serves.

use std::sync::Arc;

use portal_domain::Ports;
use portal_domain::clock::SystemClock;
use portal_domain::random::OsRandomness;
use portal_email::{EmailConfig, SesMailer};
use portal_store::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let ports = Ports {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&aws),
            env("TABLE_NAME")?,
        )),
        mailer: Arc::new(SesMailer::new(
            aws_sdk_sesv2::Client::new(&aws),
            EmailConfig::from_env()?,
            std::env::var("SES_CONFIGURATION_SET").ok(),
        )),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
    };
    lambda_http::run(portal_http::app(portal_registration::router(ports))).await
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
}
