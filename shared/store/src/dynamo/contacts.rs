//! Contacts on DynamoDB, and linking requests to them. A contact's email is unique through a
//! guard item written in the same transaction as the contact; whether a contact already has
//! a portal user is the top-level `portal_user_id`, which conditions can test.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use portal_domain::contact::{Contact, SearchField};
use portal_domain::ids::{ContactId, PortalUserId};
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::{ContactStore, MembershipStore};
use portal_domain::registration::Registration;
use portal_domain::types::EmailAddress;
use portal_domain::{Refusal, StoreError};

use super::errors::{FailedConditions, invalid_request, malformed_item, refused};
use super::items::{
    CONTACT_ID, DATA, Item, PORTAL_USER_ID, VERSION, contact_email_item, contact_email_key,
    contact_item, contact_key, contact_name_list, contact_search_entry_key, contact_search_item,
    contact_search_key, data_of, external_ref_item, external_ref_key, from_data, id_attribute,
    number, string,
};
use super::registrations::transition_refused;
use super::{DynamoStore, check, put};
use crate::contact_search::{self, Entry};
use crate::table::{GSI1_SK, PK};

/// The contact exists and has no portal user yet.
const CONTACT_FREE: &str = "attribute_exists(#pk) AND attribute_not_exists(#user)";

#[async_trait]
impl ContactStore for DynamoStore {
    async fn create_contact(&self, contact: &Contact) -> Result<(), StoreError> {
        let items = self.new_contact(contact)?;
        self.transact(items)
            .await
            .map_err(|error| refused(error, |failed| guard_taken(failed, 0, contact)))
    }

    async fn update_contact(&self, previous: &Contact, next: &Contact) -> Result<(), StoreError> {
        let edit = self.contact_edit(previous, next)?;
        self.transact(edit.writes)
            .await
            .map_err(|error| refused(error, |failed| edit.guards.taken(failed, 0)))
    }

    async fn search_contacts(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<Contact>, StoreError> {
        // A bad cursor is refused before any call is made.
        let start = page
            .cursor
            .as_deref()
            .map(|cursor| contact_search::resume(prefix, cursor))
            .transpose()?
            .map(|entry| contact_search_entry_key(&entry));
        let reads = contact_search::reads(page.limit);
        let (read, cut_short) = self
            .read_list(
                contact_search::partition(prefix),
                prefix,
                reads,
                false,
                start,
                entry_of,
            )
            .await?;
        let more = cut_short || read.len() == reads as usize;
        let (ids, next_cursor) = contact_search::page(prefix, &read, page.limit, more);
        let mut found: HashMap<ContactId, Contact> = self
            .contacts_by_ids(&ids)
            .await?
            .into_iter()
            .map(|contact| (contact.id.clone(), contact))
            .collect();
        Ok(Page {
            // An entry whose contact is gone (never: they are written together) is skipped.
            items: ids.iter().filter_map(|id| found.remove(id)).collect(),
            next_cursor,
        })
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

/// A contact's next version as writes: the contact, the guards that moved, the search
/// entries that changed; and where the new guards are among the writes.
pub(super) struct ContactEdit {
    pub(super) writes: Vec<TransactWriteItem>,
    pub(super) guards: NewGuards,
}

/// Where a contact's new guards are among a list of writes.
#[derive(Default)]
pub(super) struct NewGuards {
    email: Option<usize>,
    external_ref: Option<usize>,
}

impl NewGuards {
    /// Which new guard of writes starting at `offset` was taken: the email's first, as
    /// the embedded store checks it first.
    pub(super) fn taken(&self, failed: &FailedConditions, offset: usize) -> Option<Refusal> {
        let taken = |guard: Option<usize>| guard.is_some_and(|at| failed.at(offset + at));
        if taken(self.email) {
            Some(Refusal::ContactEmailTaken)
        } else if taken(self.external_ref) {
            Some(Refusal::ExternalRefTaken)
        } else {
            None
        }
    }
}

impl DynamoStore {
    /// The writes that put `next` over `previous` (see [`ContactEdit`]).
    pub(super) fn contact_edit(
        &self,
        previous: &Contact,
        next: &Contact,
    ) -> Result<ContactEdit, StoreError> {
        let mut writes = vec![put(self.put_over_contact(previous, next)?)];
        let mut guards = NewGuards::default();
        if next.email != previous.email {
            if let Some(old) = &previous.email {
                writes.push(self.delete_guard(contact_email_key(old), &previous.id)?);
            }
            if let Some(item) = contact_email_item(next) {
                guards.email = Some(writes.len());
                writes.push(put(self.put_new(item)?));
            }
        }
        if next.external_ref != previous.external_ref {
            if let Some(old) = &previous.external_ref {
                writes.push(self.delete_guard(external_ref_key(old), &previous.id)?);
            }
            if let Some(item) = external_ref_item(next) {
                guards.external_ref = Some(writes.len());
                writes.push(put(self.put_new(item)?));
            }
        }
        writes.extend(self.moved_search_entries(previous, next)?);
        Ok(ContactEdit { writes, guards })
    }

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
        let offset = items.len();
        items.extend(self.new_contact(contact)?);
        self.transact(items).await.map_err(|error| {
            transition_refused(error, |failed| guard_taken(failed, offset, contact))
        })
    }

    /// The writes that create `contact`: the contact, its email's guard, its external
    /// reference's guard if it has one, then its search entries.
    pub(super) fn new_contact(
        &self,
        contact: &Contact,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut writes = vec![put(self.put_new(contact_item(contact)?)?)];
        if let Some(guard) = contact_email_item(contact) {
            writes.push(put(self.put_new(guard)?));
        }
        if let Some(guard) = external_ref_item(contact) {
            writes.push(put(self.put_new(guard)?));
        }
        for entry in contact_search::entries(contact) {
            writes.push(put(self.put_over(contact_search_item(&entry))?));
        }
        Ok(writes)
    }

    /// `next` over `previous`, if the stored contact is still `previous`'s version with its
    /// portal user (linking one changes no version; see `link_contact_to_user`).
    fn put_over_contact(&self, previous: &Contact, next: &Contact) -> Result<Put, StoreError> {
        if next.version != previous.version + 1 {
            return Err(StoreError::ConditionFailed);
        }
        // Contacts stored before they had versions read as version 1.
        let version = if previous.version == 1 {
            "(attribute_not_exists(#version) OR #version = :version)"
        } else {
            "#version = :version"
        };
        let builder = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(contact_item(next)?))
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_names("#user", PORTAL_USER_ID)
            .expression_attribute_values(":version", number(previous.version));
        let builder = match &previous.portal_user_id {
            None => builder.condition_expression(format!(
                "attribute_exists(#pk) AND {version} AND attribute_not_exists(#user)"
            )),
            Some(user_id) => builder
                .condition_expression(format!(
                    "attribute_exists(#pk) AND {version} AND #user = :user"
                ))
                .expression_attribute_values(":user", string(user_id)),
        };
        builder.build().map_err(invalid_request)
    }

    /// Removes the guard at `key`, which must be `contact_id`'s.
    fn delete_guard(
        &self,
        key: Item,
        contact_id: &ContactId,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table_name)
            .set_key(Some(key))
            .condition_expression("#contact = :contact")
            .expression_attribute_names("#contact", CONTACT_ID)
            .expression_attribute_values(":contact", string(contact_id))
            .build()
            .map_err(invalid_request)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// The search entries that differ between `previous` and `next`: written anew, or
    /// removed for a field `next` no longer has.
    fn moved_search_entries(
        &self,
        previous: &Contact,
        next: &Contact,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let old = contact_search::entries(previous);
        let new = contact_search::entries(next);
        let mut writes = Vec::new();
        for field in [SearchField::Name, SearchField::Email, SearchField::Company] {
            let before = old.iter().find(|entry| entry.field == field);
            let after = new.iter().find(|entry| entry.field == field);
            match (before, after) {
                (before, Some(after)) if before != Some(after) => {
                    writes.push(put(self.put_over(contact_search_item(after))?));
                }
                (Some(_), None) => {
                    let delete = Delete::builder()
                        .table_name(&self.table_name)
                        .set_key(Some(contact_search_key(&next.id, field)))
                        .build()
                        .map_err(invalid_request)?;
                    writes.push(TransactWriteItem::builder().delete(delete).build());
                }
                _ => {}
            }
        }
        Ok(writes)
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

/// Which guard of `contact`, whose writes ([`DynamoStore::new_contact`]) start at
/// `offset`, was taken.
fn guard_taken(failed: &FailedConditions, offset: usize, contact: &Contact) -> Option<Refusal> {
    let email = contact.email.is_some().then_some(1);
    let guards = NewGuards {
        email,
        external_ref: contact
            .external_ref
            .is_some()
            .then_some(1 + usize::from(email.is_some())),
    };
    guards.taken(failed, offset)
}

/// A search entry as a Query reads it from the index.
fn entry_of(item: Item) -> Result<Entry, StoreError> {
    let position = super::items::string_attribute(&item, GSI1_SK)?;
    contact_search::entry_at(&position).ok_or_else(|| malformed_item("a search entry's position"))
}
