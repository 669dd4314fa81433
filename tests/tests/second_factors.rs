//! Second factors over real HTTP, on both stores, with codes computed by pyotp (an
//! authenticator implementation none of us wrote): enrolment, a sign-in with the app and
//! with a recovery code, the lockout after wrong codes, and an organization that requires
//! a factor.

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
