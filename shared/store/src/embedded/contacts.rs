//! Contacts in process, and linking requests to them, with the same rules (and the same
//! order of rules) as on DynamoDB.

use std::ops::Bound;

use async_trait::async_trait;
use portal_domain::contact::Contact;
use portal_domain::ids::ContactId;
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::ContactStore;
use portal_domain::registration::Registration;
use portal_domain::types::EmailAddress;
use portal_domain::{Refusal, StoreError};

use super::EmbeddedStore;
use super::state::{Change, ContactEmailGuard, State};
use crate::contact_search;

#[async_trait]
impl ContactStore for EmbeddedStore {
    async fn create_contact(&self, contact: &Contact) -> Result<(), StoreError> {
        self.commit(|state| new_contact(state, contact))
    }

    async fn update_contact(&self, previous: &Contact, next: &Contact) -> Result<(), StoreError> {
        self.commit(|state| contact_edit(state, previous, next))
    }

    async fn search_contacts(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<Contact>, StoreError> {
        let start = page
            .cursor
            .as_deref()
            .map(|cursor| contact_search::resume(prefix, cursor))
            .transpose()?;
        Ok(self.read(|state| {
            let from = match &start {
                Some(entry) => Bound::Excluded(entry.position.clone()),
                None => Bound::Included(prefix.to_owned()),
            };
            let reads = contact_search::reads(page.limit) as usize;
            let read: Vec<_> = state
                .contact_search
                .range((from, Bound::Unbounded))
                .take_while(|(position, _)| position.starts_with(prefix))
                .take(reads)
                .filter_map(|(position, _)| contact_search::entry_at(position))
                .collect();
            let more = read.len() == reads;
            let (ids, next_cursor) = contact_search::page(prefix, &read, page.limit, more);
            Page {
                items: ids
                    .iter()
                    .filter_map(|id| state.contacts.get(id).cloned())
                    .collect(),
                next_cursor,
            }
        }))
    }

    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>, StoreError> {
        Ok(self.read(|state| state.contacts.get(id).cloned()))
    }

    async fn contact_by_email(&self, email: &EmailAddress) -> Result<Option<Contact>, StoreError> {
        Ok(self.read(|state| {
            let id = state.contact_emails.get(email.as_ref())?;
            state.contacts.get(id).cloned()
        }))
    }

    async fn contacts_named(&self, name_key: &str, limit: u32) -> Result<Vec<Contact>, StoreError> {
        Ok(self.read(|state| {
            state
                .contact_names
                .range((name_key.to_owned(), String::new())..)
                .take_while(|(key, _)| key == name_key)
                .take(limit as usize)
                .filter_map(|(_, id)| state.contacts.get(id.as_str()).cloned())
                .collect()
        }))
    }
}

pub(super) fn link_existing(state: &State, next: &Registration) -> Result<Vec<Change>, StoreError> {
    // Checked before the version, as DynamoDB cannot even build the write without it.
    let contact = next
        .contact()
        .ok_or(StoreError::Refused(Refusal::ContactMissing))?;
    state.expect_previous_version(next)?;
    state.free_contact(&contact.id)?;
    Ok(vec![Change::Registration(next.into())])
}

pub(super) fn link_new(
    state: &State,
    next: &Registration,
    contact: &Contact,
) -> Result<Vec<Change>, StoreError> {
    state.expect_previous_version(next)?;
    let mut changes = new_contact(state, contact)?;
    changes.push(Change::Registration(next.into()));
    Ok(changes)
}

/// The changes that put `next` over `previous`, if the stored contact is still
/// `previous`'s version with its portal user; a new email or external reference must be
/// free.
pub(super) fn contact_edit(
    state: &State,
    previous: &Contact,
    next: &Contact,
) -> Result<Vec<Change>, StoreError> {
    let stored = state
        .contacts
        .get(&next.id)
        .ok_or(StoreError::ConditionFailed)?;
    if stored.version != previous.version
        || stored.portal_user_id != previous.portal_user_id
        || next.version != previous.version + 1
    {
        return Err(StoreError::ConditionFailed);
    }
    let mut changes = vec![Change::Contact(next.clone())];
    if next.email != previous.email {
        changes.extend(email_guard(state, next)?);
    }
    if next.external_ref != previous.external_ref {
        state.external_ref_free(next)?;
    }
    Ok(changes)
}

/// The changes that create `contact`; its email must be new.
pub(super) fn new_contact(state: &State, contact: &Contact) -> Result<Vec<Change>, StoreError> {
    let guard = email_guard(state, contact)?;
    state.external_ref_free(contact)?;
    if state.contacts.contains_key(&contact.id) {
        return Err(StoreError::ConditionFailed);
    }
    let mut changes = vec![Change::Contact(contact.clone())];
    changes.extend(guard);
    Ok(changes)
}

/// The guard of `contact`'s email, which no other contact may have (none without one).
fn email_guard(state: &State, contact: &Contact) -> Result<Option<Change>, StoreError> {
    let Some(email) = &contact.email else {
        return Ok(None);
    };
    if state.contact_emails.contains_key(email.as_ref()) {
        return Err(StoreError::Refused(Refusal::ContactEmailTaken));
    }
    Ok(Some(Change::ContactEmail(ContactEmailGuard {
        email: email.clone(),
        contact_id: contact.id.clone(),
    })))
}

impl State {
    /// `Refused(ExternalRefTaken)` when another contact holds `contact`'s reference.
    fn external_ref_free(&self, contact: &Contact) -> Result<(), StoreError> {
        match contact
            .external_ref
            .as_ref()
            .and_then(|external_ref| self.contact_external_refs.get(external_ref))
        {
            Some(holder) if *holder != contact.id => {
                Err(StoreError::Refused(Refusal::ExternalRefTaken))
            }
            _ => Ok(()),
        }
    }
}
