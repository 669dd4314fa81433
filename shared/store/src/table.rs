//! The single DynamoDB table, defined once: local bootstrap creates it from [`TABLE`], and a
//! test checks that `template.yaml` declares the same keys, index and TTL.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
    TimeToLiveStatus,
};
use portal_domain::StoreError;

use crate::dynamo::errors::{invalid_request, unavailable};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
/// Epoch seconds after which DynamoDB may delete the item (late: readers check expiry themselves).
pub const EXPIRES_AT: &str = "expires_at";

/// A partition key and a sort key; every key attribute of this table is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySchema {
    pub partition_key: &'static str,
    pub sort_key: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDefinition {
    pub name: &'static str,
    pub key: KeySchema,
    /// A DynamoDB `ProjectionType`.
    pub projection: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDefinition {
    /// A DynamoDB `BillingMode`.
    pub billing_mode: &'static str,
    pub key: KeySchema,
    pub indexes: &'static [IndexDefinition],
    pub ttl_attribute: &'static str,
}

/// The DynamoDB `ScalarAttributeType` of every key attribute.
pub const KEY_ATTRIBUTE_TYPE: &str = "S";

pub const TABLE: TableDefinition = TableDefinition {
    billing_mode: "PAY_PER_REQUEST",
    key: KeySchema {
        partition_key: PK,
        sort_key: SK,
    },
    indexes: &[IndexDefinition {
        name: GSI1,
        key: KeySchema {
            partition_key: GSI1_PK,
            sort_key: GSI1_SK,
        },
        projection: "ALL",
    }],
    ttl_attribute: EXPIRES_AT,
};

impl TableDefinition {
    /// Every attribute used in a key (of the table or an index), sorted, each with its type:
    /// exactly what `AttributeDefinitions` must list.
    pub fn attribute_definitions(&self) -> Vec<(&'static str, &'static str)> {
        let mut names: Vec<&'static str> = std::iter::once(self.key)
            .chain(self.indexes.iter().map(|index| index.key))
            .flat_map(|key| [key.partition_key, key.sort_key])
            .collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .map(|name| (name, KEY_ATTRIBUTE_TYPE))
            .collect()
    }
}

/// How long local bootstrap waits for a new table to become usable.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);
const ACTIVE_POLL: Duration = Duration::from_millis(250);

/// Creates the table (on-demand, with its index and TTL) unless it exists, and returns once
/// it is ACTIVE. For local runs and tests; in AWS the SAM template owns the table.
pub async fn create_table_if_missing(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let created = client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::from(TABLE.billing_mode))
        .set_attribute_definitions(Some(attribute_definitions()?))
        .set_key_schema(Some(key_schema(TABLE.key)?))
        .set_global_secondary_indexes(Some(global_secondary_indexes()?))
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(error) => return Err(unavailable(error)),
    }
    wait_until_active(client, table_name).await?;
    enable_ttl(client, table_name).await
}

fn attribute_definitions() -> Result<Vec<AttributeDefinition>, StoreError> {
    TABLE
        .attribute_definitions()
        .into_iter()
        .map(|(name, kind)| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::from(kind))
                .build()
                .map_err(invalid_request)
        })
        .collect()
}

fn key_schema(key: KeySchema) -> Result<Vec<KeySchemaElement>, StoreError> {
    [
        (key.partition_key, KeyType::Hash),
        (key.sort_key, KeyType::Range),
    ]
    .into_iter()
    .map(|(name, kind)| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(invalid_request)
    })
    .collect()
}

fn global_secondary_indexes() -> Result<Vec<GlobalSecondaryIndex>, StoreError> {
    TABLE
        .indexes
        .iter()
        .map(|index| {
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .set_key_schema(Some(key_schema(index.key)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection))
                        .build(),
                )
                .build()
                .map_err(invalid_request)
        })
        .collect()
}

async fn wait_until_active(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let deadline = tokio::time::Instant::now() + ACTIVE_TIMEOUT;
    loop {
        let described = client
            .describe_table()
            .table_name(table_name)
            .send()
            .await
            .map_err(unavailable)?;
        let active = described.table().is_some_and(|table| {
            table.table_status() == Some(&TableStatus::Active)
                && table.global_secondary_indexes().iter().all(|index| {
                    // Emulators may leave the index status out; absent means usable there.
                    index
                        .index_status()
                        .is_none_or(|status| *status == IndexStatus::Active)
                })
        });
        if active {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(StoreError::Unavailable(format!(
                "table {table_name} is not ACTIVE after {ACTIVE_TIMEOUT:?}"
            )));
        }
        tokio::time::sleep(ACTIVE_POLL).await;
    }
}

/// Enabling TTL twice is an error in DynamoDB, so look first: the table may be older than this run.
async fn enable_ttl(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let described = client
        .describe_time_to_live()
        .table_name(table_name)
        .send()
        .await
        .map_err(unavailable)?;
    let status = described
        .time_to_live_description()
        .and_then(|ttl| ttl.time_to_live_status());
    if matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .attribute_name(TABLE.ttl_attribute)
        .enabled(true)
        .build()
        .map_err(invalid_request)?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(unavailable)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_definitions_list_every_key_attribute_once() {
        assert_eq!(
            TABLE.attribute_definitions(),
            vec![("gsi1pk", "S"), ("gsi1sk", "S"), ("pk", "S"), ("sk", "S")]
        );
    }

    #[test]
    fn the_definition_builds_valid_sdk_requests() {
        assert_eq!(attribute_definitions().unwrap().len(), 4);
        assert_eq!(key_schema(TABLE.key).unwrap().len(), 2);
        assert_eq!(global_secondary_indexes().unwrap().len(), 1);
    }
}
