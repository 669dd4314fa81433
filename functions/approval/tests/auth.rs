//! Every `/staff` route needs a valid staff token with `portal.users.manage`. The token
//! rules themselves (issuer, audience, key, algorithm, claims) are tested in portal-http.

mod support;

use axum::http::StatusCode;
use portal_domain::staff::ASSIGN_ROLES;
use serde_json::json;
use support::{TestApp, staff_token};

const ID: &str = "0123456789abcdef0123456789abcdef";

fn staff_routes() -> Vec<(&'static str, String, Option<serde_json::Value>)> {
    vec![
        ("GET", "/staff/registrations".into(), None),
        ("GET", format!("/staff/registrations/{ID}"), None),
        (
            "POST",
            format!("/staff/registrations/{ID}/link-contact"),
            Some(json!({ "create_contact": true })),
        ),
        (
            "POST",
            format!("/staff/registrations/{ID}/approve"),
            Some(json!({})),
        ),
        (
            "POST",
            format!("/staff/registrations/{ID}/reject"),
            Some(json!({ "reason": "x" })),
        ),
        (
            "POST",
            "/staff/contacts".into(),
            Some(json!({ "first_name": "A", "last_name": "B", "email": "a@b.example" })),
        ),
        ("GET", "/staff/contacts?email=a@b.example".into(), None),
        ("GET", format!("/staff/contacts/{ID}"), None),
    ]
}

#[tokio::test]
async fn every_staff_route_without_a_token_is_a_401() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    for (method, path, body) in staff_routes() {
        let reply = app.call(method, &path, None, body).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(reply.body["code"], "unauthenticated", "{method} {path}");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn every_staff_route_with_a_garbage_token_is_a_401() {
    let app = TestApp::start();

    for (method, path, body) in staff_routes() {
        let reply = app.call(method, &path, Some("not.a.jwt"), body).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[tokio::test]
async fn every_staff_route_without_the_manage_permission_is_a_403_and_changes_nothing() {
    let app = TestApp::start();
    let token = staff_token(&[ASSIGN_ROLES]);
    let before = app.store.snapshot();

    for (method, path, body) in staff_routes() {
        let reply = app.call(method, &path, Some(&token), body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(reply.body["code"], "forbidden", "{method} {path}");
    }
    assert_eq!(app.store.snapshot(), before);
}
