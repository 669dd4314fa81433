//! Links in emails come only from `PORTAL_BASE_URL`: a request that names another host
//! (`Host`, `X-Forwarded-Host`) cannot point an invitation or a reset link at it.

use portal_tests::{Backend, LocalPortal, person};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 1912";
const FORGED_HOST: &str = "evil.example";

/// Sends `body` to `path` as staff or not, with every header a proxy could forge.
async fn post_from_forged_host(
    portal: &LocalPortal,
    path: &str,
    body: Value,
    staff: bool,
) -> StatusCode {
    let mut request = portal
        .http
        .post(format!("{}{path}", portal.base_url))
        .header("host", FORGED_HOST)
        .header("x-forwarded-host", FORGED_HOST)
        .header("x-forwarded-proto", "https")
        .header("forwarded", format!("host={FORGED_HOST};proto=https"))
        .json(&body);
    if staff {
        request = request.bearer_auth(&portal.staff_token);
    }
    request.send().await.expect("portal-local answers").status()
}

fn assert_links_only_to_base(email: &Value, base_url: &str) {
    for part in ["text", "html"] {
        let body = email[part].as_str().expect("a body");
        assert!(
            !body.contains(FORGED_HOST),
            "{part} names the forged host: {body}"
        );
        assert!(
            body.contains(&format!("{base_url}/")),
            "{part} has no link: {body}"
        );
    }
}

#[tokio::test]
async fn invitation_and_reset_links_use_the_configured_base_url_whatever_the_host_header() {
    let portal = LocalPortal::start(Backend::Embedded).await;
    let email = "host@example.com";
    let id = portal.verified_request(email).await;
    let linked = post_from_forged_host(
        &portal,
        &format!("/staff/registrations/{id}/link-contact"),
        json!({ "create_contact": true }),
        true,
    )
    .await;
    assert_eq!(linked, StatusCode::OK);

    let approved = post_from_forged_host(
        &portal,
        &format!("/staff/registrations/{id}/approve"),
        json!({}),
        true,
    )
    .await;

    assert_eq!(approved, StatusCode::OK);
    let invitation = portal.email_to(email, "invitation").await;
    assert_links_only_to_base(&invitation, &portal.base_url);

    let token = portal_tests::invitation_token(&invitation);
    let accepted = portal
        .post(
            "/invitations/accept",
            json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let reset = post_from_forged_host(
        &portal,
        "/password-resets",
        json!({ "email": email }),
        false,
    )
    .await;
    assert_eq!(reset, StatusCode::ACCEPTED);
    let reset = portal.email_to(email, "password_reset").await;
    assert_links_only_to_base(&reset, &portal.base_url);
}

#[tokio::test]
async fn a_code_email_asked_for_from_a_forged_host_names_no_host_at_all() {
    let portal = LocalPortal::start(Backend::Embedded).await;
    let email = "code@example.com";

    let submitted = post_from_forged_host(&portal, "/registrations", person(email), false).await;

    assert_eq!(submitted, StatusCode::ACCEPTED);
    let code = portal.email_to(email, "verification_code").await;
    for part in ["text", "html"] {
        assert!(!code[part].as_str().unwrap().contains(FORGED_HOST));
    }
}
