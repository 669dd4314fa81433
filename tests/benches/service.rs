//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests`
//! with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto.
//! 1. Registration submits per second through the full router (shared layers included) on
//!    the embedded store with its file journal and the file outbox, on one core.
//! 2. DynamoDB calls per operation of every route that writes, counted by an SDK
//!    interceptor against moto, and what each kind of outbox message adds to its write.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::types::AttributeValue;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::clock::{ManualClock, SystemClock};
use portal_domain::outbox::EmailContent;
use portal_domain::ports::{Mailer, Store};
use portal_domain::sealed::SealKey;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_domain::testing::{self, RecordingMailer};
use portal_email::{EmailConfig, FileOutbox};
use portal_http::{
    AccessTokenConfig, AccessTokens, PortalSigningKey, StaffAuthConfig, StaffKey, StaffVerifier,
    mint_dev_staff_token,
};
use portal_store::{DynamoStore, EmbeddedStore};
use serde_json::{Value, json};
use tower::ServiceExt;

const SUBMITS: usize = 20_000;
const ROUNDS: usize = 3;
const DYNAMODB_SAMPLES: usize = 20;
const STAFF_SECRET: &[u8] = b"benchmark-staff-secret-benchmark-staff";
const PASSWORD: &str = "correct horse battery staple";
const LOGINS: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        submits_per_second_on_the_embedded_store().await;
        logins_per_second_against_the_argon2_bound().await;
        dynamodb_calls_per_operation().await;
    });
}

async fn submits_per_second_on_the_embedded_store() {
    let mut rates = Vec::new();
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("store.jsonl")).expect("store"));
        let ports = testing::ports(
            store,
            Arc::new(RecordingMailer::default()),
            Arc::new(SystemClock),
        );
        let email = EmailConfig::local("http://127.0.0.1:3000", ports.settings.seal_key.clone());
        let outbox: Arc<dyn Mailer> =
            Arc::new(FileOutbox::new(dir.path().join("outbox.jsonl"), email));
        let app = portal_http::app(portal_registration::router(portal_domain::Ports {
            mailer: outbox,
            ..ports
        }));
        let started = Instant::now();
        for i in 0..SUBMITS {
            let (status, _) = call(
                app.clone(),
                "/registrations".to_owned(),
                None,
                form(&format!("p{round}-{i}@example.com")),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED);
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
    let store: Arc<dyn Store> = Arc::new(DynamoStore::new(client.clone(), table.clone()));
    // A clock the benchmark moves, to get past the one-minute wait before a resend.
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let mailer = Arc::new(RecordingMailer::default());
    let ports = testing::ports(store, mailer.clone(), clock.clone());
    let seal_key = ports.settings.seal_key.clone();
    let app = service(ports);
    let staff = Some(staff_token());

    let ids = measure(&calls, "POST /registrations", |i| {
        let app = app.clone();
        async move {
            let (_, body) = call(
                app.clone(),
                "/registrations".to_owned(),
                None,
                form(&format!("d{i}@example.com")),
            )
            .await;
            body["registration_id"].as_str().expect("an id").to_owned()
        }
    })
    .await;
    clock.advance(time::Duration::seconds(60));
    measure(&calls, "POST /registrations/{id}/resend-code", |i| {
        call(
            app.clone(),
            format!("/registrations/{}/resend-code", ids[i]),
            None,
            json!({}),
        )
    })
    .await;
    measure(&calls, "POST /registrations/{id}/verify", |i| {
        let code = newest_code(&mailer, &seal_key, &format!("d{i}@example.com"));
        call(
            app.clone(),
            format!("/registrations/{}/verify", ids[i]),
            None,
            json!({ "code": code }),
        )
    })
    .await;
    measure(
        &calls,
        "POST /staff/registrations/{id}/link-contact (new contact)",
        |i| {
            call(
                app.clone(),
                format!("/staff/registrations/{}/link-contact", ids[i]),
                staff.clone(),
                json!({ "create_contact": true }),
            )
        },
    )
    .await;
    measure(&calls, "POST /staff/registrations/{id}/approve", |i| {
        call(
            app.clone(),
            format!("/staff/registrations/{}/approve", ids[i]),
            staff.clone(),
            json!({}),
        )
    })
    .await;
    let pairs = measure(&calls, "POST /invitations/accept", |i| {
        let token = invitation_token(&mailer, &seal_key, &format!("d{i}@example.com"));
        let body = json!({ "token": token, "password": PASSWORD });
        call(app.clone(), "/invitations/accept".to_owned(), None, body)
    })
    .await;
    measure(&calls, "POST /sessions (login)", |i| {
        let body = json!({ "username": format!("d{i}@example.com"), "password": PASSWORD });
        call(app.clone(), "/sessions".to_owned(), None, body)
    })
    .await;
    measure(&calls, "POST /sessions/refresh", |i| {
        let body = json!({ "refresh_token": pairs[i].1["refresh_token"] });
        call(app.clone(), "/sessions/refresh".to_owned(), None, body)
    })
    .await;
    outbox_write_cost(&client, &table).await;
}

/// What the outbox adds to a transition's write: its item's size by DynamoDB's sizing
/// rules, and the write units that costs inside a transaction (2 per started KB).
async fn outbox_write_cost(client: &aws_sdk_dynamodb::Client, table: &str) {
    let mut sizes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        for item in page.items() {
            let Some(AttributeValue::M(data)) = item.get("data") else {
                continue;
            };
            let is_outbox =
                matches!(item.get("pk"), Some(AttributeValue::S(pk)) if pk.starts_with("OUTBOX#"));
            let Some(AttributeValue::M(content)) = data.get("content") else {
                continue;
            };
            if let (true, Some(AttributeValue::S(kind))) = (is_outbox, content.get("kind")) {
                let size = item
                    .iter()
                    .map(|(name, value)| name.len() + value_size(value))
                    .sum();
                sizes.entry(kind.clone()).or_default().push(size);
            }
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    for (kind, sizes) in sizes {
        let largest = sizes.iter().copied().max().unwrap_or_default();
        println!(
            "outbox: {kind} message: {largest} bytes at most ({} seen), {} write units in its transaction, +1 for the sent mark",
            sizes.len(),
            2 * largest.div_ceil(1024)
        );
    }
}

/// An attribute value's size as DynamoDB bills it (numbers: about one byte per two digits).
fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => number.len().div_ceil(2) + 1,
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, value)| name.len() + value_size(value) + 1)
                .sum::<usize>()
        }
        AttributeValue::L(list) => {
            3 + list
                .iter()
                .map(|value| value_size(value) + 1)
                .sum::<usize>()
        }
        other => panic!("unexpected attribute type in an outbox item: {other:?}"),
    }
}

/// Logins per second through the router (one Argon2 verification each), set against
/// Argon2 verifications per second alone: the login's own overhead is the difference.
async fn logins_per_second_against_the_argon2_bound() {
    let store = Arc::new(EmbeddedStore::in_memory());
    let mailer = Arc::new(RecordingMailer::default());
    let ports = testing::ports(store, mailer.clone(), Arc::new(SystemClock));
    let seal_key = ports.settings.seal_key.clone();
    let hasher = ports.hasher.clone();
    let app = service(ports);
    let token = staff_token();
    let staff = Some(token);
    let (_, body) = call(
        app.clone(),
        "/registrations".to_owned(),
        None,
        form("login@example.com"),
    )
    .await;
    let id = body["registration_id"].as_str().expect("an id").to_owned();
    let code = newest_code(&mailer, &seal_key, "login@example.com");
    call(
        app.clone(),
        format!("/registrations/{id}/verify"),
        None,
        json!({ "code": code }),
    )
    .await;
    call(
        app.clone(),
        format!("/staff/registrations/{id}/link-contact"),
        staff.clone(),
        json!({ "create_contact": true }),
    )
    .await;
    call(
        app.clone(),
        format!("/staff/registrations/{id}/approve"),
        staff,
        json!({}),
    )
    .await;
    let invitation = invitation_token(&mailer, &seal_key, "login@example.com");
    let (status, _) = call(
        app.clone(),
        "/invitations/accept".to_owned(),
        None,
        json!({ "token": invitation, "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let stored = hasher
        .hash(
            &portal_domain::password::NewPassword::parse(PASSWORD, &[], Default::default())
                .expect("a good password"),
        )
        .await;

    let started = Instant::now();
    for _ in 0..LOGINS {
        assert!(hasher.verify(PASSWORD, Some(&stored)).await);
    }
    let bound = LOGINS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    for _ in 0..LOGINS {
        let body = json!({ "username": "login@example.com", "password": PASSWORD });
        let (status, _) = call(app.clone(), "/sessions".to_owned(), None, body).await;
        assert_eq!(status, StatusCode::OK);
    }
    let logins = LOGINS as f64 / started.elapsed().as_secs_f64();
    println!(
        "logins: {logins:.1}/s on one core through the router on the embedded store; Argon2id verifications alone {bound:.1}/s: {:.0} % of the bound ({LOGINS} each)",
        100.0 * logins / bound
    );
}

fn invitation_token(mailer: &RecordingMailer, seal_key: &SealKey, email: &str) -> String {
    mailer
        .sent()
        .iter()
        .rev()
        .find_map(|message| match &message.content {
            EmailContent::Invitation { sealed_token, .. } if message.to.as_ref() == email => {
                seal_key.open(sealed_token)
            }
            _ => None,
        })
        .expect("an invitation was sent")
}

fn staff_token() -> String {
    mint_dev_staff_token(
        STAFF_SECRET,
        "bench",
        "portal-staff",
        "bench",
        "Bench",
        &[MANAGE_USERS, ASSIGN_ROLES],
        Duration::from_secs(3600),
    )
}

/// Runs `operation` for every sample and prints the DynamoDB calls it made per sample.
async fn measure<T, F, Fut>(calls: &CallCounter, name: &str, mut operation: F) -> Vec<T>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    calls.reset();
    let mut outputs = Vec::new();
    for i in 0..DYNAMODB_SAMPLES {
        outputs.push(operation(i).await);
    }
    calls.report(name, DYNAMODB_SAMPLES);
    outputs
}

fn service(ports: portal_domain::Ports) -> Router {
    let staff = StaffVerifier::new(StaffAuthConfig {
        issuer: "bench".into(),
        audience: "portal-staff".into(),
        key: StaffKey::Hs256(STAFF_SECRET.to_vec()),
    })
    .expect("staff verifier");
    let tokens = AccessTokens::new(AccessTokenConfig {
        issuer: "bench".into(),
        audience: "portal".into(),
        signing_key: PortalSigningKey::generate(),
    });
    portal_http::app(
        portal_registration::router(ports.clone())
            .merge(portal_approval::router(ports.clone(), Arc::new(staff)))
            .merge(portal_password::router(ports, Arc::new(tokens))),
    )
}

fn newest_code(mailer: &RecordingMailer, seal_key: &SealKey, email: &str) -> String {
    mailer
        .sent()
        .iter()
        .rev()
        .find_map(|message| match &message.content {
            EmailContent::VerificationCode { sealed_code, .. } if message.to.as_ref() == email => {
                seal_key.open(sealed_code)
            }
            _ => None,
        })
        .expect("a code was sent")
}

/// Owns its arguments, so a benchmark step can return the call's future.
async fn call(
    app: Router,
    path: String,
    token: Option<String>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = Request::post(path).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::from(body.to_string())).expect("request");
    let response = app.oneshot(request).await.expect("response");
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
