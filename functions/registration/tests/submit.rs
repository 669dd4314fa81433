use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use portal_domain::outbox::EmailContent;
use portal_store::OutboxStatus;
use portal_testkit::{TestApp, UNKNOWN_ID, person};
use serde_json::json;
use time::macros::datetime;

#[tokio::test]
async fn a_registration_is_accepted_pending_verification_and_emails_a_code() {
    let app = TestApp::start();

    let reply = app.register(person("ada@example.com")).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.body["status"], "pending_verification");
    assert_eq!(reply.body["registration_id"].as_str().unwrap().len(), 32);
    let emails = app.emails();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].to.as_ref(), "ada@example.com");
    assert!(matches!(
        emails[0].content,
        EmailContent::VerificationCode { .. }
    ));
}

#[tokio::test]
async fn the_code_is_stored_only_sealed_and_the_seal_opens_to_the_code_that_verifies() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    app.clock.advance(time::Duration::minutes(1));
    let resent = app.resend(&id).await;
    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.body);

    let code = app.code_for("ada@example.com").await;

    let stored = app.store.snapshot().to_string();
    assert!(
        !stored.contains(&code),
        "the code {code} is in the store in clear"
    );
    assert!(stored.contains("sealed_code"));
    let verified = app.verify(&id, &code).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}

#[tokio::test]
async fn the_email_is_normalized_before_it_is_stored_and_mailed() {
    let app = TestApp::start();

    app.submitted_request(person("  Ada@Example.COM ")).await;

    assert_eq!(app.emails()[0].to.as_ref(), "ada@example.com");
}

#[tokio::test]
async fn a_known_portal_user_gets_the_same_answer_and_an_already_registered_email() {
    let app = TestApp::start();
    app.add_portal_user("ada@example.com").await;

    let known = app.register(person("ada@example.com")).await;
    let unknown = app.register(person("grace@example.com")).await;

    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body["status"], unknown.body["status"]);
    let emails = app.emails();
    assert!(matches!(
        emails[0].content,
        EmailContent::AlreadyRegistered { .. }
    ));
    assert!(matches!(
        emails[1].content,
        EmailContent::VerificationCode { .. }
    ));
}

#[tokio::test]
async fn a_request_for_a_known_user_cannot_be_verified_and_answers_like_any_wrong_code() {
    let app = TestApp::start();
    app.add_portal_user("ada@example.com").await;
    let id = app.submitted_request(person("ada@example.com")).await;

    let reply = app.verify(&id, "123456").await;

    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn a_resend_for_a_known_user_repeats_the_already_registered_email() {
    let app = TestApp::start();
    app.add_portal_user("ada@example.com").await;
    let id = app.submitted_request(person("ada@example.com")).await;
    app.clock.advance(time::Duration::seconds(60));

    let reply = app.resend(&id).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let emails = app.emails();
    assert_eq!(emails.len(), 2);
    assert!(
        emails
            .iter()
            .all(|email| matches!(email.content, EmailContent::AlreadyRegistered { .. }))
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_and_writes_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    let reply = app
        .post_raw("/registrations", "application/json", "{\"first_name\": ")
        .await;

    reply.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
    assert_eq!(app.store.snapshot(), before);
    assert!(app.emails().is_empty());
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_400_that_names_it() {
    let app = TestApp::start();
    let before = app.store.snapshot();
    let mut body = person("ada@example.com");
    body["first_name"] = json!(42);

    let reply = app.register(body).await;

    reply.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("first_name"),
        "{}",
        reply.body
    );
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn missing_and_invalid_fields_are_a_422_naming_every_field_and_write_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    let reply = app
        .register(json!({
            "first_name": "  ",
            "email": "not-an-email",
            "phone": "call me",
            "locale": "english"
        }))
        .await;

    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(
        fields,
        ["email", "first_name", "last_name", "locale", "phone"]
    );
    assert_eq!(app.store.snapshot(), before);
    assert!(app.emails().is_empty());
}

#[tokio::test]
async fn blank_optional_fields_count_as_not_given() {
    let app = TestApp::start();
    let mut body = person("ada@example.com");
    body["phone"] = json!("");
    body["company"] = json!(" ");
    body["locale"] = json!(null);

    let reply = app.register(body).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
}

#[tokio::test]
async fn a_body_over_64_kib_is_a_413_and_writes_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();
    let mut body = person("ada@example.com");
    body["company"] = json!("x".repeat(64 * 1024));

    let reply = app.register(body).await;

    reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_body_that_is_not_json_by_content_type_is_a_400() {
    let app = TestApp::start();

    let reply = app
        .post_raw(
            "/registrations",
            "text/plain",
            person("ada@example.com").to_string(),
        )
        .await;

    reply.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
}

#[tokio::test]
async fn the_sixth_registration_for_one_email_within_an_hour_is_throttled_and_writes_nothing() {
    let app = TestApp::setup()
        .at(datetime!(2026-03-01 09:00:00 UTC))
        .start();
    for _ in 0..5 {
        app.submitted_request(person("ada@example.com")).await;
    }
    let before = app.store.snapshot();

    let reply = app.register(person("ada@example.com")).await;

    reply.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // The clock stands at 09:00:00, so the hourly window ends in an hour.
    assert_eq!(reply.headers["retry-after"], "3600");
    assert_eq!(app.store.snapshot(), before);
    assert_eq!(app.emails().len(), 5);
}

#[tokio::test]
async fn an_email_that_fails_to_send_stays_pending_in_the_outbox_and_the_request_still_succeeds() {
    let app = TestApp::start();
    app.mailer.fail_from_now_on();

    let reply = app.register(person("ada@example.com")).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let attempted = app.mailer.attempted();
    assert_eq!(attempted.len(), 1);
    let status = app.store.outbox_status(&attempted[0].id).await.unwrap();
    assert_eq!(status, Some(OutboxStatus::Pending));
}

#[tokio::test]
async fn an_email_sent_after_commit_is_marked_sent_in_the_outbox() {
    let app = TestApp::start();

    app.submitted_request(person("ada@example.com")).await;

    let id = app.emails()[0].id.clone();
    let status = app.store.outbox_status(&id).await.unwrap();
    assert_eq!(status, Some(OutboxStatus::Sent));
}

fn from_client(address: &str, email: &str, forwarded_for: &str) -> Request<Vec<u8>> {
    let mut request = Request::post("/registrations")
        .header("content-type", "application/json")
        .header("x-forwarded-for", forwarded_for)
        .body(person(email).to_string().into_bytes())
        .unwrap();
    let peer: SocketAddr = format!("{address}:50000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

#[tokio::test]
async fn a_client_over_its_limit_gets_a_429_with_retry_after_and_nothing_is_written() {
    let app = TestApp::setup()
        .at(datetime!(2026-03-01 09:00:00 UTC))
        .client_limit(3)
        .start();
    for n in 0..3 {
        let email = format!("p{n}@example.com");
        let reply = app.send(from_client("192.0.2.7", &email, "10.0.0.1")).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    }
    let before = app.store.snapshot();

    // A forged forwarding header changes nothing: the peer address is the client.
    let over = app
        .send(from_client("192.0.2.7", "p3@example.com", "10.9.9.9"))
        .await;

    over.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(over.headers["retry-after"], "60");
    assert_eq!(app.store.snapshot(), before);
    assert_eq!(app.emails().len(), 3);
    let other_client = app
        .send(from_client("192.0.2.8", "p3@example.com", "10.0.0.1"))
        .await;
    assert_eq!(other_client.status, StatusCode::ACCEPTED);
    app.clock.advance(time::Duration::minutes(1));
    let next_minute = app
        .send(from_client("192.0.2.7", "p4@example.com", "10.0.0.1"))
        .await;
    assert_eq!(next_minute.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn each_route_has_its_own_window_and_ids_share_one() {
    let app = TestApp::setup().client_limit(2).start();
    let id = app.submitted_request(person("ada@example.com")).await;
    app.submitted_request(person("grace@example.com")).await;

    let third = app.register(person("alan@example.com")).await;
    let verify = app.verify(&id, "000000").await;
    let verify_other = app.verify(UNKNOWN_ID, "000000").await;
    let verify_third = app.verify(&id, "000000").await;

    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(verify.status, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(verify_other.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(verify_third.body["code"], "rate_limited");
}
