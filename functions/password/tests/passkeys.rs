//! Passkeys through the routes, answered by a software authenticator that signs real
//! WebAuthn answers: registering, listing and removing them, signing in with one alone or
//! as the second step after a password, and every refused answer (another user's passkey,
//! another origin, a replay, a forged, expired or spent token, bad bodies).

use axum::http::{Method, StatusCode};
use portal_domain::clock::Clock;
use portal_testkit::{
    Member, PASSWORD, TEST_BASE_URL, TestApp, TestPasskey, claims, person, totp_code,
};
use serde_json::{Value, json};
use time::Duration;

/// Ada, signed in, with a passkey on her (software) authenticator.
async fn ada_with_passkey(app: &TestApp) -> (Member, TestPasskey) {
    let ada = app.registered_user(person("ada@example.com")).await;
    let mut passkey = TestPasskey::at(TEST_BASE_URL);
    app.enrol_passkey(&ada.access_token, &mut passkey).await;
    (ada, passkey)
}

fn users(app: &TestApp) -> Value {
    app.store.snapshot()["portal_users"].clone()
}

#[tokio::test]
async fn a_passkey_is_registered_with_recovery_codes_listed_and_the_user_is_told() {
    let app = TestApp::start();
    let ada = app.registered_user(person("ada@example.com")).await;
    let mut passkey = TestPasskey::at(TEST_BASE_URL);

    let added = app.enrol_passkey(&ada.access_token, &mut passkey).await;

    assert_eq!(added.body["passkey"]["name"], "Laptop");
    assert_eq!(added.body["passkey"]["id"], passkey.credential_id());
    assert_eq!(
        added.body["recovery_codes"].as_array().unwrap().len(),
        10,
        "a first factor comes with recovery codes"
    );
    let list = app
        .call(Method::GET, "/me/passkeys", Some(&ada.access_token), None)
        .await;
    assert_eq!(list.body["items"][0]["id"], passkey.credential_id());
    assert_eq!(list.body["items"][0]["last_used_at"], Value::Null);
    let status = app
        .call(Method::GET, "/me/mfa", Some(&ada.access_token), None)
        .await;
    assert_eq!(status.body["passkeys"], 1);
    assert_eq!(status.body["methods"], json!(["passkey", "recovery_code"]));
    assert_eq!(app.emails_of_kind("second_factor_changed").len(), 1);

    let second = app
        .enrol_passkey(&ada.access_token, &mut TestPasskey::at(TEST_BASE_URL))
        .await;
    assert!(
        second.body.get("recovery_codes").is_none(),
        "the codes of the first factor stay"
    );
}

#[tokio::test]
async fn a_passkey_alone_signs_in_as_two_factors_and_is_marked_used() {
    let app = TestApp::start();
    let (ada, mut passkey) = ada_with_passkey(&app).await;

    let reply = app.passkey_sign_in(&mut passkey, |answer| answer).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let access_token = reply.id("access_token");
    assert_eq!(claims(&access_token)["sub"], ada.id.as_str());
    assert_eq!(claims(&access_token)["amr"], json!(["hwk", "mfa"]));
    assert_eq!(app.me(&access_token).await.status, StatusCode::OK);
    let list = app
        .call(Method::GET, "/me/passkeys", Some(&access_token), None)
        .await;
    assert_eq!(
        list.body["items"][0]["last_used_at"],
        json!(
            app.clock
                .now()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        )
    );
}

#[tokio::test]
async fn a_sign_in_token_works_once_and_of_two_racing_uses_one_signs_in() {
    let app = TestApp::start();
    let (_, mut passkey) = ada_with_passkey(&app).await;
    let options = app.post("/sessions/passkey/options", json!({})).await;
    let token = options.id("passkey_token");
    let answer = passkey.get(&json!({ "publicKey": options.body["publicKey"] }));
    let body = json!({ "passkey_token": token, "credential": answer });

    let (first, second) = tokio::join!(
        app.post("/sessions/passkey", body.clone()),
        app.post("/sessions/passkey", body.clone())
    );

    let statuses = [first.status, second.status];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(
        statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    // A fresh assertion (a newer counter) into the spent token is refused as well.
    let fresh = passkey.get(&json!({ "publicKey": options.body["publicKey"] }));
    app.post(
        "/sessions/passkey",
        json!({ "passkey_token": token, "credential": fresh }),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn a_replayed_assertion_is_refused_even_with_a_new_token() {
    let app = TestApp::start();
    let (_, mut passkey) = ada_with_passkey(&app).await;
    let mut replayed = Value::Null;
    let signed_in = app
        .passkey_sign_in(&mut passkey, |answer| {
            replayed = answer.clone();
            answer
        })
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);

    let reply = app.passkey_sign_in(&mut passkey, |_| replayed).await;

    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn a_passkey_naming_another_user_or_no_user_is_refused_and_nothing_changes() {
    let app = TestApp::start();
    let (_, mut passkey) = ada_with_passkey(&app).await;
    let grace = app.registered_user(person("grace@example.com")).await;
    let before = users(&app);

    for claimed in [grace.id.as_str(), "0123456789abcdef0123456789abcdef"] {
        app.passkey_sign_in(&mut passkey, |answer| {
            TestPasskey::claiming(&answer, claimed)
        })
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    }

    let after = users(&app);
    for id in after.as_object().unwrap().keys() {
        assert_eq!(after[id]["mfa"], before[id]["mfa"], "no passkey moved on");
    }
}

#[tokio::test]
async fn a_passkey_used_from_another_origin_is_refused() {
    let app = TestApp::start();
    let (ada, passkey) = ada_with_passkey(&app).await;
    let mut phished = passkey.from_origin("https://login.portal.test");

    app.passkey_sign_in(&mut phished, |answer| answer)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");

    let options = app
        .call(
            Method::POST,
            "/me/passkeys/options",
            Some(&ada.access_token),
            None,
        )
        .await;
    let credential = TestPasskey::at("https://login.portal.test").create(&options.body);
    let before = users(&app);
    app.call(
        Method::POST,
        "/me/passkeys",
        Some(&ada.access_token),
        Some(json!({ "credential": credential })),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    assert_eq!(users(&app), before, "nothing registered");
}

#[tokio::test]
async fn a_forged_or_expired_sign_in_token_is_refused() {
    let app = TestApp::start();
    let (_, mut passkey) = ada_with_passkey(&app).await;
    let options = app.post("/sessions/passkey/options", json!({})).await;
    let answer = passkey.get(&json!({ "publicKey": options.body["publicKey"] }));

    app.post(
        "/sessions/passkey",
        json!({ "passkey_token": "forged", "credential": answer }),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    app.clock.advance(Duration::minutes(5));
    app.post(
        "/sessions/passkey",
        json!({ "passkey_token": options.id("passkey_token"), "credential": answer }),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn bad_bodies_are_refused_by_field_and_change_nothing() {
    let app = TestApp::start();
    let (ada, _) = ada_with_passkey(&app).await;
    let before = users(&app);

    for body in [
        json!({ "passkey_token": "x" }),
        json!({ "passkey_token": "x", "credential": "text" }),
        json!({ "credential": {} }),
        json!({ "passkey_token": "x", "credential": { "id": 7 } }),
    ] {
        app.post("/sessions/passkey", body)
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    for body in [
        json!({}),
        json!({ "credential": [] }),
        json!({ "credential": {}, "name": "x".repeat(61) }),
    ] {
        app.call(
            Method::POST,
            "/me/passkeys",
            Some(&ada.access_token),
            Some(body),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    assert_eq!(users(&app), before);
}

#[tokio::test]
async fn after_a_password_a_passkey_finishes_the_second_step_and_another_users_does_not() {
    let app = TestApp::start();
    let (_, mut passkey) = ada_with_passkey(&app).await;
    let grace = app.registered_user(person("grace@example.com")).await;
    let mut graces = TestPasskey::at(TEST_BASE_URL);
    app.enrol_passkey(&grace.access_token, &mut graces).await;

    let step = app.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(step.body["methods"], json!(["passkey", "recovery_code"]));
    let options = step.body["passkey_options"].clone();
    assert_eq!(
        options["publicKey"]["allowCredentials"][0]["id"],
        passkey.credential_id(),
        "{options}"
    );
    let mut for_grace = options.clone();
    for_grace["publicKey"]["allowCredentials"][0]["id"] = graces.credential_id().into();
    app.second_factor(
        &step.id("mfa_token"),
        json!({ "credential": graces.get(&for_grace) }),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");

    let reply = app
        .second_factor(
            &step.id("mfa_token"),
            json!({ "credential": passkey.get(&options) }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        claims(&reply.id("access_token"))["amr"],
        json!(["pwd", "hwk", "mfa"])
    );
}

#[tokio::test]
async fn removing_a_passkey_needs_a_recent_sign_in_and_the_last_one_takes_the_codes() {
    let app = TestApp::start();
    let (ada, passkey) = ada_with_passkey(&app).await;
    let path = format!("/me/passkeys/{}", passkey.credential_id());
    app.clock.advance(Duration::minutes(6));

    app.call(Method::DELETE, &path, Some(&ada.access_token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "recent_sign_in_required");
    let mut passkey = passkey;
    let fresh = app
        .passkey_sign_in(&mut passkey, |answer| answer)
        .await
        .id("access_token");
    let other = app.registered_user(person("grace@example.com")).await;
    app.call(Method::DELETE, &path, Some(&other.access_token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");

    let removed = app.call(Method::DELETE, &path, Some(&fresh), None).await;

    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let status = app.call(Method::GET, "/me/mfa", Some(&fresh), None).await;
    assert_eq!(status.body["methods"], json!([]));
    assert_eq!(status.body["recovery_codes_left"], 0);
    assert_eq!(app.emails_of_kind("second_factor_changed").len(), 2);
    app.passkey_sign_in(&mut passkey, |answer| answer)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
}

#[tokio::test]
async fn an_organization_that_requires_a_factor_can_be_satisfied_with_a_passkey() {
    let app = TestApp::start();
    let (_, enrolment) = app.member_who_must_enrol("ada@example.com").await;
    let mut passkey = TestPasskey::at(TEST_BASE_URL);

    app.enrol_passkey(&enrolment, &mut passkey).await;

    let reply = app.passkey_sign_in(&mut passkey, |answer| answer).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for (method, path) in [
        (Method::GET, "/me/passkeys".to_owned()),
        (
            Method::DELETE,
            format!("/me/passkeys/{}", passkey.credential_id()),
        ),
    ] {
        app.call(method, &path, Some(&enrolment), None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn the_passkey_routes_of_a_user_refuse_a_missing_staff_or_forged_token() {
    let app = TestApp::start();
    ada_with_passkey(&app).await;
    let before = app.store.snapshot();
    let staff = app.token.clone();

    for (method, path) in [
        (Method::POST, "/me/passkeys/options"),
        (Method::POST, "/me/passkeys"),
        (Method::GET, "/me/passkeys"),
        (Method::DELETE, "/me/passkeys/abc"),
    ] {
        for bearer in [None, Some(staff.as_str()), Some("eyJhbGciOiJub25lIn0.e30.")] {
            app.call(
                method.clone(),
                path,
                bearer,
                Some(json!({ "credential": {} })),
            )
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        }
    }
    assert_eq!(app.store.snapshot(), before, "nothing changed");
}

#[tokio::test]
async fn a_user_with_an_app_and_a_passkey_is_offered_both() {
    let app = TestApp::start();
    let (ada, _) = ada_with_passkey(&app).await;
    let (secret, _) = app.enrol_totp(&ada.access_token, app.clock.now()).await;
    app.clock.advance(Duration::seconds(30));

    let step = app.log_in("ada@example.com", PASSWORD).await;

    assert_eq!(
        step.body["methods"],
        json!(["totp", "passkey", "recovery_code"])
    );
    let reply = app
        .second_factor(
            &step.id("mfa_token"),
            json!({ "code": totp_code(&secret, app.clock.now()) }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_deactivated_users_passkey_signs_no_one_in_until_reactivated() {
    let app = TestApp::start();
    let (ada, mut passkey) = ada_with_passkey(&app).await;
    assert_eq!(app.deactivate(&ada.id).await.status, StatusCode::OK);

    app.passkey_sign_in(&mut passkey, |answer| answer)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");

    assert_eq!(app.reactivate(&ada.id).await.status, StatusCode::OK);
    let reply = app.passkey_sign_in(&mut passkey, |answer| answer).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_registration_answer_works_once_even_when_two_race() {
    let app = TestApp::start();
    let ada = app.registered_user(person("ada@example.com")).await;
    let options = app
        .call(
            Method::POST,
            "/me/passkeys/options",
            Some(&ada.access_token),
            None,
        )
        .await;
    let credential = TestPasskey::at(TEST_BASE_URL).create(&options.body);
    let body = json!({ "credential": credential });

    let (first, second) = tokio::join!(
        app.call(
            Method::POST,
            "/me/passkeys",
            Some(&ada.access_token),
            Some(body.clone())
        ),
        app.call(
            Method::POST,
            "/me/passkeys",
            Some(&ada.access_token),
            Some(body.clone())
        )
    );

    let statuses = [first.status, second.status];
    assert!(statuses.contains(&StatusCode::CREATED), "{statuses:?}");
    assert!(
        statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
    let replayed = app
        .call(
            Method::POST,
            "/me/passkeys",
            Some(&ada.access_token),
            Some(body),
        )
        .await;
    replayed.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    let list = app
        .call(Method::GET, "/me/passkeys", Some(&ada.access_token), None)
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.emails_of_kind("second_factor_changed").len(), 1);
}
