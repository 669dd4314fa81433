//! A person known by name alone, on the welcome page: they give an address
//! (`POST /invitations/email`), and accepting needs the code mailed to it; the address then
//! becomes their username and their contact's email.

use axum::http::StatusCode;
use portal_testkit::{PASSWORD, Secret, TestApp};
use serde_json::json;
use time::Duration;

const IVAN: &str = "ivan@example.com";

/// Ivan Petrov, known by name alone: his user's id and the personal link's token.
async fn handed_link(app: &TestApp) -> (String, String) {
    let (_, user_id, token) = app.known_by_name("Ivan", "Petrov").await;
    (user_id, token)
}

fn accept(token: &str, code: &str) -> serde_json::Value {
    json!({ "token": token, "password": PASSWORD, "email_code": code })
}

/// Six digits that are not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn the_lookup_says_an_address_is_needed_and_names_none() {
    let app = TestApp::start();
    let (_, token) = handed_link(&app).await;

    let reply = app.lookup_invitation(&token).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["needs_email"], true);
    assert_eq!(reply.body["needs_profile"], false);
    assert!(reply.body["username"].is_null() && reply.body["email"].is_null());
}

#[tokio::test]
async fn the_code_goes_to_the_address_given_and_confirms_it() {
    let app = TestApp::start();
    let (id, token) = handed_link(&app).await;

    let sent = app.send_email_code(&token, " Ivan@Example.com ").await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let code = app.code_for(IVAN).await;
    let accepted = app.post("/invitations/accept", accept(&token, &code)).await;

    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let me = app.me(&accepted.id("access_token")).await;
    assert_eq!(me.body["username"], IVAN);
    assert_eq!(me.body["email"], IVAN);
    assert_eq!(app.log_in(IVAN, PASSWORD).await.status, StatusCode::OK);
    let detail = app.user(&id).await;
    let contact = app
        .contact(detail.body["contact_id"].as_str().unwrap())
        .await;
    assert_eq!(contact.body["email"], IVAN, "{}", contact.body);
    let history = contact.body["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["action"], "email_confirmed");
}

#[tokio::test]
async fn bad_input_to_the_email_step_is_refused_and_sends_nothing() {
    let app = TestApp::start();
    let (_, token) = handed_link(&app).await;

    app.post("/invitations/email", json!({ "email": IVAN }))
        .await
        .assert_invalid(&["token"]);
    app.post("/invitations/email", json!({ "token": token }))
        .await
        .assert_invalid(&["email"]);
    app.send_email_code(&token, "not an address")
        .await
        .assert_invalid(&["email"]);
    app.send_email_code("not-a-token", IVAN)
        .await
        .assert_problem(StatusCode::GONE, "invitation_invalid");
    assert!(app.secrets(IVAN, Secret::Code).await.is_empty());
}

#[tokio::test]
async fn a_second_code_within_a_minute_is_refused_with_when_to_ask_again() {
    let app = TestApp::start();
    let (_, token) = handed_link(&app).await;
    app.send_email_code(&token, IVAN).await;
    app.clock.advance(Duration::seconds(15));

    let again = app.send_email_code(&token, IVAN).await;

    again.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(again.headers["retry-after"], "45");
    assert_eq!(app.secrets(IVAN, Secret::Code).await.len(), 1);
    app.clock.advance(Duration::seconds(45));
    let later = app.send_email_code(&token, IVAN).await;
    assert_eq!(later.status, StatusCode::ACCEPTED, "{}", later.body);
}

#[tokio::test]
async fn a_person_with_an_address_gets_no_code() {
    let app = TestApp::start();
    let token = app
        .invitation_for(portal_testkit::person("ada@example.com"))
        .await;

    app.send_email_code(&token, IVAN)
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert!(app.secrets(IVAN, Secret::Code).await.is_empty());
}

#[tokio::test]
async fn accepting_without_the_right_code_is_refused_and_changes_nothing() {
    let app = TestApp::start();
    let (id, token) = handed_link(&app).await;
    let before = app.user(&id).await.body;

    let without = app
        .post(
            "/invitations/accept",
            json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    without.assert_invalid(&["email_code"]);
    app.post("/invitations/accept", accept(&token, "12ab56"))
        .await
        .assert_invalid(&["email_code"]);
    app.post("/invitations/accept", accept(&token, "123456"))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    app.send_email_code(&token, IVAN).await;
    let code = app.code_for(IVAN).await;
    app.post("/invitations/accept", accept(&token, other_than(&code)))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");

    let after = app.user(&id).await.body;
    assert_eq!(after["status"], "invited");
    assert_eq!(after["username"], before["username"]);
    assert!(after["email"].is_null());
    assert_eq!(
        app.log_in(IVAN, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn five_wrong_codes_burn_the_code_and_an_old_code_expires() {
    let app = TestApp::start();
    let (_, token) = handed_link(&app).await;
    app.send_email_code(&token, IVAN).await;
    let code = app.code_for(IVAN).await;
    for _ in 0..5 {
        app.post("/invitations/accept", accept(&token, other_than(&code)))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    }
    app.post("/invitations/accept", accept(&token, &code))
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");

    app.clock.advance(Duration::minutes(1));
    app.send_email_code(&token, IVAN).await;
    let fresh = app.code_for(IVAN).await;
    app.clock.advance(Duration::minutes(10));
    app.post("/invitations/accept", accept(&token, &fresh))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn an_address_someone_else_has_is_refused_only_after_its_code_and_changes_nothing() {
    let app = TestApp::start();
    let ada = app.active_user("ada@example.com", json!({})).await;
    let (id, token) = handed_link(&app).await;

    // The answer to the address does not tell that it is taken.
    let sent = app.send_email_code(&token, "ada@example.com").await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let code = app.code_for("ada@example.com").await;
    let taken = app.post("/invitations/accept", accept(&token, &code)).await;

    taken.assert_problem(StatusCode::CONFLICT, "conflict");
    let after = app.user(&id).await.body;
    assert_eq!(after["status"], "invited");
    assert!(after["email"].is_null());
    assert_eq!(app.lookup_invitation(&token).await.status, StatusCode::OK);
    assert_eq!(
        app.me(&ada.access_token).await.body["username"],
        "ada@example.com"
    );
}

#[tokio::test]
async fn of_two_accepts_with_the_right_code_one_signs_in() {
    let app = TestApp::start();
    let (_, token) = handed_link(&app).await;
    app.send_email_code(&token, IVAN).await;
    let code = app.code_for(IVAN).await;

    let (first, second) = tokio::join!(
        app.post("/invitations/accept", accept(&token, &code)),
        app.post("/invitations/accept", accept(&token, &code)),
    );

    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::GONE],
        "{} {}",
        first.body,
        second.body
    );
}

#[tokio::test]
async fn staff_reach_a_person_known_by_name_alone_by_link_only() {
    let app = TestApp::start();
    let (contact_id, id, _) = app.known_by_name("Ivan", "Petrov").await;
    let other = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Olga", "last_name": "Petrova" }),
        )
        .await;

    app.create_user(json!({ "contact_id": other.id("contact_id") }))
        .await
        .assert_invalid(&["contact_id"]);
    app.access_info(&id, json!({ "delivery": "email" }))
        .await
        .assert_invalid(&["delivery"]);
    let many = app
        .access_info_to_many(json!({ "portal_user_ids": [id] }))
        .await;
    assert_eq!(
        many.body["results"][0]["outcome"], "skipped",
        "{}",
        many.body
    );
    assert_eq!(many.body["results"][0]["reason"], "no email");
    app.reinvite(&id)
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state");
    // Deactivating sends no notice, and reactivating no invitation, to nobody.
    assert_eq!(app.deactivate(&id).await.status, StatusCode::OK);
    assert_eq!(app.reactivate(&id).await.status, StatusCode::OK);
    // Staff cannot give the linked contact an address: the person confirms their own.
    app.change_contact(&contact_id, json!({ "email": IVAN }))
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn of_two_codes_asked_for_at_once_one_is_sent() {
    let app = TestApp::start();
    let (_, token) = handed_link(&app).await;

    let (first, second) = tokio::join!(
        app.send_email_code(&token, IVAN),
        app.send_email_code(&token, IVAN),
    );

    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::ACCEPTED, StatusCode::TOO_MANY_REQUESTS],
        "{} {}",
        first.body,
        second.body
    );
    assert_eq!(app.secrets(IVAN, Secret::Code).await.len(), 1);
}
