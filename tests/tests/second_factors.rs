//! Second factors over real HTTP, on both stores, with codes computed by pyotp (an
//! authenticator implementation none of us wrote): enrolment, a sign-in with the app and
//! with a recovery code, the lockout after wrong codes, and an organization that requires
//! a factor; and a passkey (a software authenticator from webauthn-authenticator-rs).

use portal_testkit::{Backend, LocalPortal, PASSWORD, person};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The app's code for `secret` at now + `offset_seconds`, from pyotp. The code of the
/// next step is accepted too (one step of drift), so a sign-in right after enrolling
/// uses it: the step the enrolment used is spent.
fn pyotp(secret: &str, offset_seconds: i64) -> String {
    let at = time::OffsetDateTime::now_utc().unix_timestamp() + offset_seconds;
    portal_tests::python("totp_code.py", &[secret, &at.to_string()])
        .trim()
        .to_owned()
}

/// Sets up an app with the bearer `token` (access or enrolment): the secret and the
/// recovery codes.
async fn enrol(portal: &LocalPortal, token: &str) -> (String, Vec<Value>) {
    let setup = portal
        .call(Method::POST, "/me/mfa/totp", Some(token), None)
        .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.id("secret");
    let confirmed = portal
        .call(
            Method::POST,
            "/me/mfa/totp/confirm",
            Some(token),
            Some(json!({ "code": pyotp(&secret, 0) })),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let codes = confirmed.body["recovery_codes"].as_array().unwrap().clone();
    (secret, codes)
}

async fn mfa_token(portal: &LocalPortal, username: &str) -> String {
    let reply = portal.log_in(username, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["mfa_required"], true, "{}", reply.body);
    reply.id("mfa_token")
}

async fn an_app_and_recovery_codes_sign_in_and_wrong_codes_lock(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let ada = portal.registered_user(person("ada@example.com")).await;
    let (secret, codes) = enrol(&portal, &ada.access_token).await;
    assert_eq!(codes.len(), 10);

    let step = mfa_token(&portal, "ada@example.com").await;
    let signed_in = portal
        .second_factor(&step, json!({ "code": pyotp(&secret, 30) }))
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!(
        portal.me(&signed_in.id("access_token")).await.status,
        StatusCode::OK
    );

    let step = mfa_token(&portal, "ada@example.com").await;
    let recovered = portal
        .second_factor(&step, json!({ "recovery_code": codes[0] }))
        .await;
    assert_eq!(recovered.status, StatusCode::OK, "{}", recovered.body);
    let step = mfa_token(&portal, "ada@example.com").await;
    let reused = portal
        .second_factor(&step, json!({ "recovery_code": codes[0] }))
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reused.body
    );

    // Consecutive failures of the username so far: that step's password and the reused
    // code (2). Four wrong codes more burn the step (6), a new password (7) and three wrong
    // codes (10) lock the username: then even the right code is refused.
    let wrong = json!({ "code": "000000" });
    for _ in 0..4 {
        let reply = portal.second_factor(&step, wrong.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
    }
    let burned = portal.second_factor(&step, wrong.clone()).await;
    assert_eq!(burned.status, StatusCode::UNAUTHORIZED, "{}", burned.body);
    let step = mfa_token(&portal, "ada@example.com").await;
    for _ in 0..3 {
        let reply = portal.second_factor(&step, wrong.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
    }
    let locked = portal
        .second_factor(&step, json!({ "code": pyotp(&secret, 30) }))
        .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert_eq!(locked.body["code"], "too_many_attempts");
}

#[tokio::test]
async fn an_app_and_recovery_codes_sign_in_and_wrong_codes_lock_on_the_embedded_store() {
    an_app_and_recovery_codes_sign_in_and_wrong_codes_lock(Backend::Embedded).await;
}

#[tokio::test]
async fn an_app_and_recovery_codes_sign_in_and_wrong_codes_lock_on_dynamodb() {
    an_app_and_recovery_codes_sign_in_and_wrong_codes_lock(Backend::DynamoDb).await;
}

async fn an_organization_that_requires_a_factor_forces_enrolment(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let acme = portal
        .create_organization(json!({ "name": "Acme", "roles": [], "require_mfa": true }))
        .await;
    let ada = portal.registered_user(person("ada@example.com")).await;
    let moved = portal
        .change_user(
            &ada.id,
            json!({ "organization_id": acme.id("organization_id") }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

    let first = portal.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        first.body["mfa_enrollment_required"], true,
        "{}",
        first.body
    );
    assert!(first.body.get("access_token").is_none());
    let (secret, _) = enrol(&portal, &first.id("enrollment_token")).await;

    let step = mfa_token(&portal, "ada@example.com").await;
    let signed_in = portal
        .second_factor(&step, json!({ "code": pyotp(&secret, 30) }))
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
}

#[tokio::test]
async fn an_organization_that_requires_a_factor_forces_enrolment_on_the_embedded_store() {
    an_organization_that_requires_a_factor_forces_enrolment(Backend::Embedded).await;
}

#[tokio::test]
async fn an_organization_that_requires_a_factor_forces_enrolment_on_dynamodb() {
    an_organization_that_requires_a_factor_forces_enrolment(Backend::DynamoDb).await;
}

/// A person's journey with a passkey, over HTTP at `http://localhost:<port>` (a passkey
/// needs a domain name): registered from their account, a sign-in without a password, the
/// second step after a password, a replayed answer refused, and removal.
async fn a_passkey_signs_in_alone_or_after_a_password(backend: Backend) {
    let portal = LocalPortal::start_with(backend, &["--localhost"]).await;
    assert!(
        portal.base_url.starts_with("http://localhost:"),
        "{}",
        portal.base_url
    );
    let ada = portal.registered_user(person("ada@example.com")).await;
    let mut passkey = portal_testkit::TestPasskey::at(&portal.base_url);
    let added = portal.enrol_passkey(&ada.access_token, &mut passkey).await;
    assert_eq!(added.body["recovery_codes"].as_array().unwrap().len(), 10);

    let mut answered = Value::Null;
    let alone = portal
        .passkey_sign_in(&mut passkey, |answer| {
            answered = answer.clone();
            answer
        })
        .await;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.body);
    let access_token = alone.id("access_token");
    assert_eq!(
        portal_testkit::claims(&access_token)["amr"],
        json!(["hwk", "mfa"])
    );
    portal
        .passkey_sign_in(&mut passkey, |_| answered)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "code_invalid");

    let step = portal.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(step.body["methods"], json!(["passkey", "recovery_code"]));
    let credential = passkey.get(&step.body["passkey_options"]);
    let second = portal
        .second_factor(&step.id("mfa_token"), json!({ "credential": credential }))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);

    let removed = portal
        .call(
            Method::DELETE,
            &format!("/me/passkeys/{}", passkey.credential_id()),
            Some(&access_token),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let after = portal.log_in("ada@example.com", PASSWORD).await;
    assert!(after.body.get("access_token").is_some(), "{}", after.body);
}

#[tokio::test]
async fn a_passkey_signs_in_alone_or_after_a_password_on_the_embedded_store() {
    a_passkey_signs_in_alone_or_after_a_password(Backend::Embedded).await;
}

#[tokio::test]
async fn a_passkey_signs_in_alone_or_after_a_password_on_dynamodb() {
    a_passkey_signs_in_alone_or_after_a_password(Backend::DynamoDb).await;
}
