//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests
//! --bench bulk` with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto. One bulk invitation
//! of 500 new addresses through the invitation router on DynamoDB (moto): how long it
//! answers, its DynamoDB calls, and that it queued exactly 500 invitation emails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portal_domain::clock::SystemClock;
use portal_domain::ports::OutboxStore;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_domain::testing::{self, RecordingMailer};
use portal_http::{
    AccessTokenVerifier, AccessTokenVerifierConfig, PortalSigningKey, StaffAuthConfig, StaffKey,
    StaffVerifier, mint_dev_staff_token,
};
use portal_store::DynamoStore;
use serde_json::{Value, json};
use tower::ServiceExt;

const MEMBERS: usize = 500;
const ROUNDS: usize = 3;
const STAFF_SECRET: &[u8] = b"benchmark-staff-secret-benchmark-staff";

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let Ok(endpoint) = std::env::var("PORTAL_TEST_DYNAMODB_ENDPOINT") else {
            println!("bulk: PORTAL_TEST_DYNAMODB_ENDPOINT is not set; run ./scripts/bench (it starts moto)");
            std::process::exit(1);
        };
        for round in 0..ROUNDS {
            bulk_invite_of_500(&endpoint, round).await;
        }
    });
}

async fn bulk_invite_of_500(endpoint: &str, round: usize) {
    let client = portal_store::connect_dynamodb(Some(endpoint)).await;
    let table = format!("portal-bench-bulk-{}-{round}", std::process::id());
    portal_store::table::create_table_if_missing(&client, &table)
        .await
        .expect("create table");
    let store = Arc::new(DynamoStore::new(client, table));
    let ports = testing::ports(
        store.clone(),
        Arc::new(RecordingMailer::default()),
        Arc::new(SystemClock),
    );
    let staff = StaffVerifier::new(StaffAuthConfig {
        issuer: "bench".into(),
        audience: "portal-staff".into(),
        key: StaffKey::Hs256(STAFF_SECRET.to_vec()),
    })
    .expect("staff verifier");
    let tokens = AccessTokenVerifier::new(AccessTokenVerifierConfig {
        issuer: "bench".into(),
        audience: "portal".into(),
        public_key: PortalSigningKey::generate().public_key(),
    });
    let app = portal_http::app(portal_invitation::router(
        ports.clone(),
        Arc::new(staff),
        Arc::new(tokens),
    ));
    let token = mint_dev_staff_token(
        STAFF_SECRET,
        "bench",
        "portal-staff",
        "bench",
        "Bench",
        &[MANAGE_USERS, ASSIGN_ROLES],
        Duration::from_secs(3600),
    );
    let (status, organization) = post(
        &app,
        "/staff/organizations",
        &token,
        json!({ "name": "Bench", "roles": ["orders.viewer"] }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{organization}");
    let id = organization["organization_id"].as_str().expect("an id");
    let emails: Vec<String> = (0..MEMBERS)
        .map(|i| format!("member{i}@bulk.example"))
        .collect();

    let started = Instant::now();
    let (status, body) = post(
        &app,
        &format!("/staff/organizations/{id}/members"),
        &token,
        json!({ "emails": emails }),
    )
    .await;
    let elapsed = started.elapsed();

    assert_eq!(status, StatusCode::OK, "{body}");
    let invited = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|row| row["outcome"] == "invited")
        .count();
    let queued = store
        .due_emails(time::OffsetDateTime::now_utc(), MEMBERS * 2)
        .await
        .expect("the outbox")
        .len();
    assert_eq!(invited, MEMBERS);
    assert_eq!(queued, MEMBERS, "one invitation email per member");
    println!(
        "bulk: {MEMBERS} new members invited in {:.2} s through the router on DynamoDB (moto); {queued} invitation emails queued in the outbox",
        elapsed.as_secs_f64()
    );
}

async fn post(app: &axum::Router, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
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
