use axum::http::StatusCode;
use portal_domain::staff::MANAGE_USERS;
use portal_testkit::{PASSWORD, TestApp, UNKNOWN_ID, profile, staff_token};
use serde_json::json;

#[tokio::test]
async fn staff_create_an_invited_user_for_a_contact_and_the_link_works() {
    let app = TestApp::start();
    let contact_id = app.new_contact("ada@example.com").await;

    let reply = app
        .create_user(json!({ "contact_id": contact_id, "roles": ["billing.viewer"] }))
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["username"], "ada@example.com");
    assert_eq!(reply.body["status"], "invited");
    assert_eq!(reply.body["invitation"]["status"], "pending");
    let tokens = app.invitation_tokens("ada@example.com").await;
    assert_eq!(tokens.len(), 1, "one invitation email");
    assert_eq!(
        app.lookup_invitation(&tokens[0]).await.status,
        StatusCode::OK
    );
    let contact = app.contact(&contact_id).await;
    assert_eq!(contact.body["portal_user_id"], reply.body["portal_user_id"]);
}

#[tokio::test]
async fn a_user_created_without_an_invitation_gets_no_email_and_no_link() {
    let app = TestApp::start();

    let reply = app
        .create_user_for("ada@example.com", json!({ "send_invitation": false }))
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["status"], "invited");
    assert!(reply.body["invitation"].is_null(), "{}", reply.body);
    assert!(app.emails_to("ada@example.com").await.is_empty());
    let detail = app.user(&reply.id("portal_user_id")).await;
    assert!(detail.body["invitation"].is_null());
}

#[tokio::test]
async fn a_contact_has_at_most_one_portal_user() {
    let app = TestApp::start();
    let contact_id = app.new_contact("ada@example.com").await;
    let body = json!({ "contact_id": contact_id });
    let first = app.create_user(body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let before = app.store.snapshot();

    let second = app.create_user(body).await;

    second.assert_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn creation_with_invalid_fields_names_each_and_changes_nothing() {
    let app = TestApp::start();
    let contact_id = app.new_contact("ada@example.com").await;
    let before = app.store.snapshot();

    for (body, fields) in [
        (json!({}), vec!["contact_id"]),
        (json!({ "contact_id": UNKNOWN_ID }), vec!["contact_id"]),
        (json!({ "contact_id": "not-an-id" }), vec!["contact_id"]),
        (
            json!({ "contact_id": contact_id, "roles": ["Not A Role"] }),
            vec!["roles"],
        ),
        (
            json!({ "contact_id": contact_id, "organization_id": UNKNOWN_ID }),
            vec!["organization_id"],
        ),
        (
            json!({ "contact_id": contact_id, "organization_id": "acme" }),
            vec!["organization_id"],
        ),
        (
            json!({ "contact_id": contact_id, "org_admin": true }),
            vec!["org_admin"],
        ),
        (
            json!({ "roles": ["Bad"], "organization_id": "x" }),
            vec!["contact_id", "roles", "organization_id"],
        ),
    ] {
        let reply = app.create_user(body.clone()).await;
        reply.assert_invalid(&fields);
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn setting_roles_or_the_admin_flag_on_creation_needs_the_assign_permission() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let contact_id = app.new_contact("ada@example.com").await;
    let manage_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    for body in [
        json!({ "contact_id": contact_id, "roles": ["billing.viewer"] }),
        json!({ "contact_id": contact_id, "organization_id": organization, "org_admin": true }),
    ] {
        let reply = app.as_staff(&manage_only).create_user(body.clone()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(reply.body["code"], "forbidden");
    }
    assert_eq!(app.store.snapshot(), before);

    let plain = app
        .as_staff(&manage_only)
        .create_user(json!({ "contact_id": contact_id, "organization_id": organization }))
        .await;
    assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);
}

#[tokio::test]
async fn the_detail_shows_roles_the_organization_logins_and_the_invitation() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &["orders.viewer"]).await;
    let member = app
        .active_user(
            "ada@example.com",
            json!({ "roles": ["billing.viewer"], "organization_id": organization }),
        )
        .await;
    assert_eq!(
        app.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );

    let reply = app.user(&member.id).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let user = &reply.body;
    assert_eq!(user["portal_user_id"], member.id.as_str());
    assert!(user["contact_id"].is_string());
    assert_eq!(user["username"], "ada@example.com");
    assert_eq!(user["status"], "active");
    assert_eq!(user["roles"], json!(["billing.viewer"]));
    assert_eq!(
        user["effective_roles"],
        json!(["billing.viewer", "orders.viewer", "portal.user"])
    );
    assert_eq!(user["organization_id"], organization.as_str());
    assert_eq!(user["org_admin"], false);
    assert!(user["created_at"].is_string());
    assert!(user["last_login_at"].is_string());
    assert_eq!(user["logins"].as_array().unwrap().len(), 1, "{user}");
    assert_eq!(user["logins"][0]["success"], true);
    assert_eq!(user["invitation"]["status"], "accepted");
    assert!(user["invitation"]["expires_at"].is_string());
}

#[tokio::test]
async fn unknown_users_and_ids_of_another_shape_are_404() {
    let app = TestApp::start();

    for id in [UNKNOWN_ID, "not-an-id"] {
        let detail = app.user(id).await;
        assert_eq!(detail.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(detail.body["code"], "not_found");
        let patch = app.change_user(id, json!({ "org_admin": false })).await;
        assert_eq!(patch.status, StatusCode::NOT_FOUND, "PATCH {id}");
        let resend = app.reinvite(id).await;
        assert_eq!(resend.status, StatusCode::NOT_FOUND, "{id}/invitation");
    }
}

#[tokio::test]
async fn staff_list_every_user_those_of_an_organization_or_of_none() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &["orders.viewer"]).await;
    let loner = app.invited_user("loner@example.com", json!({})).await;
    let member = app
        .invited_user(
            "member@acme.example",
            json!({ "organization_id": organization }),
        )
        .await;

    let all = app.users("").await;
    let none = app.users("organization_id=none").await;
    let acme = app.users(&format!("organization_id={organization}")).await;
    let paged = app.users("limit=1").await;

    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(
        all.column("portal_user_id"),
        [loner.clone(), member.clone()]
    );
    // Each user holds their own organization's roles in a list of everyone.
    assert_eq!(
        all.body["items"][1]["effective_roles"],
        json!(["orders.viewer", "portal.user"])
    );
    assert_eq!(
        all.body["items"][0]["effective_roles"],
        json!(["portal.user"])
    );
    assert_eq!(none.column("portal_user_id"), std::slice::from_ref(&loner));
    assert_eq!(acme.column("portal_user_id"), std::slice::from_ref(&member));
    assert!(acme.body["next_cursor"].is_null());
    assert_eq!(paged.column("portal_user_id"), [loner]);
    let cursor = paged.body["next_cursor"].as_str().unwrap();
    let next = app.users(&format!("limit=1&cursor={cursor}")).await;
    assert_eq!(next.column("portal_user_id"), [member]);
    let elsewhere = app
        .users(&format!("organization_id=none&cursor={cursor}"))
        .await;
    elsewhere.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn staff_find_users_by_the_start_of_their_name_email_or_company() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let ada = app
        .invited_user(
            "ada@acme.example",
            json!({ "organization_id": organization }),
        )
        .await;
    let alan = app.invited_user("alan@example.com", json!({})).await;
    // A contact without a user is not a user.
    app.create_contact("Adam", "Smith", "adam@example.com")
        .await;

    // Every contact the test kit makes is named Ada Lovelace: by email, then by name.
    let by_email = app.users("q=ALAN@").await;
    let by_name = app.users("q=ada%20love").await;
    let in_acme = app
        .users(&format!("q=ada%20love&organization_id={organization}"))
        .await;
    let in_none = app.users("q=ada%20love&organization_id=none").await;
    let short = app.users("q=a").await;

    assert_eq!(
        by_email.column("portal_user_id"),
        std::slice::from_ref(&alan)
    );
    let mut both = by_name.column("portal_user_id");
    both.sort();
    let mut expected = vec![ada.clone(), alan.clone()];
    expected.sort();
    assert_eq!(both, expected);
    assert_eq!(in_acme.column("portal_user_id"), [ada]);
    assert_eq!(in_none.column("portal_user_id"), [alan]);
    short.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(short.fields(), ["q"]);
}

#[tokio::test]
async fn the_list_filters_by_status_and_pages_with_a_cursor() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let in_acme = json!({ "organization_id": organization });
    let active = app.active_user("one@acme.example", in_acme.clone()).await;
    let second = app.invited_user("two@acme.example", in_acme.clone()).await;
    let third = app.invited_user("three@acme.example", in_acme).await;
    let base = format!("organization_id={organization}");

    let actives = app.users(&format!("{base}&status=active")).await;
    assert_eq!(actives.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        actives.body["items"][0]["portal_user_id"],
        active.id.as_str()
    );

    let first_page = app.users(&format!("{base}&limit=2")).await;
    assert_eq!(first_page.body["items"].as_array().unwrap().len(), 2);
    let cursor = first_page.id("next_cursor");
    let second_page = app.users(&format!("{base}&limit=2&cursor={cursor}")).await;
    assert_eq!(second_page.status, StatusCode::OK, "{}", second_page.body);
    assert_eq!(second_page.column("portal_user_id"), [third.as_str()]);
    assert_eq!(
        first_page.body["items"][1]["portal_user_id"],
        second.as_str()
    );
}

#[tokio::test]
async fn a_status_filtered_page_is_full_when_enough_users_match() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let in_acme = json!({ "organization_id": organization });
    let mut actives = Vec::new();
    for (n, active) in [false, true, false, false, true, false, true]
        .into_iter()
        .enumerate()
    {
        let email = format!("user{n}@acme.example");
        if active {
            actives.push(app.active_user(&email, in_acme.clone()).await.id);
        } else {
            app.invited_user(&email, in_acme.clone()).await;
        }
    }
    let base = format!("organization_id={organization}&status=active&limit=2");

    // The first two of the organization are an invited user and an active one: the
    // page reads on until it holds two active users.
    let first = app.users(&base).await;
    assert_eq!(first.column("portal_user_id"), actives[..2]);
    let cursor = first.id("next_cursor");
    let second = app.users(&format!("{base}&cursor={cursor}")).await;
    assert_eq!(second.column("portal_user_id"), actives[2..]);
    assert!(second.body["next_cursor"].is_null(), "{}", second.body);
}

#[tokio::test]
async fn a_rare_status_ends_a_page_after_ten_reads_with_a_cursor_that_leads_on() {
    let app = TestApp::start();
    let organization = app.new_organization("Acme", &[]).await;
    let in_acme = json!({ "organization_id": organization });
    for n in 0..12 {
        app.invited_user(&format!("user{n}@acme.example"), in_acme.clone())
            .await;
    }
    let active = app.active_user("last@acme.example", in_acme).await;
    let base = format!("organization_id={organization}&status=active&limit=1");

    // Ten reads of one user each find no active one: the page stops, short, and its
    // cursor starts the next where the reading stopped.
    let first = app.users(&base).await;
    assert_eq!(first.body["items"], json!([]), "{}", first.body);
    let cursor = first.id("next_cursor");
    let second = app.users(&format!("{base}&cursor={cursor}")).await;
    assert_eq!(
        second.body["items"][0]["portal_user_id"],
        active.id.as_str()
    );
}

#[tokio::test]
async fn bad_list_parameters_are_422s_naming_them() {
    let app = TestApp::start();

    for (query, field) in [
        ("status=asleep", "status"),
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("cursor=garbage", "cursor"),
        ("organization_id=acme", "organization_id"),
        (
            "organization_id=0123456789abcdef0123456789abcdef",
            "organization_id",
        ),
    ] {
        let reply = app.users(query).await;
        reply.assert_invalid(&[field]);
    }
}

#[tokio::test]
async fn patch_changes_roles_and_answers_the_user() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;

    let reply = app
        .change_user(&id, json!({ "roles": ["orders.viewer", "billing.viewer"] }))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["roles"],
        json!(["billing.viewer", "orders.viewer"])
    );
    assert_eq!(reply.body["status"], "invited");
    assert!(reply.body["logins"].is_array(), "the same shape as GET");
}

#[tokio::test]
async fn changing_roles_or_the_flag_needs_the_assign_permission() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let id = app.invited_user("ada@example.com", json!({})).await;
    let manage_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    for body in [
        json!({ "roles": ["billing.viewer"] }),
        json!({ "organization_id": acme, "org_admin": true }),
        json!({ "org_admin": false }),
    ] {
        let reply = app
            .as_staff(&manage_only)
            .change_user(&id, body.clone())
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{body}");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn organization_id_null_leaves_the_organization_and_absent_keeps_it() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let id = app
        .invited_user(
            "ada@example.com",
            json!({ "organization_id": acme, "org_admin": true }),
        )
        .await;

    let kept = app.change_user(&id, json!({ "roles": ["a.b"] })).await;
    assert_eq!(kept.body["organization_id"], acme.as_str());
    assert_eq!(kept.body["org_admin"], true);

    let left = app
        .change_user(&id, json!({ "organization_id": null }))
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    assert!(left.body["organization_id"].is_null(), "{}", left.body);
    assert_eq!(left.body["org_admin"], false, "no organization, no admin");
    let none = app.users("").await;
    assert_eq!(none.body["items"][0]["portal_user_id"], id.as_str());
}

#[tokio::test]
async fn bad_patches_are_422s_naming_the_fields_and_change_nothing() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let before = app.store.snapshot();

    for (body, fields) in [
        (json!({}), vec!["roles", "organization_id", "org_admin"]),
        (json!({ "roles": ["Bad Role"] }), vec!["roles"]),
        (
            json!({ "organization_id": UNKNOWN_ID }),
            vec!["organization_id"],
        ),
        (
            json!({ "organization_id": "acme" }),
            vec!["organization_id"],
        ),
        (json!({ "org_admin": true }), vec!["org_admin"]),
    ] {
        let reply = app.change_user(&id, body.clone()).await;
        reply.assert_invalid(&fields);
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_new_invitation_link_replaces_the_old_one() {
    let app = TestApp::start();
    let id = app.invited_user("ada@example.com", json!({})).await;
    let old = app.invitation_token("ada@example.com").await;

    let reply = app.reinvite(&id).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert!(reply.body["expires_at"].is_string());
    let tokens = app.invitation_tokens("ada@example.com").await;
    assert_eq!(tokens.len(), 2);
    assert_eq!(app.lookup_invitation(&old).await.status, StatusCode::GONE);
    assert_eq!(
        app.accept_invitation(&old, PASSWORD, Some(profile()))
            .await
            .status,
        StatusCode::GONE
    );
    app.accepted(&tokens[1]).await;
}

#[tokio::test]
async fn a_user_created_without_a_link_gets_one_on_request() {
    let app = TestApp::start();
    let id = app
        .invited_user("ada@example.com", json!({ "send_invitation": false }))
        .await;

    let reply = app.reinvite(&id).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    app.accepted(&app.invitation_token("ada@example.com").await)
        .await;
}

#[tokio::test]
async fn an_active_user_gets_no_new_invitation() {
    let app = TestApp::start();
    let member = app.active_user("ada@example.com", json!({})).await;
    let before = app.store.snapshot();

    let reply = app.reinvite(&member.id).await;

    reply.assert_problem(StatusCode::CONFLICT, "invalid_state");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn putting_a_user_into_an_organization_with_roles_needs_the_assign_permission() {
    let app = TestApp::start();
    let with_roles = app.new_organization("Acme", &["orders.viewer"]).await;
    let without_roles = app.new_organization("Plain", &[]).await;
    let contact_id = app.new_contact("ada@example.com").await;
    let loner = app.invited_user("loner@example.com", json!({})).await;
    let manage_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    let created = app
        .as_staff(&manage_only)
        .create_user(json!({ "contact_id": contact_id, "organization_id": with_roles }))
        .await;
    let moved = app
        .as_staff(&manage_only)
        .change_user(&loner, json!({ "organization_id": with_roles }))
        .await;

    for reply in [&created, &moved] {
        reply.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(app.store.snapshot(), before);
    let into_plain = app
        .as_staff(&manage_only)
        .change_user(&loner, json!({ "organization_id": without_roles }))
        .await;
    assert_eq!(into_plain.status, StatusCode::OK, "{}", into_plain.body);
}
