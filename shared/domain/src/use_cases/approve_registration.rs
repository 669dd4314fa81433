use crate::audit::{AuditAction, AuditEvent};
use crate::ids::{Id, RegistrationId};
use crate::registration::Registration;
use crate::staff::{ASSIGN_ROLES, StaffMember};
use crate::user::{Grant, PortalUser, Profile};
use crate::{DomainError, Ports};

use super::invitations::{invitation_email_to, new_invitation};
use super::members::{gives_roles, username_of};
use super::{deliver_after_commit, live_registration, with_retries};

pub struct Approval {
    pub registration: Registration,
    pub user: PortalUser,
}

/// Approves a request linked to a contact: in one atomic write the request is processed,
/// the portal user is created (username = the contact's field `USERNAME_FIELD` names, status `invited`) with
/// its invitation, and the invitation email is queued. Then the email is sent.
pub async fn approve_registration(
    ports: &Ports,
    staff: &StaffMember,
    id: &RegistrationId,
    grant: &Grant,
) -> Result<Approval, DomainError> {
    if !grant.roles.is_empty() || gives_roles(ports, grant.organization_id.as_ref()).await? {
        staff.require(ASSIGN_ROLES)?;
    }
    let actor = &staff.actor();
    let (approval, message) = with_retries(|| async move {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        let user_id = Id::generate(ports.random.as_ref());
        let next = registration.approve(&user_id, actor, now)?;
        let contact = next
            .contact()
            .cloned()
            .ok_or(DomainError::ContactRequired)?;
        let (token, invitation) = new_invitation(ports, now);
        let invited = AuditEvent::new(
            actor,
            AuditAction::Invited,
            Some(format!("from registration {id}")),
            now,
        );
        let profile = Profile {
            first_name: next.first_name().clone(),
            last_name: next.last_name().clone(),
            phone: next.phone().cloned(),
        };
        let (username, current) = username_of(ports, &contact.id).await?;
        // Linking needs a contact with an address; staff cannot take it away since.
        let email = current.email.ok_or(DomainError::Conflict(
            "the contact has no email: give it the request's address first",
        ))?;
        let user = PortalUser::invite(
            user_id,
            contact.id,
            username,
            Some(email),
            grant.clone(),
            invitation.clone(),
            invited,
        )
        .with_profile(profile)
        .with_locale(next.locale().clone());
        let message = invitation_email_to(ports, &user, &token, &invitation, now)
            .expect("a user made with an address is emailed");
        ports
            .store
            .approve_registration(&next, &user, &message)
            .await?;
        Ok((
            Approval {
                registration: next,
                user,
            },
            message,
        ))
    })
    .await?;
    deliver_after_commit(ports, &message).await;
    Ok(approval)
}
