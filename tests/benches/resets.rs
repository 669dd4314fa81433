//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests
//! --bench resets` with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto. How long
//! `POST /password-resets` takes for an active user's address and for an unknown one,
//! side by side, through the password router on the embedded store and on DynamoDB
//! (moto): the two medians must not tell the addresses apart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_domain::ports::Store;
use portal_domain::types::PersonName;
use portal_domain::user::{PortalUser, Profile};
use portal_store::{DynamoStore, EmbeddedStore};
use portal_testkit::{StatusCode, TestApp, bench, invited_portal_user, moto};

/// Requests per address kind and store (interleaved, known then unknown).
const SAMPLES: usize = 300;
const KNOWN: &str = "known@example.com";

fn main() {
    bench::run(async {
        let endpoint = bench::moto_endpoint("resets", "PORTAL_TEST_DYNAMODB_ENDPOINT");
        compare("embedded store", Arc::new(EmbeddedStore::in_memory())).await;
        let (client, table) = moto::fresh_table(&endpoint, "portal-bench-resets").await;
        compare("dynamodb (moto)", Arc::new(DynamoStore::new(client, table))).await;
    });
}

async fn compare<S: Store + 'static>(name: &str, store: Arc<S>) {
    let app = TestApp::setup().start_on(store.clone());
    store
        .create_portal_user(&active_user(KNOWN))
        .await
        .expect("the known user");
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..SAMPLES {
        // A new throttle window for every pair: each request writes its link, none is
        // refused by the per-address limit.
        app.clock.advance(time::Duration::hours(1));
        known.push(time_request(&app, KNOWN).await);
        unknown.push(time_request(&app, &format!("nobody{i}@example.com")).await);
    }
    let (known, unknown) = (summary(&mut known), summary(&mut unknown));
    println!(
        "{name}: POST /password-resets median {:.2} ms for an active user's address, {:.2} ms for an unknown one (p90 {:.2} / {:.2} ms, {SAMPLES} each)",
        known.0, unknown.0, known.1, unknown.1
    );
}

async fn time_request<S>(app: &TestApp<S>, email: &str) -> Duration {
    let started = Instant::now();
    let reply = app.request_reset(email).await;
    let elapsed = started.elapsed();
    assert_eq!(reply.status, StatusCode::ACCEPTED);
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
    let (user, token) = invited_portal_user(email, now);
    user.with_profile(Profile {
        first_name: PersonName::parse("Known").expect("a name"),
        last_name: PersonName::parse("User").expect("a name"),
        phone: None,
    })
    .accept_invitation(
        &token.hash(),
        "$argon2id$v=19$bench".into(),
        None,
        None,
        now,
    )
    .expect("accepted")
}
