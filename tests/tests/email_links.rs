//! Links in emails come only from `PORTAL_BASE_URL`: a request that names another host
//! (`Host`, `X-Forwarded-Host`) cannot point an invitation or a reset link at it.

use portal_testkit::{Backend, LocalPortal, PASSWORD, link_token, person, request};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const FORGED_HOST: &str = "evil.example";

/// Sends `body` to `path` as staff or not, with every header a proxy could forge.
async fn post_from_forged_host(
    portal: &LocalPortal,
    path: &str,
    body: Value,
    staff: bool,
) -> StatusCode {
    let bearer = staff.then_some(portal.token.as_str());
    let mut request = request(Method::POST, path, bearer, Some(&body));
    let headers = request.headers_mut();
    for (name, value) in [
        ("host", FORGED_HOST.to_owned()),
        ("x-forwarded-host", FORGED_HOST.to_owned()),
        ("x-forwarded-proto", "https".to_owned()),
        ("forwarded", format!("host={FORGED_HOST};proto=https")),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    portal.send(request).await.status
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
    let id = portal.verified_request(person(email)).await;
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

    let token = link_token(invitation["text"].as_str().unwrap()).unwrap();
    let accepted = portal.accept_invitation(&token, PASSWORD, None).await;
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
