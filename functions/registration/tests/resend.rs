use axum::http::StatusCode;
use portal_testkit::{TestApp, UNKNOWN_ID, person};
use time::Duration;

#[tokio::test]
async fn a_resent_code_replaces_the_old_one() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let old = app.code_for("ada@example.com").await;
    app.clock.advance(Duration::seconds(60));

    let reply = app.resend(&id).await;
    let new = app.code_for("ada@example.com").await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(app.emails().len(), 2);
    if old != new {
        assert_eq!(
            app.verify(&id, &old).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(app.verify(&id, &new).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_resend_within_a_minute_is_throttled_and_sends_nothing() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    app.clock.advance(Duration::seconds(15));
    let before = app.store.snapshot();

    let reply = app.resend(&id).await;

    reply.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(reply.headers["retry-after"], "45");
    assert_eq!(app.emails().len(), 1);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_resend_for_a_verified_request_is_a_409() {
    let app = TestApp::start();
    let id = app.submitted_request(person("ada@example.com")).await;
    let code = app.code_for("ada@example.com").await;
    app.verify(&id, &code).await;
    app.clock.advance(Duration::seconds(60));

    let reply = app.resend(&id).await;

    reply.assert_problem(StatusCode::CONFLICT, "invalid_state");
}

#[tokio::test]
async fn a_resend_for_an_unknown_request_is_a_404() {
    let app = TestApp::start();

    let reply = app.resend(UNKNOWN_ID).await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}
