//! The emails the mailer gave up on: staff list them and put them back on its list (one, or
//! all of them), each time recorded on the message.

use crate::audit::{AuditAction, AuditEvent};
use crate::error::StoreError;
use crate::outbox::DeadEmail;
use crate::page::{Page, PageRequest};
use crate::random::is_well_formed_id;
use crate::staff::StaffMember;
use crate::{DomainError, Ports};

/// At most this many messages are requeued by one request for all of them; the answer
/// says whether more are left.
pub const REQUEUE_AT_ONCE: u32 = 500;

/// The messages given up on, for staff.
pub async fn dead_emails(
    ports: &Ports,
    page: &PageRequest,
) -> Result<Page<DeadEmail>, DomainError> {
    Ok(ports.store.dead_emails(page).await?)
}

/// Puts the dead message `id` back on the mailer's list with a fresh count of tries; the
/// mailer sends it on its next sweep. `NotFound` for a message that is not dead (unknown,
/// pending or sent: requeued already, or never given up on).
pub async fn requeue_dead_email(
    ports: &Ports,
    staff: &StaffMember,
    id: &str,
) -> Result<(), DomainError> {
    // Another shape names no email (and would be an oversized or odd key for the store).
    if !is_well_formed_id(id) {
        return Err(DomainError::NotFound);
    }
    match ports
        .store
        .requeue_email(id, &requeue_event(staff, ports))
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed) => Err(DomainError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// How many dead messages a request for all of them put back, and whether some are left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeued {
    pub requeued: u32,
    pub more: bool,
}

/// Puts every dead message back on the mailer's list, up to [`REQUEUE_AT_ONCE`]; one that
/// another request requeued meanwhile is left to it.
pub async fn requeue_dead_emails(
    ports: &Ports,
    staff: &StaffMember,
) -> Result<Requeued, DomainError> {
    let mut requeued = 0;
    loop {
        // Each requeued message leaves the list, so the first page is always the next one.
        let left = REQUEUE_AT_ONCE - requeued;
        let page = ports
            .store
            .dead_emails(&PageRequest::first(left.min(100)))
            .await?;
        if page.items.is_empty() {
            return Ok(Requeued {
                requeued,
                more: false,
            });
        }
        let before = requeued;
        for dead in &page.items {
            match ports
                .store
                .requeue_email(&dead.message.id, &requeue_event(staff, ports))
                .await
            {
                Ok(()) => requeued += 1,
                // Requeued by another request meanwhile: off the list either way.
                Err(StoreError::ConditionFailed) => {}
                Err(other) => return Err(other.into()),
            }
        }
        // A page of which nothing could be requeued would come back the same: stop.
        if requeued >= REQUEUE_AT_ONCE || requeued == before {
            let more = !ports
                .store
                .dead_emails(&PageRequest::first(1))
                .await?
                .items
                .is_empty();
            return Ok(Requeued { requeued, more });
        }
    }
}

/// What a requeue records on the message.
fn requeue_event(staff: &StaffMember, ports: &Ports) -> AuditEvent {
    AuditEvent::new(
        &staff.actor(),
        AuditAction::EmailRequeued,
        None,
        ports.clock.now(),
    )
}
