//! Every `/staff` route needs a staff token with `portal.users.manage`; every `/org`
//! route the access token of an active organization administrator. The token rules
//! themselves are tested in portal-http.

use axum::http::{Method, StatusCode};
use portal_domain::staff::ASSIGN_ROLES;
use portal_testkit::{Route, TestApp, UNKNOWN_ID, staff_token};
use serde_json::json;

fn staff_routes() -> Vec<Route> {
    let id = UNKNOWN_ID;
    vec![
        (
            Method::POST,
            "/staff/portal-users".into(),
            Some(json!({ "contact_id": id })),
        ),
        (Method::GET, "/staff/portal-users".into(), None),
        // A JSON body: the staff check comes before the form is read.
        (Method::POST, "/staff/imports".into(), Some(json!({}))),
        (Method::GET, format!("/staff/imports/{id}"), None),
        (Method::GET, format!("/staff/imports/{id}/rows"), None),
        (Method::GET, format!("/staff/portal-users/{id}"), None),
        (
            Method::PATCH,
            format!("/staff/portal-users/{id}"),
            Some(json!({ "organization_id": null })),
        ),
        (
            Method::POST,
            format!("/staff/portal-users/{id}/invitation"),
            None,
        ),
        (
            Method::POST,
            format!("/staff/portal-users/{id}/access-info"),
            Some(json!({ "delivery": "link" })),
        ),
        (
            Method::POST,
            "/staff/portal-users/access-info".into(),
            Some(json!({ "portal_user_ids": [id] })),
        ),
        (
            Method::POST,
            "/staff/organizations".into(),
            Some(json!({ "name": "Acme", "roles": [] })),
        ),
        (Method::GET, format!("/staff/organizations/{id}"), None),
        (Method::GET, "/staff/organizations?q=acme".into(), None),
        (
            Method::PATCH,
            format!("/staff/organizations/{id}"),
            Some(json!({ "name": "Acme" })),
        ),
        (
            Method::POST,
            format!("/staff/organizations/{id}/members"),
            Some(json!({ "emails": ["a@example.com"] })),
        ),
    ]
}

fn org_routes() -> Vec<Route> {
    let id = UNKNOWN_ID;
    vec![
        (Method::GET, "/org/members".into(), None),
        (
            Method::POST,
            "/org/members".into(),
            Some(json!({ "emails": ["a@example.com"] })),
        ),
        (Method::POST, format!("/org/members/{id}/invitation"), None),
        (
            Method::POST,
            "/org/members/access-info".into(),
            Some(json!({ "portal_user_ids": [id] })),
        ),
        (
            Method::PUT,
            format!("/org/members/{id}/admin"),
            Some(json!({ "org_admin": true })),
        ),
        (
            Method::PATCH,
            format!("/org/members/{id}"),
            Some(json!({ "roles": [] })),
        ),
    ]
}

#[tokio::test]
async fn every_route_without_a_token_is_a_401_and_changes_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    let every_route = [staff_routes(), org_routes()].concat();
    app.expect_all(
        &every_route,
        None,
        StatusCode::UNAUTHORIZED,
        Some("unauthenticated"),
    )
    .await;
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_staff_token_does_not_open_org_routes_nor_an_access_token_staff_routes() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let admin = app.org_admin(&organization, "admin@acme.example").await;

    app.expect_all(
        &org_routes(),
        Some(&app.token),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    app.expect_all(
        &staff_routes(),
        Some(&admin.access_token),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
}

#[tokio::test]
async fn an_administrators_access_token_stops_on_every_org_route_once_they_log_out() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let admin = app.org_admin(&organization, "admin@acme.example").await;
    let out = app.log_out(&admin.access_token).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let before = app.store.snapshot();

    app.expect_all(
        &org_routes(),
        Some(&admin.access_token),
        StatusCode::UNAUTHORIZED,
        None,
    )
    .await;
    assert_eq!(app.store.snapshot(), before);
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

#[tokio::test]
async fn every_org_route_for_a_member_who_is_not_an_administrator_is_a_403() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let member = app
        .active_user(
            "member@acme.example",
            json!({ "organization_id": organization }),
        )
        .await;
    let outsider = app.active_user("nobody@example.com", json!({})).await;
    let before = app.store.snapshot();

    for caller in [&member, &outsider] {
        let token = Some(caller.access_token.as_str());
        app.expect_all(
            &org_routes(),
            token,
            StatusCode::FORBIDDEN,
            Some("forbidden"),
        )
        .await;
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_administrator_demoted_by_staff_loses_the_org_routes_at_once() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let admin = app.org_admin(&organization, "admin@acme.example").await;
    let listed = app.org(&admin.access_token).members("").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);

    let demoted = app
        .change_user(&admin.id, json!({ "org_admin": false }))
        .await;
    assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.body);

    let listed = app.org(&admin.access_token).members("").await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN, "{}", listed.body);
}
