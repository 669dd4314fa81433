//! Organization administrators deactivate and reactivate their own organization's
//! members, and only those.

use axum::http::StatusCode;
use portal_testkit::{PASSWORD, TestApp, UNKNOWN_ID};
use serde_json::json;

#[tokio::test]
async fn an_administrator_deactivates_and_reactivates_a_member_of_their_organization() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let admin = app.org_admin(&acme, "admin@acme.example").await;
    let member = app
        .active_user("member@acme.example", json!({ "organization_id": acme }))
        .await;
    let token = admin.access_token.as_str();

    let off = app.org(token).deactivate(&member.id).await;

    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["status"], "deactivated");
    let me = app.me(&member.access_token).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);

    let on = app.org(token).reactivate(&member.id).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(on.body["status"], "active");
    assert_eq!(
        app.log_in("member@acme.example", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_member_of_another_organization_or_of_none_is_not_found() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let globex = app.new_organization("Globex", &[]).await;
    let admin = app.org_admin(&acme, "admin@acme.example").await;
    let stranger = app
        .invited_user(
            "stranger@globex.example",
            json!({ "organization_id": globex }),
        )
        .await;
    let loner = app.invited_user("loner@example.com", json!({})).await;
    let before = app.store.snapshot();

    for id in [stranger.as_str(), loner.as_str(), UNKNOWN_ID, "not-an-id"] {
        let replies = [
            (
                "deactivate",
                app.org(&admin.access_token).deactivate(id).await,
            ),
            (
                "reactivate",
                app.org(&admin.access_token).reactivate(id).await,
            ),
        ];
        for (action, reply) in replies {
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{action} {id}: {}",
                reply.body
            );
        }
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn the_last_active_administrator_cannot_deactivate_themselves() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let admin = app.org_admin(&acme, "admin@acme.example").await;
    let before = app.store.snapshot();

    let refused = app.org(&admin.access_token).deactivate(&admin.id).await;

    refused.assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert_eq!(app.store.snapshot(), before);

    app.org_admin(&acme, "second@acme.example").await;
    let allowed = app.org(&admin.access_token).deactivate(&admin.id).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    let after = app.me(&admin.access_token).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_may_deactivate_the_last_administrator() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let admin = app.org_admin(&acme, "admin@acme.example").await;

    let reply = app.deactivate(&admin.id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let locked_out = app.org(&admin.access_token).reactivate(&admin.id).await;
    assert_eq!(locked_out.status, StatusCode::UNAUTHORIZED);
}
