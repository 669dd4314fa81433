use aws_config::BehaviorVersion;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};

/// Any region works against an emulator; one must be set for the SDK to sign requests.
const EMULATOR_REGION: &str = "us-east-1";

/// A DynamoDB client from the usual AWS configuration (environment, profile, Lambda role).
/// With `endpoint` (an emulator such as moto), missing region and credentials get dummy
/// values, so a local run needs no AWS setup at all.
pub async fn connect_dynamodb(endpoint: Option<&str>) -> Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(endpoint) = endpoint {
        loader = loader
            .endpoint_url(endpoint)
            // Environment only: the default chain would also ask EC2's metadata service,
            // which a laptop does not have (a slow timeout and a warning per start).
            .region(
                RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
                    .or_else(Region::new(EMULATOR_REGION)),
            );
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            loader = loader.credentials_provider(Credentials::new(
                "test",
                "test",
                None,
                None,
                "portal-emulator",
            ));
        }
    }
    Client::new(&loader.load().await)
}
