//! Delivery state of outbox messages on DynamoDB: every step is one conditional
//! UpdateItem on the message, so two deliverers never both hold it.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use portal_domain::StoreError;
use portal_domain::audit::AuditEvent;
use portal_domain::outbox::{ClaimedEmail, DeadEmail, DeliveryClaim, DeliveryFailure};
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::OutboxStore;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::DynamoStore;
use super::errors::{malformed_item, single_write_failed, unavailable};
use super::items::{
    ATTEMPTS, CLAIM_OWNER, CLAIM_UNTIL, DIED_AT, Item, LAST_ERROR, NEXT_TRY_AT, PENDING_LIST,
    REQUEUES, SENT_AT, STATUS, data, data_of, epoch_seconds, number, outbox_key, outbox_status,
    string, string_attribute,
};
use crate::table::{EXPIRES_AT, GSI1, GSI1_PK, GSI1_SK, PK};
use crate::{OutboxStatus, dead_letters, sortable};

/// Delivered messages stay this long for support questions, then TTL removes them.
const SENT_RETENTION: Duration = Duration::days(30);

/// Pending, due, and held by nobody (or by a claim that has lapsed).
const CLAIMABLE: &str = "#status = :pending AND #next_try_at <= :now \
     AND (attribute_not_exists(#claim_until) OR #claim_until <= :now)";

/// Pending and held by `:owner`.
const HELD: &str = "#status = :pending AND #claim_owner = :owner";

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn due_emails(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let mut due = Vec::new();
        let mut start = None;
        // A filter applies after each page is read, so keep reading until enough are due.
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table_name)
                .index_name(GSI1)
                .key_condition_expression("#list = :list")
                .filter_expression(
                    "#next_try_at <= :now \
                     AND (attribute_not_exists(#claim_until) OR #claim_until <= :now)",
                )
                .projection_expression("#pk")
                .expression_attribute_names("#list", GSI1_PK)
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#next_try_at", NEXT_TRY_AT)
                .expression_attribute_names("#claim_until", CLAIM_UNTIL)
                .expression_attribute_values(":list", string(PENDING_LIST))
                .expression_attribute_values(":now", string(sortable::timestamp(now)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            for item in output.items.unwrap_or_default() {
                let pk = string_attribute(&item, PK)?;
                let id = pk
                    .strip_prefix("OUTBOX#")
                    .ok_or_else(|| malformed_item(format!("`{pk}` listed as pending mail")))?;
                due.push(id.to_owned());
                if due.len() == limit {
                    return Ok(due);
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(due);
            }
        }
    }

    async fn claim_email(
        &self,
        id: &str,
        claim: &DeliveryClaim,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedEmail>, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(outbox_key(id)))
            .update_expression(
                "SET #claim_owner = :owner, #claim_until = :until ADD #attempts :one",
            )
            .condition_expression(CLAIMABLE)
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#next_try_at", NEXT_TRY_AT)
            .expression_attribute_names("#claim_owner", CLAIM_OWNER)
            .expression_attribute_names("#claim_until", CLAIM_UNTIL)
            .expression_attribute_names("#attempts", ATTEMPTS)
            .expression_attribute_values(":pending", string(OutboxStatus::Pending.as_str()))
            .expression_attribute_values(":now", string(sortable::timestamp(now)))
            .expression_attribute_values(":owner", string(&claim.owner))
            .expression_attribute_values(":until", string(sortable::timestamp(claim.until)))
            .expression_attribute_values(":one", number(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(single_write_failed);
        match output {
            Ok(output) => {
                let item = output
                    .attributes
                    .ok_or_else(|| malformed_item("a claimed message came back empty"))?;
                let attempts = attempts(&item)?;
                Ok(Some(ClaimedEmail {
                    message: data_of(item)?,
                    attempts,
                }))
            }
            // Unknown, sent, dead, not due or held: not this deliverer's to send.
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn mark_email_sent(
        &self,
        id: &str,
        owner: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // Dropping the index keys takes the message off the mailer's list of pending mail.
        self.client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(outbox_key(id)))
            .update_expression(
                "SET #status = :sent, #sent_at = :at, #expires_at = :forget_at \
                 REMOVE #gsi1pk, #gsi1sk, #claim_owner, #claim_until",
            )
            .condition_expression(HELD)
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#sent_at", SENT_AT)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_names("#gsi1pk", GSI1_PK)
            .expression_attribute_names("#gsi1sk", GSI1_SK)
            .expression_attribute_names("#claim_owner", CLAIM_OWNER)
            .expression_attribute_names("#claim_until", CLAIM_UNTIL)
            .expression_attribute_values(":sent", string(OutboxStatus::Sent.as_str()))
            .expression_attribute_values(":pending", string(OutboxStatus::Pending.as_str()))
            .expression_attribute_values(":owner", string(owner))
            .expression_attribute_values(":at", string(sortable::timestamp(at)))
            .expression_attribute_values(":forget_at", epoch_seconds(at + SENT_RETENTION))
            .send()
            .await
            .map_err(single_write_failed)?;
        Ok(())
    }

    async fn release_email(
        &self,
        id: &str,
        owner: &str,
        failure: &DeliveryFailure,
    ) -> Result<(), StoreError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(outbox_key(id)))
            .condition_expression(HELD)
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#claim_owner", CLAIM_OWNER)
            .expression_attribute_names("#claim_until", CLAIM_UNTIL)
            .expression_attribute_names("#last_error", LAST_ERROR)
            .expression_attribute_values(":pending", string(OutboxStatus::Pending.as_str()))
            .expression_attribute_values(":owner", string(owner));
        let request = match failure {
            DeliveryFailure::RetryAt { at, error } => request
                .update_expression(
                    "SET #next_try_at = :at, #last_error = :error \
                     REMOVE #claim_owner, #claim_until",
                )
                .expression_attribute_names("#next_try_at", NEXT_TRY_AT)
                .expression_attribute_values(":at", string(sortable::timestamp(*at)))
                .expression_attribute_values(":error", string(error)),
            // Moving it to the dead list takes it off the pending one in the same write.
            DeliveryFailure::Dead { at, error } => request
                .update_expression(
                    "SET #status = :dead, #gsi1pk = :dead_list, #died_at = :at, \
                     #last_error = :error REMOVE #claim_owner, #claim_until",
                )
                .expression_attribute_names("#gsi1pk", GSI1_PK)
                .expression_attribute_names("#died_at", DIED_AT)
                .expression_attribute_values(":dead", string(OutboxStatus::Dead.as_str()))
                .expression_attribute_values(":dead_list", string(dead_letters::LIST))
                .expression_attribute_values(":at", string(sortable::timestamp(*at)))
                .expression_attribute_values(":error", string(error)),
        };
        request.send().await.map_err(single_write_failed)?;
        Ok(())
    }

    async fn requeue_email(&self, id: &str, event: &AuditEvent) -> Result<(), StoreError> {
        // Back on the pending list (same position: the message's), due now, tries anew.
        self.client
            .update_item()
            .table_name(&self.table_name)
            .set_key(Some(outbox_key(id)))
            .update_expression(
                "SET #status = :pending, #gsi1pk = :pending_list, #next_try_at = :at, \
                 #attempts = :zero, #requeues = list_append(if_not_exists(#requeues, :none), :event) \
                 REMOVE #died_at",
            )
            .condition_expression("#status = :dead")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_names("#gsi1pk", GSI1_PK)
            .expression_attribute_names("#next_try_at", NEXT_TRY_AT)
            .expression_attribute_names("#attempts", ATTEMPTS)
            .expression_attribute_names("#requeues", REQUEUES)
            .expression_attribute_names("#died_at", DIED_AT)
            .expression_attribute_values(":pending", string(OutboxStatus::Pending.as_str()))
            .expression_attribute_values(":dead", string(OutboxStatus::Dead.as_str()))
            .expression_attribute_values(":pending_list", string(PENDING_LIST))
            .expression_attribute_values(":at", string(sortable::timestamp(event.at)))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":event", AttributeValue::L(vec![data(event)?]))
            .send()
            .await
            .map_err(single_write_failed)?;
        Ok(())
    }

    async fn dead_emails(&self, page: &PageRequest) -> Result<Page<DeadEmail>, StoreError> {
        // A bad cursor is refused before any call is made.
        let start = page
            .cursor
            .as_deref()
            .map(dead_letters::resume)
            .transpose()?
            .map(|(position, id)| {
                let mut key = outbox_key(&id);
                key.insert(GSI1_PK.to_owned(), string(dead_letters::LIST));
                key.insert(GSI1_SK.to_owned(), string(position));
                key
            });
        let (read, cut_short) = self
            .read_list(
                dead_letters::LIST.to_owned(),
                "",
                page.limit.saturating_add(1),
                true,
                start,
                dead_email,
            )
            .await?;
        Ok(dead_letters::page(read, page.limit, cut_short))
    }
}

fn attempts(item: &Item) -> Result<u32, StoreError> {
    match item.get(ATTEMPTS) {
        Some(AttributeValue::N(count)) => count.parse().map_err(malformed_item),
        _ => Err(malformed_item("an outbox message without `attempts`")),
    }
}

fn dead_email(item: Item) -> Result<DeadEmail, StoreError> {
    let attempts = attempts(&item)?;
    let last_error = string_attribute(&item, LAST_ERROR)?;
    let died_at = OffsetDateTime::parse(&string_attribute(&item, DIED_AT)?, &Rfc3339)
        .map_err(malformed_item)?;
    let requeues = match item.get(REQUEUES) {
        Some(list) => serde_dynamo::from_attribute_value(list.clone()).map_err(malformed_item)?,
        None => Vec::new(),
    };
    Ok(DeadEmail {
        message: data_of(item)?,
        attempts,
        last_error,
        died_at,
        requeues,
    })
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
