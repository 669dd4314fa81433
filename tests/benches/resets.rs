//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests
//! --bench resets` with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto. How long
//! `POST /password-resets` takes for an active user's address and for an unknown one,
//! side by side, through the password router on the embedded store and on DynamoDB
//! (moto): the two medians must not tell the addresses apart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portal_domain::audit::{Actor, AuditAction, AuditEvent};
use portal_domain::clock::ManualClock;
use portal_domain::invitation::{Invitation, InvitationStatus, SecretToken};
use portal_domain::ports::Store;
use portal_domain::random::OsRandomness;
use portal_domain::testing::{self, RecordingMailer};
use portal_domain::types::{EmailAddress, PersonName};
use portal_domain::user::{Grant, PortalUser, Profile};
use portal_http::{AccessTokenConfig, AccessTokens, PortalSigningKey};
use portal_store::{DynamoStore, EmbeddedStore};
use serde_json::json;
use tower::ServiceExt;

/// Requests per address kind and store (interleaved, known then unknown).
const SAMPLES: usize = 300;
const KNOWN: &str = "known@example.com";

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let Ok(endpoint) = std::env::var("PORTAL_TEST_DYNAMODB_ENDPOINT") else {
            println!(
                "resets: PORTAL_TEST_DYNAMODB_ENDPOINT is not set; run ./scripts/bench (it starts moto)"
            );
            std::process::exit(1);
        };
        compare("embedded store", Arc::new(EmbeddedStore::in_memory())).await;
        let client = portal_store::connect_dynamodb(Some(&endpoint)).await;
        let table = format!("portal-bench-resets-{}", std::process::id());
        portal_store::table::create_table_if_missing(&client, &table)
            .await
            .expect("create table");
        compare("dynamodb (moto)", Arc::new(DynamoStore::new(client, table))).await;
    });
}

async fn compare(name: &str, store: Arc<dyn Store>) {
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let ports = testing::ports(
        store.clone(),
        Arc::new(RecordingMailer::default()),
        clock.clone(),
    );
    store
        .create_portal_user(&active_user(KNOWN))
        .await
        .expect("the known user");
    let tokens = AccessTokens::new(AccessTokenConfig {
        issuer: "bench".into(),
        audience: "portal".into(),
        signing_key: PortalSigningKey::generate(),
    });
    let app = portal_http::app(portal_password::router(ports, Arc::new(tokens)));
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..SAMPLES {
        // A new throttle window for every pair: each request writes its link, none is
        // refused by the per-address limit.
        clock.advance(time::Duration::hours(1));
        known.push(time_request(&app, KNOWN).await);
        unknown.push(time_request(&app, &format!("nobody{i}@example.com")).await);
    }
    let (known, unknown) = (summary(&mut known), summary(&mut unknown));
    println!(
        "{name}: POST /password-resets median {:.2} ms for an active user's address, {:.2} ms for an unknown one (p90 {:.2} / {:.2} ms, {SAMPLES} each)",
        known.0, unknown.0, known.1, unknown.1
    );
}

async fn time_request(app: &axum::Router, email: &str) -> Duration {
    let request = Request::post("/password-resets")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "email": email }).to_string()))
        .expect("a request");
    let started = Instant::now();
    let response = app.clone().oneshot(request).await.expect("an answer");
    let elapsed = started.elapsed();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    elapsed
}

/// Median and 90th percentile, in milliseconds.
fn summary(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
    )
}

/// A user who accepted their invitation, written straight to the store.
fn active_user(email: &str) -> PortalUser {
    let now = time::OffsetDateTime::now_utc();
    let token = SecretToken::generate(&OsRandomness);
    let invitation = Invitation {
        token_hash: token.hash(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now + time::Duration::hours(72),
    };
    let staff = Actor {
        subject: "bench".into(),
        name: None,
    };
    let id = portal_domain::random::new_id(&OsRandomness);
    PortalUser::invite(
        id.clone(),
        format!("contact-{id}"),
        EmailAddress::parse(email).expect("an address"),
        Grant::default(),
        invitation,
        AuditEvent::new(&staff, AuditAction::Invited, None, now),
    )
    .with_profile(Profile {
        first_name: PersonName::parse("Known").expect("a name"),
        last_name: PersonName::parse("User").expect("a name"),
        phone: None,
    })
    .accept_invitation(&token.hash(), "$argon2id$v=19$bench".into(), None, now)
    .expect("accepted")
}
