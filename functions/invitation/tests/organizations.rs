use axum::http::StatusCode;
use portal_domain::outbox::EmailContent;
use portal_domain::staff::MANAGE_USERS;
use portal_testkit::{TestApp, UNKNOWN_ID, staff_token};
use serde_json::{Value, json};

#[tokio::test]
async fn staff_create_an_organization_and_read_it_back() {
    let app = TestApp::start();

    let created = app
        .create_organization(json!({ "name": " Acme Ltd ", "account_ref": "ACC-1", "roles": ["orders.viewer", "billing.viewer"] }),
        )
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.id("organization_id");
    assert_eq!(created.body["name"], "Acme Ltd");
    assert_eq!(created.body["account_ref"], "ACC-1");
    assert_eq!(
        created.body["roles"],
        json!(["billing.viewer", "orders.viewer"])
    );
    assert!(created.body["created_at"].is_string());
    let read = app.organization(&id).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, created.body);
}

#[tokio::test]
async fn an_invalid_organization_is_a_422_naming_every_field() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    for (body, fields) in [
        (json!({}), vec!["name", "roles"]),
        (json!({ "name": " ", "roles": [] }), vec!["name"]),
        (
            json!({ "name": "Acme", "roles": ["Not A Role"], "account_ref": "a\nb" }),
            vec!["account_ref", "roles"],
        ),
    ] {
        let reply = app.create_organization(body.clone()).await;
        reply.assert_invalid(&fields);
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_organization_with_roles_needs_the_assign_permission() {
    let app = TestApp::start();
    let manage_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    let refused = app
        .as_staff(&manage_only)
        .create_organization(json!({ "name": "Acme", "roles": ["orders.viewer"] }))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(app.store.snapshot(), before);

    let without_roles = app
        .as_staff(&manage_only)
        .create_organization(json!({ "name": "Acme", "roles": [] }))
        .await;
    assert_eq!(without_roles.status, StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_organizations_and_ids_of_another_shape_are_404() {
    let app = TestApp::start();

    for id in [UNKNOWN_ID, "acme"] {
        let read = app.organization(id).await;
        assert_eq!(read.status, StatusCode::NOT_FOUND, "{id}");
        let members = app
            .add_members(id, json!({ "emails": ["a@example.com"] }))
            .await;
        assert_eq!(members.status, StatusCode::NOT_FOUND, "{id}");
    }
}

fn row<'a>(rows: &'a [Value], email: &str) -> &'a Value {
    rows.iter()
        .find(|row| row["email"] == email)
        .unwrap_or_else(|| panic!("no row for {email}: {rows:?}"))
}

#[tokio::test]
async fn a_bulk_invitation_reports_every_address_once_in_order() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &["orders.viewer"]).await;
    let known_contact = app.new_contact("known@example.com").await;
    let member = app
        .invited_user(
            "member@acme.example",
            json!({ "organization_id": acme, "send_invitation": false }),
        )
        .await;
    let loner = app
        .invited_user(
            "loner@example.com",
            json!({ "roles": ["a.b"], "send_invitation": false }),
        )
        .await;

    let reply = app
        .add_members(
            &acme,
            json!({
                "emails": [
                    "Known@Example.com",
                    "grace.hopper@example.com",
                    "not-an-email",
                    "grace.hopper@example.com",
                    "member@acme.example",
                    "loner@example.com",
                ],
                "roles": ["billing.viewer"],
            }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.results();
    let emails: Vec<_> = rows
        .iter()
        .map(|row| row["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "known@example.com",
            "grace.hopper@example.com",
            "not-an-email",
            "member@acme.example",
            "loner@example.com",
        ],
        "each address once, in the order given"
    );

    let known = row(rows, "known@example.com");
    assert_eq!(known["outcome"], "invited");
    assert_eq!(known["contact_created"], false);
    let known_user = known["portal_user_id"].as_str().unwrap();
    let contact = app.contact(&known_contact).await;
    assert_eq!(contact.body["portal_user_id"], known_user);

    let new = row(rows, "grace.hopper@example.com");
    assert_eq!(new["outcome"], "invited");
    assert_eq!(new["contact_created"], true);
    let found = app.find_contacts("grace.hopper@example.com").await;
    assert_eq!(found.body["items"][0]["full_name"], "grace.hopper");
    assert_eq!(
        found.body["items"][0]["portal_user_id"],
        new["portal_user_id"]
    );

    let invalid = row(rows, "not-an-email");
    assert_eq!(invalid["outcome"], "invalid");
    assert!(invalid["reason"].is_string());
    assert!(invalid.get("portal_user_id").is_none(), "{invalid}");
    assert!(known.get("reason").is_none(), "{known}");

    let already = row(rows, "member@acme.example");
    assert_eq!(already["outcome"], "already_member");
    assert_eq!(already["portal_user_id"], member.as_str());

    let joined = row(rows, "loner@example.com");
    assert_eq!(joined["outcome"], "added");
    assert_eq!(joined["portal_user_id"], loner.as_str());
    let loner_now = app.user(&loner).await;
    assert_eq!(loner_now.body["organization_id"], acme.as_str());
    assert_eq!(loner_now.body["roles"], json!(["a.b", "billing.viewer"]));
}

#[tokio::test]
async fn each_invited_member_gets_exactly_one_email_and_nobody_else_any() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    app.invited_user(
        "member@acme.example",
        json!({ "organization_id": acme, "send_invitation": false }),
    )
    .await;
    app.invited_user("loner@example.com", json!({ "send_invitation": false }))
        .await;
    app.new_contact("known@example.com").await;

    let reply = app
        .add_members(&acme, json!({
                "emails": "known@example.com, new@example.com\nnew@example.com;member@acme.example loner@example.com",
            }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.results().len(), 4);
    for (to, expected) in [
        ("known@example.com", 1),
        ("new@example.com", 1),
        ("member@acme.example", 0),
        ("loner@example.com", 0),
    ] {
        let emails = app.emails_to(to).await;
        assert_eq!(emails.len(), expected, "{to}");
        assert!(
            emails
                .iter()
                .all(|email| matches!(email.content, EmailContent::Invitation { .. })),
            "{to}"
        );
    }
    // The new person names themselves when accepting: their contact has only an address.
    app.accepted(&app.invitation_token("new@example.com").await)
        .await;
}

#[tokio::test]
async fn members_added_without_invitations_are_added_and_emailed_nothing() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;

    let reply = app
        .add_members(
            &acme,
            json!({ "emails": ["new@example.com"], "send_invitations": false, "org_admin": true }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.results();
    assert_eq!(rows[0]["outcome"], "added");
    assert!(app.emails_to("new@example.com").await.is_empty());
    let user = app.user(rows[0]["portal_user_id"].as_str().unwrap()).await;
    assert_eq!(user.body["org_admin"], true);
    assert_eq!(user.body["status"], "invited");
    assert!(user.body["invitation"].is_null());
}

#[tokio::test]
async fn a_bulk_needs_one_to_five_hundred_valid_fields_and_changes_nothing_otherwise() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let too_many: Vec<String> = (0..501).map(|n| format!("p{n}@example.com")).collect();
    let before = app.store.snapshot();

    for (body, fields) in [
        (json!({ "emails": too_many }), vec!["emails"]),
        (json!({ "emails": [] }), vec!["emails"]),
        (json!({ "emails": " ,\n " }), vec!["emails"]),
        (json!({}), vec!["emails"]),
        (
            json!({ "emails": ["a@example.com"], "roles": ["Not A Role"] }),
            vec!["roles"],
        ),
        (json!({ "roles": ["Bad"] }), vec!["emails", "roles"]),
    ] {
        let reply = app.add_members(&acme, body.clone()).await;
        reply.assert_invalid(&fields);
    }
    let wrong_type = app.add_members(&acme, json!({ "emails": 42 })).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn five_hundred_addresses_are_accepted() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let emails: Vec<String> = (0..500).map(|n| format!("p{n}@example.com")).collect();

    let reply = app.add_members(&acme, json!({ "emails": emails })).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.results();
    assert_eq!(rows.len(), 500);
    assert!(rows.iter().all(|row| row["outcome"] == "invited"));
}

#[tokio::test]
async fn bulk_roles_or_admins_need_the_assign_permission() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let manage_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    for body in [
        json!({ "emails": ["a@example.com"], "roles": ["orders.viewer"] }),
        json!({ "emails": ["a@example.com"], "org_admin": true }),
    ] {
        let reply = app
            .as_staff(&manage_only)
            .add_members(&acme, body.clone())
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{body}");
    }
    assert_eq!(app.store.snapshot(), before);

    let plain = app
        .as_staff(&manage_only)
        .add_members(&acme, json!({ "emails": ["a@example.com"] }))
        .await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
}

#[tokio::test]
async fn a_bulk_into_an_organization_with_roles_needs_the_assign_permission() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &["orders.viewer"]).await;
    let manage_only = staff_token(&[MANAGE_USERS]);
    let before = app.store.snapshot();

    let reply = app
        .as_staff(&manage_only)
        .add_members(&acme, json!({ "emails": ["a@example.com"] }))
        .await;

    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn organizations_are_listed_by_name_a_page_at_a_time_and_found_by_their_start() {
    let app = TestApp::start();
    for name in ["Globex", "Acme Ltd", "Initech", "acme GmbH"] {
        app.new_organization(name, &[]).await;
    }

    let first = app.organizations("limit=3").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.column("name"), ["acme GmbH", "Acme Ltd", "Globex"]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app.organizations(&format!("limit=3&cursor={cursor}")).await;
    assert_eq!(second.column("name"), ["Initech"]);
    assert!(second.body["next_cursor"].is_null());

    let found = app.organizations("q=%20ACME%20%20l").await;
    assert_eq!(found.column("name"), ["Acme Ltd"]);
    assert_eq!(app.organizations("q=").await.column("name").len(), 4);
    assert!(
        app.organizations("q=umbrella")
            .await
            .column("name")
            .is_empty()
    );
}

#[tokio::test]
async fn a_bad_search_or_cursor_is_a_422() {
    let app = TestApp::start();
    app.new_organization("Acme", &[]).await;

    let long = app.organizations(&format!("q={}", "a".repeat(101))).await;
    long.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(long.body["errors"][0]["field"], "q");
    let cursor = app.organizations("cursor=not-a-cursor").await;
    cursor.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn staff_rename_an_organization_change_its_reference_and_its_roles() {
    let app = TestApp::start();
    let id = app.new_organization("Globex", &["orders.viewer"]).await;
    app.active_user("ada@globex.example", json!({ "organization_id": id }))
        .await;

    let reply = app
        .change_organization(
            &id,
            json!({ "name": "Acme", "account_ref": "ACC-9", "roles": ["billing.viewer"] }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["name"], "Acme");
    assert_eq!(reply.body["account_ref"], "ACC-9");
    assert_eq!(reply.body["roles"], json!(["billing.viewer"]));
    let history = reply.body["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["action"], "organization_changed");
    assert_eq!(
        history.last().unwrap()["detail"],
        "name, account_ref, roles"
    );
    assert_eq!(app.organizations("q=acme").await.column("name"), ["Acme"]);
    assert!(app.organizations("q=glo").await.column("name").is_empty());
    // Tokens issued from now on carry the organization's new roles.
    let again = app
        .log_in("ada@globex.example", portal_testkit::PASSWORD)
        .await;
    let me = app.me(&again.id("access_token")).await;
    assert_eq!(
        me.body["roles"],
        json!(["billing.viewer", "portal.user"]),
        "{}",
        me.body
    );
    let removed = app
        .change_organization(&id, json!({ "account_ref": "" }))
        .await;
    assert!(removed.body["account_ref"].is_null(), "{}", removed.body);
}

#[tokio::test]
async fn a_change_needs_a_field_valid_fields_and_for_roles_the_assign_permission() {
    let app = TestApp::start();
    let id = app.new_organization("Acme", &[]).await;
    let before = app.store.snapshot();

    let nothing = app.change_organization(&id, json!({})).await;
    nothing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(nothing.body["errors"].as_array().unwrap().len(), 4);
    let blank = app.change_organization(&id, json!({ "name": "  " })).await;
    blank.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(blank.body["errors"][0]["field"], "name");
    let manage_only = staff_token(&[MANAGE_USERS]);
    let roles = app
        .as_staff(&manage_only)
        .change_organization(&id, json!({ "roles": ["orders.viewer"] }))
        .await;
    roles.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    for unknown in [UNKNOWN_ID, "not-an-id"] {
        app.change_organization(unknown, json!({ "name": "X" }))
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn two_racing_changes_of_one_organization_both_land() {
    let app = TestApp::start();
    let id = app.new_organization("Acme", &[]).await;

    let (name, reference) = tokio::join!(
        app.change_organization(&id, json!({ "name": "Acme Ltd" })),
        app.change_organization(&id, json!({ "account_ref": "ACC-2" }))
    );

    assert_eq!(name.status, StatusCode::OK, "{}", name.body);
    assert_eq!(reference.status, StatusCode::OK, "{}", reference.body);
    let now = app.organization(&id).await;
    assert_eq!(now.body["name"], "Acme Ltd");
    assert_eq!(now.body["account_ref"], "ACC-2");
    assert_eq!(now.body["history"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn staff_add_existing_contacts_by_id_with_a_row_each() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let globex = app.new_organization("Globex", &[]).await;
    let free = app.new_contact("ada@example.com").await;
    let joined = app.new_contact("grace@example.com").await;
    let first = app
        .add_members(&acme, json!({ "contact_ids": [joined] }))
        .await;
    assert_eq!(
        first.body["results"][0]["outcome"], "invited",
        "{}",
        first.body
    );
    app.invited_user("bob@globex.example", json!({ "organization_id": globex }))
        .await;
    let elsewhere = app.find_contacts("bob@globex.example").await.body["items"][0]["contact_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let reply = app
        .add_members(
            &acme,
            json!({ "contact_ids": [free, joined, UNKNOWN_ID, elsewhere, free] }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows = reply.body["results"].as_array().unwrap();
    let summary: Vec<(Value, Value)> = rows
        .iter()
        .map(|row| (row["contact_id"].clone(), row["outcome"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (json!(free), json!("invited")),
            (json!(joined), json!("already_member")),
            (json!(UNKNOWN_ID), json!("invalid")),
            (json!(elsewhere), json!("invalid")),
        ]
    );
    assert!(
        rows.iter().all(|row| row.get("email").is_none()),
        "{rows:?}"
    );
    assert_eq!(rows[2]["reason"], "is not an existing contact");
    assert_eq!(rows[0]["contact_created"], false);
    assert_eq!(app.invitation_tokens("ada@example.com").await.len(), 1);
}

#[tokio::test]
async fn emails_and_contact_ids_are_one_or_the_other() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let contact = app.new_contact("ada@example.com").await;
    let before = app.store.snapshot();

    for (body, field) in [
        (json!({}), "emails"),
        (
            json!({ "emails": ["a@example.com"], "contact_ids": [contact] }),
            "contact_ids",
        ),
        (json!({ "contact_ids": [] }), "contact_ids"),
    ] {
        let reply = app.add_members(&acme, body).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
    }
    let malformed = app
        .add_members(&acme, json!({ "contact_ids": ["not-an-id"] }))
        .await;
    malformed.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_contact_known_by_name_alone_joins_without_an_invitation_only() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &[]).await;
    let ivan = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Ivan", "last_name": "Petrov" }),
        )
        .await
        .id("contact_id");
    let before = app.store.snapshot();

    let invited = app
        .add_members(&acme, json!({ "contact_ids": [ivan] }))
        .await;
    assert_eq!(
        invited.body["results"][0]["outcome"], "invalid",
        "{}",
        invited.body
    );
    assert!(
        invited.body["results"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("has no email"),
        "{}",
        invited.body
    );
    assert_eq!(app.store.snapshot(), before);

    let added = app
        .add_members(
            &acme,
            json!({ "contact_ids": [ivan], "send_invitations": false }),
        )
        .await;
    assert_eq!(
        added.body["results"][0]["outcome"], "added",
        "{}",
        added.body
    );
    let user = app
        .user(added.body["results"][0]["portal_user_id"].as_str().unwrap())
        .await;
    assert!(user.body["username"].is_null() && user.body["email"].is_null());
    assert_eq!(user.body["organization_id"], acme.as_str());
}
