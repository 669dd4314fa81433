use crate::audit::{AuditAction, AuditEvent};
use crate::contact::{Contact, ContactForm};
use crate::ids::{ContactId, Id};
use crate::login::LoginEvent;
use crate::staff::StaffMember;
use crate::types::{EmailAddress, Locale};
use crate::user::PortalUser;
use crate::{DomainError, Ports};

/// Creates a CRM contact; its email must be new (`Conflict` otherwise).
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
