//! Staff review over real HTTP, on both stores: the queue, linking, approval with the
//! invitation email, rejection, the race of two approvals, and staff authorization.

use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_testkit::{
    Backend, LocalPortal, STAFF_AUDIENCE, STAFF_ISSUER, STAFF_SECRET, link_token, person,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn approve_a_request_linked_to_a_new_contact(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let id = portal.verified_request(person("grace@example.com")).await;

    let queue = portal.registrations("status=new").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(queue.body["items"][0]["registration_id"], id.as_str());

    let linked = portal.link_new_contact(&id).await;
    assert_eq!(linked.body["status"], "resolved", "{}", linked.body);

    let approved = portal.approve(&id, json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "processed");

    let invitations = portal.emails_of_kind("invitation").await;
    assert_eq!(invitations.len(), 1);
    assert_eq!(invitations[0]["to"], "grace@example.com");
    let link = format!("{}/welcome#token=", portal.base_url);
    assert!(
        invitations[0]["text"].as_str().unwrap().contains(&link),
        "{}",
        invitations[0]["text"]
    );
    let token = link_token(invitations[0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(token.len(), 43, "a 32-byte base64url token");
    assert!(
        !portal.printed().contains(&token),
        "the token reached a log line"
    );
    let store =
        std::fs::read_to_string(portal.data_dir.path().join("store.jsonl")).unwrap_or_default();
    assert!(!store.contains(&token), "the token is stored in the clear");
    if let Some(items) = portal.dynamodb_items().await {
        assert!(
            items.iter().any(|(pk, _)| pk.starts_with("INV#")),
            "the scan sees the invitation"
        );
        assert!(
            items.iter().all(|(_, item)| !item.contains(&token)),
            "the token is stored in the clear in DynamoDB"
        );
    }
}

#[tokio::test]
async fn staff_approve_a_request_linked_to_a_new_contact_on_the_embedded_store() {
    approve_a_request_linked_to_a_new_contact(Backend::Embedded).await;
}

#[tokio::test]
async fn staff_approve_a_request_linked_to_a_new_contact_on_dynamodb() {
    approve_a_request_linked_to_a_new_contact(Backend::DynamoDb).await;
}

async fn approve_a_request_linked_to_an_existing_contact(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let contact = portal
        .create_contact("Grace", "Hopper", "grace@example.com")
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    let contact_id = contact.body["contact_id"].as_str().unwrap();
    let id = portal.verified_request(person("grace@example.com")).await;

    let detail = portal.registration(&id).await;
    assert_eq!(
        detail.body["suggested_contacts"][0]["contact_id"],
        contact_id
    );
    assert_eq!(detail.body["suggested_contacts"][0]["match"], "email");
    let linked = portal
        .link_contact(&id, json!({ "contact_id": contact_id }))
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    let approved = portal
        .approve(&id, json!({ "roles": ["billing.viewer"] }))
        .await;

    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let contact = portal.contact(contact_id).await;
    assert_eq!(
        contact.body["portal_user"]["portal_user_id"],
        approved.body["portal_user_id"]
    );
    assert_eq!(contact.body["portal_user"]["status"], "invited");
    assert_eq!(portal.emails_of_kind("invitation").await.len(), 1);
}

#[tokio::test]
async fn staff_approve_a_request_linked_to_an_existing_contact_on_the_embedded_store() {
    approve_a_request_linked_to_an_existing_contact(Backend::Embedded).await;
}

#[tokio::test]
async fn staff_approve_a_request_linked_to_an_existing_contact_on_dynamodb() {
    approve_a_request_linked_to_an_existing_contact(Backend::DynamoDb).await;
}

async fn reject_a_request(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let id = portal.verified_request(person("grace@example.com")).await;

    let rejected = portal
        .reject(
            &id,
            json!({ "reason": "We could not confirm your company." }),
        )
        .await;

    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    let rejections = portal.emails_of_kind("rejection").await;
    assert_eq!(rejections.len(), 1);
    assert!(
        rejections[0]["text"]
            .as_str()
            .unwrap()
            .contains("We could not confirm your company.")
    );
    let queue = portal.registrations("status=rejected").await;
    assert_eq!(queue.body["items"][0]["registration_id"], id.as_str());
    let approve = portal.approve(&id, json!({})).await;
    assert_eq!(approve.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn staff_reject_a_request_on_the_embedded_store() {
    reject_a_request(Backend::Embedded).await;
}

#[tokio::test]
async fn staff_reject_a_request_on_dynamodb() {
    reject_a_request(Backend::DynamoDb).await;
}

#[tokio::test]
async fn two_concurrent_approvals_on_dynamodb_make_one_user_one_invitation_and_one_email() {
    let portal = LocalPortal::start(Backend::DynamoDb).await;
    let id = portal.verified_request(person("grace@example.com")).await;
    let linked = portal.link_new_contact(&id).await;
    let contact_id = linked.id("contact_id");

    let (first, second) = tokio::join!(
        portal.approve(&id, json!({})),
        portal.approve(&id, json!({}))
    );

    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        first.body,
        second.body
    );
    let winner = if first.status == StatusCode::OK {
        &first
    } else {
        &second
    };
    let contact = portal.contact(&contact_id).await;
    assert_eq!(
        contact.body["portal_user"]["portal_user_id"],
        winner.body["portal_user_id"]
    );
    assert_eq!(portal.emails_of_kind("invitation").await.len(), 1);
    let items = portal.dynamodb_items().await.expect("the table's items");
    let count = |prefix: &str| {
        items
            .iter()
            .filter(|(pk, _)| pk.starts_with(prefix))
            .count()
    };
    assert_eq!(count("INV#"), 1, "exactly one invitation item");
    // A user's partition holds the user and its entry on the list of every user.
    let users = items
        .iter()
        .filter(|(pk, item)| pk.starts_with("USER#") && item.contains("S(\"USER\")"))
        .count();
    assert_eq!(users, 1, "exactly one portal user item");
    assert_eq!(count("USERNAME#"), 1, "exactly one username guard");
}

#[tokio::test]
async fn staff_routes_refuse_missing_expired_forged_and_underprivileged_tokens() {
    let portal = LocalPortal::start(Backend::Embedded).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |changes: Value| {
        let mut claims = json!({
            "sub": "staff-1", "iss": STAFF_ISSUER, "aud": STAFF_AUDIENCE,
            "iat": now, "exp": now + 600, "permissions": [MANAGE_USERS]
        });
        claims
            .as_object_mut()
            .unwrap()
            .extend(changes.as_object().unwrap().clone());
        claims
    };
    let cases = [
        ("no token", None, StatusCode::UNAUTHORIZED),
        (
            "expired",
            Some(signed(
                &claims(json!({ "iat": now - 7200, "exp": now - 3600 })),
                STAFF_SECRET,
            )),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "wrong issuer",
            Some(signed(
                &claims(json!({ "iss": "someone-else" })),
                STAFF_SECRET,
            )),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "wrong audience",
            Some(signed(
                &claims(json!({ "aud": "another-app" })),
                STAFF_SECRET,
            )),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "wrong key",
            Some(signed(
                &claims(json!({})),
                "another-secret-another-secret-another",
            )),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "without the manage permission",
            Some(signed(
                &claims(json!({ "permissions": [ASSIGN_ROLES] })),
                STAFF_SECRET,
            )),
            StatusCode::FORBIDDEN,
        ),
        (
            "valid",
            Some(signed(&claims(json!({})), STAFF_SECRET)),
            StatusCode::OK,
        ),
    ];

    for (case, token, status) in cases {
        let reply = portal
            .call(Method::GET, "/staff/registrations", token.as_deref(), None)
            .await;
        assert_eq!(reply.status, status, "{case}: {}", reply.body);
    }
}

fn signed(claims: &Value, secret: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), claims, &key).unwrap()
}
