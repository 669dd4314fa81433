//! ELMA365's "registration through a link" end to end over real HTTP, on both stores: staff
//! create a contact with a name alone and its portal user without sending anything, get a
//! personal link and hand it over; the person gives an address, confirms it with the code
//! mailed to it, checks their name, chooses a password and is signed in. The address is
//! then their username and their contact's email.

use portal_testkit::{Backend, LocalPortal, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

async fn a_person_known_by_name_alone_joins_through_a_link(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let contact = portal
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Ivan", "last_name": "Petrov" }),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    assert!(contact.body["email"].is_null(), "{}", contact.body);
    let contact_id = contact.id("contact_id");

    // Only a link reaches them: inviting by email is refused, and so is emailing access.
    let emailed = portal
        .create_user(json!({ "contact_id": contact_id }))
        .await;
    emailed.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let user = portal
        .create_user(json!({ "contact_id": contact_id, "send_invitation": false }))
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    assert!(user.body["username"].is_null(), "{}", user.body);
    let id = user.id("portal_user_id");
    portal
        .access_info(&id, json!({ "delivery": "email" }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let handed = portal
        .access_info(
            &id,
            json!({ "delivery": "link", "confirm_contact_data": true }),
        )
        .await;
    assert_eq!(handed.status, StatusCode::CREATED, "{}", handed.body);
    let link = handed.body["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/welcome#token=", portal.base_url)));
    let token = link.rsplit('=').next().unwrap();

    let landing = portal.lookup_invitation(token).await;
    assert_eq!(landing.status, StatusCode::OK, "{}", landing.body);
    assert_eq!(landing.body["needs_email"], true);
    assert_eq!(landing.body["first_name"], "Ivan");
    assert!(landing.body["email"].is_null() && landing.body["username"].is_null());

    // No password without the code.
    portal
        .accept_invitation(token, PASSWORD, None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let sent = portal
        .send_email_code(token, "Ivan.Petrov@Example.com")
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let code = portal.code_for("ivan.petrov@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let profile =
        json!({ "first_name": "Ivan", "last_name": "Petrov", "phone": "+7 495 000 00 00" });
    portal
        .post(
            "/invitations/accept",
            json!({ "token": token, "password": PASSWORD, "email_code": wrong, "profile": profile }),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    let accepted = portal
        .post(
            "/invitations/accept",
            json!({ "token": token, "password": PASSWORD, "email_code": code, "profile": profile }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);

    let signed_in = portal.log_in("ivan.petrov@example.com", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let detail = portal.user(&id).await;
    assert_eq!(detail.body["username"], "ivan.petrov@example.com");
    assert_eq!(detail.body["email"], "ivan.petrov@example.com");
    assert_eq!(detail.body["status"], "active");
    let contact = portal.contact(&contact_id).await;
    assert_eq!(
        contact.body["email"], "ivan.petrov@example.com",
        "{}",
        contact.body
    );
    let found = portal.find_contacts("ivan.petrov@example.com").await;
    assert_eq!(found.body["items"][0]["contact_id"], contact_id.as_str());
    let searched = portal.search_contacts("q=ivan.p").await;
    assert_eq!(searched.body["items"][0]["contact_id"], contact_id.as_str());
    // The link is used up.
    portal
        .lookup_invitation(token)
        .await
        .assert_problem(StatusCode::GONE, "invitation_invalid");
}

#[tokio::test]
async fn a_person_known_by_name_alone_joins_through_a_link_on_the_embedded_store() {
    a_person_known_by_name_alone_joins_through_a_link(Backend::Embedded).await;
}

#[tokio::test]
async fn a_person_known_by_name_alone_joins_through_a_link_on_dynamodb() {
    a_person_known_by_name_alone_joins_through_a_link(Backend::DynamoDb).await;
}
