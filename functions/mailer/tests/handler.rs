//! The handler end to end on the embedded store: a registration writes an outbox message
//! (and tries it once, as in production), then the mailer is invoked the way the stream
//! and the schedule invoke it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use portal_domain::Ports;
use portal_domain::clock::ManualClock;
use portal_domain::testing::RecordingMailer;
use portal_domain::use_cases::DeliveryReport;
use portal_mailer::{Config, MailerError};
use portal_store::{EmbeddedStore, OutboxStatus};
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;

struct Mailer {
    ports: Ports,
    store: Arc<EmbeddedStore>,
    mailer: Arc<RecordingMailer>,
    clock: Arc<ManualClock>,
    config: Config,
}

impl Mailer {
    fn start() -> Self {
        let store = Arc::new(EmbeddedStore::in_memory());
        let mailer = Arc::new(RecordingMailer::default());
        let clock = Arc::new(ManualClock::new(datetime!(2026-03-01 09:00:00 UTC)));
        let ports = portal_testkit::ports(store.clone(), mailer.clone(), clock.clone());
        // A millisecond apart: pacing is the domain's, tested there.
        let config = Config {
            rate_per_second: 1000.0,
            sweep_limit: 10,
        };
        Self {
            ports,
            store,
            mailer,
            clock,
            config,
        }
    }

    /// Submits a registration; returns the id of the verification email it wrote.
    async fn register(&self, email: &str) -> String {
        let request = Request::post("/registrations")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "email": email,
                    "company": "Analytical Engines"
                })
                .to_string(),
            ))
            .unwrap();
        let reply = portal_registration::router(self.ports.clone())
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::ACCEPTED);
        self.mailer.attempted().last().expect("an email").id.clone()
    }

    async fn invoke(&self, payload: Value) -> Result<DeliveryReport, MailerError> {
        let event = LambdaEvent::new(payload, Context::default());
        portal_mailer::handle(&self.ports, &self.config, event).await
    }

    async fn status(&self, id: &str) -> Option<OutboxStatus> {
        self.store.outbox_status(id).await.unwrap()
    }
}

fn stream_insert(ids: &[&str]) -> Value {
    let records: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "dynamodb": {
                    "Keys": { "pk": { "S": format!("OUTBOX#{id}") }, "sk": { "S": "OUTBOX" } },
                    "StreamViewType": "NEW_IMAGE"
                }
            })
        })
        .collect();
    json!({ "Records": records })
}

fn schedule_tick() -> Value {
    json!({ "source": "aws.events", "detail-type": "Scheduled Event", "detail": {} })
}

#[tokio::test]
async fn a_stream_insert_of_a_message_its_request_already_sent_is_skipped() {
    let mailer = Mailer::start();
    let id = mailer.register("ada@example.com").await;

    let report = mailer.invoke(stream_insert(&[&id])).await.unwrap();

    assert_eq!(
        report,
        DeliveryReport {
            skipped: 1,
            ..Default::default()
        }
    );
    assert_eq!(mailer.mailer.attempted().len(), 1);
    assert_eq!(mailer.status(&id).await, Some(OutboxStatus::Sent));
}

#[tokio::test]
async fn a_message_whose_first_try_failed_is_sent_by_the_first_sweep_after_its_backoff() {
    let mailer = Mailer::start();
    mailer.mailer.fail_from_now_on();
    let id = mailer.register("ada@example.com").await;
    mailer.mailer.succeed_from_now_on();

    let early = mailer.invoke(schedule_tick()).await.unwrap();
    mailer.clock.advance(time::Duration::minutes(1));
    let due = mailer.invoke(schedule_tick()).await.unwrap();

    assert_eq!(early.sent, 0);
    assert_eq!(due.sent, 1);
    assert_eq!(mailer.mailer.sent()[0].id, id);
    assert_eq!(mailer.status(&id).await, Some(OutboxStatus::Sent));
}

#[tokio::test]
async fn a_message_that_never_goes_out_ends_dead_and_the_report_says_so() {
    let mailer = Mailer::start();
    mailer.mailer.fail_from_now_on();
    let id = mailer.register("ada@example.com").await;

    let mut reports = Vec::new();
    for _ in 0..10 {
        // An hour covers the longest backoff.
        mailer.clock.advance(time::Duration::hours(1));
        reports.push(mailer.invoke(schedule_tick()).await.unwrap());
    }

    // The request's own try was the first of eight.
    let retrying: u32 = reports.iter().map(|report| report.retrying).sum();
    let dead: u32 = reports.iter().map(|report| report.dead).sum();
    assert_eq!((retrying, dead), (6, 1));
    assert_eq!(mailer.mailer.attempted().len(), 8);
    assert_eq!(mailer.status(&id).await, Some(OutboxStatus::Dead));
}

#[tokio::test]
async fn a_payload_that_is_no_event_fails_the_invocation_with_a_clear_error() {
    let mailer = Mailer::start();

    let error = mailer.invoke(json!(["OUTBOX#m1"])).await.unwrap_err();

    assert_eq!(
        Diagnostic::from(error),
        Diagnostic {
            error_type: "NotAnEvent".into(),
            error_message:
                "expected a DynamoDB stream batch or a scheduled event (a JSON object), got an array"
                    .into(),
        }
    );
}
