use async_trait::async_trait;
use aws_sdk_dynamodb::types::Update;
use portal_domain::StoreError;
use portal_domain::ports::OutboxStore;
use time::{Duration, OffsetDateTime};

use super::DynamoStore;
use super::errors::invalid_request;
use super::items::{SENT_AT, STATUS, epoch_seconds, outbox_key, outbox_status, string};
use crate::table::{EXPIRES_AT, GSI1_PK, GSI1_SK};
use crate::{OutboxStatus, sortable};

/// Delivered messages stay this long for support questions, then TTL removes them.
const SENT_RETENTION: Duration = Duration::days(30);

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn mark_email_sent(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        // Dropping the index keys takes the message off the mailer's list of pending mail.
        let update = Update::builder()
            .table_name(&self.table_name)
            .set_key(Some(outbox_key(id)))
            .update_expression(
                "SET #status = :sent, #sent_at = :at, #expires_at = :forget_at \
                 REMOVE #gsi1pk, #gsi1sk",
            )
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#sent_at", SENT_AT)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_names("#gsi1pk", GSI1_PK)
            .expression_attribute_names("#gsi1sk", GSI1_SK)
            .expression_attribute_values(":sent", string(OutboxStatus::Sent.as_str()))
            .expression_attribute_values(":pending", string(OutboxStatus::Pending.as_str()))
            .expression_attribute_values(":at", string(sortable::timestamp(at)))
            .expression_attribute_values(":forget_at", epoch_seconds(at + SENT_RETENTION))
            .build()
            .map_err(invalid_request)?;
        self.update_alone(update).await
    }
}

impl DynamoStore {
    /// Whether a message is still waiting for delivery; `None` if there is no such message.
    pub async fn outbox_status(&self, id: &str) -> Result<Option<OutboxStatus>, StoreError> {
        self.get(outbox_key(id))
            .await?
            .map(|message| outbox_status(&message))
            .transpose()
    }
}
