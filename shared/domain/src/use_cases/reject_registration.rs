use crate::ids::RegistrationId;
use crate::outbox::{EmailContent, OutboxMessage};
use crate::registration::Registration;
use crate::staff::StaffMember;
use crate::types::Reason;
use crate::{DomainError, Ports};

use super::{deliver_after_commit, live_registration, with_retries};

/// Rejects a verified request and tells the requester why.
pub async fn reject_registration(
    ports: &Ports,
    staff: &StaffMember,
    id: &RegistrationId,
    reason: &Reason,
) -> Result<Registration, DomainError> {
    let actor = &staff.actor();
    let (next, message) = with_retries(|| async move {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        let next = registration.reject(reason.clone(), actor, now)?;
        let content = EmailContent::Rejection {
            first_name: next.first_name().to_string(),
            reason: reason.to_string(),
        };
        let message = OutboxMessage::to_registrant(ports.random.as_ref(), &next, content);
        ports
            .store
            .advance_registration(&next, Some(&message))
            .await?;
        Ok((next, message))
    })
    .await?;
    deliver_after_commit(ports, &message).await;
    Ok(next)
}
