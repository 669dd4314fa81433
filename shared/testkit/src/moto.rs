//! The AWS emulator (moto) that `./scripts/test` and `./scripts/bench` start: its
//! endpoints, fresh tables, scans, and the emails its SES accepted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use portal_store::DynamoStore;
use serde_json::Value;

/// Moto's address, as exported by `./scripts/test`.
pub fn dynamodb_endpoint() -> String {
    std::env::var("PORTAL_TEST_DYNAMODB_ENDPOINT")
        .expect("PORTAL_TEST_DYNAMODB_ENDPOINT is not set: run ./scripts/test (it starts moto)")
}

/// The SES endpoint of the emulator `./scripts/test` started.
pub fn ses_endpoint() -> String {
    std::env::var("PORTAL_TEST_SES_ENDPOINT")
        .expect("PORTAL_TEST_SES_ENDPOINT is not set: run ./scripts/test (it starts moto)")
}

/// Unique enough for names on a shared emulator: the process and the clock's nanoseconds.
pub fn random_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    format!("{}-{nanos}", std::process::id())
}

/// A new table on moto named `<prefix>-<suffix>`: the client and the table's name.
pub async fn fresh_table(endpoint: &str, prefix: &str) -> (aws_sdk_dynamodb::Client, String) {
    let client = portal_store::connect_dynamodb(Some(endpoint)).await;
    let table = format!("{prefix}-{}", random_suffix());
    portal_store::table::create_table_if_missing(&client, &table)
        .await
        .expect("create a table on moto");
    (client, table)
}

/// The store on a new table on moto.
pub async fn fresh_store(prefix: &str) -> Arc<DynamoStore> {
    let (client, table) = fresh_table(&dynamodb_endpoint(), prefix).await;
    Arc::new(DynamoStore::new(client, table))
}

/// Every item of `table` (a Scan, which only tests do).
pub async fn scan(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Vec<HashMap<String, AttributeValue>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan the table");
        items.extend(page.items().iter().cloned());
        start = page.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

/// An SES v2 client of moto at `endpoint`.
pub fn ses_client(endpoint: &str) -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "portal-tests"))
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

/// Every email moto's SES accepted, oldest first, from its state dump (it grows with the
/// whole run: read it once per check).
pub async fn ses_messages() -> Vec<Value> {
    let state: Value = reqwest::get(format!("{}/moto-api/data.json", ses_endpoint()))
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("moto's state")
        .json()
        .await
        .expect("moto's state is JSON");
    state["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The first recipient of every email moto's SES accepted.
pub async fn ses_recipients() -> Vec<String> {
    ses_messages()
        .await
        .iter()
        .filter_map(|message| message["destinations"]["ToAddresses"][0].as_str())
        .map(str::to_owned)
        .collect()
}

/// The bodies of the emails moto's SES accepted for `to`, oldest first, waiting up to
/// five seconds for at least `count` of them.
pub async fn ses_bodies_to(to: &str, count: usize) -> Vec<String> {
    for _ in 0..50 {
        let bodies: Vec<String> = ses_messages()
            .await
            .iter()
            .filter(|message| message["destinations"]["ToAddresses"][0] == to)
            .filter_map(|message| message["body"].as_str().map(str::to_owned))
            .collect();
        if bodies.len() >= count {
            return bodies;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto's SES did not get {count} emails to {to}")
}
