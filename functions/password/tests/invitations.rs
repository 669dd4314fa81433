use axum::http::StatusCode;
use portal_testkit::{PASSWORD, TestApp, person};
use serde_json::json;
use time::Duration;

#[tokio::test]
async fn the_welcome_page_looks_up_who_the_link_is_for() {
    let app = TestApp::start();
    let token = app.invitation_for(person("ada@example.com")).await;

    let reply = app.lookup_invitation(&token).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["username"], "ada@example.com");
    assert_eq!(reply.body["first_name"], "Ada");
    assert_eq!(reply.body["needs_profile"], false);
    assert!(reply.body["expires_at"].is_string());
}

#[tokio::test]
async fn accepting_sets_the_password_and_logs_the_person_in() {
    let app = TestApp::start();
    let token = app.invitation_for(person("ada@example.com")).await;

    let reply = app.accept_invitation(&token, PASSWORD, None).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    let me = app.me(&reply.id("access_token")).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["username"], "ada@example.com");
    assert_eq!(me.body["first_name"], "Ada");
    assert!(
        me.body["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("portal.user"))
    );
}

#[tokio::test]
async fn a_used_unknown_or_expired_link_answers_the_same_410() {
    let app = TestApp::start();
    let used = app.invitation_for(person("ada@example.com")).await;
    app.accept_invitation(&used, PASSWORD, None).await;
    let expired = app.invitation_for(person("grace@example.com")).await;
    app.clock.advance(Duration::hours(72));

    let mut bodies = Vec::new();
    for token in [used.as_str(), "not-a-token", expired.as_str()] {
        for path in ["/invitations/lookup", "/invitations/accept"] {
            let reply = app
                .post(path, json!({ "token": token, "password": PASSWORD }))
                .await;
            assert_eq!(reply.status, StatusCode::GONE, "{path} {token}");
            assert_eq!(reply.body["code"], "invitation_invalid");
            bodies.push(reply.bytes);
        }
    }
    bodies.dedup();
    assert_eq!(bodies.len(), 1, "the answers differ");
}

#[tokio::test]
async fn a_random_looking_password_of_fourteen_characters_is_too_short_by_default() {
    let app = TestApp::start();
    let token = app.invitation_for(person("ada@example.com")).await;

    let reply = app.accept_invitation(&token, "tqzv-mw8r-kx7p", None).await;

    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["detail"],
        "the password must be at least 15 characters"
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_with_a_reason_and_the_link_still_works() {
    let app = TestApp::start();
    let token = app.invitation_for(person("ada@example.com")).await;
    let before = app.store.snapshot();

    for password in [
        "short",
        &"x".repeat(129),
        "password1234567",
        "ada@example.com",
        "Ada Lovelace rocks",
    ] {
        let reply = app.accept_invitation(&token, password, None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(reply.body["code"], "password_rejected", "{password}");
        assert!(
            reply.body["detail"].as_str().unwrap().len() > "the password ".len(),
            "{}",
            reply.body
        );
    }
    assert_eq!(app.store.snapshot(), before);
    let lookup = app.lookup_invitation(&token).await;
    assert_eq!(lookup.status, StatusCode::OK);
}

#[tokio::test]
async fn long_and_non_ascii_passphrases_are_accepted_and_work_for_login() {
    let app = TestApp::start();
    for (email, password) in [
        (
            "marie@example.com",
            "a long passphrase that keeps going ".repeat(4)[..128].to_owned(),
        ),
        (
            "umlaut@example.com",
            "Grüße aus Köln, sagt Jürgen 2026".to_owned(),
        ),
    ] {
        let token = app.invitation_for(person(email)).await;
        let accepted = app.accept_invitation(&token, &password, None).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(app.log_in(email, &password).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn missing_fields_are_a_422_naming_them() {
    let app = TestApp::start();

    let reply = app.post("/invitations/accept", json!({})).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "token");
}

#[tokio::test]
async fn me_names_the_roles_of_the_accounts_organization_apart_from_its_own() {
    let app = TestApp::start();
    let acme = app
        .new_organization("Acme", &["orders.viewer", "billing.viewer"])
        .await;
    let member = app
        .active_user(
            "ada@acme.example",
            json!({ "organization_id": acme, "roles": ["support.agent"] }),
        )
        .await;
    let loner = app.active_user("alan@example.com", json!({})).await;

    let me = app.me(&member.access_token).await;
    let alone = app.me(&loner.access_token).await;

    assert_eq!(
        me.body["organization_roles"],
        json!(["billing.viewer", "orders.viewer"])
    );
    assert_eq!(
        me.body["roles"],
        json!([
            "billing.viewer",
            "orders.viewer",
            "portal.user",
            "support.agent"
        ])
    );
    assert_eq!(alone.body["organization_roles"], json!([]));
}
