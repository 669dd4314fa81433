use crate::audit::{AuditAction, AuditEvent};
use crate::contact::{Contact, ContactForm};
use crate::random::new_id;
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
        new_id(ports.random.as_ref()),
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

/// A contact with its portal user, if it has one.
pub async fn contact_detail(
    ports: &Ports,
    id: &str,
) -> Result<(Contact, Option<PortalUser>), DomainError> {
    let contact = ports
        .store
        .contact(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let user = match &contact.portal_user_id {
        Some(user_id) => ports.store.portal_user(user_id).await?,
        None => None,
    };
    Ok((contact, user))
}
