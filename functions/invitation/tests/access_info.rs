//! Access information sent again (EspoCRM), personal links (ELMA365) and sending to many
//! selected users at once (Creatio), for staff and organization administrators.

use axum::http::StatusCode;
use portal_domain::outbox::EmailContent;
use portal_testkit::{PASSWORD, TEST_BASE_URL, TestApp, UNKNOWN_ID, profile};
use serde_json::json;

const NEW_PASSWORD: &str = "an entirely new passphrase";

/// The token of a personal link as the answer gave it.
fn token_of(link: &str, page: &str) -> String {
    let prefix = format!("{TEST_BASE_URL}{page}#token=");
    link.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{link} is not a link to {page}"))
        .to_owned()
}

#[tokio::test]
async fn an_active_user_gets_access_info_twice_and_only_the_newest_link_works() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;

    let first = app.access_info(&member.id, json!({})).await;
    let second = app
        .access_info(&member.id, json!({ "delivery": "email" }))
        .await;

    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert_eq!(second.status, StatusCode::ACCEPTED, "{}", second.body);
    assert!(second.body["expires_at"].is_string());
    assert!(second.body.get("link").is_none(), "{}", second.body);
    let sent = app.emails_of_kind("access_info");
    assert_eq!(sent.len(), 2);
    let EmailContent::AccessInfo { username, .. } = &sent[1].content else {
        panic!("{:?}", sent[1].content);
    };
    assert_eq!(username, "ada@example.com");
    let tokens = app
        .secrets("ada@example.com", portal_testkit::Secret::AccessInfo)
        .await;
    // Sessions go on until a link is used.
    assert_eq!(app.me(&member.access_token).await.status, StatusCode::OK);
    let older = app.complete_reset(&tokens[0], NEW_PASSWORD).await;
    older.assert_problem(StatusCode::GONE, "token_invalid");
    let newest = app.complete_reset(&tokens[1], NEW_PASSWORD).await;
    assert_eq!(newest.status, StatusCode::OK, "{}", newest.body);
    assert_eq!(
        app.log_in("ada@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn access_info_ends_a_reset_link_the_user_asked_for_before() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let asked = app.reset_link("ada@example.com").await;

    let reply = app.access_info(&member.id, json!({})).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    app.complete_reset(&asked, NEW_PASSWORD)
        .await
        .assert_problem(StatusCode::GONE, "token_invalid");
}

#[tokio::test]
async fn a_personal_link_is_answered_once_never_emailed_and_a_new_one_ends_it() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let emails_before = app.emails().len();

    let first = app
        .access_info(&member.id, json!({ "delivery": "link" }))
        .await;
    let second = app
        .access_info(&member.id, json!({ "delivery": "link" }))
        .await;

    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(app.emails().len(), emails_before, "no email");
    let first = token_of(first.body["link"].as_str().unwrap(), "/reset");
    let second = token_of(second.body["link"].as_str().unwrap(), "/reset");
    let everything = app.store.snapshot().to_string();
    assert!(!everything.contains(&second), "the token is never stored");
    app.complete_reset(&first, NEW_PASSWORD)
        .await
        .assert_problem(StatusCode::GONE, "token_invalid");
    let used = app.complete_reset(&second, NEW_PASSWORD).await;
    assert_eq!(used.status, StatusCode::OK, "{}", used.body);
}

#[tokio::test]
async fn an_invited_user_gets_a_new_invitation_and_the_old_one_dies() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let old = app.invitation_token("ada@example.com").await;

    let by_email = app.access_info(&id, json!({})).await;
    let by_link = app.access_info(&id, json!({ "delivery": "link" })).await;

    assert_eq!(by_email.status, StatusCode::ACCEPTED, "{}", by_email.body);
    assert_eq!(by_link.status, StatusCode::CREATED, "{}", by_link.body);
    let mailed = app.invitation_tokens("ada@example.com").await;
    assert_eq!(
        mailed.len(),
        2,
        "the first invitation and the one sent again"
    );
    let EmailContent::Invitation { username, .. } = &app.emails_of_kind("invitation")[1].content
    else {
        panic!("an invitation");
    };
    assert_eq!(username.as_deref(), Some("ada@example.com"));
    for dead in [&old, &mailed[1]] {
        assert_eq!(app.lookup_invitation(dead).await.status, StatusCode::GONE);
    }
    let token = token_of(by_link.body["link"].as_str().unwrap(), "/welcome");
    let accepted = app
        .accept_invitation(&token, PASSWORD, Some(profile()))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}

#[tokio::test]
async fn a_deactivated_user_gets_no_access_info_and_nothing_changes() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    assert_eq!(app.deactivate(&member.id).await.status, StatusCode::OK);
    let before = app.store.snapshot();

    for delivery in ["email", "link"] {
        let reply = app
            .access_info(&member.id, json!({ "delivery": delivery }))
            .await;
        reply.assert_problem(StatusCode::CONFLICT, "invalid_state");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let before = app.store.snapshot();

    let reply = app
        .access_info(&member.id, json!({ "delivery": "fax" }))
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "delivery");
    app.access_info(UNKNOWN_ID, json!({}))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    app.access_info("not-an-id", json!({}))
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn of_two_racing_links_for_one_user_only_the_later_works() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let body = json!({ "delivery": "link" });

    let (a, b) = tokio::join!(
        app.access_info(&member.id, body.clone()),
        app.access_info(&member.id, body.clone())
    );

    let links: Vec<String> = [a, b]
        .iter()
        .filter(|reply| reply.status == StatusCode::CREATED)
        .map(|reply| token_of(reply.body["link"].as_str().unwrap(), "/reset"))
        .collect();
    assert!(!links.is_empty());
    let mut working = 0;
    for token in &links {
        if app.complete_reset(token, NEW_PASSWORD).await.status == StatusCode::OK {
            working += 1;
        }
    }
    assert_eq!(working, 1, "exactly one link works");
}

#[tokio::test]
async fn many_users_get_one_row_each_in_the_order_given() {
    let app = TestApp::start();
    let active = app.active_user("ada@example.com", json!({})).await;
    let invited = app.invited_user("grace@example.com", json!({})).await;
    let gone = app.active_user("alan@example.com", json!({})).await;
    assert_eq!(app.deactivate(&gone.id).await.status, StatusCode::OK);

    let reply = app
        .access_info_to_many(json!({
            "portal_user_ids": [invited, active.id, UNKNOWN_ID, gone.id, invited],
        }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["results"],
        json!([
            { "portal_user_id": invited, "outcome": "sent" },
            { "portal_user_id": active.id, "outcome": "sent" },
            { "portal_user_id": UNKNOWN_ID, "outcome": "skipped", "reason": "not found" },
            { "portal_user_id": gone.id, "outcome": "skipped", "reason": "deactivated" },
        ])
    );
    app.deliver_outbox().await;
    assert_eq!(app.invitation_tokens("grace@example.com").await.len(), 2);
    assert_eq!(app.emails_of_kind("access_info").len(), 1);
}

#[tokio::test]
async fn a_bad_list_is_refused_and_changes_nothing() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let before = app.store.snapshot();
    let too_many: Vec<String> = (0..101).map(|_| member.id.clone()).collect();

    for (body, field) in [
        (json!({ "portal_user_ids": [] }), "portal_user_ids"),
        (json!({ "portal_user_ids": too_many }), "portal_user_ids"),
        (
            json!({ "portal_user_ids": [member.id], "delivery": "link" }),
            "delivery",
        ),
    ] {
        let reply = app.access_info_to_many(body).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
    }
    let reply = app
        .access_info_to_many(json!({ "portal_user_ids": ["not-an-id"] }))
        .await;
    reply.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_administrator_sends_to_their_own_members_and_others_read_as_unknown() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let globex = app.new_organization("Globex", &[]).await;
    let admin = app.org_admin(&acme, "admin@acme.example").await;
    let member = app
        .active_user("ada@acme.example", json!({ "organization_id": acme }))
        .await;
    let stranger = app
        .active_user("bob@globex.example", json!({ "organization_id": globex }))
        .await;
    let outside = app.active_user("eve@example.com", json!({})).await;

    let reply = app
        .org(&admin.access_token)
        .access_info(json!({ "portal_user_ids": [member.id, stranger.id, outside.id] }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let outcomes: Vec<_> = reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["outcome"].clone(), row["reason"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("sent"), json!(null)),
            (json!("skipped"), json!("not found")),
            (json!("skipped"), json!("not found")),
        ]
    );
    app.deliver_outbox().await;
    let told: Vec<String> = app
        .emails_of_kind("access_info")
        .iter()
        .map(|email| email.to.to_string())
        .collect();
    assert_eq!(told, ["ada@acme.example"]);
}

#[tokio::test]
async fn a_link_without_contact_data_confirmation_goes_straight_to_the_password() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let first = app
        .lookup_invitation(&app.invitation_token("ada@example.com").await)
        .await;
    assert_eq!(first.body["confirm_contact_data"], true, "{}", first.body);
    assert_eq!(first.body["first_name"], "Ada");
    assert_eq!(first.body["last_name"], "Lovelace");

    let reply = app
        .access_info(
            &id,
            json!({ "delivery": "link", "confirm_contact_data": false }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let token = token_of(reply.body["link"].as_str().unwrap(), "/welcome");
    let lookup = app.lookup_invitation(&token).await;
    assert_eq!(
        lookup.body["confirm_contact_data"], false,
        "{}",
        lookup.body
    );
    assert_eq!(lookup.body["needs_profile"], false);
    let accepted = app.accept_invitation(&token, PASSWORD, None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}

#[tokio::test]
async fn a_person_without_a_name_is_asked_for_it_whatever_the_link_says() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let added = app
        .add_members(
            &acme,
            json!({ "emails": ["new@acme.example"], "send_invitations": false }),
        )
        .await;
    let id = added.body["results"][0]["portal_user_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let reply = app
        .access_info(
            &id,
            json!({ "delivery": "link", "confirm_contact_data": false }),
        )
        .await;

    let token = token_of(reply.body["link"].as_str().unwrap(), "/welcome");
    let lookup = app.lookup_invitation(&token).await;
    assert_eq!(lookup.body["needs_profile"], true, "{}", lookup.body);
    let without = app.accept_invitation(&token, PASSWORD, None).await;
    without.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

/// An app registered with the OpenID provider, with a login initiation URI or without.
async fn app_client(app: &TestApp, initiate_login_uri: Option<&str>) -> String {
    let reply = app
        .staff_post(
            "/staff/oidc-clients",
            json!({
                "name": "Orders",
                "redirect_uris": ["https://orders.example.com/cb"],
                "initiate_login_uri": initiate_login_uri,
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.id("client_id")
}

#[tokio::test]
async fn a_link_or_email_naming_an_app_leads_on_to_it() {
    let app = TestApp::start();
    let client = app_client(&app, Some("https://orders.example.com/login")).await;
    let invited = app.invited_user("ada@example.com", json!({})).await;
    let active = app.active_user("bob@example.com", json!({})).await;

    let welcome = app
        .access_info(&invited, json!({ "delivery": "link", "client_id": client }))
        .await;
    let reset = app
        .access_info(
            &active.id,
            json!({ "delivery": "link", "client_id": client }),
        )
        .await;
    let emailed = app
        .access_info(&active.id, json!({ "client_id": client }))
        .await;

    let link = welcome.body["link"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&format!(
            "{TEST_BASE_URL}/welcome?client_id={client}#token="
        )),
        "{link}"
    );
    let link = reset.body["link"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&format!("{TEST_BASE_URL}/reset?client_id={client}#token=")),
        "{link}"
    );
    assert_eq!(emailed.status, StatusCode::ACCEPTED);
    let sent = app.emails_of_kind("access_info");
    let EmailContent::AccessInfo { client_id, .. } = &sent.last().unwrap().content else {
        panic!("{:?}", sent.last().unwrap().content);
    };
    assert_eq!(client_id.as_ref().map(ToString::to_string), Some(client));
}

#[tokio::test]
async fn a_link_cannot_name_an_unknown_app_or_one_that_cannot_start_a_sign_in() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let without_login = app_client(&app, None).await;
    let before = app.emails().len();
    for client_id in [UNKNOWN_ID, "not-an-id", without_login.as_str()] {
        let reply = app
            .access_info(
                &member.id,
                json!({ "delivery": "link", "client_id": client_id }),
            )
            .await;
        reply.assert_invalid(&["client_id"]);
    }
    let reply = app
        .access_info(&member.id, json!({ "client_id": UNKNOWN_ID }))
        .await;
    reply.assert_invalid(&["client_id"]);
    assert_eq!(app.emails().len(), before, "nothing was sent");
    // The user's sessions and links are untouched: the old password still works.
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}
