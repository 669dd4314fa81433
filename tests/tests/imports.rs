//! Creatio's "Import users from Excel" end to end over real HTTP, on both stores: staff
//! import an .xlsx of 1 000 people into an organization (invited later), then the
//! organization's administrator changes a member's roles and sends access information to
//! three members, who each get one email with their username.

use portal_testkit::{Backend, LocalPortal, PEOPLE_HEADER, Secret, numbered_people, people_xlsx};
use reqwest::StatusCode;
use serde_json::json;

const PEOPLE: usize = 1_000;

async fn an_excel_file_then_the_org_admin_takes_over(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let acme = portal
        .new_organization("Acme", &["orders.viewer", "billing.viewer"])
        .await;
    let file = people_xlsx(&PEOPLE_HEADER, &numbered_people(0, PEOPLE, "acme.example"));

    let started = portal
        .start_import("people.xlsx", &file, &[("organization_id", &acme)])
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    assert_eq!(started.body["total"], PEOPLE);
    let done = portal.finished_import(&started.id("import_id")).await;
    assert_eq!(done.body["status"], "done", "{}", done.body);
    assert_eq!(
        done.body["counts"],
        json!({ "invited": 0, "added": PEOPLE, "already_member": 0, "invalid": 0 })
    );
    let added = portal
        .import_rows(&started.id("import_id"), "outcome=added&limit=3")
        .await;
    let members: Vec<String> = added.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["portal_user_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(members.len(), 3);

    let admin = portal.org_admin(&acme, "admin@acme.example").await;
    let org = portal.org(&admin.access_token);
    let listed = org.members("limit=100").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let first = &listed.body["items"][0];
    assert_eq!(first["first_name"], "Person0");
    assert_eq!(first["last_name"], "Imported");
    assert_eq!(first["status"], "invited");

    let changed = org
        .change_member(&members[0], json!({ "roles": ["billing.viewer"] }))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["roles"], json!(["billing.viewer"]));
    let sent = org.access_info(json!({ "portal_user_ids": members })).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let outcomes: Vec<&str> = sent.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["sent", "sent", "sent"]);
    for n in 0..3 {
        let to = format!("person{n}@acme.example");
        let invitations = portal.secrets(&to, Secret::Invitation).await;
        assert_eq!(
            invitations.len(),
            1,
            "{to}: one invitation, sent by the admin"
        );
    }
    // Importing the file again changes nothing.
    let again = portal
        .start_import("people.xlsx", &file, &[("organization_id", &acme)])
        .await;
    let again = portal.finished_import(&again.id("import_id")).await;
    assert_eq!(again.body["counts"]["already_member"], PEOPLE);
}

#[tokio::test]
async fn an_excel_import_then_the_org_admin_on_the_embedded_store() {
    an_excel_file_then_the_org_admin_takes_over(Backend::Embedded).await;
}

#[tokio::test]
async fn an_excel_import_then_the_org_admin_on_dynamodb() {
    an_excel_file_then_the_org_admin_takes_over(Backend::DynamoDb).await;
}
