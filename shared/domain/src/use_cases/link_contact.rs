use crate::audit::{AuditAction, AuditEvent};
use crate::contact::Contact;
use crate::ids::{ContactId, Id, RegistrationId};
use crate::registration::Registration;
use crate::staff::StaffMember;
use crate::{DomainError, Ports};

use super::{live_registration, with_retries};

pub enum ContactChoice {
    /// A contact that exists in the CRM.
    Existing(ContactId),
    /// A new contact made from the request's own data.
    FromRequest,
}

/// Links a verified request to the contact the person is; the request becomes `resolved`.
pub async fn link_contact(
    ports: &Ports,
    staff: &StaffMember,
    id: &RegistrationId,
    choice: &ContactChoice,
) -> Result<Registration, DomainError> {
    let actor = &staff.actor();
    with_retries(|| async move {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        match choice {
            ContactChoice::Existing(contact_id) => {
                let contact = ports
                    .store
                    .contact(contact_id)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let next = registration.link_contact(&contact, actor, now)?;
                ports.store.link_existing_contact(&next).await?;
                Ok(next)
            }
            ContactChoice::FromRequest => {
                let created = AuditEvent::new(
                    actor,
                    AuditAction::ContactCreated,
                    Some(format!("from registration {id}")),
                    now,
                );
                let contact = Contact::from_registration(
                    Id::generate(ports.random.as_ref()),
                    &registration,
                    created,
                );
                let next = registration.link_contact(&contact, actor, now)?;
                ports.store.link_new_contact(&next, &contact).await?;
                Ok(next)
            }
        }
    })
    .await
}
