//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests
//! --bench bulk` with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto. One bulk invitation
//! of 500 new addresses through the invitation router on DynamoDB (moto): how long it
//! answers, its DynamoDB calls, and that it queued exactly 500 invitation emails.

use std::sync::Arc;
use std::time::Instant;

use portal_domain::ports::OutboxStore;
use portal_store::DynamoStore;
use portal_testkit::{StatusCode, TestApp, bench, moto};
use serde_json::json;

const MEMBERS: usize = 500;
const ROUNDS: usize = 3;

fn main() {
    bench::run(async {
        let endpoint = bench::moto_endpoint("bulk", "PORTAL_TEST_DYNAMODB_ENDPOINT");
        for round in 0..ROUNDS {
            bulk_invite_of_500(&endpoint, round).await;
        }
    });
}

async fn bulk_invite_of_500(endpoint: &str, round: usize) {
    let (client, table) = moto::fresh_table(endpoint, &format!("portal-bench-bulk-{round}")).await;
    let store = Arc::new(DynamoStore::new(client, table));
    let app = TestApp::setup().start_on(store.clone());
    let id = app.new_organization("Bench", &["orders.viewer"]).await;
    let emails: Vec<String> = (0..MEMBERS)
        .map(|i| format!("member{i}@bulk.example"))
        .collect();

    let started = Instant::now();
    let reply = app.add_members(&id, json!({ "emails": emails })).await;
    let elapsed = started.elapsed();

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let invited = reply
        .results()
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
