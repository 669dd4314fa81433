//! Second factors through the routes: enrolling an authenticator app, signing in with it
//! or a recovery code, every refused answer, the lockout, an organization that requires
//! a factor, staff resets, and the recent sign-in that removing a factor needs.

use axum::http::{Method, StatusCode};
use portal_domain::clock::Clock;
use portal_testkit::{PASSWORD, TestApp, claims, person, totp_code};
use serde_json::{Value, json};
use time::Duration;

/// One time step of an authenticator app.
const STEP: Duration = Duration::seconds(30);

/// Ada, signed in, with an authenticator app: her secret, recovery codes and user id. The
/// clock has moved past the step her first code used.
async fn ada_with_totp(app: &TestApp) -> (String, Vec<String>, String) {
    let ada = app.registered_user(person("ada@example.com")).await;
    let (secret, codes) = app.enrol_totp(&ada.access_token, app.clock.now()).await;
    app.clock.advance(STEP);
    (secret, codes, ada.id)
}

/// The `mfa_token` a right password answers.
async fn second_step(app: &TestApp) -> String {
    let reply = app.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["mfa_required"], true, "{}", reply.body);
    assert!(
        reply.body.get("access_token").is_none(),
        "no token before the second step"
    );
    reply.id("mfa_token")
}

/// A whole sign-in with the app: the password, then the code of the clock's step.
async fn sign_in_with_app(app: &TestApp, secret: &str) -> portal_testkit::Reply {
    let mfa_token = second_step(app).await;
    let reply = app.second_factor(&mfa_token, code(secret, app)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
}

fn code(secret: &str, app: &TestApp) -> Value {
    json!({ "code": totp_code(secret, app.clock.now()) })
}

#[tokio::test]
async fn an_app_is_enrolled_with_a_qr_code_and_ten_recovery_codes_and_the_user_is_told() {
    let app = TestApp::start();
    let ada = app.registered_user(person("ada@example.com")).await;

    let setup = app
        .call(Method::POST, "/me/mfa/totp", Some(&ada.access_token), None)
        .await;

    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.id("secret");
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let uri = setup.id("otpauth_uri");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")));
    assert!(setup.id("qr_svg").starts_with("<?xml"), "an SVG drawn here");
    assert!(
        !app.store.snapshot().to_string().contains(&secret),
        "the secret is sealed at rest"
    );

    let wrong = app
        .call(
            Method::POST,
            "/me/mfa/totp/confirm",
            Some(&ada.access_token),
            Some(
                json!({ "code": portal_testkit::other_code(&totp_code(&secret, app.clock.now())) }),
            ),
        )
        .await;
    wrong.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    let confirmed = app
        .call(
            Method::POST,
            "/me/mfa/totp/confirm",
            Some(&ada.access_token),
            Some(code(&secret, &app)),
        )
        .await;

    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let codes = confirmed.body["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let status = app
        .call(Method::GET, "/me/mfa", Some(&ada.access_token), None)
        .await;
    assert_eq!(status.body["totp"], true);
    assert_eq!(status.body["recovery_codes_left"], 10);
    assert_eq!(status.body["methods"], json!(["totp", "recovery_code"]));
    assert_eq!(app.emails_of_kind("second_factor_changed").len(), 1);
    let snapshot = app.store.snapshot().to_string();
    for code in codes {
        let code = code.as_str().unwrap();
        assert!(!snapshot.contains(code), "recovery codes are stored hashed");
    }
}

#[tokio::test]
async fn a_sign_in_with_an_app_needs_its_code_and_carries_the_amr() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;

    let mfa_token = second_step(&app).await;
    let reply = app.second_factor(&mfa_token, code(&secret, &app)).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let access_token = reply.id("access_token");
    assert_eq!(app.me(&access_token).await.status, StatusCode::OK);
    assert_eq!(claims(&access_token)["amr"], json!(["pwd", "otp", "mfa"]));
    let refreshed = app.refresh(&reply.id("refresh_token")).await;
    assert_eq!(
        claims(&refreshed.id("access_token"))["amr"],
        json!(["pwd", "otp", "mfa"]),
        "a refresh keeps how the person signed in"
    );
}

#[tokio::test]
async fn a_password_alone_carries_pwd() {
    let app = TestApp::start();
    app.registered_user(person("ada@example.com")).await;

    let reply = app.log_in("ada@example.com", PASSWORD).await;

    assert_eq!(claims(&reply.id("access_token"))["amr"], json!(["pwd"]));
}

#[tokio::test]
async fn a_code_is_accepted_once_and_never_for_an_older_step() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let used = code(&secret, &app);
    let first = second_step(&app).await;
    assert_eq!(
        app.second_factor(&first, used.clone()).await.status,
        StatusCode::OK
    );

    let again = second_step(&app).await;
    app.second_factor(&again, used)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    let previous = json!({ "code": totp_code(&secret, app.clock.now() - STEP) });
    app.second_factor(&again, previous)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    app.clock.advance(STEP);
    assert_eq!(
        app.second_factor(&again, code(&secret, &app)).await.status,
        StatusCode::OK,
        "the next step's code works"
    );
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::start();
    let (_, codes, _) = ada_with_totp(&app).await;
    let recovery = json!({ "recovery_code": codes[4].to_uppercase() });

    let first = second_step(&app).await;
    let reply = app.second_factor(&first, recovery.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        claims(&reply.id("access_token"))["amr"],
        json!(["pwd", "otp", "mfa"])
    );

    let again = second_step(&app).await;
    app.second_factor(&again, recovery)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    let status = app
        .call(
            Method::GET,
            "/me/mfa",
            Some(&reply.id("access_token")),
            None,
        )
        .await;
    assert_eq!(status.body["recovery_codes_left"], 9);
}

#[tokio::test]
async fn malformed_answers_are_422_and_change_nothing() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let mfa_token = second_step(&app).await;
    let before = app.store.snapshot();

    for (body, fields) in [
        (json!({ "code": "12345" }), vec!["code"]),
        (json!({ "code": "12a456" }), vec!["code"]),
        (json!({ "code": "1234567" }), vec!["code"]),
        (json!({ "recovery_code": "abc" }), vec!["recovery_code"]),
        (json!({}), vec!["code"]),
        (
            json!({ "code": "123456", "recovery_code": "abcd-efgh-jkmn-pqrs" }),
            vec!["code"],
        ),
    ] {
        app.second_factor(&mfa_token, body)
            .await
            .assert_invalid(&fields);
    }
    app.post("/sessions/mfa", json!({ "code": "123456" }))
        .await
        .assert_invalid(&["mfa_token"]);

    assert_eq!(
        app.store.snapshot(),
        before,
        "nothing was counted or changed"
    );
    assert_eq!(
        app.second_factor(&mfa_token, code(&secret, &app))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_mfa_token_works_once_and_only_for_its_own_user() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let grace = app.registered_user(person("grace@example.com")).await;
    let mfa_token = second_step(&app).await;

    // Ada's secret part under Grace's id: a token of another user.
    let (_, secret_part) = mfa_token.split_once('.').unwrap();
    let forged = format!("{}.{secret_part}", grace.id);
    app.second_factor(&forged, code(&secret, &app))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.second_factor("not a token", code(&secret, &app))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    assert_eq!(
        app.second_factor(&mfa_token, code(&secret, &app))
            .await
            .status,
        StatusCode::OK
    );
    app.clock.advance(STEP);
    app.second_factor(&mfa_token, code(&secret, &app))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn an_mfa_token_expires_after_five_minutes() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let mfa_token = second_step(&app).await;

    app.clock.advance(Duration::minutes(5));

    app.second_factor(&mfa_token, code(&secret, &app))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn five_wrong_codes_burn_the_step() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let mfa_token = second_step(&app).await;
    let wrong = json!({ "code": portal_testkit::other_code(&totp_code(&secret, app.clock.now())) });

    for _ in 0..5 {
        app.second_factor(&mfa_token, wrong.clone())
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    }

    app.second_factor(&mfa_token, code(&secret, &app))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn wrong_codes_count_toward_the_lockout_and_the_password_does_not_clear_it() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let wrong =
        || json!({ "code": portal_testkit::other_code(&totp_code(&secret, app.clock.now())) });

    // A right password counts until its second step passes: 1 + 5 wrong, 1 + 3 wrong = 10.
    let first = second_step(&app).await;
    for _ in 0..5 {
        app.second_factor(&first, wrong()).await;
    }
    let second = second_step(&app).await;
    for _ in 0..3 {
        app.second_factor(&second, wrong())
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    }

    app.second_factor(&second, code(&secret, &app))
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    app.log_in("ada@example.com", PASSWORD)
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}

#[tokio::test]
async fn of_two_racing_uses_of_one_code_exactly_one_signs_in() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let mfa_token = second_step(&app).await;
    let answer = code(&secret, &app);

    let (a, b) = tokio::join!(
        app.second_factor(&mfa_token, answer.clone()),
        app.second_factor(&mfa_token, answer.clone())
    );

    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses[0], StatusCode::OK, "{} {}", a.body, b.body);
    assert_ne!(statuses[1], StatusCode::OK, "{} {}", a.body, b.body);
}

#[tokio::test]
async fn removing_the_app_needs_a_sign_in_within_five_minutes_and_tells_the_user() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;
    let mfa_token = second_step(&app).await;
    let signed_in = app.second_factor(&mfa_token, code(&secret, &app)).await;
    app.clock.advance(Duration::minutes(6));
    let refreshed = app.refresh(&signed_in.id("refresh_token")).await;
    let stale = refreshed.id("access_token");

    for (method, path) in [
        (Method::DELETE, "/me/mfa/totp"),
        (Method::POST, "/me/mfa/recovery-codes"),
    ] {
        app.call(method, path, Some(&stale), None)
            .await
            .assert_problem(StatusCode::FORBIDDEN, "recent_sign_in_required");
    }
    let status = app.call(Method::GET, "/me/mfa", Some(&stale), None).await;
    assert_eq!(status.body["totp"], true, "nothing changed");

    let fresh = sign_in_with_app(&app, &secret).await.id("access_token");
    let removed = app
        .call(Method::DELETE, "/me/mfa/totp", Some(&fresh), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(app.emails_of_kind("second_factor_changed").len(), 2);
    let status = app.call(Method::GET, "/me/mfa", Some(&fresh), None).await;
    assert_eq!(
        status.body,
        json!({ "totp": false, "passkeys": 0, "recovery_codes_left": 0, "methods": [] })
    );
    assert!(
        app.log_in("ada@example.com", PASSWORD).await.body["access_token"].is_string(),
        "the password alone signs in again"
    );
}

#[tokio::test]
async fn new_recovery_codes_end_the_old_set() {
    let app = TestApp::start();
    let (secret, old, _) = ada_with_totp(&app).await;
    let access_token = sign_in_with_app(&app, &secret).await.id("access_token");

    let replaced = app
        .call(
            Method::POST,
            "/me/mfa/recovery-codes",
            Some(&access_token),
            None,
        )
        .await;

    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    let new = replaced.body["recovery_codes"].as_array().unwrap();
    assert_eq!(new.len(), 10);
    let step = second_step(&app).await;
    app.second_factor(&step, json!({ "recovery_code": old[0] }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");
    assert_eq!(
        app.second_factor(&step, json!({ "recovery_code": new[0] }))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_second_app_is_refused_until_the_first_is_removed() {
    let app = TestApp::start();
    let ada = app.registered_user(person("ada@example.com")).await;
    app.enrol_totp(&ada.access_token, app.clock.now()).await;

    app.call(Method::POST, "/me/mfa/totp", Some(&ada.access_token), None)
        .await
        .assert_problem(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn an_organization_that_requires_a_factor_makes_its_members_enrol_before_any_token() {
    let app = TestApp::start();
    let organization = app
        .create_organization(json!({ "name": "Acme", "roles": [], "require_mfa": true }))
        .await;
    assert_eq!(
        organization.body["require_mfa"], true,
        "{}",
        organization.body
    );
    let ada = app.registered_user(person("ada@example.com")).await;
    let moved = app
        .change_user(
            &ada.id,
            json!({ "organization_id": organization.id("organization_id") }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

    let reply = app.log_in("ada@example.com", PASSWORD).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["mfa_enrollment_required"], true,
        "{}",
        reply.body
    );
    assert!(reply.body.get("access_token").is_none());
    let enrolment = reply.id("enrollment_token");
    app.me(&enrolment)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.second_factor(&enrolment, json!({ "code": "123456" }))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    let (secret, codes) = app.enrol_totp(&enrolment, app.clock.now()).await;
    assert_eq!(codes.len(), 10);
    app.call(Method::POST, "/me/mfa/totp", Some(&enrolment), None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    app.clock.advance(STEP);
    sign_in_with_app(&app, &secret).await;
}

#[tokio::test]
async fn staff_reset_removes_every_factor_audited_and_the_user_is_told() {
    let app = TestApp::start();
    let (_, _, ada_id) = ada_with_totp(&app).await;
    let before = app.user(&ada_id).await;
    assert_eq!(
        before.body["second_factors"],
        json!(["totp", "recovery_code"])
    );

    let reset = app
        .staff_post(
            &format!("/staff/portal-users/{ada_id}/mfa/reset"),
            json!({}),
        )
        .await;

    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(app.log_in("ada@example.com", PASSWORD).await.body["access_token"].is_string());
    let emails = app.emails_of_kind("second_factor_changed");
    assert_eq!(emails.len(), 2, "added, then reset");
    let detail = app.user(&ada_id).await;
    assert_eq!(detail.body["second_factors"], json!([]));
    assert!(
        detail.body.to_string().contains("second_factors_reset"),
        "{}",
        detail.body
    );
    app.staff_post(
        &format!("/staff/portal-users/{ada_id}/mfa/reset"),
        json!({}),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "invalid_state");
    app.staff_post(
        "/staff/portal-users/0123456789abcdef0123456789abcdef/mfa/reset",
        json!({}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_providers_login_has_the_second_step_too() {
    let app = TestApp::start();
    let (secret, _, _) = ada_with_totp(&app).await;

    let first = app.provider_sign_in("ada@example.com", PASSWORD).await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["mfa_required"], true);
    assert!(first.headers.get("set-cookie").is_none());
    let finished = app
        .provider_second_factor(&first.id("mfa_token"), code(&secret, &app))
        .await;
    assert_eq!(finished.status, StatusCode::NO_CONTENT, "{}", finished.body);
    assert!(
        finished
            .header("set-cookie")
            .starts_with("__Host-portal-provider=")
    );
}

#[tokio::test]
async fn every_factor_route_needs_a_valid_token_and_an_enrolment_token_opens_only_enrolment() {
    let app = TestApp::start();
    let (_, enrolment) = app.member_who_must_enrol("ada@example.com").await;
    let before = app.store.snapshot();
    let routes = [
        (Method::GET, "/me/mfa"),
        (Method::POST, "/me/mfa/totp"),
        (Method::DELETE, "/me/mfa/totp"),
        (Method::POST, "/me/mfa/totp/confirm"),
        (Method::POST, "/me/mfa/recovery-codes"),
    ];

    let staff = app.token.clone();
    for (method, path) in &routes {
        for bearer in [None, Some(staff.as_str()), Some("eyJhbGciOiJub25lIn0.e30.")] {
            app.call(
                method.clone(),
                path,
                bearer,
                Some(json!({ "code": "123456" })),
            )
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        }
    }
    for (method, path) in [
        (Method::GET, "/me/mfa"),
        (Method::DELETE, "/me/mfa/totp"),
        (Method::POST, "/me/mfa/recovery-codes"),
    ] {
        app.call(method, path, Some(&enrolment), None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    assert_eq!(app.store.snapshot(), before, "nothing changed");
}

#[tokio::test]
async fn accepting_an_invitation_into_an_organization_that_requires_a_factor_begins_no_session() {
    let app = TestApp::start();
    let organization = app
        .create_organization(json!({ "name": "Acme", "roles": [], "require_mfa": true }))
        .await;
    let added = app
        .add_members(
            &organization.id("organization_id"),
            json!({ "emails": ["grace@example.com"] }),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let token = app.invitation_token("grace@example.com").await;

    let accepted = app
        .accept_invitation(&token, PASSWORD, Some(portal_testkit::profile()))
        .await;

    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(
        accepted.body["mfa_enrollment_required"], true,
        "{}",
        accepted.body
    );
    assert!(accepted.body.get("refresh_token").is_none());
    assert!(
        app.store.snapshot()["session_families"]
            .as_object()
            .is_none_or(|families| families.is_empty()),
        "no session family was written"
    );
    let (secret, _) = app
        .enrol_totp(&accepted.id("enrollment_token"), app.clock.now())
        .await;
    app.clock.advance(STEP);
    let step = app.log_in("grace@example.com", PASSWORD).await;
    let signed_in = app
        .second_factor(&step.id("mfa_token"), code(&secret, &app))
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
}
