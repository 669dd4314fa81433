mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{PASSWORD, TestApp};

const NEW_PASSWORD: &str = "a brand new passphrase for 2026";

#[tokio::test]
async fn known_and_unknown_emails_get_byte_identical_answers() {
    let app = TestApp::start();
    app.active_user("ada@example.com").await;

    let known = app
        .post("/password-resets", json!({ "email": "ada@example.com" }))
        .await;
    let unknown = app
        .post("/password-resets", json!({ "email": "nobody@example.com" }))
        .await;

    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.bytes, unknown.bytes);
    app.reset_token("ada@example.com").await;
}

#[tokio::test]
async fn an_unknown_address_is_counted_in_its_window_and_its_email_left_to_the_mailer_like_a_known_one()
 {
    let app = TestApp::start();
    app.active_user("ada@example.com").await;
    let sent_before = app.mailer.sent().len();

    for email in ["ada@example.com", "nobody@example.com"] {
        app.post("/password-resets", json!({ "email": email }))
            .await;
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
    let pair = app.active_user("ada@example.com").await;
    app.post("/password-resets", json!({ "email": "ada@example.com" }))
        .await;
    let token = app.reset_token("ada@example.com").await;

    let done = app
        .post(
            "/password-resets/complete",
            json!({ "token": token, "password": NEW_PASSWORD }),
        )
        .await;

    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let refresh = app
        .post(
            "/sessions/refresh",
            json!({ "refresh_token": pair["refresh_token"] }),
        )
        .await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "old sessions end");
    let me = app
        .call("GET", "/me", pair["access_token"].as_str(), None)
        .await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "old access tokens stop working"
    );
    app.last("ada@example.com", |content| {
        matches!(
            content,
            portal_domain::outbox::EmailContent::PasswordChanged { .. }
        )
        .then_some(())
    });
    let again = app
        .post(
            "/password-resets/complete",
            json!({ "token": token, "password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.body["code"], "token_invalid");
}

#[tokio::test]
async fn completing_one_reset_ends_every_other_reset_link_of_the_user() {
    let app = TestApp::start();
    app.active_user("ada@example.com").await;
    let older = app.request_reset("ada@example.com").await;
    let newer = app.request_reset("ada@example.com").await;
    let done = app.complete_reset(&newer, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let before = app.store.snapshot();

    let older = app.complete_reset(&older, "yet another passphrase").await;

    assert_eq!(older.status, StatusCode::GONE, "{}", older.body);
    assert_eq!(older.body["code"], "token_invalid");
    assert_eq!(app.store.snapshot(), before);
    assert_eq!(
        app.log_in("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reset_emails_speak_the_language_the_user_registered_in() {
    let app = TestApp::start();
    app.active_user_in("hans@example.com", "de-AT").await;
    app.post("/password-resets", json!({ "email": "hans@example.com" }))
        .await;
    let token = app.reset_token("hans@example.com").await;
    app.post(
        "/password-resets/complete",
        json!({ "token": token, "password": NEW_PASSWORD }),
    )
    .await;

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
    app.active_user("ada@example.com").await;
    app.post("/password-resets", json!({ "email": "ada@example.com" }))
        .await;
    let token = app.reset_token("ada@example.com").await;

    let weak = app
        .post(
            "/password-resets/complete",
            json!({ "token": token, "password": "password1234567" }),
        )
        .await;
    app.clock.advance(time::Duration::hours(1));
    let expired = app
        .post(
            "/password-resets/complete",
            json!({ "token": token, "password": NEW_PASSWORD }),
        )
        .await;

    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["code"], "password_rejected");
    assert_eq!(expired.status, StatusCode::GONE);
}

#[tokio::test]
async fn an_invited_user_gets_no_reset_email() {
    let app = TestApp::start();
    app.invite("invited@example.com").await;
    let before = app.mailer.sent().len();

    let reply = app
        .post(
            "/password-resets",
            json!({ "email": "invited@example.com" }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(app.mailer.sent().len(), before);
}
