mod support;

use axum::http::StatusCode;
use std::collections::HashSet;
use support::TestApp;
use time::Duration;

#[tokio::test]
async fn a_verified_request_shows_in_the_new_queue_with_its_data() {
    let app = TestApp::start();
    let id = app.verified_request("Ada", "ada@example.com").await;

    let reply = app.staff_get("/staff/registrations?status=new").await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["registration_id"], id.as_str());
    assert_eq!(items[0]["status"], "new");
    assert_eq!(items[0]["email"], "ada@example.com");
    assert_eq!(items[0]["company"], "Acme");
    assert!(reply.body["next_cursor"].is_null());
}

#[tokio::test]
async fn the_queue_defaults_to_new_and_keeps_statuses_apart() {
    let app = TestApp::start();
    app.verified_request("Ada", "ada@example.com").await;
    app.call("POST", "/registrations", None, Some(serde_json::json!({"first_name": "Un", "last_name": "Verified", "email": "un@example.com"}))).await;

    let new = app.staff_get("/staff/registrations").await;
    let pending = app
        .staff_get("/staff/registrations?status=pending_verification")
        .await;

    assert_eq!(new.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(pending.body["items"][0]["email"], "un@example.com");
}

#[tokio::test]
async fn one_hundred_twenty_requests_page_through_newest_first_without_loss_or_repeats() {
    let app = TestApp::start();
    let mut created = Vec::new();
    for i in 0..120 {
        created.push(
            app.verified_request("Ada", &format!("p{i}@example.com"))
                .await,
        );
        app.clock.advance(Duration::seconds(1));
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/staff/registrations?status=new&limit=50&cursor={cursor}"),
            None => "/staff/registrations?status=new&limit=50".to_owned(),
        };
        let reply = app.staff_get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for item in reply.body["items"].as_array().unwrap() {
            seen.push(item["registration_id"].as_str().unwrap().to_owned());
        }
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }

    created.reverse();
    assert_eq!(seen, created, "not every request once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 120);
}

#[tokio::test]
async fn a_bad_status_limit_or_cursor_is_a_422_naming_the_parameter() {
    let app = TestApp::start();

    for (query, field) in [
        ("status=approved", "status"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
    ] {
        let reply = app
            .staff_get(&format!("/staff/registrations?{query}"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn the_detail_suggests_the_contact_with_the_same_email_first_then_same_names() {
    let app = TestApp::start();
    let same_name = app
        .create_contact("Ada", "Lovelace", "ada.l@other.example")
        .await;
    let same_email = app
        .create_contact("Augusta", "King", "ada@example.com")
        .await;
    app.create_contact("Grace", "Hopper", "grace@example.com")
        .await;
    let id = app.verified_request("Ada", "ada@example.com").await;

    let reply = app.staff_get(&format!("/staff/registrations/{id}")).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let suggestions = reply.body["suggested_contacts"].as_array().unwrap();
    assert_eq!(suggestions.len(), 2, "{suggestions:?}");
    assert_eq!(suggestions[0]["contact_id"], same_email.body["contact_id"]);
    assert_eq!(suggestions[0]["match"], "email");
    assert_eq!(suggestions[1]["contact_id"], same_name.body["contact_id"]);
    assert_eq!(suggestions[1]["match"], "name");
    assert_eq!(suggestions[1]["full_name"], "Ada Lovelace");
}

#[tokio::test]
async fn an_unknown_request_is_a_404() {
    let app = TestApp::start();

    for id in ["0123456789abcdef0123456789abcdef", "nope"] {
        let reply = app.staff_get(&format!("/staff/registrations/{id}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.body["code"], "not_found");
    }
}
