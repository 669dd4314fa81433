//! Delivery faults on the emulator: DynamoDB and SES v2 both on moto, the domain's
//! delivery logic between them. SES refusing a sender leaves the email pending; a crash
//! between commit and send loses nothing; two mailers racing send each email once.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use portal_domain::Ports;
use portal_domain::clock::{Clock, ManualClock};
use portal_domain::outbox::{FIRST_TRY_LEASE, RetryPolicy};
use portal_domain::ports::{Mailer, OutboxStore};
use portal_domain::testing::{DyingMailer, RecordingMailer, registration_form};
use portal_domain::use_cases::{Pace, submit_registration, sweep_outbox};
use portal_email::{EmailConfig, SesMailer};
use portal_store::OutboxStatus;
use portal_testkit::moto::{fresh_store, random_suffix, ses_client, ses_endpoint, ses_recipients};
use time::OffsetDateTime;

/// A sender moto does not know yet: SES in its sandbox refuses to send from it.
fn new_sender() -> String {
    format!("portal-{}@acme.example", random_suffix())
}

async fn verify(sender: &str) {
    ses_client(&ses_endpoint())
        .create_email_identity()
        .email_identity(sender)
        .send()
        .await
        .unwrap();
}

fn ses_mailer(ports: &Ports, sender: &str) -> Arc<SesMailer> {
    let config = EmailConfig {
        sender: sender.to_owned(),
        ..EmailConfig::local("https://portal.acme.example", ports.sealer.clone())
    };
    Arc::new(SesMailer::new(ses_client(&ses_endpoint()), config, None))
}

fn recipient() -> String {
    format!("ada-{}@example.com", random_suffix())
}

async fn ses_messages_to(recipient: &str) -> usize {
    ses_recipients()
        .await
        .iter()
        .filter(|to| *to == recipient)
        .count()
}

/// The same ports with another mailer (the store, clock and keys stay).
fn with_mailer(ports: &Ports, mailer: Arc<dyn Mailer>) -> Ports {
    Ports {
        mailer,
        ..ports.clone()
    }
}

#[tokio::test]
async fn ses_refusing_the_sender_leaves_the_email_pending_until_a_later_sweep_delivers_it_once() {
    let store = fresh_store("portal-delivery").await;
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let base = portal_testkit::ports(
        store.clone(),
        Arc::new(RecordingMailer::default()),
        clock.clone(),
    );
    let sender = new_sender();
    let ports = with_mailer(&base, ses_mailer(&base, &sender));
    let to = recipient();

    submit_registration(&ports, registration_form(&to))
        .await
        .unwrap();

    let due = store
        .due_emails(clock.now() + RetryPolicy::default().first_delay, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "pending, due after the backoff");
    assert_eq!(
        store.outbox_status(&due[0]).await.unwrap(),
        Some(OutboxStatus::Pending)
    );

    verify(&sender).await;
    let early = sweep_outbox(&ports, 10, &Pace::default()).await.unwrap();
    assert_eq!(early.sent, 0, "not before its backoff ends");
    clock.advance(RetryPolicy::default().first_delay);
    let swept = sweep_outbox(&ports, 10, &Pace::default()).await.unwrap();
    clock.advance(time::Duration::hours(2));
    let again = sweep_outbox(&ports, 10, &Pace::default()).await.unwrap();

    assert_eq!(swept.sent, 1, "{swept:?}");
    assert_eq!(again.sent + again.skipped, 0, "{again:?}");
    assert_eq!(ses_messages_to(&to).await, 1);
    assert_eq!(
        store.outbox_status(&due[0]).await.unwrap(),
        Some(OutboxStatus::Sent)
    );
}

#[tokio::test]
async fn a_crash_between_commit_and_send_loses_no_email() {
    let store = fresh_store("portal-delivery").await;
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let base = portal_testkit::ports(store.clone(), Arc::new(DyingMailer), clock.clone());
    let sender = new_sender();
    verify(&sender).await;
    let to = recipient();

    let crashed = tokio::time::timeout(
        StdDuration::from_secs(2),
        submit_registration(&base, registration_form(&to)),
    )
    .await;
    assert!(crashed.is_err(), "the request died while sending");

    let mailer = with_mailer(&base, ses_mailer(&base, &sender));
    let held = sweep_outbox(&mailer, 10, &Pace::default()).await.unwrap();
    assert_eq!(
        held.sent, 0,
        "held while the first try may still be running"
    );
    clock.advance(FIRST_TRY_LEASE);
    let swept = sweep_outbox(&mailer, 10, &Pace::default()).await.unwrap();

    assert_eq!(swept.sent, 1, "{swept:?}");
    assert_eq!(ses_messages_to(&to).await, 1);
}

#[tokio::test]
async fn two_mailers_sweeping_one_outbox_send_every_email_exactly_once() {
    let store = fresh_store("portal-delivery").await;
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let failing = Arc::new(RecordingMailer::default());
    failing.fail_from_now_on();
    let base = portal_testkit::ports(store.clone(), failing, clock.clone());
    let recipients: Vec<String> = (0..12).map(|_| recipient()).collect();
    for to in &recipients {
        submit_registration(&base, registration_form(to))
            .await
            .unwrap();
    }
    let sender = new_sender();
    verify(&sender).await;
    clock.advance(RetryPolicy::default().first_delay);
    let mailer = with_mailer(&base, ses_mailer(&base, &sender));

    let unpaced = Pace::default();
    let (first, second) = tokio::join!(
        sweep_outbox(&mailer, 100, &unpaced),
        sweep_outbox(&mailer, 100, &unpaced),
    );

    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.sent + second.sent, 12, "{first:?} {second:?}");
    assert_eq!(
        first.skipped + second.skipped,
        12,
        "each lost the other's claims"
    );
    let sent = ses_recipients().await;
    for to in &recipients {
        assert_eq!(sent.iter().filter(|sent| *sent == to).count(), 1, "{to}");
    }
}
