use axum::http::StatusCode;
use portal_domain::registration::RegistrationStatus;
use portal_testkit::{TestApp, UNKNOWN_ID, other_code, person};
use time::Duration;

#[tokio::test]
async fn the_emailed_code_verifies_the_request_and_it_becomes_new() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;

    let reply = app.verify(&id, &code).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["registration_id"], id.as_str());
    assert_eq!(reply.body["status"], "new");
    let stored = app.stored_registration(&id).await;
    assert_eq!(stored.status(), RegistrationStatus::New);
}

#[tokio::test]
async fn a_wrong_code_is_a_422_and_counts_an_attempt() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;

    let reply = app.verify(&id, &other_code(&code)).await;

    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    let stored = app.stored_registration(&id).await;
    assert_eq!(stored.code().unwrap().failed_attempts, 1);
}

#[tokio::test]
async fn after_five_wrong_codes_the_sixth_attempt_is_429_even_with_the_right_code() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;
    for _ in 0..5 {
        let reply = app.verify(&id, &other_code(&code)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    let reply = app.verify(&id, &code).await;

    reply.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(reply.headers.contains_key("retry-after"));
    let stored = app.stored_registration(&id).await;
    assert_eq!(stored.status(), RegistrationStatus::PendingVerification);
}

#[tokio::test]
async fn a_code_that_is_not_six_digits_is_a_422_and_costs_no_attempt() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let before = app.store.snapshot();

    let reply = app.verify(&id, "12ab").await;

    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "code");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_missing_code_is_a_422_naming_the_field() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;

    let reply = app
        .post(
            &format!("/registrations/{id}/verify"),
            serde_json::json!({}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "code");
    assert_eq!(reply.body["errors"][0]["message"], "is required");
}

#[tokio::test]
async fn an_unknown_registration_is_a_404() {
    let app = TestApp::start();

    for id in [UNKNOWN_ID, "not-an-id", &"f".repeat(3000)] {
        let reply = app.verify(id, "123456").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(reply.body["code"], "not_found");
    }
}

#[tokio::test]
async fn a_code_older_than_ten_minutes_no_longer_works() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;
    app.clock.advance(Duration::minutes(10));

    let reply = app.verify(&id, &code).await;

    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn an_unverified_request_is_gone_after_a_day() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;
    app.clock.advance(Duration::hours(24));

    assert_eq!(app.verify(&id, &code).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.resend(&id).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_verified_request_cannot_be_verified_twice() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;
    app.verify(&id, &code).await;

    let reply = app.verify(&id, &code).await;

    reply.assert_problem(StatusCode::CONFLICT, "invalid_state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_verifications_with_the_right_code_succeed_once() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;

    let (first, second) = tokio::join!(app.verify(&id, &code), app.verify(&id, &code));

    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let stored = app.stored_registration(&id).await;
    assert_eq!(stored.status(), RegistrationStatus::New);
    assert_eq!(stored.version(), 2);
}
