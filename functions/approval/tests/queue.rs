use axum::http::StatusCode;
use portal_testkit::{TestApp, UNKNOWN_ID, person};
use serde_json::json;
use std::collections::HashSet;
use time::Duration;

#[tokio::test]
async fn a_verified_request_shows_in_the_new_queue_with_its_data() {
    let app = TestApp::start();
    let id = app.verified_request(person("ada@example.com")).await;

    let reply = app.registrations("status=new").await;

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
async fn a_search_shows_the_requests_whose_name_email_or_company_contains_it() {
    let app = TestApp::start();
    let grace = app
        .verified_request(json!({
            "first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example",
            "company": "US Navy"
        }))
        .await;
    let ada = app.verified_request(person("ada@example.com")).await;
    app.register(
        json!({"first_name": "Grace", "last_name": "Unverified", "email": "gu@example.com"}),
    )
    .await;

    let by_name = app.registrations("q=GRACE%20%20hop").await;
    let by_company = app.registrations("q=acme").await;
    let by_email = app.registrations("q=navy.example").await;
    let none = app.registrations("q=nobody").await;

    assert_eq!(by_name.status, StatusCode::OK, "{}", by_name.body);
    assert_eq!(by_name.column("registration_id"), [grace.as_str()]);
    assert_eq!(by_company.column("registration_id"), [ada.as_str()]);
    assert_eq!(by_email.column("registration_id"), [grace.as_str()]);
    assert!(none.items().is_empty() && none.body["next_cursor"].is_null());
    // The unverified Grace waits in her own list.
    let pending = app
        .registrations("status=pending_verification&q=grace")
        .await;
    assert_eq!(pending.column("email"), ["gu@example.com"]);
}

#[tokio::test]
async fn the_queue_defaults_to_new_and_keeps_statuses_apart() {
    let app = TestApp::start();
    app.verified_request(person("ada@example.com")).await;
    app.register(person("un@example.com")).await;

    let new = app.registrations("").await;
    let pending = app.registrations("status=pending_verification").await;

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
            app.verified_request(person(&format!("p{i}@example.com")))
                .await,
        );
        app.clock.advance(Duration::seconds(1));
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("status=new&limit=50&cursor={cursor}"),
            None => "status=new&limit=50".to_owned(),
        };
        let reply = app.registrations(&query).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        seen.extend(reply.column("registration_id"));
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
        ("q=a", "q"),
        ("q=%20%20a%20", "q"),
        (&format!("q={}", "x".repeat(101)), "q"),
    ] {
        let reply = app.registrations(query).await;
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
    let id = app.verified_request(person("ada@example.com")).await;

    let reply = app.registration(&id).await;

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

    for id in [UNKNOWN_ID, "nope"] {
        let reply = app.registration(id).await;
        reply.assert_problem(StatusCode::NOT_FOUND, "not_found");
    }
}
