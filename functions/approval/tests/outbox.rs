mod support;

use axum::http::StatusCode;
use portal_domain::testing;
use portal_domain::use_cases::{Pace, sweep_outbox};
use serde_json::json;
use support::TestApp;
use time::Duration;

/// Submits a request while mail fails, then lets the mailer try until it gives up.
async fn undeliverable_request(app: &TestApp, email: &str) {
    app.mailer.fail_from_now_on();
    let form = json!({"first_name": "Ada", "last_name": "Lovelace", "email": email});
    let reply = app.call("POST", "/registrations", None, Some(form)).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let mailer = testing::ports(app.store.clone(), app.mailer.clone(), app.clock.clone());
    let mut dead = 0;
    for _ in 0..mailer.settings.email_retries.max_attempts {
        app.clock.advance(Duration::hours(1));
        dead += sweep_outbox(&mailer, 10, &Pace::default())
            .await
            .unwrap()
            .dead;
    }
    assert_eq!(dead, 1);
}

#[tokio::test]
async fn an_email_the_mailer_gave_up_on_is_listed_for_staff() {
    let app = TestApp::start();
    undeliverable_request(&app, "ada@example.com").await;

    let reply = app.staff_get("/staff/outbox/dead").await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", reply.body);
    assert_eq!(items[0]["kind"], "verification_code");
    assert_eq!(items[0]["to"], "ada@example.com");
    assert_eq!(items[0]["attempts"], 8);
    assert_eq!(items[0]["last_error"], "injected failure");
    assert!(items[0]["died_at"].is_string());
    assert!(
        items[0].get("text").is_none(),
        "bodies may hold one-time links"
    );
    assert!(reply.body["next_cursor"].is_null());
}

#[tokio::test]
async fn delivered_and_retrying_emails_are_not_listed_as_dead() {
    let app = TestApp::start();
    let form = json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ok@example.com"});
    app.call("POST", "/registrations", None, Some(form)).await;
    app.mailer.fail_from_now_on();
    let form = json!({"first_name": "Bo", "last_name": "Lovelace", "email": "retry@example.com"});
    app.call("POST", "/registrations", None, Some(form)).await;

    let reply = app.staff_get("/staff/outbox/dead").await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["items"], json!([]));
}

#[tokio::test]
async fn the_dead_list_needs_a_staff_token_and_a_422_names_a_bad_page_parameter() {
    let app = TestApp::start();
    undeliverable_request(&app, "ada@example.com").await;

    let anonymous = app.call("GET", "/staff/outbox/dead", None, None).await;
    let bad_limit = app.staff_get("/staff/outbox/dead?limit=0").await;
    let bad_cursor = app.staff_get("/staff/outbox/dead?cursor=nope").await;

    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bad_limit.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad_limit.body
    );
    assert_eq!(bad_limit.body["errors"][0]["field"], "limit");
    assert_eq!(
        bad_cursor.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad_cursor.body
    );
    assert_eq!(bad_cursor.body["errors"][0]["field"], "cursor");
}
