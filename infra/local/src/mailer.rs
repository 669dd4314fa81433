//! The mailer Lambda's job, in process: portal-local sweeps its outbox in the background
//! with the same domain logic (claims, backoff, the dead state), into the file outbox.

use std::time::Duration;

use portal_domain::Ports;
use portal_domain::use_cases::{DeliveryReport, Pace, sweep_outbox};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// Often enough that a retried email shows up about when its backoff ends.
pub const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Messages per sweep; the rest wait for the next one.
const SWEEP_LIMIT: usize = 100;

pub fn spawn(ports: Ports, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // A file outbox takes mail as fast as it comes: no pace.
            match sweep_outbox(&ports, SWEEP_LIMIT, &Pace::default()).await {
                Ok(report) if report != DeliveryReport::default() => {
                    tracing::info!(?report, "outbox swept");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox sweep failed; next one retries"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use portal_domain::clock::ManualClock;
    use portal_domain::outbox::FIRST_TRY_LEASE;
    use portal_domain::registration::RegistrationForm;
    use portal_domain::testing::{DyingMailer, RecordingMailer, registration_form};
    use portal_domain::use_cases::submit_registration;
    use portal_store::{EmbeddedStore, OutboxStatus};
    use portal_testkit::ports;

    use super::*;

    fn form() -> RegistrationForm {
        registration_form("ada@example.com")
    }

    /// Waits until the mailer has sent `count` messages, for at most five seconds.
    async fn sent(mailer: &RecordingMailer, count: usize) -> usize {
        for _ in 0..500 {
            if mailer.sent().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        mailer.sent().len()
    }

    #[tokio::test]
    async fn an_email_whose_first_try_failed_is_delivered_once_after_its_backoff() {
        let store = Arc::new(EmbeddedStore::in_memory());
        let mailer = Arc::new(RecordingMailer::default());
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let ports = ports(store.clone(), mailer.clone(), clock.clone());
        mailer.fail_from_now_on();
        submit_registration(&ports, form()).await.unwrap();
        let id = mailer.attempted()[0].id.clone();
        mailer.succeed_from_now_on();

        let background = spawn(ports, Duration::from_millis(10));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(mailer.sent().len(), 0, "not before its backoff ends");
        clock.advance(ports_retry_delay());
        let delivered = sent(&mailer, 1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        background.abort();

        assert_eq!(delivered, 1);
        assert_eq!(mailer.sent().len(), 1, "delivered exactly once");
        assert_eq!(mailer.sent()[0].id, id);
        let status = store.outbox_status(&id).await.unwrap();
        assert_eq!(status, Some(OutboxStatus::Sent));
    }

    #[tokio::test]
    async fn an_email_committed_but_never_sent_is_delivered_once_its_first_try_lapses() {
        let store = Arc::new(EmbeddedStore::in_memory());
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let dying = ports(store.clone(), Arc::new(DyingMailer), clock.clone());
        // The request is dropped after its commit, while its email is being sent.
        let crashed = tokio::time::timeout(
            Duration::from_millis(200),
            submit_registration(&dying, form()),
        )
        .await;
        assert!(crashed.is_err(), "the request never answered");
        let mailer = Arc::new(RecordingMailer::default());
        let background = spawn(
            ports(store.clone(), mailer.clone(), clock.clone()),
            Duration::from_millis(10),
        );

        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            mailer.sent().len(),
            0,
            "held while the first try may still run"
        );
        clock.advance(FIRST_TRY_LEASE);
        let delivered = sent(&mailer, 1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        background.abort();

        assert_eq!(delivered, 1);
        assert_eq!(mailer.sent().len(), 1, "delivered exactly once");
        let id = &mailer.sent()[0].id;
        let status = store.outbox_status(id).await.unwrap();
        assert_eq!(status, Some(OutboxStatus::Sent));
    }

    fn ports_retry_delay() -> time::Duration {
        portal_domain::outbox::RetryPolicy::default().first_delay
    }
}
