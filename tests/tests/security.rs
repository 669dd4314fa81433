//! The security review's findings, tried over real HTTP as an attacker would, on both
//! stores: an organization administrator taking over a user outside their organization,
//! parallel password guesses, a lock that tells known from unknown accounts, and reset
//! requests that tell active addresses from unknown ones.

use futures::future::join_all;
use portal_testkit::{Backend, LocalPortal, PASSWORD, WRONG_PASSWORD as WRONG, person};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An active administrator of a new organization: their access token.
async fn org_admin(portal: &LocalPortal) -> String {
    let organization = portal.new_organization("Acme", &["orders.viewer"]).await;
    let invited = portal
        .add_members(
            &organization,
            json!({ "emails": ["admin@acme.example"], "org_admin": true }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let token = portal.invitation_token("admin@acme.example").await;
    let lookup = portal.lookup_invitation(&token).await;
    assert_eq!(lookup.body["needs_profile"], true);
    portal.accepted(&token).await.access_token
}

async fn an_org_admin_cannot_take_over_a_self_registered_user(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let loner = portal.registered_user(person("loner@example.com")).await;
    let admin = org_admin(&portal).await;

    let added = portal
        .org(&admin)
        .invite(json!({ "emails": ["loner@example.com"] }))
        .await;

    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(
        added.body["results"],
        json!([{
            "email": "loner@example.com",
            "outcome": "invalid",
            "reason": "cannot be added",
            "contact_created": false,
        }])
    );
    let me = portal.me(&loner.access_token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["organization_id"], Value::Null, "not moved");
    let deactivated = portal
        .org(&admin)
        .deactivate(&me.id("portal_user_id"))
        .await;
    assert_eq!(deactivated.status, StatusCode::NOT_FOUND);
    assert_eq!(
        portal.log_in("loner@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_org_admin_cannot_take_over_a_self_registered_user_on_the_embedded_store() {
    an_org_admin_cannot_take_over_a_self_registered_user(Backend::Embedded).await;
}

#[tokio::test]
async fn an_org_admin_cannot_take_over_a_self_registered_user_on_dynamodb() {
    an_org_admin_cannot_take_over_a_self_registered_user(Backend::DynamoDb).await;
}

async fn thirty_parallel_guesses_are_each_counted_and_the_lock_holds(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    portal.registered_user(person("ada@example.com")).await;

    let guesses = (0..30).map(|_| portal.log_in("ada@example.com", WRONG));
    let replies = join_all(guesses).await;

    let statuses: Vec<StatusCode> = replies.iter().map(|reply| reply.status).collect();
    let checked = statuses
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (10, 20), "{statuses:?}");
    let right = portal.log_in("ada@example.com", PASSWORD).await;
    right.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

#[tokio::test]
async fn thirty_parallel_guesses_are_each_counted_and_the_lock_holds_on_the_embedded_store() {
    thirty_parallel_guesses_are_each_counted_and_the_lock_holds(Backend::Embedded).await;
}

#[tokio::test]
async fn thirty_parallel_guesses_are_each_counted_and_the_lock_holds_on_dynamodb() {
    thirty_parallel_guesses_are_each_counted_and_the_lock_holds(Backend::DynamoDb).await;
}

async fn a_right_password_among_parallel_guesses_never_gets_a_409(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    portal.registered_user(person("ada@example.com")).await;

    let guesses = (0..30).map(|n| {
        let password = if n == 15 { PASSWORD } else { WRONG };
        portal.log_in("ada@example.com", password)
    });
    let replies = join_all(guesses).await;

    for reply in replies {
        assert!(
            [
                StatusCode::OK,
                StatusCode::UNAUTHORIZED,
                StatusCode::TOO_MANY_REQUESTS
            ]
            .contains(&reply.status),
            "{} {}",
            reply.status,
            reply.body
        );
    }
}

#[tokio::test]
async fn a_right_password_among_parallel_guesses_never_gets_a_409_on_the_embedded_store() {
    a_right_password_among_parallel_guesses_never_gets_a_409(Backend::Embedded).await;
}

#[tokio::test]
async fn a_right_password_among_parallel_guesses_never_gets_a_409_on_dynamodb() {
    a_right_password_among_parallel_guesses_never_gets_a_409(Backend::DynamoDb).await;
}

async fn a_lock_does_not_tell_a_known_account_from_an_unknown_one(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    portal.registered_user(person("ada@example.com")).await;

    let mut answers = Vec::new();
    for username in ["ada@example.com", "nobody@example.com"] {
        let mut replies = Vec::new();
        for _ in 0..11 {
            let reply = portal.log_in(username, WRONG).await;
            replies.push((reply.status, reply.body));
        }
        answers.push(replies);
    }

    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][9].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0][10].0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_lock_does_not_tell_a_known_account_from_an_unknown_one_on_the_embedded_store() {
    a_lock_does_not_tell_a_known_account_from_an_unknown_one(Backend::Embedded).await;
}

#[tokio::test]
async fn a_lock_does_not_tell_a_known_account_from_an_unknown_one_on_dynamodb() {
    a_lock_does_not_tell_a_known_account_from_an_unknown_one(Backend::DynamoDb).await;
}

async fn a_burst_of_registrations_from_one_client_is_cut_at_its_limit(backend: Backend) {
    let portal = LocalPortal::start_with(backend, &["--client-rate-limit", "5"]).await;

    let mut statuses = Vec::new();
    for n in 0..12 {
        let reply = portal
            .register(person(&format!("spam{n}@example.com")))
            .await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(reply.body["code"], "rate_limited");
        }
        statuses.push(reply.status);
    }

    // Two one-minute windows at most: 5 + 5 admitted, never more.
    let admitted = statuses
        .iter()
        .filter(|status| **status == StatusCode::ACCEPTED)
        .count();
    assert!((5..=10).contains(&admitted), "{statuses:?}");
    let emails = portal.outbox().await.len();
    assert_eq!(emails, admitted, "an email for each admitted request only");
}

#[tokio::test]
async fn a_burst_of_registrations_from_one_client_is_cut_at_its_limit_on_the_embedded_store() {
    a_burst_of_registrations_from_one_client_is_cut_at_its_limit(Backend::Embedded).await;
}

#[tokio::test]
async fn a_burst_of_registrations_from_one_client_is_cut_at_its_limit_on_dynamodb() {
    a_burst_of_registrations_from_one_client_is_cut_at_its_limit(Backend::DynamoDb).await;
}
