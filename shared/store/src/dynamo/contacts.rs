//! Contacts on DynamoDB, and linking requests to them. A contact's email is unique through a
//! guard item written in the same transaction as the contact; whether a contact already has
//! a portal user is the top-level `portal_user_id`, which conditions can test.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    ConditionCheck, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use portal_domain::contact::Contact;
use portal_domain::ids::{ContactId, PortalUserId};
use portal_domain::ports::ContactStore;
use portal_domain::registration::Registration;
use portal_domain::types::EmailAddress;
use portal_domain::{Refusal, StoreError};

use super::errors::{FailedConditions, invalid_request, refused};
use super::items::{
    CONTACT_ID, DATA, PORTAL_USER_ID, contact_email_item, contact_email_key, contact_item,
    contact_key, contact_name_list, data_of, from_data, id_attribute, string,
};
use super::registrations::transition_refused;
use super::{DynamoStore, check, put};
use crate::table::PK;

/// The contact exists and has no portal user yet.
const CONTACT_FREE: &str = "attribute_exists(#pk) AND attribute_not_exists(#user)";

/// Where the email's guard is among the writes of [`DynamoStore::new_contact`].
const EMAIL_GUARD: usize = 1;

#[async_trait]
impl ContactStore for DynamoStore {
    async fn create_contact(&self, contact: &Contact) -> Result<(), StoreError> {
        let items = self.new_contact(contact)?;
        self.transact(items)
            .await
            .map_err(|error| refused(error, |failed| email_taken(failed, EMAIL_GUARD)))
    }

    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>, StoreError> {
        from_data(self.get(contact_key(id)).await?)
    }

    async fn contact_by_email(&self, email: &EmailAddress) -> Result<Option<Contact>, StoreError> {
        let Some(guard) = self.get(contact_email_key(email)).await? else {
            return Ok(None);
        };
        self.contact(&id_attribute(&guard, CONTACT_ID)?).await
    }

    async fn contacts_named(&self, name_key: &str, limit: u32) -> Result<Vec<Contact>, StoreError> {
        let output = self
            .query_list(contact_name_list(name_key), limit, false, None)
            .await?;
        output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(data_of)
            .collect()
    }
}

impl DynamoStore {
    pub(super) async fn link_to_existing(&self, next: &Registration) -> Result<(), StoreError> {
        let contact = next
            .contact()
            .ok_or(StoreError::Refused(Refusal::ContactMissing))?;
        let mut items = vec![put(self.replace_registration(next)?)];
        let contact_position = items.len();
        items.push(check(self.contact_is_free(&contact.id)?));
        self.transact(items).await.map_err(|error| {
            transition_refused(error, |failed| contact_not_free(failed, contact_position))
        })
    }

    pub(super) async fn link_to_new(
        &self,
        next: &Registration,
        contact: &Contact,
    ) -> Result<(), StoreError> {
        let mut items = vec![put(self.replace_registration(next)?)];
        let email_guard = items.len() + EMAIL_GUARD;
        items.extend(self.new_contact(contact)?);
        self.transact(items)
            .await
            .map_err(|error| transition_refused(error, |failed| email_taken(failed, email_guard)))
    }

    /// The writes that create `contact` with its email's guard.
    fn new_contact(&self, contact: &Contact) -> Result<Vec<TransactWriteItem>, StoreError> {
        Ok(vec![
            put(self.put_new(contact_item(contact)?)?),
            put(self.put_new(contact_email_item(contact))?),
        ])
    }

    fn contact_is_free(&self, contact_id: &ContactId) -> Result<ConditionCheck, StoreError> {
        ConditionCheck::builder()
            .table_name(&self.table_name)
            .set_key(Some(contact_key(contact_id)))
            .condition_expression(CONTACT_FREE)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#user", PORTAL_USER_ID)
            // The old item comes back only if there is one: that tells missing from taken.
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(invalid_request)
    }

    /// Gives a free contact its portal user, in the attribute conditions test and in the
    /// contact that readers get.
    pub(super) fn link_contact_to_user(
        &self,
        contact_id: &ContactId,
        user_id: &PortalUserId,
    ) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(&self.table_name)
            .set_key(Some(contact_key(contact_id)))
            .update_expression("SET #user = :user, #data.#user = :user")
            .condition_expression(CONTACT_FREE)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#user", PORTAL_USER_ID)
            .expression_attribute_names("#data", DATA)
            .expression_attribute_values(":user", string(user_id))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(invalid_request)
    }
}

/// Why a contact at `position` (checked with [`CONTACT_FREE`]) could not be linked.
pub(super) fn contact_not_free(failed: &FailedConditions, position: usize) -> Option<Refusal> {
    match (failed.at(position), failed.found(position)) {
        (false, _) => None,
        (true, true) => Some(Refusal::ContactHasPortalUser),
        (true, false) => Some(Refusal::ContactMissing),
    }
}

fn email_taken(failed: &FailedConditions, email_guard: usize) -> Option<Refusal> {
    failed.at(email_guard).then_some(Refusal::ContactEmailTaken)
}
