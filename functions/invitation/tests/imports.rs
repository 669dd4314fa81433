//! `/staff/imports`: a file of people uploaded, run by the worker, read back.

use axum::http::StatusCode;
use portal_domain::outbox::EmailContent;
use portal_domain::staff::MANAGE_USERS;
use portal_testkit::{
    PEOPLE_HEADER, TestApp, UNKNOWN_ID, numbered_people, people_csv, people_xlsx, staff_token,
};
use serde_json::{Value, json};

fn rows(reply: &portal_testkit::Reply) -> Vec<(u64, String, String)> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["row"].as_u64().unwrap(),
                row["outcome"].as_str().unwrap().to_owned(),
                row["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| (*cell).to_owned()).collect()
}

#[tokio::test]
async fn a_csv_file_is_imported_into_an_organization_row_by_row() {
    let app = TestApp::start();
    let acme = app.new_organization("Acme", &["orders.viewer"]).await;
    // Already a member, in no organization, and another organization's.
    app.invited_user("member@example.com", json!({ "organization_id": acme }))
        .await;
    app.invited_user("loose@example.com", json!({})).await;
    let other = app.new_organization("Other", &[]).await;
    app.invited_user("taken@example.com", json!({ "organization_id": other }))
        .await;
    let file = people_csv(
        &[
            "email",
            "first_name",
            "last_name",
            "phone",
            "company",
            "roles",
            "external_ref",
        ],
        &[
            strings(&[
                "ada@example.com",
                "Ada",
                "Lovelace",
                "+44 20 7946 0000",
                "Engines",
                "billing.viewer;orders.admin",
                "CRM-1",
            ]),
            strings(&["member@example.com", "", "", "", "", "", ""]),
            strings(&["loose@example.com", "", "", "", "", "billing.viewer", ""]),
            strings(&["taken@example.com", "", "", "", "", "", ""]),
            strings(&["not an address", "", "", "", "", "", ""]),
            strings(&["ADA@example.com", "", "", "", "", "", ""]),
            strings(&["grace@example.com", "Grace", "", "x", "", "", ""]),
            strings(&["", "", "", "", "", "", ""]),
            strings(&["hedy@example.com", "", "", "", "", "", ""]),
        ],
    );

    let started = app
        .start_import(
            "people.csv",
            &file,
            &[("organization_id", &acme), ("send_invitations", "true")],
        )
        .await;

    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    assert_eq!(started.body["status"], "queued");
    assert_eq!(started.body["total"], 8);
    assert_eq!(started.body["processed"], 0);
    let id = started.id("import_id");
    let done = app.finished_import(&id).await;
    assert_eq!(done.body["status"], "done");
    assert_eq!(done.body["processed"], 8);
    assert_eq!(
        done.body["counts"],
        json!({ "invited": 2, "added": 1, "already_member": 1, "invalid": 4 })
    );
    assert!(done.body["finished_at"].is_string());
    let all = rows(&app.import_rows(&id, "").await);
    assert_eq!(
        all,
        [
            (2, "invited".into(), String::new()),
            (3, "already_member".into(), String::new()),
            (4, "added".into(), String::new()),
            (
                5,
                "invalid".into(),
                "is a member of another organization".into()
            ),
            (
                6,
                "invalid".into(),
                "email is not a valid email address".into()
            ),
            (7, "invalid".into(), "repeats the address of row 2".into()),
            (
                8,
                "invalid".into(),
                "phone is not a valid phone number".into()
            ),
            (10, "invited".into(), String::new()),
        ]
    );
    // Ada's contact has what the file said; she is invited with her roles.
    let ada = app.find_contacts("ada@example.com").await;
    let contact = &ada.body["items"][0];
    assert_eq!(contact["full_name"], "Ada Lovelace");
    assert_eq!(contact["phone"], "+44 20 7946 0000");
    assert_eq!(contact["company"], "Engines");
    assert_eq!(contact["external_ref"], "CRM-1");
    let user = app.user(contact["portal_user_id"].as_str().unwrap()).await;
    assert_eq!(user.body["organization_id"], acme.as_str());
    assert_eq!(
        user.body["roles"],
        json!(["billing.viewer", "orders.admin"])
    );
    // The user in no organization joined it, with the row's role added.
    let loose = app.find_contacts("loose@example.com").await;
    let loose = app
        .user(loose.body["items"][0]["portal_user_id"].as_str().unwrap())
        .await;
    assert_eq!(loose.body["organization_id"], acme.as_str());
    assert_eq!(loose.body["roles"], json!(["billing.viewer"]));
    // One invitation each for the new users, through the outbox.
    app.deliver_outbox().await;
    for email in ["ada@example.com", "hedy@example.com"] {
        let invitations = app
            .emails_to(email)
            .await
            .into_iter()
            .filter(|message| matches!(message.content, EmailContent::Invitation { .. }))
            .count();
        assert_eq!(invitations, 1, "{email}");
    }
    // Rows by outcome, a page at a time.
    let invalid = app.import_rows(&id, "outcome=invalid&limit=3").await;
    assert_eq!(
        rows(&invalid).iter().map(|row| row.0).collect::<Vec<_>>(),
        [5, 6, 7]
    );
    let cursor = invalid.body["next_cursor"].as_str().unwrap();
    let rest = app
        .import_rows(&id, &format!("outcome=invalid&limit=3&cursor={cursor}"))
        .await;
    assert_eq!(rows(&rest).iter().map(|row| row.0).collect::<Vec<_>>(), [8]);
    assert!(rest.body["next_cursor"].is_null());
}

#[tokio::test]
async fn importing_the_same_xlsx_file_twice_changes_nothing_the_second_time() {
    let app = TestApp::start();
    let file = people_xlsx(&PEOPLE_HEADER, &numbered_people(0, 250, "example.com"));

    let first = app.start_import("people.xlsx", &file, &[]).await;
    let first = app.finished_import(&first.id("import_id")).await;
    app.deliver_outbox().await;
    let sent = app.emails().len();
    let second = app.start_import("people.xlsx", &file, &[]).await;
    let second = app.finished_import(&second.id("import_id")).await;
    app.deliver_outbox().await;

    assert_eq!(
        first.body["counts"],
        json!({ "invited": 0, "added": 250, "already_member": 0, "invalid": 0 })
    );
    assert_eq!(
        second.body["counts"],
        json!({ "invited": 0, "added": 0, "already_member": 250, "invalid": 0 })
    );
    assert_eq!(app.emails().len(), sent, "no email the second time");
    assert_eq!(sent, 0, "invited later: none the first time either");
    let person = app.find_contacts("person249@example.com").await;
    assert_eq!(
        person.body["items"][0]["external_ref"],
        "CRM-example.com-249"
    );
    assert_eq!(person.body["items"][0]["phone"], "+49 30 0000249");
}

#[tokio::test]
async fn a_worker_that_stops_mid_chunk_is_resumed_without_a_second_contact_user_or_email() {
    let app = TestApp::start();
    let file = people_csv(&PEOPLE_HEADER, &numbered_people(0, 150, "example.com"));
    let started = app
        .start_import("people.csv", &file, &[("send_invitations", "true")])
        .await;
    let id = started.id("import_id");
    // The first try writes the first chunk's people, then stops before its results.
    app.store.refuse_chunk_results(1);

    let done = app.finished_import(&id).await;

    assert_eq!(done.body["status"], "done");
    assert_eq!(
        done.body["counts"],
        json!({ "invited": 150, "added": 0, "already_member": 0, "invalid": 0 })
    );
    app.deliver_outbox().await;
    let invitations = app
        .emails()
        .into_iter()
        .filter(|message| matches!(message.content, EmailContent::Invitation { .. }))
        .count();
    assert_eq!(invitations, 150, "one invitation each");
    let found = app.search_contacts("q=person1&limit=100").await;
    // person1, person10..19, person100..149: each once.
    assert_eq!(found.body["items"].as_array().unwrap().len(), 61);
}

#[tokio::test]
async fn a_bad_file_is_a_422_naming_the_problem_and_imports_nothing() {
    let app = TestApp::start();
    let before = app.store.snapshot();
    let header = |columns: &[&str]| people_csv(columns, &[strings(&["a@example.com"])]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "people.pdf",
            b"%PDF-1.7".to_vec(),
            "is neither a CSV nor an .xlsx file",
        ),
        ("people.csv", header(&["first_name"]), "has no email column"),
        (
            "people.csv",
            header(&["email", "shoe_size", "Pet"]),
            "has unknown columns: shoe_size, Pet",
        ),
        (
            "people.csv",
            b"email\n".to_vec(),
            "holds no rows under its header",
        ),
        ("people.csv", Vec::new(), "is empty"),
        (
            "people.csv",
            people_csv(&PEOPLE_HEADER, &numbered_people(0, 10_001, "example.com")),
            "must hold at most 10000 rows",
        ),
    ];

    for (name, file, message) in cases {
        let reply = app.start_import(name, &file, &[]).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(
            reply.body["errors"],
            json!([{ "field": "file", "message": message }]),
            "{name}"
        );
    }
    let oversize = app
        .start_import("people.csv", &vec![b'a'; 6 * 1024 * 1024], &[])
        .await;
    oversize.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn bad_fields_are_a_422_and_roles_need_the_permission() {
    let app = TestApp::start();
    let file = people_csv(
        &["email", "roles"],
        &[strings(&["a@example.com", "billing.viewer"])],
    );
    let before = app.store.snapshot();

    let fields = app
        .start_import(
            "people.csv",
            &file,
            &[
                ("organization_id", UNKNOWN_ID),
                ("send_invitations", "maybe"),
            ],
        )
        .await;
    let bad_id = app
        .start_import("people.csv", &file, &[("organization_id", "not-an-id")])
        .await;
    let no_file = app.staff_post("/staff/imports", json!({})).await;
    let manage_only = staff_token(&[MANAGE_USERS]);
    let roles = app
        .start_import_as(&manage_only, "people.csv", &file, &[])
        .await;

    fields.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(fields.fields(), ["send_invitations"]);
    bad_id.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad_id.fields(), ["organization_id"]);
    assert_eq!(no_file.status, StatusCode::BAD_REQUEST, "{}", no_file.body);
    roles.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let unknown_org = app
        .start_import("people.csv", &file, &[("organization_id", UNKNOWN_ID)])
        .await;
    unknown_org.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(unknown_org.fields(), ["organization_id"]);
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn an_unknown_import_or_a_cursor_of_another_is_refused() {
    let app = TestApp::start();
    let file = people_csv(&PEOPLE_HEADER, &numbered_people(0, 3, "example.com"));
    let mut ids = Vec::new();
    for _ in 0..2 {
        let started = app.start_import("people.csv", &file, &[]).await;
        let id = started.id("import_id");
        app.finished_import(&id).await;
        ids.push(id);
    }
    let page = app.import_rows(&ids[0], "limit=1").await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();

    let unknown = app.import(UNKNOWN_ID).await;
    let unknown_rows = app.import_rows(UNKNOWN_ID, "").await;
    let elsewhere = app.import_rows(&ids[1], &format!("cursor={cursor}")).await;
    let outcome = app.import_rows(&ids[0], "outcome=maybe&limit=0").await;

    unknown.assert_problem(StatusCode::NOT_FOUND, "not_found");
    unknown_rows.assert_problem(StatusCode::NOT_FOUND, "not_found");
    elsewhere.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(elsewhere.fields(), ["cursor"]);
    let mut fields = outcome.fields();
    fields.sort();
    assert_eq!(fields, ["limit", "outcome"]);
    let _: Value = page.body;
}
