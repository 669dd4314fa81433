//! Every `/staff` route needs a staff token with `portal.users.manage`; every `/org`
//! route the access token of an active organization administrator. The token rules
//! themselves are tested in portal-http.

mod support;

use axum::http::StatusCode;
use portal_domain::staff::ASSIGN_ROLES;
use serde_json::{Value, json};
use support::{TestApp, UNKNOWN_ID, staff_token};

fn staff_routes() -> Vec<(&'static str, String, Option<Value>)> {
    let id = UNKNOWN_ID;
    vec![
        (
            "POST",
            "/staff/portal-users".into(),
            Some(json!({ "contact_id": id })),
        ),
        ("GET", "/staff/portal-users".into(), None),
        ("GET", format!("/staff/portal-users/{id}"), None),
        (
            "PATCH",
            format!("/staff/portal-users/{id}"),
            Some(json!({ "organization_id": null })),
        ),
        ("POST", format!("/staff/portal-users/{id}/invitation"), None),
        (
            "POST",
            "/staff/organizations".into(),
            Some(json!({ "name": "Acme", "roles": [] })),
        ),
        ("GET", format!("/staff/organizations/{id}"), None),
        (
            "POST",
            format!("/staff/organizations/{id}/members"),
            Some(json!({ "emails": ["a@example.com"] })),
        ),
    ]
}

fn org_routes() -> Vec<(&'static str, String, Option<Value>)> {
    let id = UNKNOWN_ID;
    vec![
        ("GET", "/org/members".into(), None),
        (
            "POST",
            "/org/members".into(),
            Some(json!({ "emails": ["a@example.com"] })),
        ),
        ("POST", format!("/org/members/{id}/invitation"), None),
        (
            "PUT",
            format!("/org/members/{id}/admin"),
            Some(json!({ "org_admin": true })),
        ),
    ]
}

#[tokio::test]
async fn every_route_without_a_token_is_a_401_and_changes_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    for (method, path, body) in staff_routes().into_iter().chain(org_routes()) {
        let reply = app.call(method, &path, None, body).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(reply.body["code"], "unauthenticated", "{method} {path}");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_staff_token_does_not_open_org_routes_nor_an_access_token_staff_routes() {
    let app = TestApp::start();
    let organization = app.create_organization("Acme", &[]).await;
    let admin = app.org_admin(&organization, "admin@acme.example").await;

    for (method, path, body) in org_routes() {
        let reply = app.call(method, &path, Some(&app.token), body).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    for (method, path, body) in staff_routes() {
        let reply = app
            .call(method, &path, Some(&admin.access_token), body)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[tokio::test]
async fn an_administrators_access_token_stops_on_every_org_route_once_they_log_out() {
    let app = TestApp::start();
    let organization = app.create_organization("Acme", &[]).await;
    let admin = app.org_admin(&organization, "admin@acme.example").await;
    let out = app
        .call("DELETE", "/sessions", Some(&admin.access_token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let before = app.store.snapshot();

    for (method, path, body) in org_routes() {
        let reply = app
            .call(method, &path, Some(&admin.access_token), body)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    assert_eq!(app.store.snapshot(), before);
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

#[tokio::test]
async fn every_org_route_for_a_member_who_is_not_an_administrator_is_a_403() {
    let app = TestApp::start();
    let organization = app.create_organization("Acme", &[]).await;
    let member = app
        .active_user(
            "member@acme.example",
            json!({ "organization_id": organization }),
        )
        .await;
    let outsider = app.active_user("nobody@example.com", json!({})).await;
    let before = app.store.snapshot();

    for caller in [&member, &outsider] {
        for (method, path, body) in org_routes() {
            let reply = app
                .call(method, &path, Some(&caller.access_token), body)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{} {method} {path}",
                caller.email
            );
            assert_eq!(reply.body["code"], "forbidden");
        }
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_administrator_demoted_by_staff_loses_the_org_routes_at_once() {
    let app = TestApp::start();
    let organization = app.create_organization("Acme", &[]).await;
    let admin = app.org_admin(&organization, "admin@acme.example").await;
    let listed = app
        .call("GET", "/org/members", Some(&admin.access_token), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);

    let demoted = app
        .staff(
            "PATCH",
            &format!("/staff/portal-users/{}", admin.id),
            Some(json!({ "org_admin": false })),
        )
        .await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);

    let listed = app
        .call("GET", "/org/members", Some(&admin.access_token), None)
        .await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN, "{}", listed.body);
}
