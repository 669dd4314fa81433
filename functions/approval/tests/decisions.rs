use axum::http::StatusCode;
use portal_domain::ids::Id;
use portal_domain::organization::Organization;
use portal_domain::outbox::EmailContent;
use portal_domain::ports::{MembershipStore, PortalUserStore};
use portal_domain::staff::MANAGE_USERS;
use portal_domain::types::{Company, Role};
use portal_testkit::{TestApp, UNKNOWN_ID, person, staff_token};
use serde_json::json;
use time::macros::datetime;

#[tokio::test]
async fn linking_a_new_contact_from_the_request_resolves_it() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;

    let reply = app.link_new_contact(&id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "resolved");
    let contact_id = reply.body["contact_id"].as_str().unwrap();
    let contact = app.contact(contact_id).await;
    assert_eq!(contact.body["email"], "ada@example.com");
    assert_eq!(contact.body["company"], "Acme");
    assert!(contact.body["portal_user"].is_null());
}

#[tokio::test]
async fn linking_an_existing_contact_resolves_the_request_and_is_in_its_history() {
    let app = TestApp::start();
    let contact = app
        .create_contact("Ada", "Lovelace", "ada@crm.example")
        .await;
    let contact_id = contact.body["contact_id"].as_str().unwrap();
    let id = app.verified_request(person("ada@example.com")).await;

    let reply = app
        .link_contact(&id, json!({ "contact_id": contact_id }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["contact_id"], contact_id);
    let detail = app.registration(&id).await;
    let last = detail.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "contact_linked");
    assert_eq!(last["actor"]["subject"], "staff-1");
    assert_eq!(last["actor"]["name"], "Sam Staff");
}

#[tokio::test]
async fn linking_an_unknown_contact_is_a_404_and_changes_nothing() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;
    let before = app.store.snapshot();

    let reply = app
        .link_contact(&id, json!({ "contact_id": UNKNOWN_ID }))
        .await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn creating_a_contact_from_a_request_whose_email_is_a_contact_is_a_409() {
    let app = TestApp::start();
    app.create_contact("Ada", "Lovelace", "ada@example.com")
        .await;
    let id = app.verified_request(person("ada@example.com")).await;
    let before = app.store.snapshot();

    let reply = app.link_new_contact(&id).await;

    reply.assert_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_link_body_needs_exactly_one_choice() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;

    for body in [
        json!({}),
        json!({ "contact_id": "x", "create_contact": true }),
    ] {
        let reply = app.link_contact(&id, body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.body["errors"][0]["field"], "contact_id");
    }
}

#[tokio::test]
async fn approval_creates_an_invited_user_and_emails_one_invitation_with_a_working_seal() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;

    let reply = app
        .approve(&id, json!({ "roles": ["billing.viewer"] }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "processed");
    assert!(reply.body["invitation"]["expires_at"].is_string());
    let user_id = Id::parse(reply.body["portal_user_id"].as_str().unwrap()).unwrap();
    let user = app.store.portal_user(&user_id).await.unwrap().unwrap();
    assert_eq!(user.username().unwrap().as_str(), "ada@example.com");
    assert_eq!(user.roles().len(), 1);
    let invitations = app.emails_of_kind("invitation");
    assert_eq!(invitations.len(), 1);
    let EmailContent::Invitation { sealed_token, .. } = &invitations[0].content else {
        panic!("not an invitation");
    };
    let token = app
        .ports
        .sealer
        .open(sealed_token)
        .expect("the seal opens with the configured key");
    assert_eq!(
        portal_domain::invitation::token_hash(&token),
        user.invitation().unwrap().token_hash
    );
    assert!(
        !app.store.snapshot().to_string().contains(&token),
        "the token is stored in the clear"
    );
}

#[tokio::test]
async fn the_contact_shows_its_new_portal_user() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;
    let approved = app.approve(&id, json!({})).await;
    let detail = app.registration(&id).await;
    let contact_id = detail.body["contact_id"].as_str().unwrap();

    let contact = app.contact(contact_id).await;

    assert_eq!(
        contact.body["portal_user"]["portal_user_id"],
        approved.body["portal_user_id"]
    );
    assert_eq!(contact.body["portal_user"]["status"], "invited");
    assert_eq!(
        contact.body["portal_user"]["invitation"]["status"],
        "pending"
    );
}

#[tokio::test]
async fn approval_before_a_contact_is_linked_is_a_409_contact_required() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;
    let before = app.store.snapshot();

    let reply = app.approve(&id, json!({})).await;

    reply.assert_problem(StatusCode::CONFLICT, "contact_required");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_second_approval_is_a_409_and_sends_nothing_more() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;
    app.approve(&id, json!({})).await;

    let again = app.approve(&id, json!({})).await;

    again.assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert_eq!(app.emails_of_kind("invitation").len(), 1);
}

#[tokio::test]
async fn rejecting_after_approval_is_a_409() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;
    app.approve(&id, json!({})).await;

    let reply = app.reject(&id, json!({ "reason": "no" })).await;

    reply.assert_problem(StatusCode::CONFLICT, "invalid_state");
}

#[tokio::test]
async fn linking_a_contact_that_already_has_a_portal_user_is_a_409() {
    let app = TestApp::start();
    let first = app.resolved_request(person("ada@example.com")).await;
    app.approve(&first, json!({})).await;
    let detail = app.registration(&first).await;
    let contact_id = detail.body["contact_id"].as_str().unwrap().to_owned();
    let second = app.verified_request(person("ada.again@example.com")).await;

    let reply = app
        .link_contact(&second, json!({ "contact_id": contact_id }))
        .await;

    reply.assert_problem(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn approval_into_an_unknown_organization_is_a_422_and_writes_nothing() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;
    let before = app.store.snapshot();

    let reply = app
        .approve(&id, json!({ "organization_id": UNKNOWN_ID }))
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "organization_id");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn setting_roles_needs_the_role_assignment_permission() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;
    let manager_only = staff_token(&[MANAGE_USERS]);

    let with_roles = app
        .as_staff(&manager_only)
        .approve(&id, json!({ "roles": ["admin"] }))
        .await;
    let without_roles = app.as_staff(&manager_only).approve(&id, json!({})).await;

    with_roles.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        without_roles.status,
        StatusCode::OK,
        "{}",
        without_roles.body
    );
}

#[tokio::test]
async fn bad_roles_are_a_422() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;

    let reply = app.approve(&id, json!({ "roles": ["Not A Role"] })).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "roles");
}

#[tokio::test]
async fn rejection_needs_a_reason_and_emails_it_to_the_requester() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;

    let missing = app.reject(&id, json!({})).await;
    let reply = app
        .reject(&id, json!({ "reason": "We do not know Acme." }))
        .await;

    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["errors"][0]["field"], "reason");
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "rejected");
    let rejections = app.emails_of_kind("rejection");
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].to.as_ref(), "ada@example.com");
    let stored = app.stored_registration(&id).await;
    assert_eq!(
        stored.rejection_reason().unwrap().as_ref(),
        "We do not know Acme."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_approvals_make_one_user_and_one_invitation() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;

    let (first, second) = tokio::join!(app.approve(&id, json!({})), app.approve(&id, json!({})));

    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(app.emails_of_kind("invitation").len(), 1);
    let winner = [first, second]
        .into_iter()
        .find(|reply| reply.status == StatusCode::OK)
        .unwrap();
    let username = portal_domain::types::EmailAddress::parse("ada@example.com").unwrap();
    let user_id = app
        .store
        .portal_user_id_by_username(&portal_domain::types::Username::of_email(&username))
        .await
        .unwrap();
    assert_eq!(user_id.as_deref(), winner.body["portal_user_id"].as_str());
}

#[tokio::test]
async fn approving_into_an_organization_with_roles_needs_the_role_assignment_permission() {
    let app = TestApp::start();
    let id = app.resolved_request(person("ada@example.com")).await;
    let organization = Organization {
        id: Id::parse(UNKNOWN_ID).unwrap(),
        name: Company::parse("Acme").unwrap(),
        account_ref: None,
        roles: vec![Role::parse("orders.viewer").unwrap()],
        require_mfa: false,
        created_at: datetime!(2026-03-01 09:00:00 UTC),
        audit: Vec::new(),
        version: 1,
    };
    app.store.create_organization(&organization).await.unwrap();
    let manager_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    let reply = app
        .as_staff(&manager_only)
        .approve(&id, json!({ "organization_id": organization.id }))
        .await;

    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_contact_edited_after_the_link_gives_the_user_its_new_address() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;
    let linked = app.link_new_contact(&id).await;
    let contact_id = linked.id("contact_id");
    let edited = app
        .change_contact(&contact_id, json!({ "email": "ada@lovelace.example" }))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);

    let approved = app.approve(&id, json!({})).await;

    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let user = app.user(&approved.id("portal_user_id")).await;
    assert_eq!(user.body["username"], "ada@lovelace.example");
    assert_eq!(user.body["email"], "ada@lovelace.example");
    let invitations = app
        .emails_to("ada@lovelace.example")
        .await
        .into_iter()
        .filter(|message| matches!(message.content, EmailContent::Invitation { .. }))
        .count();
    assert_eq!(
        invitations, 1,
        "the invitation goes to the address the contact has now"
    );
}

#[tokio::test]
async fn a_request_is_not_linked_to_a_contact_known_by_name_alone() {
    let app = TestApp::start();
    let contact = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Ada", "last_name": "Lovelace" }),
        )
        .await;
    let id = app.verified_request(person("ada@example.com")).await;
    let before = app.store.snapshot();

    let reply = app
        .link_contact(&id, json!({ "contact_id": contact.id("contact_id") }))
        .await;

    reply.assert_problem(StatusCode::CONFLICT, "conflict");
    assert!(reply.body["detail"].as_str().unwrap().contains("no email"));
    assert_eq!(app.store.snapshot(), before);
}
