//! Reading many items by key: BatchGetItem, at most 100 keys a call (its limit), asking
//! again for the keys DynamoDB left unprocessed (it may, under load or past 16 MB).

use std::time::Duration;

use aws_sdk_dynamodb::types::KeysAndAttributes;
use portal_domain::StoreError;

use super::DynamoStore;
use super::errors::{invalid_request, unavailable};
use super::items::Item;

const KEYS_PER_CALL: usize = 100;

/// How often unprocessed keys are asked for again, backing off exponentially from
/// [`FIRST_BACKOFF`] as AWS advises, before the store counts as unavailable.
const RETRIES: u32 = 6;
const FIRST_BACKOFF: Duration = Duration::from_millis(25);

impl DynamoStore {
    /// The items at `keys` that exist, in any order, read with strong consistency like
    /// every single GetItem here. `keys` must be distinct: DynamoDB refuses repeats.
    pub(super) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(KEYS_PER_CALL) {
            let mut pending = chunk.to_vec();
            let mut retries = 0;
            loop {
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(true)
                    .build()
                    .map_err(invalid_request)?;
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table_name, request)
                    .send()
                    .await
                    .map_err(unavailable)?;
                found.extend(
                    output
                        .responses
                        .and_then(|mut responses| responses.remove(&self.table_name))
                        .unwrap_or_default(),
                );
                pending = output
                    .unprocessed_keys
                    .and_then(|mut unprocessed| unprocessed.remove(&self.table_name))
                    .map(|unprocessed| unprocessed.keys)
                    .unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
                if retries == RETRIES {
                    return Err(StoreError::Unavailable(format!(
                        "DynamoDB left {} keys unprocessed {RETRIES} times over",
                        pending.len()
                    )));
                }
                tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(retries)).await;
                retries += 1;
            }
        }
        Ok(found)
    }
}
