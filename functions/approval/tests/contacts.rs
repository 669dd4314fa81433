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
