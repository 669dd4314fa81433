use crate::audit::{AuditAction, AuditEvent};
use crate::contact::{Contact, ContactChange, ContactForm};
use crate::ids::{ContactId, Id};
use crate::login::LoginEvent;
use crate::page::{Page, PageRequest};
use crate::staff::StaffMember;
use crate::types::{EmailAddress, Locale, search_key};
use crate::user::PortalUser;
use crate::{DomainError, FieldErrors, Ports};

use super::with_retries;

/// The shortest search: one character would read a whole partition of the index.
pub const MIN_QUERY: usize = 2;

/// Creates a CRM contact; its email and external reference must be new (`Conflict`
/// otherwise).
pub async fn create_contact(
    ports: &Ports,
    staff: &StaffMember,
    form: ContactForm,
) -> Result<Contact, DomainError> {
    let created = AuditEvent::new(
        &staff.actor(),
        AuditAction::ContactCreated,
        None,
        ports.clock.now(),
    );
    let contact = Contact::new(
        Id::generate(ports.random.as_ref()),
        form,
        Locale::default(),
        created,
    );
    ports.store.create_contact(&contact).await?;
    Ok(contact)
}

/// Edits a contact: `Conflict` when the new email or external reference is another
/// contact's, or when the email of a contact with a portal user would change.
pub async fn change_contact(
    ports: &Ports,
    staff: &StaffMember,
    id: &ContactId,
    change: &ContactChange,
) -> Result<Contact, DomainError> {
    with_retries(|| async {
        let current = ports
            .store
            .contact(id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let next = current.change(&staff.actor(), change, ports.clock.now())?;
        ports.store.update_contact(&current, &next).await?;
        Ok(next)
    })
    .await
}

/// A page of the contacts whose name, email or company starts with `query` (case and
/// spacing aside); `query` must hold [`MIN_QUERY`] characters.
pub async fn search_contacts(
    ports: &Ports,
    query: &str,
    page: &PageRequest,
) -> Result<Page<Contact>, DomainError> {
    let prefix = search_prefix(query)?;
    Ok(ports.store.search_contacts(&prefix, page).await?)
}

/// `query` as searches compare it, if it is long enough (`422` on `q` otherwise).
pub fn search_prefix(query: &str) -> Result<String, DomainError> {
    let prefix = search_key(query);
    if prefix.chars().count() < MIN_QUERY {
        let mut errors = FieldErrors::new();
        errors.add("q", "must hold at least 2 characters");
        return Err(DomainError::Validation(errors));
    }
    Ok(prefix)
}

pub async fn contact_by_email(
    ports: &Ports,
    email: &EmailAddress,
) -> Result<Option<Contact>, DomainError> {
    Ok(ports.store.contact_by_email(email).await?)
}

/// How many login events a detail shows.
const RECENT_LOGINS: u32 = 10;

/// A contact with its portal user, if it has one, and that user's recent logins.
pub async fn contact_detail(
    ports: &Ports,
    id: &ContactId,
) -> Result<(Contact, Option<(PortalUser, Vec<LoginEvent>)>), DomainError> {
    let contact = ports
        .store
        .contact(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let Some(user_id) = &contact.portal_user_id else {
        return Ok((contact, None));
    };
    let Some(user) = ports.store.portal_user(user_id).await? else {
        return Ok((contact, None));
    };
    let logins = ports.store.recent_logins(user_id, RECENT_LOGINS).await?;
    Ok((contact, Some((user, logins))))
}
