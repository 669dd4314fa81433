//! Delivering the outbox. The process that commits a transition tries its email once at
//! once (the message is written already claimed for that try); everything else, retries
//! included, goes through `deliver_emails`, used by the mailer Lambda and portal-local.
//! Every step is a conditional write on the message, so it is sent at most once by the
//! deliverers that hold it, and a lapsed claim hands it to the next one.

use std::time::Duration;

use serde::Serialize;
use tokio::time::{Instant, sleep_until};

use crate::outbox::{
    CLAIM_LEASE, ClaimedEmail, DeliveryClaim, DeliveryFailure, FIRST_TRY_OWNER, OutboxMessage,
};
use crate::random::new_id;
use crate::{DomainError, Ports};

/// Sends a committed message once, if this process still holds its first-try claim. A
/// failure leaves it pending with a backoff, for the mailer: the transition has
/// happened either way, and the request never waits on more than this one send.
pub async fn deliver_after_commit(ports: &Ports, message: &OutboxMessage) {
    let Some(until) = message.first_try_until else {
        return;
    };
    if ports.clock.now() >= until {
        return;
    }
    let claimed = ClaimedEmail {
        message: message.clone(),
        attempts: 1,
    };
    try_once(ports, &claimed, FIRST_TRY_OWNER).await;
}

/// How fast one deliverer may go.
#[derive(Debug, Clone, Default)]
pub struct Pace {
    /// At least this long between two sends (SES's sandbox allows 1 message/s).
    pub min_interval: Duration,
    /// Claims nothing it could not send before this instant (a Lambda's deadline).
    pub deadline: Option<Instant>,
}

impl Pace {
    /// `rate` messages per second at most; 0 means unpaced.
    pub fn per_second(rate: f64) -> Self {
        let min_interval = if rate > 0.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Self {
            min_interval,
            deadline: None,
        }
    }

    pub fn until(self, deadline: Instant) -> Self {
        Self {
            deadline: Some(deadline),
            ..self
        }
    }
}

/// What one run of the deliverer did, for its log line and its caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub sent: u32,
    /// Failed this time; pending again with a backoff.
    pub retrying: u32,
    /// Failed for the last time: now listed for staff.
    pub dead: u32,
    /// Sent, dead, held by another deliverer, or not due: somebody else's business.
    pub skipped: u32,
    /// Not reached before the deadline; the next sweep takes them.
    pub left: u32,
}

/// Tries each message of `ids` in order, if it can be claimed, at `pace`.
pub async fn deliver_emails(ports: &Ports, ids: &[String], pace: &Pace) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    let mut next_send = Instant::now();
    for (done, id) in ids.iter().enumerate() {
        let slot = next_send.max(Instant::now());
        if pace.deadline.is_some_and(|deadline| slot >= deadline) {
            report.left = (ids.len() - done) as u32;
            break;
        }
        let now = ports.clock.now();
        let claim = DeliveryClaim {
            owner: new_id(ports.random.as_ref()),
            until: now + CLAIM_LEASE,
        };
        let claimed = match ports.store.claim_email(id, &claim, now).await {
            Ok(Some(claimed)) => claimed,
            Ok(None) => {
                report.skipped += 1;
                continue;
            }
            Err(error) => {
                tracing::warn!(outbox_id = %id, %error, "email not claimed; the next sweep retries");
                report.skipped += 1;
                continue;
            }
        };
        sleep_until(slot).await;
        next_send = slot + pace.min_interval;
        match try_once(ports, &claimed, &claim.owner).await {
            Outcome::Sent => report.sent += 1,
            Outcome::Retrying => report.retrying += 1,
            Outcome::Dead => report.dead += 1,
        }
    }
    report
}

/// Delivers up to `limit` due messages, oldest first: what the schedule and portal-local's
/// background loop run.
pub async fn sweep_outbox(
    ports: &Ports,
    limit: usize,
    pace: &Pace,
) -> Result<DeliveryReport, DomainError> {
    let due = ports.store.due_emails(ports.clock.now(), limit).await?;
    Ok(deliver_emails(ports, &due, pace).await)
}

enum Outcome {
    Sent,
    Retrying,
    Dead,
}

/// One send of a message `owner` holds, and the write that records how it went.
async fn try_once(ports: &Ports, claimed: &ClaimedEmail, owner: &str) -> Outcome {
    let id = &claimed.message.id;
    let error = match ports.mailer.send(&claimed.message).await {
        Ok(()) => {
            if let Err(error) = ports
                .store
                .mark_email_sent(id, owner, ports.clock.now())
                .await
            {
                // It was sent; a claim that lapsed meanwhile may let one more send through.
                tracing::warn!(outbox_id = %id, %error, "sent email not marked as sent");
            }
            return Outcome::Sent;
        }
        Err(error) => error.0,
    };
    let failure =
        ports
            .settings
            .email_retries
            .after_failure(claimed.attempts, ports.clock.now(), error);
    if let Err(error) = ports.store.release_email(id, owner, &failure).await {
        // The claim lapses by itself; the message is tried again after it.
        tracing::warn!(outbox_id = %id, %error, "failed email not released");
    }
    match failure {
        DeliveryFailure::RetryAt { at, error } => {
            tracing::warn!(outbox_id = %id, attempts = claimed.attempts, retry_at = %at, %error, "email delivery failed; will retry");
            Outcome::Retrying
        }
        DeliveryFailure::Dead { error, .. } => {
            tracing::error!(outbox_id = %id, attempts = claimed.attempts, %error, kind = claimed.message.content.kind(), "email delivery given up; the message is dead");
            Outcome::Dead
        }
    }
}
