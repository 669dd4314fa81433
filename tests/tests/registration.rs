//! Public self-registration over real HTTP, on both stores.

use portal_testkit::{Backend, LocalPortal, UNKNOWN_ID, person};
use reqwest::StatusCode;

async fn register_read_the_code_and_verify(backend: Backend) {
    let portal = LocalPortal::start(backend).await;

    let submitted = portal.register(person("grace@example.com")).await;
    assert_eq!(submitted.status, StatusCode::ACCEPTED, "{}", submitted.body);
    assert_eq!(submitted.body["status"], "pending_verification");
    let id = submitted.body["registration_id"].as_str().unwrap();

    let code = portal.code_for("grace@example.com").await;
    let verified = portal.verify(id, &code).await;

    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["status"], "new");
}

#[tokio::test]
async fn a_person_registers_and_verifies_the_emailed_code_on_the_embedded_store() {
    register_read_the_code_and_verify(Backend::Embedded).await;
}

#[tokio::test]
async fn a_person_registers_and_verifies_the_emailed_code_on_dynamodb() {
    register_read_the_code_and_verify(Backend::DynamoDb).await;
}

async fn concurrent_verifications_succeed_once(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let submitted = portal.register(person("ada@example.com")).await;
    let id = submitted.body["registration_id"].as_str().unwrap();
    let code = portal.code_for("ada@example.com").await;

    let (first, second) = tokio::join!(portal.verify(id, &code), portal.verify(id, &code));

    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let again = portal.verify(id, &code).await;
    assert_eq!(again.body["code"], "invalid_state");
}

#[tokio::test]
async fn two_concurrent_verifications_succeed_once_on_the_embedded_store() {
    concurrent_verifications_succeed_once(Backend::Embedded).await;
}

#[tokio::test]
async fn two_concurrent_verifications_succeed_once_on_dynamodb() {
    concurrent_verifications_succeed_once(Backend::DynamoDb).await;
}

async fn bad_input_changes_nothing(backend: Backend) {
    let portal = LocalPortal::start(backend).await;

    let invalid = portal
        .register(serde_json::json!({ "first_name": "Grace", "email": "nope" }))
        .await;
    let unknown = portal.verify(UNKNOWN_ID, "123456").await;

    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.body["errors"].as_array().unwrap().len(), 2);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(portal.outbox().await.is_empty());
}

#[tokio::test]
async fn invalid_input_is_refused_and_sends_nothing_on_the_embedded_store() {
    bad_input_changes_nothing(Backend::Embedded).await;
}

#[tokio::test]
async fn invalid_input_is_refused_and_sends_nothing_on_dynamodb() {
    bad_input_changes_nothing(Backend::DynamoDb).await;
}

#[tokio::test]
async fn a_restart_keeps_the_embedded_data() {
    let mut portal = LocalPortal::start(Backend::Embedded).await;
    let submitted = portal.register(person("grace@example.com")).await;
    let id = submitted.id("registration_id");
    let code = portal.code_for("grace@example.com").await;

    portal.restart().await;
    let verified = portal.verify(&id, &code).await;

    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}

#[tokio::test]
async fn unknown_routes_answer_problem_json() {
    let portal = LocalPortal::start(Backend::Embedded).await;

    let reply = portal.get("/nowhere").await;

    reply.assert_problem(StatusCode::NOT_FOUND, "not_found");
}
