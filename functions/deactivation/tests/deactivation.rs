#[path = "../../invitation/tests/support/mod.rs"]
mod support;

use axum::http::StatusCode;
use portal_domain::outbox::EmailContent;
use portal_domain::staff::ASSIGN_ROLES;
use serde_json::json;
use support::{TestApp, UNKNOWN_ID, staff_token};

fn deactivate(id: &str) -> String {
    format!("/staff/portal-users/{id}/deactivate")
}

fn reactivate(id: &str) -> String {
    format!("/staff/portal-users/{id}/reactivate")
}

fn unlock(id: &str) -> String {
    format!("/staff/portal-users/{id}/unlock")
}

#[tokio::test]
async fn every_route_needs_its_token() {
    let app = TestApp::start();
    let manage_missing = staff_token(&[ASSIGN_ROLES]);
    let outsider = app.active_user("nobody@example.com", json!({})).await;
    let before = app.store.snapshot();

    for path in [
        deactivate(UNKNOWN_ID),
        reactivate(UNKNOWN_ID),
        unlock(UNKNOWN_ID),
    ] {
        let none = app.call("POST", &path, None, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{path}");
        let portal = app
            .call("POST", &path, Some(&outsider.access_token), None)
            .await;
        assert_eq!(portal.status, StatusCode::UNAUTHORIZED, "{path}");
        let weak = app.call("POST", &path, Some(&manage_missing), None).await;
        assert_eq!(weak.status, StatusCode::FORBIDDEN, "{path}");
    }
    for action in ["deactivate", "reactivate"] {
        let path = format!("/org/members/{UNKNOWN_ID}/{action}");
        let none = app.call("POST", &path, None, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{path}");
        let staff = app.call("POST", &path, Some(&app.token), None).await;
        assert_eq!(staff.status, StatusCode::UNAUTHORIZED, "{path}");
        let not_admin = app
            .call("POST", &path, Some(&outsider.access_token), None)
            .await;
        assert_eq!(not_admin.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(not_admin.body["code"], "forbidden");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn unknown_users_and_ids_of_another_shape_are_404() {
    let app = TestApp::start();

    for id in [UNKNOWN_ID, "not-an-id"] {
        for path in [deactivate(id), reactivate(id), unlock(id)] {
            let reply = app.staff("POST", &path, None).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(reply.body["code"], "not_found");
        }
    }
}

#[tokio::test]
async fn a_deactivated_user_is_cut_off_at_once_and_told_by_email() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let session = app.log_in("ada@example.com").await;
    let me = app
        .call("GET", "/me", Some(&member.access_token), None)
        .await;
    assert_eq!(me.status, StatusCode::OK, "the token works before");

    let reply = app.staff("POST", &deactivate(&member.id), None).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "portal_user_id": member.id, "status": "deactivated" })
    );
    for token in [&member.access_token, &session.id("access_token")] {
        let me = app.call("GET", "/me", Some(token), None).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
    }
    let refresh = app
        .call(
            "POST",
            "/sessions/refresh",
            None,
            Some(json!({ "refresh_token": session.id("refresh_token") })),
        )
        .await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "{}", refresh.body);
    let login = app.log_in("ada@example.com").await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.body["code"], "invalid_credentials");
    let emails = app.emails_to("ada@example.com").await;
    assert!(
        matches!(
            emails.last().unwrap().content,
            EmailContent::Deactivated { .. }
        ),
        "{emails:?}"
    );
    let detail = app
        .staff("GET", &format!("/staff/portal-users/{}", member.id), None)
        .await;
    assert_eq!(detail.body["status"], "deactivated");
}

#[tokio::test]
async fn deactivating_twice_is_an_invalid_state_and_changes_nothing() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    app.staff("POST", &deactivate(&id), None).await;
    let before = app.store.snapshot();

    let again = app.staff("POST", &deactivate(&id), None).await;

    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["code"], "invalid_state");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_invited_users_link_stops_working_when_they_are_deactivated() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let link = app.invitation_token("ada@example.com").await;

    let reply = app.staff("POST", &deactivate(&id), None).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.lookup(&link).await, StatusCode::GONE);
    assert_eq!(app.try_accept(&link).await.status, StatusCode::GONE);
    let detail = app
        .staff("GET", &format!("/staff/portal-users/{id}"), None)
        .await;
    assert_eq!(detail.body["invitation"]["status"], "revoked");
    let resend = app
        .staff(
            "POST",
            &format!("/staff/portal-users/{id}/invitation"),
            None,
        )
        .await;
    assert_eq!(
        resend.status,
        StatusCode::CONFLICT,
        "reactivation sends links"
    );
    assert_eq!(resend.body["code"], "invalid_state");
}

#[tokio::test]
async fn a_reactivated_user_with_a_password_is_active_and_logs_in_again() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    app.staff("POST", &deactivate(&member.id), None).await;

    let reply = app.staff("POST", &reactivate(&member.id), None).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "portal_user_id": member.id, "status": "active" })
    );
    let login = app.log_in("ada@example.com").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let old = app
        .call("GET", "/me", Some(&member.access_token), None)
        .await;
    assert_eq!(
        old.status,
        StatusCode::UNAUTHORIZED,
        "tokens from before stay dead"
    );
}

#[tokio::test]
async fn a_reactivated_user_without_a_password_is_invited_again_with_a_new_link() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let old = app.invitation_token("ada@example.com").await;
    app.staff("POST", &deactivate(&id), None).await;

    let reply = app.staff("POST", &reactivate(&id), None).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "portal_user_id": id, "status": "invited" })
    );
    let new = app.invitation_token("ada@example.com").await;
    assert_ne!(new, old);
    assert_eq!(app.lookup(&old).await, StatusCode::GONE);
    app.accept(&new).await;
    assert_eq!(app.log_in("ada@example.com").await.status, StatusCode::OK);
}

#[tokio::test]
async fn reactivating_a_user_who_is_not_deactivated_is_an_invalid_state() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let before = app.store.snapshot();

    let reply = app.staff("POST", &reactivate(&member.id), None).await;

    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["code"], "invalid_state");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn staff_end_a_login_lock_early_and_the_unlock_is_recorded() {
    let app = TestApp::start();
    let ada = app.active_user("ada@example.com", json!({})).await;
    for _ in 0..10 {
        app.call(
            "POST",
            "/sessions",
            None,
            Some(json!({ "username": "ada@example.com", "password": "a wrong but long guess" })),
        )
        .await;
    }
    assert_eq!(
        app.log_in("ada@example.com").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    let unlocked = app.staff("POST", &unlock(&ada.id), None).await;

    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    assert_eq!(unlocked.body["status"], "active");
    assert_eq!(app.log_in("ada@example.com").await.status, StatusCode::OK);
    let detail = app
        .staff("GET", &format!("/staff/portal-users/{}", ada.id), None)
        .await;
    assert!(
        detail.body.to_string().contains("unlocked"),
        "{}",
        detail.body
    );
}
