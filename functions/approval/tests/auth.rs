//! Every `/staff` route needs a valid staff token with `portal.users.manage`. The token
//! rules themselves (issuer, audience, key, algorithm, claims) are tested in portal-http.

use axum::http::{Method, StatusCode};
use portal_domain::staff::ASSIGN_ROLES;
use portal_testkit::{Route, TestApp, UNKNOWN_ID as ID, staff_token};
use serde_json::json;

fn staff_routes() -> Vec<Route> {
    vec![
        (Method::GET, "/staff/registrations".into(), None),
        (Method::GET, format!("/staff/registrations/{ID}"), None),
        (
            Method::POST,
            format!("/staff/registrations/{ID}/link-contact"),
            Some(json!({ "create_contact": true })),
        ),
        (
            Method::POST,
            format!("/staff/registrations/{ID}/approve"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/staff/registrations/{ID}/reject"),
            Some(json!({ "reason": "x" })),
        ),
        (
            Method::POST,
            "/staff/contacts".into(),
            Some(json!({ "first_name": "A", "last_name": "B", "email": "a@b.example" })),
        ),
        (
            Method::GET,
            "/staff/contacts?email=a@b.example".into(),
            None,
        ),
        (Method::GET, "/staff/contacts?q=ad".into(), None),
        (Method::GET, format!("/staff/contacts/{ID}"), None),
        (
            Method::PATCH,
            format!("/staff/contacts/{ID}"),
            Some(json!({ "first_name": "A" })),
        ),
        (Method::GET, "/staff/outbox/dead".into(), None),
        (
            Method::POST,
            format!("/staff/outbox/dead/{ID}/requeue"),
            Some(json!({})),
        ),
        (
            Method::POST,
            "/staff/outbox/dead/requeue".into(),
            Some(json!({})),
        ),
        (
            Method::POST,
            "/staff/oidc-clients".into(),
            Some(json!({ "name": "A", "redirect_uris": ["https://a.example/cb"] })),
        ),
        (Method::GET, "/staff/oidc-clients".into(), None),
        (Method::GET, format!("/staff/oidc-clients/{ID}"), None),
        (
            Method::PATCH,
            format!("/staff/oidc-clients/{ID}"),
            Some(json!({ "name": "B", "redirect_uris": ["https://a.example/cb"] })),
        ),
        (Method::DELETE, format!("/staff/oidc-clients/{ID}"), None),
    ]
}

#[tokio::test]
async fn every_staff_route_without_a_token_is_a_401() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    app.expect_all(
        &staff_routes(),
        None,
        StatusCode::UNAUTHORIZED,
        Some("unauthenticated"),
    )
    .await;
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn every_staff_route_with_a_garbage_token_is_a_401() {
    let app = TestApp::start();

    app.expect_all(
        &staff_routes(),
        Some("not.a.jwt"),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
}

#[tokio::test]
async fn every_staff_route_without_the_manage_permission_is_a_403_and_changes_nothing() {
    let app = TestApp::start();
    let token = staff_token(&[ASSIGN_ROLES]);
    let before = app.store.snapshot();

    app.expect_all(
        &staff_routes(),
        Some(&token),
        StatusCode::FORBIDDEN,
        Some("forbidden"),
    )
    .await;
    assert_eq!(app.store.snapshot(), before);
}
