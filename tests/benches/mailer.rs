//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests
//! --bench mailer` with moto's endpoints in PORTAL_TEST_DYNAMODB_ENDPOINT and
//! PORTAL_TEST_SES_ENDPOINT. Messages per second that one unpaced mailer run (a sweep)
//! delivers against moto: through SES v2, and with a mailer that sends nothing (the
//! store's share: one claim and one sent mark per message, plus the listing queries).

use std::sync::Arc;
use std::time::Instant;

use portal_domain::Ports;
use portal_domain::clock::ManualClock;
use portal_domain::outbox::RetryPolicy;
use portal_domain::ports::Mailer;
use portal_domain::testing::{RecordingMailer, registration_form};
use portal_domain::use_cases::{Pace, submit_registration, sweep_outbox};
use portal_email::{EmailConfig, SesMailer};
use portal_store::DynamoStore;
use portal_testkit::{bench, moto};

const MESSAGES: usize = 300;

fn main() {
    bench::run(async {
        let dynamodb = bench::moto_endpoint("mailer", "PORTAL_TEST_DYNAMODB_ENDPOINT");
        let ses = moto::ses_client(&bench::moto_endpoint("mailer", "PORTAL_TEST_SES_ENDPOINT"));
        let sender = format!("bench-{}@acme.example", std::process::id());
        ses.create_email_identity()
            .email_identity(&sender)
            .send()
            .await
            .expect("verify the sender");

        let rate = delivered_per_second(&dynamodb, "ses", |ports| {
            let config = EmailConfig {
                sender: sender.clone(),
                ..EmailConfig::local("https://portal.example", ports.sealer.clone())
            };
            Arc::new(SesMailer::new(ses.clone(), config, None))
        })
        .await;
        println!(
            "mailer: {rate:.0} messages/s delivered by one sweep through SES v2 and DynamoDB on moto ({MESSAGES} messages)"
        );
        let rate =
            delivered_per_second(&dynamodb, "null", |_| Arc::new(RecordingMailer::default())).await;
        println!(
            "mailer: {rate:.0} messages/s with a mailer that sends nothing: the store's share ({MESSAGES} messages)"
        );
    });
}

/// Fills a fresh table with `MESSAGES` due emails (their first tries failed), then times
/// one sweep that delivers them all through the mailer `deliver_with` makes.
async fn delivered_per_second(
    endpoint: &str,
    name: &str,
    deliver_with: impl FnOnce(&Ports) -> Arc<dyn Mailer>,
) -> f64 {
    let (client, table) = moto::fresh_table(endpoint, &format!("portal-bench-mailer-{name}")).await;
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let failing = Arc::new(RecordingMailer::default());
    failing.fail_from_now_on();
    let ports = portal_testkit::ports(
        Arc::new(DynamoStore::new(client, table)),
        failing,
        clock.clone(),
    );
    for i in 0..MESSAGES {
        submit_registration(&ports, registration_form(&format!("m{i}@example.com")))
            .await
            .expect("submit");
    }
    clock.advance(RetryPolicy::default().first_delay);
    let ports = Ports {
        mailer: deliver_with(&ports),
        ..ports
    };

    let started = Instant::now();
    let report = sweep_outbox(&ports, MESSAGES, &Pace::default())
        .await
        .expect("sweep");
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(report.sent as usize, MESSAGES, "{report:?}");
    MESSAGES as f64 / elapsed
}
