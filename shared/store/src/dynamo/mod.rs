//! The store port on one DynamoDB table (layout in `items`). Every port method is at most
//! one call: a consistent GetItem, one Query, one conditional write, or one
//! TransactWriteItems (finding a contact by email, or a user by invitation or username,
//! takes two reads: a guard or pointer, then the entity). Bulk methods take as few calls
//! as DynamoDB's limits allow: BatchGetItems of 100 keys (`batch`), and members written
//! many to a TransactWriteItems of 100 items (`bulk`).

mod accounts;
mod approval;
mod batch;
mod bulk;
mod contacts;
pub(crate) mod errors;
mod imports;
mod items;
mod login_guards;
mod membership;
mod oidc;
mod outbox;
mod queue;
mod registrations;
mod resets;
mod sessions;
mod staff_sessions;
mod users;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem, Update};
use portal_domain::StoreError;

use self::errors::{invalid_request, single_write_failed, unavailable};
use self::items::{Item, string};
use crate::table::{GSI1, GSI1_PK, GSI1_SK, PK};

type TransactError = SdkError<TransactWriteItemsError, HttpResponse>;

pub struct DynamoStore {
    client: Client,
    table_name: String,
}

impl DynamoStore {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table_name: table_name.into(),
        }
    }

    /// The client and table this store uses, for tools that look at the items themselves.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table_name(&self) -> &str {
        &self.table_name
    }

    async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item)
    }

    /// A write of an item that must not exist yet.
    fn put_new(&self, item: Item) -> Result<Put, StoreError> {
        Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(invalid_request)
    }

    /// A write of `item` whatever is there: for items that only ever point at the same
    /// thing again (an invitation pointer names its user and its token's hash).
    fn put_over(&self, item: Item) -> Result<Put, StoreError> {
        Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(item))
            .build()
            .map_err(invalid_request)
    }

    /// A condition, in a transaction, that the item at `key` exists.
    fn exists(&self, key: Item) -> Result<ConditionCheck, StoreError> {
        ConditionCheck::builder()
            .table_name(&self.table_name)
            .set_key(Some(key))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(invalid_request)
    }

    /// Up to `limit` items of one list (an index partition), in sort key order or, when
    /// `descending`, backwards; from just past `start`, the full key of an item listed.
    async fn query_list(
        &self,
        list: String,
        limit: u32,
        descending: bool,
        start: Option<Item>,
    ) -> Result<QueryOutput, StoreError> {
        self.query_list_from(list, "", limit, descending, start)
            .await
    }

    /// One page read of a list (see [`Self::query_list_from`]): its entries as `T`, and
    /// whether DynamoDB stopped early for a reason of its own (1 MB per call).
    async fn read_list<T>(
        &self,
        list: String,
        prefix: &str,
        limit: u32,
        descending: bool,
        start: Option<Item>,
        of: impl Fn(Item) -> Result<T, StoreError>,
    ) -> Result<(Vec<T>, bool), StoreError> {
        let output = self
            .query_list_from(list, prefix, limit, descending, start)
            .await?;
        let cut_short = output.last_evaluated_key.is_some();
        let read = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(of)
            .collect::<Result<Vec<T>, _>>()?;
        Ok((read, cut_short))
    }

    /// As [`Self::query_list`], only the entries whose position starts with `prefix`.
    async fn query_list_from(
        &self,
        list: String,
        prefix: &str,
        limit: u32,
        descending: bool,
        start: Option<Item>,
    ) -> Result<QueryOutput, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table_name)
            .index_name(GSI1)
            .expression_attribute_names("#list", GSI1_PK)
            .expression_attribute_values(":list", string(list));
        // DynamoDB refuses an empty string in a key condition.
        let query = if prefix.is_empty() {
            query.key_condition_expression("#list = :list")
        } else {
            query
                .key_condition_expression("#list = :list AND begins_with(#position, :prefix)")
                .expression_attribute_names("#position", GSI1_SK)
                .expression_attribute_values(":prefix", string(prefix))
        };
        query
            .scan_index_forward(!descending)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(unavailable)
    }

    /// A write of `item`, at `next_version`, over the stored version just before it: the
    /// optimistic lock of every versioned entity.
    fn put_next_version(&self, item: Item, next_version: u64) -> Result<Put, StoreError> {
        let expected = next_version
            .checked_sub(1)
            .ok_or(StoreError::ConditionFailed)?;
        Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(item))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", items::VERSION)
            .expression_attribute_values(":expected", items::number(expected))
            .build()
            .map_err(invalid_request)
    }

    /// Sends a write prepared as a transaction item on its own, which costs half as much.
    async fn put_alone(&self, put: Put) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(put.table_name)
            .set_item(Some(put.item))
            .set_condition_expression(put.condition_expression)
            .set_expression_attribute_names(put.expression_attribute_names)
            .set_expression_attribute_values(put.expression_attribute_values)
            .send()
            .await
            .map_err(single_write_failed)?;
        Ok(())
    }

    async fn update_alone(&self, update: Update) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(update.table_name)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_condition_expression(update.condition_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .send()
            .await
            .map_err(single_write_failed)?;
        Ok(())
    }

    /// All or nothing; on refusal, `errors::cancellation` tells which items failed.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), TransactError> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await?;
        Ok(())
    }
}

fn put(put: Put) -> TransactWriteItem {
    TransactWriteItem::builder().put(put).build()
}

fn update(update: Update) -> TransactWriteItem {
    TransactWriteItem::builder().update(update).build()
}

fn check(check: ConditionCheck) -> TransactWriteItem {
    TransactWriteItem::builder().condition_check(check).build()
}
