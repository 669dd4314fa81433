use axum::http::StatusCode;
use portal_domain::use_cases::{Pace, sweep_outbox};
use portal_testkit::{TestApp, person};
use serde_json::json;
use time::Duration;

/// Submits a request while mail fails, then lets the mailer try until it gives up.
async fn undeliverable_request(app: &TestApp, email: &str) {
    app.mailer.fail_from_now_on();
    app.submitted_request(person(email)).await;
    let mut dead = 0;
    for _ in 0..app.ports.settings.email_retries.max_attempts {
        app.clock.advance(Duration::hours(1));
        dead += sweep_outbox(&app.ports, 10, &Pace::default())
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

    let reply = app.dead_emails("").await;

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
    app.register(person("ok@example.com")).await;
    app.mailer.fail_from_now_on();
    app.register(person("retry@example.com")).await;

    let reply = app.dead_emails("").await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["items"], json!([]));
}

#[tokio::test]
async fn the_dead_list_needs_a_staff_token_and_a_422_names_a_bad_page_parameter() {
    let app = TestApp::start();
    undeliverable_request(&app, "ada@example.com").await;

    let anonymous = app.get("/staff/outbox/dead").await;
    let bad_limit = app.dead_emails("limit=0").await;
    let bad_cursor = app.dead_emails("cursor=nope").await;

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

/// The id of the newest email the mailer gave up on.
async fn newest_dead_email(app: &TestApp) -> String {
    app.dead_emails("").await.body["items"][0]["id"]
        .as_str()
        .expect("a dead email")
        .to_owned()
}

/// Lets the mailer try every due email once more, with mail working again.
async fn mail_works_again(app: &TestApp) {
    app.mailer.succeed_from_now_on();
    app.clock.advance(Duration::minutes(1));
    sweep_outbox(&app.ports, 10, &Pace::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_requeued_email_goes_out_on_the_mailers_next_sweep() {
    let app = TestApp::start();
    undeliverable_request(&app, "ada@example.com").await;
    let id = newest_dead_email(&app).await;

    let reply = app.requeue_dead_email(&id).await;

    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    assert_eq!(app.dead_emails("").await.body["items"], json!([]));
    mail_works_again(&app).await;
    let sent: Vec<_> = app
        .mailer
        .sent()
        .into_iter()
        .filter(|message| message.id == id)
        .collect();
    assert_eq!(sent.len(), 1, "delivered once, after the requeue");
    // Requeued already: no dead email has this id any more.
    app.requeue_dead_email(&id)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_requeue_is_recorded_on_the_email_and_shown_when_it_dies_again() {
    let app = TestApp::start();
    undeliverable_request(&app, "ada@example.com").await;
    let id = newest_dead_email(&app).await;
    app.requeue_dead_email(&id).await;

    for _ in 0..app.ports.settings.email_retries.max_attempts {
        app.clock.advance(Duration::hours(1));
        sweep_outbox(&app.ports, 10, &Pace::default())
            .await
            .unwrap();
    }

    let items = app.dead_emails("").await.body["items"].clone();
    assert_eq!(items[0]["id"], id.as_str());
    let requeues = items[0]["requeues"].as_array().unwrap();
    assert_eq!(requeues.len(), 1, "{items}");
    assert_eq!(requeues[0]["action"], "email_requeued");
    assert_eq!(requeues[0]["actor"]["subject"], "staff-1");
}

#[tokio::test]
async fn every_dead_email_is_requeued_at_once() {
    let app = TestApp::start();
    for email in ["ada@example.com", "grace@example.com", "alan@example.com"] {
        undeliverable_request(&app, email).await;
    }

    let reply = app.requeue_dead_emails().await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, json!({ "requeued": 3, "more": false }));
    assert_eq!(app.dead_emails("").await.body["items"], json!([]));
    mail_works_again(&app).await;
    assert_eq!(app.mailer.sent().len(), 3);
    let again = app.requeue_dead_emails().await;
    assert_eq!(again.body, json!({ "requeued": 0, "more": false }));
}

#[tokio::test]
async fn requeueing_needs_a_staff_token_and_an_unknown_id_is_a_404() {
    let app = TestApp::start();
    undeliverable_request(&app, "ada@example.com").await;
    let before = app.store.snapshot();

    for path in [
        "/staff/outbox/dead/requeue",
        "/staff/outbox/dead/0123456789abcdef0123456789abcdef/requeue",
    ] {
        let anonymous = app.post(path, json!({})).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let oversized = "a".repeat(3000);
    for unknown in [
        "0123456789abcdef0123456789abcdef",
        "not-an-id",
        oversized.as_str(),
    ] {
        app.requeue_dead_email(unknown)
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(app.store.snapshot(), before);
}
