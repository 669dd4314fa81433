//! `USERNAME_FIELD` (EspoCRM's "username from a contact field"): a new user's username is
//! the contact's phone or external reference instead of its address; the person signs in
//! with it, and is still written to at the contact's address.

use axum::http::StatusCode;
use portal_domain::outbox::EmailContent;
use portal_domain::types::UsernameField;
use portal_testkit::{PASSWORD, TestApp};
use serde_json::json;

/// A contact of Ada Lovelace with a phone and a CRM reference: its id.
async fn ada(app: &TestApp) -> String {
    let reply = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                    "phone": "+44 20 7946 0000", "external_ref": "CRM-7" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.id("contact_id")
}

#[tokio::test]
async fn the_username_is_the_external_reference_and_the_person_signs_in_with_it() {
    let app = TestApp::setup()
        .username_field(UsernameField::ExternalRef)
        .start();
    let contact = ada(&app).await;

    let created = app.create_user(json!({ "contact_id": contact })).await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["username"], "crm-7");
    // The invitation goes to the contact's address and names the username.
    let invitation = app
        .emails_to("ada@example.com")
        .await
        .into_iter()
        .find_map(|message| match message.content {
            EmailContent::Invitation { username, .. } => Some(username),
            _ => None,
        });
    assert_eq!(invitation, Some(Some("crm-7".to_owned())));
    let token = app.invitation_token("ada@example.com").await;
    let accepted = app.accept_invitation(&token, PASSWORD, None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let me = app.me(&accepted.id("access_token")).await;
    assert_eq!(me.body["username"], "crm-7");
    assert_eq!(me.body["email"], "ada@example.com");
    // Any spelling of the reference signs in; the address is no username.
    assert_eq!(app.log_in(" crm-7 ", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(app.log_in("CRM-7", PASSWORD).await.status, StatusCode::OK);
    app.log_in("ada@example.com", PASSWORD)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    // A reset is asked for by address, and reaches the same account.
    let asked = app.request_reset("ada@example.com").await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    let reset = app.reset_token("ada@example.com").await;
    let done = app
        .complete_reset(&reset, "a brand new passphrase for ada")
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        app.log_in("CRM-7", "a brand new passphrase for ada")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_username_is_the_phone_in_any_spelling() {
    let app = TestApp::setup()
        .username_field(UsernameField::Phone)
        .start();
    let contact = ada(&app).await;

    let created = app.create_user(json!({ "contact_id": contact })).await;

    assert_eq!(created.body["username"], "+442079460000");
    let token = app.invitation_token("ada@example.com").await;
    app.accept_invitation(&token, PASSWORD, None).await;
    for spelling in ["+44 20 7946 0000", "+44 (20) 7946-0000", "+442079460000"] {
        assert_eq!(
            app.log_in(spelling, PASSWORD).await.status,
            StatusCode::OK,
            "{spelling}"
        );
    }
}

#[tokio::test]
async fn a_contact_without_the_field_gets_no_user_and_nothing_changes() {
    let app = TestApp::setup()
        .username_field(UsernameField::ExternalRef)
        .start();
    let contact = app.new_contact("grace@example.com").await;
    let organization = app.new_organization("Acme", &[]).await;
    let before = app.store.snapshot();

    let one = app.create_user(json!({ "contact_id": contact })).await;
    let bulk = app
        .add_members(
            &organization,
            json!({ "emails": ["grace@example.com", "new@example.com"] }),
        )
        .await;

    one.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        one.body["errors"],
        json!([{ "field": "contact_id", "message": "has no external_ref to be a username" }])
    );
    assert_eq!(bulk.status, StatusCode::OK, "{}", bulk.body);
    for row in bulk.body["results"].as_array().unwrap() {
        assert_eq!(row["outcome"], "invalid", "{row}");
        assert_eq!(row["reason"], "has no external_ref to be a username");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn two_contacts_with_one_username_get_one_user() {
    let app = TestApp::setup()
        .username_field(UsernameField::Phone)
        .start();
    let first = ada(&app).await;
    let second = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Augusta", "last_name": "King", "email": "augusta@example.com",
                    "phone": "+44 (20) 7946-0000" }),
        )
        .await
        .id("contact_id");
    app.create_user(json!({ "contact_id": first })).await;
    let before = app.store.snapshot();

    let taken = app.create_user(json!({ "contact_id": second })).await;

    taken.assert_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(app.store.snapshot(), before);
}
