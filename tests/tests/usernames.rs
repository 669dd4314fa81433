//! EspoCRM's "username from a contact field" end to end over real HTTP, on both stores:
//! portal-local with `--username-field external_ref`; the person signs in with their CRM
//! id, staff send their access information twice, and only the newest link works.

use portal_testkit::{Backend, LocalPortal, PASSWORD, Secret};
use reqwest::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "a brand new passphrase for ada";

async fn the_crm_id_is_the_username(backend: Backend) {
    let portal = LocalPortal::start_with(backend, &["--username-field", "external_ref"]).await;
    let contact = portal
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                    "external_ref": "ESPO-0042" }),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    let user = portal
        .create_user(json!({ "contact_id": contact.id("contact_id") }))
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    assert_eq!(user.body["username"], "espo-0042");
    let invitation = portal.invitation_token("ada@example.com").await;
    let accepted = portal.accept_invitation(&invitation, PASSWORD, None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(
        portal.log_in("ESPO-0042", PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        portal.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let id = user.id("portal_user_id");
    for _ in 0..2 {
        let sent = portal.access_info(&id, json!({})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    }
    let mailed = portal.secrets("ada@example.com", Secret::AccessInfo).await;
    assert_eq!(mailed.len(), 2, "two emails, to the contact's address");
    portal
        .complete_reset(&mailed[0], NEW_PASSWORD)
        .await
        .assert_problem(StatusCode::GONE, "token_invalid");
    let done = portal.complete_reset(&mailed[1], NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        portal.log_in("espo-0042", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_crm_id_is_the_username_on_the_embedded_store() {
    the_crm_id_is_the_username(Backend::Embedded).await;
}

#[tokio::test]
async fn the_crm_id_is_the_username_on_dynamodb() {
    the_crm_id_is_the_username(Backend::DynamoDb).await;
}
