use axum::http::StatusCode;
use portal_testkit::{TestApp, UNKNOWN_ID};
use serde_json::json;

#[tokio::test]
async fn a_created_contact_is_found_by_id_and_by_email() {
    let app = TestApp::start();

    let created = app
        .create_contact("Grace", "Hopper", " Grace@Navy.example ")
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["email"], "grace@navy.example");
    assert_eq!(created.body["full_name"], "Grace Hopper");
    assert_eq!(created.body["history"][0]["action"], "contact_created");
    let id = created.body["contact_id"].as_str().unwrap();
    let by_id = app.contact(id).await;
    let by_email = app.find_contacts("GRACE@navy.example").await;
    assert_eq!(by_id.body["email"], "grace@navy.example");
    assert!(by_id.body["portal_user"].is_null());
    assert_eq!(by_email.body["items"][0]["contact_id"], id);
    assert!(by_email.body["next_cursor"].is_null());
}

#[tokio::test]
async fn a_second_contact_with_the_same_email_is_a_409() {
    let app = TestApp::start();
    app.create_contact("Grace", "Hopper", "grace@navy.example")
        .await;
    let before = app.store.snapshot();

    let again = app
        .create_contact("G.", "Hopper", "GRACE@navy.example")
        .await;

    again.assert_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_invalid_contact_is_a_422_naming_every_field_and_writes_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();

    let reply = app
        .staff_post("/staff/contacts", json!({ "email": "nope", "phone": "x" }))
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(fields, ["email", "first_name", "last_name", "phone"]);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn finding_contacts_needs_an_email_and_an_unknown_one_finds_none() {
    let app = TestApp::start();

    let without = app.staff_get("/staff/contacts").await;
    let unknown = app.find_contacts("nobody@example.com").await;

    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(without.body["errors"][0]["field"], "email");
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.body["items"], json!([]));
}

#[tokio::test]
async fn an_unknown_contact_is_a_404() {
    let app = TestApp::start();

    let reply = app.contact(UNKNOWN_ID).await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

/// Contacts staff type in, with a company and a reference: their ids in order.
async fn people(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for (first, last, email, company, external_ref) in [
        (
            "Ada",
            "Lovelace",
            "ada@engines.example",
            "Analytical Engines",
            "CRM-1",
        ),
        (
            "Alan",
            "Turing",
            "alan@bletchley.example",
            "Bletchley Park",
            "CRM-2",
        ),
        (
            "Grace",
            "Hopper",
            "grace@navy.example",
            "Annapolis Navy",
            "CRM-3",
        ),
    ] {
        let reply = app
            .staff_post(
                "/staff/contacts",
                json!({ "first_name": first, "last_name": last, "email": email,
                        "company": company, "external_ref": external_ref }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["external_ref"], external_ref);
        ids.push(reply.body["contact_id"].as_str().unwrap().to_owned());
    }
    ids
}

fn found(reply: &portal_testkit::Reply) -> Vec<&str> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["contact_id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn contacts_are_found_by_the_start_of_a_name_email_or_company_a_page_at_a_time() {
    let app = TestApp::start();
    let ids = people(&app).await;

    let by_name = app.search_contacts("q=%20ADA%20%20lo").await;
    let by_email = app.search_contacts("q=alan@").await;
    let by_company = app.search_contacts("q=annapolis%20n").await;
    let first = app.search_contacts("q=a&limit=1").await;
    let nobody = app.search_contacts("q=zz").await;

    assert_eq!(found(&by_name), [ids[0].as_str()]);
    assert_eq!(found(&by_email), [ids[1].as_str()]);
    assert_eq!(found(&by_company), [ids[2].as_str()]);
    assert!(found(&nobody).is_empty());
    // Too short a search is refused before anything is read.
    first.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(first.fields(), ["q"]);
    // "an": Ada and Grace by company, one page each, in the order of the texts.
    let page = app.search_contacts("q=an&limit=1").await;
    assert_eq!(found(&page), [ids[0].as_str()]);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = app
        .search_contacts(&format!("q=an&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(found(&next), [ids[2].as_str()]);
    assert!(next.body["next_cursor"].is_null());
    let elsewhere = app
        .search_contacts(&format!("q=al&limit=1&cursor={cursor}"))
        .await;
    elsewhere.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(elsewhere.fields(), ["cursor"]);
}

#[tokio::test]
async fn a_search_needs_exactly_one_of_email_and_q() {
    let app = TestApp::start();

    let both = app.search_contacts("q=ada&email=ada@engines.example").await;
    let long = app.search_contacts(&format!("q={}", "a".repeat(101))).await;

    both.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(both.fields(), ["email", "q"]);
    long.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(long.fields(), ["q"]);
}

#[tokio::test]
async fn a_contact_is_edited_and_found_by_its_new_texts_only() {
    let app = TestApp::start();
    let ids = people(&app).await;

    let changed = app
        .change_contact(
            &ids[0],
            json!({ "last_name": "King", "email": "ada@lovelace.example", "company": "",
                    "phone": "+44 20 7946 0000", "locale": "de", "external_ref": "CRM-9" }),
        )
        .await;

    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["full_name"], "Ada King");
    assert_eq!(changed.body["email"], "ada@lovelace.example");
    assert!(changed.body["company"].is_null());
    assert_eq!(changed.body["locale"], "de");
    assert_eq!(changed.body["external_ref"], "CRM-9");
    let history = changed.body["history"].as_array().unwrap();
    assert_eq!(history[1]["action"], "contact_changed");
    assert_eq!(
        history[1]["detail"],
        "last_name, email, phone, company, locale, external_ref"
    );
    assert_eq!(
        found(&app.search_contacts("q=ada%20king").await),
        [ids[0].as_str()]
    );
    assert!(found(&app.search_contacts("q=analytical").await).is_empty());
    assert!(found(&app.find_contacts("ada@engines.example").await).is_empty());
    // The old address and reference are free for another contact.
    let reuse = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Augusta", "last_name": "Byron",
                    "email": "ada@engines.example", "external_ref": "CRM-1" }),
        )
        .await;
    assert_eq!(reuse.status, StatusCode::CREATED, "{}", reuse.body);
}

#[tokio::test]
async fn an_edit_to_another_contacts_email_or_reference_is_a_409_and_changes_nothing() {
    let app = TestApp::start();
    let ids = people(&app).await;
    let before = app.store.snapshot();

    let email = app
        .change_contact(&ids[0], json!({ "email": "ALAN@bletchley.example" }))
        .await;
    let reference = app
        .change_contact(&ids[0], json!({ "external_ref": " CRM-2 " }))
        .await;
    let created = app
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "A", "last_name": "B", "email": "ab@example.com",
                    "external_ref": "CRM-3" }),
        )
        .await;

    email.assert_problem(StatusCode::CONFLICT, "conflict");
    reference.assert_problem(StatusCode::CONFLICT, "conflict");
    assert!(
        reference.body["detail"]
            .as_str()
            .unwrap()
            .contains("external_ref")
    );
    created.assert_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn the_email_of_a_contact_with_a_portal_user_stays_their_username() {
    let app = TestApp::start();
    let contact_id = app.new_contact("ada@example.com").await;
    let user = app.create_user(json!({ "contact_id": contact_id })).await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    let before = app.store.snapshot();

    let email = app
        .change_contact(&contact_id, json!({ "email": "ada@elsewhere.example" }))
        .await;
    let phone = app
        .change_contact(&contact_id, json!({ "phone": "+44 20 7946 0000" }))
        .await;

    email.assert_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(
        email.body["detail"],
        "the contact's portal user signs in with this email; it cannot change here"
    );
    assert_eq!(phone.status, StatusCode::OK, "{}", phone.body);
    assert_eq!(phone.body["email"], "ada@example.com");
    assert_ne!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_invalid_or_empty_edit_is_a_422_naming_the_fields_and_changes_nothing() {
    let app = TestApp::start();
    let ids = people(&app).await;
    let before = app.store.snapshot();

    let invalid = app
        .change_contact(
            &ids[0],
            json!({ "first_name": "", "email": "nope", "phone": "x", "locale": "1",
                    "external_ref": "a\nb" }),
        )
        .await;
    let empty = app.change_contact(&ids[0], json!({})).await;
    let unknown = app
        .change_contact(UNKNOWN_ID, json!({ "first_name": "Ada" }))
        .await;
    let malformed = app
        .change_contact("not-an-id", json!({ "first_name": "Ada" }))
        .await;

    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = invalid.fields();
    fields.sort();
    assert_eq!(
        fields,
        ["email", "external_ref", "first_name", "locale", "phone"]
    );
    empty.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    unknown.assert_problem(StatusCode::NOT_FOUND, "not_found");
    malformed.assert_problem(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn of_two_edits_racing_each_is_made_on_the_other() {
    let app = TestApp::start();
    let ids = people(&app).await;

    let (phone, company) = tokio::join!(
        app.change_contact(&ids[0], json!({ "phone": "+44 20 7946 0000" })),
        app.change_contact(&ids[0], json!({ "company": "Difference Engines" })),
    );

    assert_eq!(phone.status, StatusCode::OK, "{}", phone.body);
    assert_eq!(company.status, StatusCode::OK, "{}", company.body);
    let stored = app.contact(&ids[0]).await;
    assert_eq!(stored.body["phone"], "+44 20 7946 0000");
    assert_eq!(stored.body["company"], "Difference Engines");
    assert_eq!(stored.body["history"].as_array().unwrap().len(), 3);
}
