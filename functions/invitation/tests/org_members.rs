//! Organization administrators manage their own organization's members, the organization
//! always taken from their token and the store, never from the request.

use axum::http::StatusCode;
use portal_testkit::{InProcess, Member, OrgAdmin, PASSWORD, TestApp, UNKNOWN_ID};
use serde_json::json;

struct TwoOrganizations {
    app: TestApp,
    acme: String,
    admin: Member,
    /// An invited member of Acme.
    colleague: String,
    /// An invited member of another organization.
    stranger: String,
}

async fn two_organizations() -> TwoOrganizations {
    let app = TestApp::start();
    let acme = app
        .new_organization("Acme", &["orders.viewer", "billing.viewer"])
        .await;
    let globex = app.new_organization("Globex", &["orders.viewer"]).await;
    let admin = app.org_admin(&acme, "admin@acme.example").await;
    let colleague = app
        .invited_user("colleague@acme.example", json!({ "organization_id": acme }))
        .await;
    let stranger = app
        .invited_user(
            "stranger@globex.example",
            json!({ "organization_id": globex }),
        )
        .await;
    TwoOrganizations {
        app,
        acme,
        admin,
        colleague,
        stranger,
    }
}

impl TwoOrganizations {
    /// The `/org` routes as Acme's administrator.
    fn org(&self) -> OrgAdmin<'_, InProcess> {
        self.app.org(&self.admin.access_token)
    }
}

#[tokio::test]
async fn an_administrator_lists_the_members_of_their_organization_only() {
    let world = two_organizations().await;

    let reply = world
        .org()
        .members(&format!("organization_id={UNKNOWN_ID}"))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.column("portal_user_id"),
        [world.admin.id.as_str(), world.colleague.as_str()]
    );
    assert_eq!(
        reply.body["items"][1]["effective_roles"],
        json!(["billing.viewer", "orders.viewer", "portal.user"])
    );
    assert!(reply.body["items"][0].get("logins").is_none());
}

#[tokio::test]
async fn the_members_list_pages_and_filters_like_the_staff_list() {
    let world = two_organizations().await;

    let invited = world.org().members("status=invited").await;
    assert_eq!(invited.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        invited.body["items"][0]["portal_user_id"],
        world.colleague.as_str()
    );
    let page = world.org().members("limit=1").await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert!(page.body["next_cursor"].is_string());

    for (query, field) in [
        ("status=x", "status"),
        ("limit=101", "limit"),
        ("cursor=x", "cursor"),
    ] {
        let reply = world.org().members(query).await;
        reply.assert_invalid(&[field]);
    }
}

#[tokio::test]
async fn an_administrator_invites_into_their_own_organization_whatever_the_body_says() {
    let world = two_organizations().await;

    let reply = world
        .org()
        .invite(json!({
            "emails": "new@example.com, colleague@acme.example",
            "roles": ["billing.viewer"],
            "organization_id": UNKNOWN_ID,
            "org_admin": true,
        }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.results();
    assert_eq!(rows[0]["outcome"], "invited");
    // An administrator does not learn whether the address was a known contact.
    assert_eq!(rows[0]["contact_created"], false);
    assert_eq!(rows[1]["outcome"], "already_member");
    let new = world
        .app
        .user(rows[0]["portal_user_id"].as_str().unwrap())
        .await;
    assert_eq!(new.body["organization_id"], world.acme.as_str());
    assert_eq!(new.body["roles"], json!(["billing.viewer"]));
    assert_eq!(new.body["org_admin"], false, "the body's flag is ignored");
    assert_eq!(world.app.emails_to("new@example.com").await.len(), 1);
}

#[tokio::test]
async fn an_administrator_grants_only_roles_the_organization_has() {
    let world = two_organizations().await;
    let before = world.app.store.snapshot();

    let reply = world
        .org()
        .invite(json!({ "emails": ["new@example.com"], "roles": ["staff.superuser"] }))
        .await;

    reply.assert_invalid(&["roles"]);
    assert_eq!(world.app.store.snapshot(), before);
}

#[tokio::test]
async fn a_bulk_of_an_administrator_has_the_same_limits() {
    let world = two_organizations().await;
    let too_many: Vec<String> = (0..501).map(|n| format!("p{n}@example.com")).collect();

    for body in [
        json!({ "emails": too_many }),
        json!({ "emails": [] }),
        json!({}),
    ] {
        let reply = world.org().invite(body).await;
        reply.assert_invalid(&["emails"]);
    }
}

#[tokio::test]
async fn a_member_of_another_organization_is_not_found_on_every_member_route() {
    let world = two_organizations().await;
    let before = world.app.store.snapshot();

    for id in [world.stranger.as_str(), UNKNOWN_ID, "not-an-id"] {
        let resend = world.org().reinvite(id).await;
        assert_eq!(
            resend.status,
            StatusCode::NOT_FOUND,
            "{id}: {}",
            resend.body
        );
        let promote = world
            .org()
            .set_admin(id, json!({ "org_admin": true }))
            .await;
        assert_eq!(
            promote.status,
            StatusCode::NOT_FOUND,
            "{id}: {}",
            promote.body
        );
        assert_eq!(promote.body["code"], "not_found");
        let change = world
            .org()
            .change_member(id, json!({ "roles": ["orders.viewer"] }))
            .await;
        change.assert_problem(StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(world.app.store.snapshot(), before);
}

#[tokio::test]
async fn an_administrator_sends_a_member_a_new_link_and_the_old_one_stops_working() {
    let world = two_organizations().await;
    let old = world.app.invitation_token("colleague@acme.example").await;

    let reply = world.org().reinvite(&world.colleague).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert!(reply.body["expires_at"].is_string());
    assert_eq!(
        world.app.lookup_invitation(&old).await.status,
        StatusCode::GONE
    );
    let new = world.app.invitation_token("colleague@acme.example").await;
    assert_ne!(new, old);
    world.app.accepted(&new).await;

    let again = world.org().reinvite(&world.colleague).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "active now");
    assert_eq!(again.body["code"], "invalid_state");
}

#[tokio::test]
async fn an_administrator_promotes_and_demotes_members() {
    let world = two_organizations().await;

    let promoted = world
        .org()
        .set_admin(&world.colleague, json!({ "org_admin": true }))
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    assert_eq!(promoted.body["portal_user_id"], world.colleague.as_str());
    assert_eq!(promoted.body["org_admin"], true);
    assert_eq!(
        promoted.body["effective_roles"],
        json!(["billing.viewer", "orders.viewer", "portal.user"])
    );

    let demoted = world
        .org()
        .set_admin(&world.colleague, json!({ "org_admin": false }))
        .await;
    assert_eq!(demoted.body["org_admin"], false);

    let missing = world.org().set_admin(&world.colleague, json!({})).await;
    missing.assert_invalid(&["org_admin"]);
}

#[tokio::test]
async fn the_last_active_administrator_cannot_demote_themselves() {
    let world = two_organizations().await;
    let before = world.app.store.snapshot();

    let refused = world
        .org()
        .set_admin(&world.admin.id, json!({ "org_admin": false }))
        .await;

    refused.assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert_eq!(world.app.store.snapshot(), before);

    // An invited administrator does not count: they cannot act yet.
    world
        .org()
        .set_admin(&world.colleague, json!({ "org_admin": true }))
        .await;
    let still_refused = world
        .org()
        .set_admin(&world.admin.id, json!({ "org_admin": false }))
        .await;
    assert_eq!(still_refused.status, StatusCode::CONFLICT);

    let second = world
        .app
        .org_admin(&world.acme, "second@acme.example")
        .await;
    let stepped_down = world
        .org()
        .set_admin(&world.admin.id, json!({ "org_admin": false }))
        .await;
    assert_eq!(stepped_down.status, StatusCode::OK, "{}", stepped_down.body);
    let gone = world.org().members("").await;
    assert_eq!(
        gone.status,
        StatusCode::FORBIDDEN,
        "no longer an administrator"
    );
    let list = world.app.org(&second.access_token).members("").await;
    assert_eq!(list.status, StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_never_takes_over_a_user_outside_their_organization() {
    let world = two_organizations().await;
    let loner = world.app.active_user("loner@example.com", json!({})).await;
    world.app.new_contact("known@example.com").await;
    let before = world.app.store.snapshot();

    let reply = world
        .org()
        .invite(json!({ "emails": ["loner@example.com", "stranger@globex.example"] }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.results();
    for (row, email) in rows
        .iter()
        .zip(["loner@example.com", "stranger@globex.example"])
    {
        assert_eq!(
            row,
            &json!({
                "email": email,
                "outcome": "invalid",
                "reason": "cannot be added",
                "contact_created": false,
            }),
            "the same opaque row for a user in no organization and one in another"
        );
    }
    assert_eq!(world.app.store.snapshot(), before, "nobody moved");
    let takeover = world.org().deactivate(&loner.id).await;
    assert_eq!(takeover.status, StatusCode::NOT_FOUND);
    let me = world.app.me(&loner.access_token).await;
    assert_eq!(me.status, StatusCode::OK, "the loner is untouched");
    assert_eq!(me.body["organization_id"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_administrators_rows_do_not_tell_a_known_contact_from_a_new_one() {
    let world = two_organizations().await;
    world.app.new_contact("known@example.com").await;

    let reply = world
        .org()
        .invite(json!({ "emails": ["known@example.com", "fresh@example.com"] }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.results();
    for row in rows {
        assert_eq!(row["outcome"], "invited", "{row}");
        assert_eq!(row["contact_created"], false, "{row}");
    }
}

#[tokio::test]
async fn an_administrator_sets_a_members_roles_and_new_tokens_carry_them() {
    let world = two_organizations().await;
    let member = world
        .app
        .active_user(
            "member@acme.example",
            json!({ "organization_id": world.acme }),
        )
        .await;

    let reply = world
        .org()
        .change_member(&member.id, json!({ "roles": ["billing.viewer"] }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["roles"], json!(["billing.viewer"]));
    let again = world.app.log_in("member@acme.example", PASSWORD).await;
    let me = world.app.me(&again.id("access_token")).await;
    let roles = me.body["roles"].as_array().unwrap();
    assert!(roles.contains(&json!("billing.viewer")), "{}", me.body);
    let cleared = world
        .org()
        .change_member(&member.id, json!({ "roles": [] }))
        .await;
    assert_eq!(cleared.body["roles"], json!([]), "{}", cleared.body);
    let detail = world.app.user(&member.id).await;
    let history = detail.body["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["action"], "access_changed");
    assert_eq!(
        history.last().unwrap()["actor"]["subject"],
        world.admin.id.as_str()
    );
}

#[tokio::test]
async fn a_role_the_organization_lacks_or_none_given_is_a_422_and_changes_nothing() {
    let world = two_organizations().await;
    let before = world.app.store.snapshot();

    for (body, message) in [
        (
            json!({ "roles": ["admin.everything"] }),
            "must be roles of the organization",
        ),
        (json!({ "roles": ["Not A Role"] }), ""),
        (json!({}), "is required"),
    ] {
        let reply = world.org().change_member(&world.colleague, body).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "roles", "{}", reply.body);
        if !message.is_empty() {
            assert_eq!(reply.body["errors"][0]["message"], message);
        }
    }
    assert_eq!(world.app.store.snapshot(), before);
}

#[tokio::test]
async fn an_administrator_adds_members_without_invitations_and_sends_them_later() {
    let world = two_organizations().await;

    let reply = world
        .org()
        .invite(json!({ "emails": ["later@acme.example"], "send_invitations": false }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["results"][0]["outcome"], "added");
    world.app.deliver_outbox().await;
    assert!(world.app.emails_to("later@acme.example").await.is_empty());
    let id = reply.body["results"][0]["portal_user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = world
        .org()
        .access_info(json!({ "portal_user_ids": [id] }))
        .await;
    assert_eq!(sent.body["results"][0]["outcome"], "sent", "{}", sent.body);
    assert_eq!(
        world
            .app
            .invitation_tokens("later@acme.example")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn the_members_list_shows_names_email_and_roles() {
    let world = two_organizations().await;

    let reply = world.org().members("").await;

    let admin = &reply.body["items"][0];
    assert_eq!(admin["first_name"], "Ada", "{admin}");
    assert_eq!(admin["last_name"], "Lovelace");
    assert_eq!(admin["email"], "admin@acme.example");
    assert!(admin["roles"].is_array());
}
