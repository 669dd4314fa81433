//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-registration`
//! with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto.
//! 1. Registration submits per second through the full router (shared layers included) on
//!    the embedded store with its file journal and the file outbox, on one core.
//! 2. DynamoDB calls per operation, counted by an SDK interceptor against moto.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::Ports;
use portal_domain::clock::{Clock, ManualClock, SystemClock};
use portal_domain::ports::{Settings, Store};
use portal_domain::random::OsRandomness;
use portal_domain::sealed::SealKey;
use portal_email::{EmailConfig, FileOutbox};
use portal_store::{DynamoStore, EmbeddedStore};
use serde_json::{Value, json};
use tower::ServiceExt;

const SUBMITS: usize = 20_000;
const ROUNDS: usize = 3;
const DYNAMODB_SAMPLES: usize = 20;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        submits_per_second_on_the_embedded_store().await;
        dynamodb_calls_per_operation().await;
    });
}

async fn submits_per_second_on_the_embedded_store() {
    let mut rates = Vec::new();
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("store.jsonl")).expect("store"));
        let app = app(store, Arc::new(SystemClock), &dir);
        let started = Instant::now();
        for i in 0..SUBMITS {
            let reply = post(
                &app,
                "/registrations",
                form(&format!("p{round}-{i}@example.com")),
            )
            .await;
            assert_eq!(reply.0, StatusCode::ACCEPTED);
        }
        rates.push(SUBMITS as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "embedded store: {:.0} registration submits/s on one core (median of {ROUNDS} rounds of {SUBMITS}; min {:.0}, max {:.0})",
        rates[ROUNDS / 2],
        rates[0],
        rates[ROUNDS - 1]
    );
}

async fn dynamodb_calls_per_operation() {
    let Ok(endpoint) = std::env::var("PORTAL_TEST_DYNAMODB_ENDPOINT") else {
        println!(
            "dynamodb: PORTAL_TEST_DYNAMODB_ENDPOINT is not set; run ./scripts/bench (it starts moto)"
        );
        std::process::exit(1);
    };
    let calls = CallCounter::default();
    let base = portal_store::connect_dynamodb(Some(&endpoint)).await;
    let config = base
        .config()
        .to_builder()
        .interceptor(calls.clone())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let table = format!("portal-bench-{}", std::process::id());
    portal_store::table::create_table_if_missing(&client, &table)
        .await
        .expect("create table");
    let dir = tempfile::tempdir().expect("temp dir");
    // A clock the benchmark moves, to get past the one-minute wait before a resend.
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let app = app(
        Arc::new(DynamoStore::new(client, table)),
        clock.clone(),
        &dir,
    );

    let mut ids = Vec::new();
    calls.reset();
    for i in 0..DYNAMODB_SAMPLES {
        let (_, body) = post(&app, "/registrations", form(&format!("d{i}@example.com"))).await;
        ids.push(body["registration_id"].as_str().expect("an id").to_owned());
    }
    calls.report("submit", DYNAMODB_SAMPLES);
    clock.advance(time::Duration::seconds(60));
    for id in &ids {
        post(&app, &format!("/registrations/{id}/resend-code"), json!({})).await;
    }
    calls.report("resend-code", DYNAMODB_SAMPLES);
    for id in &ids {
        // A wrong code costs the same calls as the right one: read, then one conditional write.
        post(
            &app,
            &format!("/registrations/{id}/verify"),
            json!({ "code": "000000" }),
        )
        .await;
    }
    calls.report("verify", DYNAMODB_SAMPLES);
}

fn app(store: Arc<dyn Store>, clock: Arc<dyn Clock>, dir: &tempfile::TempDir) -> Router {
    let seal_key = SealKey::generate(&OsRandomness);
    let email = EmailConfig::local("http://127.0.0.1:3000", seal_key.clone());
    let outbox = FileOutbox::new(dir.path().join("outbox.jsonl"), email);
    let ports = Ports {
        store,
        mailer: Arc::new(outbox),
        clock,
        random: Arc::new(OsRandomness),
        settings: Arc::new(Settings {
            invitation_lifetime: Settings::DEFAULT_INVITATION_LIFETIME,
            seal_key,
        }),
    };
    portal_http::app(portal_registration::router(ports))
}

async fn post(app: &Router, path: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn form(email: &str) -> Value {
    json!({ "first_name": "Ada", "last_name": "Lovelace", "email": email, "company": "Acme" })
}

/// Counts DynamoDB requests by operation (the `x-amz-target` header names it).
#[derive(Clone, Debug, Default)]
struct CallCounter(Arc<Mutex<BTreeMap<String, usize>>>);

impl CallCounter {
    fn reset(&self) {
        self.0.lock().expect("lock").clear();
    }

    fn report(&self, operation: &str, samples: usize) {
        let counts = std::mem::take(&mut *self.0.lock().expect("lock"));
        let total: usize = counts.values().sum();
        let detail: Vec<String> = counts
            .iter()
            .map(|(name, n)| format!("{name} {}", *n as f64 / samples as f64))
            .collect();
        println!(
            "dynamodb: {operation} = {} calls ({})",
            total as f64 / samples as f64,
            detail.join(" + ")
        );
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown")
            .trim_start_matches("DynamoDB_20120810.")
            .to_owned();
        *self.0.lock().expect("lock").entry(target).or_default() += 1;
        Ok(())
    }
}
