use axum::http::StatusCode;
use portal_domain::outbox::EmailContent;
use portal_testkit::{PASSWORD, TestApp, person};
use serde_json::json;

const NEW_PASSWORD: &str = "a brand new passphrase for 2026";

#[tokio::test]
async fn known_and_unknown_emails_get_byte_identical_answers() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;

    let known = app.request_reset("ada@example.com").await;
    let unknown = app.request_reset("nobody@example.com").await;

    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.bytes, unknown.bytes);
    app.reset_token("ada@example.com").await;
}

#[tokio::test]
async fn an_unknown_address_is_counted_in_its_window_and_its_email_left_to_the_mailer_like_a_known_one()
 {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    let sent_before = app.mailer.sent().len();

    for email in ["ada@example.com", "nobody@example.com"] {
        app.request_reset(email).await;
    }

    assert_eq!(
        app.mailer.sent().len(),
        sent_before,
        "nothing is sent while the request waits"
    );
    let throttles = app.store.snapshot()["throttles"].to_string();
    assert!(throttles.contains("reset#ada@example.com#"), "{throttles}");
    assert!(
        throttles.contains("reset#nobody@example.com#"),
        "{throttles}"
    );
    app.reset_token("ada@example.com").await;
}

#[tokio::test]
async fn a_reset_sets_the_new_password_ends_sessions_and_says_so_by_email() {
    let app = TestApp::start();
    let pair = app.registered_user(person("ada@example.com")).await;
    app.request_reset("ada@example.com").await;
    let token = app.reset_token("ada@example.com").await;

    let done = app.complete_reset(&token, NEW_PASSWORD).await;

    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let refresh = app.refresh(&pair.refresh_token).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "old sessions end");
    let me = app.me(&pair.access_token).await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "old access tokens stop working"
    );
    assert!(
        app.emails()
            .iter()
            .any(|message| message.to.as_ref() == "ada@example.com"
                && matches!(message.content, EmailContent::PasswordChanged { .. }))
    );
    let again = app.complete_reset(&token, NEW_PASSWORD).await;
    again.assert_problem(StatusCode::GONE, "token_invalid");
}

#[tokio::test]
async fn completing_one_reset_ends_every_other_reset_link_of_the_user() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    let older = app.reset_link("ada@example.com").await;
    let newer = app.reset_link("ada@example.com").await;
    let done = app.complete_reset(&newer, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let before = app.store.snapshot();

    let older = app.complete_reset(&older, "yet another passphrase").await;

    older.assert_problem(StatusCode::GONE, "token_invalid");
    assert_eq!(app.store.snapshot(), before);
    assert_eq!(
        app.log_in("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reset_emails_speak_the_language_the_user_registered_in() {
    let app = TestApp::start();
    let mut form = person("hans@example.com");
    form["locale"] = json!("de-AT");
    app.registered_user(form).await;
    app.request_reset("hans@example.com").await;
    let token = app.reset_token("hans@example.com").await;
    app.complete_reset(&token, NEW_PASSWORD).await;

    let locales: Vec<(String, String)> = app
        .mailer
        .sent()
        .iter()
        .filter(|message| message.to.as_ref() == "hans@example.com")
        .map(|message| {
            (
                message.content.kind().to_owned(),
                message.locale.to_string(),
            )
        })
        .collect();
    let expected = [
        "verification_code",
        "invitation",
        "password_reset",
        "password_changed",
    ]
    .map(|kind| (kind.to_owned(), "de-AT".to_owned()));
    assert_eq!(locales, expected);
}

#[tokio::test]
async fn an_expired_reset_link_is_a_410_and_a_weak_password_a_422() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;
    app.request_reset("ada@example.com").await;
    let token = app.reset_token("ada@example.com").await;

    let weak = app.complete_reset(&token, "password1234567").await;
    app.clock.advance(time::Duration::hours(1));
    let expired = app.complete_reset(&token, NEW_PASSWORD).await;

    weak.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "password_rejected");
    assert_eq!(expired.status, StatusCode::GONE);
}

#[tokio::test]
async fn an_invited_user_gets_no_reset_email() {
    let app = TestApp::start();
    app.invitation_for(person("invited@example.com")).await;
    let before = app.mailer.sent().len();

    let reply = app.request_reset("invited@example.com").await;

    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(app.mailer.sent().len(), before);
}
