use crate::contact::{Contact, name_key};
use crate::ids::RegistrationId;
use crate::page::{Page, PageRequest};
use crate::registration::{Registration, RegistrationStatus};
use crate::{DomainError, Ports};

use super::live_registration;

/// How many contacts a request's detail suggests at most.
const SUGGESTIONS: u32 = 10;

/// One page of the staff queue, newest first. Unverified requests past their deadline
/// are left out even before TTL deletes them.
pub async fn list_registrations(
    ports: &Ports,
    status: RegistrationStatus,
    page: &PageRequest,
) -> Result<Page<Registration>, DomainError> {
    let now = ports.clock.now();
    let mut page = ports.store.registrations_by_status(status, page).await?;
    page.items
        .retain(|registration| !registration.is_expired(now));
    Ok(page)
}

/// A page of the requests in `status` whose name, email or company contains `query` (case
/// and spacing aside; at least 2 characters, `422` on `q` otherwise). It may hold fewer
/// matches than asked, with a cursor to read on (see the store's `search_registrations`).
pub async fn search_registrations(
    ports: &Ports,
    status: RegistrationStatus,
    query: &str,
    page: &PageRequest,
) -> Result<Page<Registration>, DomainError> {
    let key = super::contacts::search_prefix(query)?;
    let now = ports.clock.now();
    let mut page = ports.store.search_registrations(status, &key, page).await?;
    page.items
        .retain(|registration| !registration.is_expired(now));
    Ok(page)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionMatch {
    Email,
    Name,
}

#[derive(Debug, Clone)]
pub struct Suggestion {
    pub contact: Contact,
    pub matched: SuggestionMatch,
}

pub struct RegistrationDetail {
    pub registration: Registration,
    pub suggestions: Vec<Suggestion>,
}

/// A request with the contacts it may be: the one with the same email first, then
/// those with the same name.
pub async fn registration_detail(
    ports: &Ports,
    id: &RegistrationId,
) -> Result<RegistrationDetail, DomainError> {
    let registration = live_registration(ports, id, ports.clock.now()).await?;
    let mut suggestions: Vec<Suggestion> = ports
        .store
        .contact_by_email(registration.email())
        .await?
        .into_iter()
        .map(|contact| Suggestion {
            contact,
            matched: SuggestionMatch::Email,
        })
        .collect();
    let key = name_key(registration.first_name(), Some(registration.last_name()));
    for contact in ports.store.contacts_named(&key, SUGGESTIONS).await? {
        if suggestions
            .iter()
            .all(|known| known.contact.id != contact.id)
        {
            suggestions.push(Suggestion {
                contact,
                matched: SuggestionMatch::Name,
            });
        }
    }
    suggestions.truncate(SUGGESTIONS as usize);
    Ok(RegistrationDetail {
        registration,
        suggestions,
    })
}
