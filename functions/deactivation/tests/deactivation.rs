use axum::http::{Method, StatusCode};
use portal_domain::outbox::EmailContent;
use portal_domain::staff::ASSIGN_ROLES;
use portal_testkit::{PASSWORD, Route, TestApp, UNKNOWN_ID, WRONG_PASSWORD, profile, staff_token};
use serde_json::json;

/// `POST {prefix}/{UNKNOWN_ID}/{action}` for each action.
fn routes(prefix: &str, actions: &[&str]) -> Vec<Route> {
    actions
        .iter()
        .map(|action| {
            (
                Method::POST,
                format!("{prefix}/{UNKNOWN_ID}/{action}"),
                None,
            )
        })
        .collect()
}

#[tokio::test]
async fn every_route_needs_its_token() {
    let app = TestApp::start();
    let manage_missing = staff_token(&[ASSIGN_ROLES]);
    let outsider = app.active_user("nobody@example.com", json!({})).await;
    let before = app.store.snapshot();

    let staff = routes(
        "/staff/portal-users",
        &["deactivate", "reactivate", "unlock", "mfa/reset"],
    );
    let org = routes("/org/members", &["deactivate", "reactivate"]);
    let portal = Some(outsider.access_token.as_str());
    let (unauthorized, forbidden) = (StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN);

    app.expect_all(&staff, None, unauthorized, None).await;
    app.expect_all(&staff, portal, unauthorized, None).await;
    app.expect_all(&staff, Some(&manage_missing), forbidden, None)
        .await;
    app.expect_all(&org, None, unauthorized, None).await;
    app.expect_all(&org, Some(&app.token), unauthorized, None)
        .await;
    app.expect_all(&org, portal, forbidden, Some("forbidden"))
        .await;
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn unknown_users_and_ids_of_another_shape_are_404() {
    let app = TestApp::start();

    for id in [UNKNOWN_ID, "not-an-id"] {
        let replies = [
            app.deactivate(id).await,
            app.reactivate(id).await,
            app.unlock(id).await,
        ];
        for reply in replies {
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}");
            assert_eq!(reply.body["code"], "not_found");
        }
    }
}

#[tokio::test]
async fn a_deactivated_user_is_cut_off_at_once_and_told_by_email() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let session = app.log_in("ada@example.com", PASSWORD).await;
    let me = app.me(&member.access_token).await;
    assert_eq!(me.status, StatusCode::OK, "the token works before");

    let reply = app.deactivate(&member.id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "portal_user_id": member.id, "status": "deactivated" })
    );
    for token in [&member.access_token, &session.id("access_token")] {
        let me = app.me(token).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
    }
    let refresh = app.refresh(&session.id("refresh_token")).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "{}", refresh.body);
    let login = app.log_in("ada@example.com", PASSWORD).await;
    login.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let emails = app.emails_to("ada@example.com").await;
    assert!(
        matches!(
            emails.last().unwrap().content,
            EmailContent::Deactivated { .. }
        ),
        "{emails:?}"
    );
    let detail = app.user(&member.id).await;
    assert_eq!(detail.body["status"], "deactivated");
}

#[tokio::test]
async fn deactivating_twice_is_an_invalid_state_and_changes_nothing() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    app.deactivate(&id).await;
    let before = app.store.snapshot();

    let again = app.deactivate(&id).await;

    again.assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_invited_users_link_stops_working_when_they_are_deactivated() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let link = app.invitation_token("ada@example.com").await;

    let reply = app.deactivate(&id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.lookup_invitation(&link).await.status, StatusCode::GONE);
    assert_eq!(
        app.accept_invitation(&link, PASSWORD, Some(profile()))
            .await
            .status,
        StatusCode::GONE
    );
    let detail = app.user(&id).await;
    assert_eq!(detail.body["invitation"]["status"], "revoked");
    let resend = app.reinvite(&id).await;
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
    app.deactivate(&member.id).await;

    let reply = app.reactivate(&member.id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "portal_user_id": member.id, "status": "active" })
    );
    let login = app.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let old = app.me(&member.access_token).await;
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
    app.deactivate(&id).await;

    let reply = app.reactivate(&id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "portal_user_id": id, "status": "invited" })
    );
    let new = app.invitation_token("ada@example.com").await;
    assert_ne!(new, old);
    assert_eq!(app.lookup_invitation(&old).await.status, StatusCode::GONE);
    app.accepted(&new).await;
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn reactivating_a_user_who_is_not_deactivated_is_an_invalid_state() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let before = app.store.snapshot();

    let reply = app.reactivate(&member.id).await;

    reply.assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn staff_end_a_login_lock_early_and_the_unlock_is_recorded() {
    let app = TestApp::start();
    let ada = app.active_user("ada@example.com", json!({})).await;
    for _ in 0..10 {
        app.log_in("ada@example.com", WRONG_PASSWORD).await;
    }
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    let unlocked = app.unlock(&ada.id).await;

    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    assert_eq!(unlocked.body["status"], "active");
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let detail = app.user(&ada.id).await;
    assert!(
        detail.body.to_string().contains("unlocked"),
        "{}",
        detail.body
    );
}
