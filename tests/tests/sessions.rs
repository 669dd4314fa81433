//! The invited person's journey over real HTTP, on both stores: the emailed link, the
//! password, `/me`, logins, refresh rotation and reuse detection; the races on DynamoDB;
//! and PyJWT verifying our access tokens against the published JWKS.

use std::time::Duration;

use futures::future::join_all;
use portal_testkit::{Backend, LocalPortal, PASSWORD, person};
use reqwest::StatusCode;
use serde_json::Value;

async fn from_the_email_link_to_a_rotating_session(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let token = portal.invitation_for(person("grace@example.com")).await;

    let lookup = portal.lookup_invitation(&token).await;
    assert_eq!(lookup.status, StatusCode::OK, "{}", lookup.body);
    assert_eq!(lookup.body["username"], "grace@example.com");
    let accepted = portal.accept_invitation(&token, PASSWORD, None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);

    let me = portal.me(&accepted.id("access_token")).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["username"], "grace@example.com");

    let login = portal.log_in("grace@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let old = login.id("refresh_token");
    let refreshed = portal.refresh(&old).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    let new = refreshed.id("refresh_token");

    // Past the grace for duplicate requests, the old token is a replay: the family ends.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let replay = portal.refresh(&old).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    let after = portal.refresh(&new).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the whole family is revoked"
    );
    let second_accept = portal.accept_invitation(&token, PASSWORD, None).await;
    assert_eq!(second_accept.status, StatusCode::GONE);
}

#[tokio::test]
async fn from_the_email_link_to_a_rotating_session_on_the_embedded_store() {
    from_the_email_link_to_a_rotating_session(Backend::Embedded).await;
}

#[tokio::test]
async fn from_the_email_link_to_a_rotating_session_on_dynamodb() {
    from_the_email_link_to_a_rotating_session(Backend::DynamoDb).await;
}

#[tokio::test]
async fn ten_concurrent_accepts_of_one_invitation_on_dynamodb_succeed_once() {
    let portal = LocalPortal::start(Backend::DynamoDb).await;
    let token = portal.invitation_for(person("grace@example.com")).await;
    let replies = join_all((0..10).map(|_| portal.accept_invitation(&token, PASSWORD, None))).await;

    let ok = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .count();
    let gone = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::GONE)
        .count();
    assert_eq!(
        (ok, gone),
        (1, 9),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn ten_concurrent_refreshes_of_one_token_on_dynamodb_give_one_new_pair() {
    let portal = LocalPortal::start(Backend::DynamoDb).await;
    let token = portal.invitation_for(person("grace@example.com")).await;
    let accepted = portal.accept_invitation(&token, PASSWORD, None).await;
    let refresh_token = accepted.id("refresh_token");

    let replies = join_all((0..10).map(|_| portal.refresh(&refresh_token))).await;

    let winners: Vec<&Value> = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .map(|reply| &reply.body)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let next = portal
        .refresh(winners[0]["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(next.status, StatusCode::OK, "the one new pair works");
}

#[tokio::test]
async fn an_access_token_verifies_with_pyjwt_against_the_published_jwks() {
    let portal = LocalPortal::start(Backend::Embedded).await;
    let token = portal.invitation_for(person("grace@example.com")).await;
    let accepted = portal.accept_invitation(&token, PASSWORD, None).await;
    let access = accepted.id("access_token");
    let jwks = format!("{}/.well-known/jwks.json", portal.base_url);

    let printed = portal_tests::python(
        "verify_access_token.py",
        &[&jwks, &access, "portal-local", "portal"],
    );

    let claims: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(claims["iss"], "portal-local");
    assert_eq!(claims["aud"], "portal");
    let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert_eq!(lifetime, 900);
    assert_eq!(claims["sub"].as_str().unwrap().len(), 32);
}
