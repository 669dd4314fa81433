//! Access information end to end over real HTTP, on both stores, as the products we learn
//! from do it: EspoCRM sends an active user their access information again, twice, and
//! only the newest link works (the email, rendered by portal-local's outbox, names the
//! username); ELMA365 staff get a personal link to hand over, which ends the emailed one.

use portal_testkit::{Backend, LocalPortal, PASSWORD, Secret};
use reqwest::StatusCode;
use serde_json::json;

const NEW_PASSWORD: &str = "a brand new passphrase for ada";

async fn access_info_twice_then_a_personal_link(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let ada = portal.active_user("ada@example.com", json!({})).await;

    for _ in 0..2 {
        let sent = portal.access_info(&ada.id, json!({})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    }
    let mailed = portal.secrets("ada@example.com", Secret::AccessInfo).await;
    assert_eq!(mailed.len(), 2, "two emails");
    // Still signed in: sessions go on until a link is used.
    assert_eq!(portal.me(&ada.access_token).await.status, StatusCode::OK);
    let older = portal.complete_reset(&mailed[0], NEW_PASSWORD).await;
    older.assert_problem(StatusCode::GONE, "token_invalid");

    // Staff make a personal link instead: the newest emailed one dies with it.
    let handed = portal
        .access_info(&ada.id, json!({ "delivery": "link" }))
        .await;
    assert_eq!(handed.status, StatusCode::CREATED, "{}", handed.body);
    let link = handed.body["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/reset#token=", portal.base_url)));
    let token = link.rsplit('=').next().unwrap();
    assert_eq!(
        portal
            .secrets("ada@example.com", Secret::AccessInfo)
            .await
            .len(),
        2,
        "the personal link is not emailed"
    );
    portal
        .complete_reset(&mailed[1], NEW_PASSWORD)
        .await
        .assert_problem(StatusCode::GONE, "token_invalid");

    let done = portal.complete_reset(token, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        portal.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        portal.log_in("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn access_info_and_personal_links_on_the_embedded_store() {
    access_info_twice_then_a_personal_link(Backend::Embedded).await;
}

#[tokio::test]
async fn access_info_and_personal_links_on_dynamodb() {
    access_info_twice_then_a_personal_link(Backend::DynamoDb).await;
}
