//! Delivery state of outbox messages in process: each step checks and changes one
//! entry under the store's lock, like the conditional writes on DynamoDB.

use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::audit::AuditEvent;
use portal_domain::outbox::{ClaimedEmail, DeadEmail, DeliveryClaim, DeliveryFailure};
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::OutboxStore;
use time::OffsetDateTime;

use super::EmbeddedStore;
use super::state::{Change, Claim, OutboxEntry, State};
use crate::{OutboxStatus, dead_letters};

#[async_trait]
impl OutboxStore for EmbeddedStore {
    async fn due_emails(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        Ok(self.read(|state| {
            let mut due: Vec<_> = state
                .outbox
                .values()
                .filter(|entry| entry.is_claimable(now))
                .map(|entry| {
                    (
                        dead_letters::position(&entry.message),
                        entry.message.id.clone(),
                    )
                })
                .collect();
            due.sort();
            due.into_iter().take(limit).map(|(_, id)| id).collect()
        }))
    }

    async fn claim_email(
        &self,
        id: &str,
        claim: &DeliveryClaim,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedEmail>, StoreError> {
        let mut claimed = None;
        let outcome = self.commit(|state| {
            let entry = state
                .outbox
                .get(id)
                .filter(|entry| entry.is_claimable(now))
                .ok_or(StoreError::ConditionFailed)?;
            let next = OutboxEntry {
                attempts: entry.attempts + 1,
                claim: Some(Claim {
                    owner: claim.owner.clone(),
                    until: claim.until,
                }),
                ..entry.clone()
            };
            claimed = Some(ClaimedEmail {
                message: next.message.clone(),
                attempts: next.attempts,
            });
            Ok(vec![Change::Outbox(next)])
        });
        match outcome {
            Ok(()) => Ok(claimed),
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn mark_email_sent(
        &self,
        id: &str,
        owner: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            let entry = held(state, id, owner)?;
            Ok(vec![Change::Outbox(OutboxEntry {
                status: OutboxStatus::Sent,
                claim: None,
                sent_at: Some(at),
                ..entry.clone()
            })])
        })
    }

    async fn release_email(
        &self,
        id: &str,
        owner: &str,
        failure: &DeliveryFailure,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            let entry = held(state, id, owner)?;
            let next = match failure {
                DeliveryFailure::RetryAt { at, error } => OutboxEntry {
                    claim: None,
                    next_try_at: Some(*at),
                    last_error: Some(error.clone()),
                    ..entry.clone()
                },
                DeliveryFailure::Dead { at, error } => OutboxEntry {
                    status: OutboxStatus::Dead,
                    claim: None,
                    last_error: Some(error.clone()),
                    died_at: Some(*at),
                    ..entry.clone()
                },
            };
            Ok(vec![Change::Outbox(next)])
        })
    }

    async fn requeue_email(&self, id: &str, event: &AuditEvent) -> Result<(), StoreError> {
        self.commit(|state| {
            let entry = state
                .outbox
                .get(id)
                .filter(|entry| entry.status == OutboxStatus::Dead)
                .ok_or(StoreError::ConditionFailed)?;
            let mut requeues = entry.requeues.clone();
            requeues.push(event.clone());
            Ok(vec![Change::Outbox(OutboxEntry {
                status: OutboxStatus::Pending,
                attempts: 0,
                claim: None,
                next_try_at: Some(event.at),
                died_at: None,
                requeues,
                ..entry.clone()
            })])
        })
    }

    async fn dead_emails(&self, page: &PageRequest) -> Result<Page<DeadEmail>, StoreError> {
        let before = page
            .cursor
            .as_deref()
            .map(dead_letters::resume)
            .transpose()?
            .map(|(position, _)| position);
        Ok(self.read(|state| {
            let mut dead: Vec<_> = state
                .outbox
                .values()
                .filter(|entry| entry.status == OutboxStatus::Dead)
                .map(|entry| (dead_letters::position(&entry.message), entry))
                .filter(|(position, _)| before.as_ref().is_none_or(|before| position < before))
                .collect();
            dead.sort_by(|(a, _), (b, _)| b.cmp(a));
            let read = dead
                .into_iter()
                .take(page.limit as usize + 1)
                .map(|(_, entry)| DeadEmail {
                    message: entry.message.clone(),
                    attempts: entry.attempts,
                    last_error: entry.last_error.clone().unwrap_or_default(),
                    died_at: entry.died_at.unwrap_or(entry.message.created_at),
                    requeues: entry.requeues.clone(),
                })
                .collect();
            dead_letters::page(read, page.limit, false)
        }))
    }
}

/// The entry `owner` holds, or `ConditionFailed`.
fn held<'a>(state: &'a State, id: &str, owner: &str) -> Result<&'a OutboxEntry, StoreError> {
    state
        .outbox
        .get(id)
        .filter(|entry| entry.is_held_by(owner))
        .ok_or(StoreError::ConditionFailed)
}
