use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use portal_domain::contact::Contact;
use portal_domain::ids::RegistrationId;
use portal_domain::outbox::OutboxMessage;
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::{RegistrationStore, ThrottleStore};
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::user::PortalUser;
use portal_domain::{Refusal, StoreError};

use super::errors::{
    Cancellation, FailedConditions, cancellation, invalid_request, refused, transaction_failed,
};
use super::items::{
    COUNT, epoch_seconds, number, pending_outbox_item, registration_item, registration_key,
    registration_of, throttle_key,
};
use super::{DynamoStore, TransactError, put, update};
use crate::table::{EXPIRES_AT, PK};

/// Where every transition's transaction has the request's own, version-checked write.
pub(super) const REQUEST: usize = 0;

/// Reads a cancelled transition. When the request's version moved, whatever else failed is
/// not reported: the caller must read the request again and decide anew, and may not even
/// try the same write. Otherwise `broken` names the rule the write broke, if any.
pub(super) fn transition_refused(
    error: TransactError,
    broken: impl FnOnce(&FailedConditions) -> Option<Refusal>,
) -> StoreError {
    refused(error, |failed| {
        if failed.at(REQUEST) {
            None
        } else {
            broken(failed)
        }
    })
}

#[async_trait]
impl RegistrationStore for DynamoStore {
    async fn submit_registration(
        &self,
        registration: &Registration,
        email: &OutboxMessage,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError> {
        let items = vec![
            put(self.put_new(registration_item(registration)?)?),
            put(self.put_new(pending_outbox_item(email)?)?),
        ];
        self.transact_counted(items, throttle).await
    }

    async fn registration(&self, id: &RegistrationId) -> Result<Option<Registration>, StoreError> {
        self.get(registration_key(id.as_str()))
            .await?
            .map(registration_of)
            .transpose()
    }

    async fn registrations_by_status(
        &self,
        status: RegistrationStatus,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        self.review_queue(status, page).await
    }

    async fn search_registrations(
        &self,
        status: RegistrationStatus,
        key: &str,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        self.search_queue(status, key, page).await
    }

    async fn link_existing_contact(&self, next: &Registration) -> Result<(), StoreError> {
        self.link_to_existing(next).await
    }

    async fn link_new_contact(
        &self,
        next: &Registration,
        contact: &Contact,
    ) -> Result<(), StoreError> {
        self.link_to_new(next, contact).await
    }

    async fn approve_registration(
        &self,
        next: &Registration,
        user: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError> {
        self.approve(next, user, email).await
    }

    async fn advance_registration(
        &self,
        next: &Registration,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError> {
        let replace = self.replace_registration(next)?;
        match email {
            None => self.put_alone(replace).await,
            Some(email) => {
                let items = vec![
                    put(replace),
                    put(self.put_new(pending_outbox_item(email)?)?),
                ];
                self.transact(items).await.map_err(transaction_failed)
            }
        }
    }
}

impl DynamoStore {
    /// Writes `next` over the stored request if that is still the version `next` came from.
    pub(super) fn replace_registration(&self, next: &Registration) -> Result<Put, StoreError> {
        self.put_next_version(registration_item(next)?, next.version())
    }

    /// Writes `items` and counts them against `throttle`, all or nothing: `Throttled` when
    /// the window is full, `ConditionFailed` when another item's condition failed.
    pub(super) async fn transact_counted(
        &self,
        mut items: Vec<TransactWriteItem>,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError> {
        // Where the counter sits tells which cancellation reason is the throttle's.
        let throttle_position = items.len();
        items.push(update(self.count_against(throttle)?));
        let Err(error) = self.transact(items).await else {
            return Ok(());
        };
        Err(match cancellation(error) {
            Cancellation::ConditionsFailed(failed) if failed.at(throttle_position) => {
                StoreError::Throttled
            }
            Cancellation::ConditionsFailed(_) | Cancellation::Conflict => {
                StoreError::ConditionFailed
            }
            Cancellation::Failed(error) => error,
        })
    }

    /// One more write in `throttle`'s window, refused once the window is full. The counter
    /// disappears (by TTL) after its window, when nobody reads it any more.
    fn count_against(&self, throttle: &ThrottleWindow) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(&self.table_name)
            .set_key(Some(throttle_key(&throttle.key)))
            .update_expression("ADD #count :one SET #expires_at = :ends_at")
            .condition_expression("attribute_not_exists(#pk) OR #count < :limit")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#count", COUNT)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":ends_at", epoch_seconds(throttle.ends_at))
            .expression_attribute_values(":limit", number(throttle.limit))
            .build()
            .map_err(invalid_request)
    }
}

#[async_trait]
impl ThrottleStore for DynamoStore {
    /// One UpdateItem of the window's counter (the same write the transactions count with).
    async fn count_request(&self, window: &ThrottleWindow) -> Result<(), StoreError> {
        match self.update_alone(self.count_against(window)?).await {
            Err(StoreError::ConditionFailed) => Err(StoreError::Throttled),
            other => other,
        }
    }
}
