//! Organizations end to end over real HTTP, on both stores: staff create an organization,
//! bulk-invite a mixed list, promote an invitee to organization administrator, who invites,
//! deactivates and reactivates a colleague; organizations stay apart; links die when a
//! newer one is sent or the user is deactivated.

use portal_tests::{Backend, LocalPortal, invitation_token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple 1912";

async fn create_organization(portal: &LocalPortal, name: &str, roles: &[&str]) -> String {
    let created = portal
        .staff_post(
            "/staff/organizations",
            json!({ "name": name, "roles": roles }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["organization_id"].as_str().unwrap().to_owned()
}

async fn bulk(portal: &LocalPortal, organization: &str, emails: Value) -> Vec<Value> {
    let reply = portal
        .staff_post(
            &format!("/staff/organizations/{organization}/members"),
            json!({ "emails": emails }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["results"].as_array().unwrap().clone()
}

/// Opens the newest invitation to `email` and sets the password (with a name when the
/// invitation asks for one): the token pair.
async fn accept(portal: &LocalPortal, email: &str) -> Value {
    let token = invitation_token(&portal.email_to(email, "invitation").await);
    let lookup = portal
        .post("/invitations/lookup", json!({ "token": token }))
        .await;
    assert_eq!(lookup.status, StatusCode::OK, "{}", lookup.body);
    let mut body = json!({ "token": token, "password": PASSWORD });
    if lookup.body["needs_profile"] == true {
        body["profile"] = json!({ "first_name": "Col", "last_name": "League" });
    }
    let accepted = portal.post("/invitations/accept", body).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    accepted.body
}

async fn log_in(portal: &LocalPortal, email: &str) -> (StatusCode, Value) {
    let reply = portal
        .post(
            "/sessions",
            json!({ "username": email, "password": PASSWORD }),
        )
        .await;
    (reply.status, reply.body)
}

fn row<'a>(results: &'a [Value], email: &str) -> &'a Value {
    results
        .iter()
        .find(|row| row["email"] == email)
        .unwrap_or_else(|| panic!("no row for {email} in {results:?}"))
}

async fn from_bulk_invite_to_an_admin_who_cuts_off_a_colleague(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let acme = create_organization(&portal, "Acme", &["orders.viewer"]).await;
    let known = portal
        .staff_post(
            "/staff/contacts",
            json!({ "first_name": "Kim", "last_name": "Known", "email": "kim@example.com" }),
        )
        .await;
    assert_eq!(known.status, StatusCode::CREATED, "{}", known.body);
    bulk(&portal, &acme, json!(["member@example.com"])).await;

    let results = bulk(
        &portal,
        &acme,
        json!("kim@example.com, new.person@example.com\nNew.Person@Example.com not-an-email member@example.com"),
    )
    .await;

    assert_eq!(results.len(), 4, "one row per distinct entry: {results:?}");
    assert_eq!(row(&results, "kim@example.com")["outcome"], "invited");
    assert_eq!(row(&results, "kim@example.com")["contact_created"], false);
    assert_eq!(
        row(&results, "new.person@example.com")["outcome"],
        "invited"
    );
    assert_eq!(
        row(&results, "new.person@example.com")["contact_created"],
        true
    );
    assert_eq!(row(&results, "not-an-email")["outcome"], "invalid");
    assert_eq!(
        row(&results, "member@example.com")["outcome"],
        "already_member"
    );
    let contacts = portal
        .staff_get("/staff/contacts?email=new.person@example.com")
        .await;
    assert_eq!(
        contacts.body["items"][0]["full_name"], "new.person",
        "{}",
        contacts.body
    );
    portal
        .email_to("new.person@example.com", "invitation")
        .await;
    assert_eq!(
        portal.emails_to("member@example.com", "invitation").await,
        1
    );

    // Kim accepts, staff promote her, and she manages her organization.
    accept(&portal, "kim@example.com").await;
    let kim_id = row(&results, "kim@example.com")["portal_user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let promoted = portal
        .call(
            Method::PATCH,
            &format!("/staff/portal-users/{kim_id}"),
            Some(&portal.staff_token),
            Some(json!({ "org_admin": true })),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    assert_eq!(promoted.body["org_admin"], true);
    let (status, kim) = log_in(&portal, "kim@example.com").await;
    assert_eq!(status, StatusCode::OK, "{kim}");
    let kim_token = kim["access_token"].as_str().unwrap().to_owned();

    let invited = portal
        .as_user(
            Method::POST,
            "/org/members",
            &kim_token,
            Some(json!({ "emails": ["colleague@example.com"], "roles": ["orders.viewer"] })),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let colleague_id = invited.body["results"][0]["portal_user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let colleague = accept(&portal, "colleague@example.com").await;
    let colleague_token = colleague["access_token"].as_str().unwrap();
    let me = portal
        .as_user(Method::GET, "/me", colleague_token, None)
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["organization_id"], acme.as_str());

    let off = portal
        .as_user(
            Method::POST,
            &format!("/org/members/{colleague_id}/deactivate"),
            &kim_token,
            None,
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["status"], "deactivated");
    let me = portal
        .as_user(Method::GET, "/me", colleague_token, None)
        .await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "the old token stops at once"
    );
    assert_eq!(
        log_in(&portal, "colleague@example.com").await.0,
        StatusCode::UNAUTHORIZED
    );
    portal
        .email_to("colleague@example.com", "deactivated")
        .await;

    let back = portal
        .as_user(
            Method::POST,
            &format!("/org/members/{colleague_id}/reactivate"),
            &kim_token,
            None,
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["status"], "active");
    assert_eq!(
        log_in(&portal, "colleague@example.com").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn organization_admin_flow_on_the_embedded_store() {
    from_bulk_invite_to_an_admin_who_cuts_off_a_colleague(Backend::Embedded).await;
}

#[tokio::test]
async fn organization_admin_flow_on_dynamodb() {
    from_bulk_invite_to_an_admin_who_cuts_off_a_colleague(Backend::DynamoDb).await;
}

async fn organizations_stay_apart(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let acme = create_organization(&portal, "Acme", &["orders.viewer"]).await;
    let globex = create_organization(&portal, "Globex", &["billing.viewer"]).await;
    let admin = bulk(&portal, &acme, json!(["admin@acme.example"])).await;
    let admin_id = admin[0]["portal_user_id"].as_str().unwrap().to_owned();
    accept(&portal, "admin@acme.example").await;
    let promoted = portal
        .call(
            Method::PATCH,
            &format!("/staff/portal-users/{admin_id}"),
            Some(&portal.staff_token),
            Some(json!({ "org_admin": true })),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let (_, pair) = log_in(&portal, "admin@acme.example").await;
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let other = bulk(&portal, &globex, json!(["someone@globex.example"])).await;
    let other_id = other[0]["portal_user_id"].as_str().unwrap().to_owned();

    for (method, path, body) in [
        (
            Method::POST,
            format!("/org/members/{other_id}/invitation"),
            None,
        ),
        (
            Method::POST,
            format!("/org/members/{other_id}/deactivate"),
            None,
        ),
        (
            Method::POST,
            format!("/org/members/{other_id}/reactivate"),
            None,
        ),
        (
            Method::PUT,
            format!("/org/members/{other_id}/admin"),
            Some(json!({ "org_admin": true })),
        ),
    ] {
        let reply = portal.as_user(method, &path, &token, body).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
    }
    let listed = portal
        .as_user(Method::GET, "/org/members", &token, None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|member| member["portal_user_id"].as_str())
        .collect();
    assert_eq!(ids, [admin_id.as_str()], "only Acme's members");
    let foreign_role = portal
        .as_user(
            Method::POST,
            "/org/members",
            &token,
            Some(json!({ "emails": ["x@acme.example"], "roles": ["billing.viewer"] })),
        )
        .await;
    assert_eq!(
        foreign_role.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        foreign_role.body
    );
    assert_eq!(foreign_role.body["errors"][0]["field"], "roles");
    assert_eq!(portal.emails_to("x@acme.example", "invitation").await, 0);
}

#[tokio::test]
async fn organizations_stay_apart_on_the_embedded_store() {
    organizations_stay_apart(Backend::Embedded).await;
}

#[tokio::test]
async fn organizations_stay_apart_on_dynamodb() {
    organizations_stay_apart(Backend::DynamoDb).await;
}

#[tokio::test]
async fn a_resent_or_revoked_invitation_link_answers_410() {
    let portal = LocalPortal::start(Backend::Embedded).await;
    let acme = create_organization(&portal, "Acme", &[]).await;
    let invited = bulk(
        &portal,
        &acme,
        json!(["ivy@example.com", "ian@example.com"]),
    )
    .await;
    let ivy = invited[0]["portal_user_id"].as_str().unwrap().to_owned();
    let ian = invited[1]["portal_user_id"].as_str().unwrap().to_owned();
    let first = invitation_token(&portal.email_to("ivy@example.com", "invitation").await);

    let resent = portal
        .staff_post(&format!("/staff/portal-users/{ivy}/invitation"), json!({}))
        .await;

    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.body);
    let lookup = |token: String| {
        let portal = &portal;
        async move {
            portal
                .post("/invitations/lookup", json!({ "token": token }))
                .await
                .status
        }
    };
    assert_eq!(lookup(first).await, StatusCode::GONE);
    let second = invitation_token(&portal.email_to("ivy@example.com", "invitation").await);
    assert_eq!(lookup(second).await, StatusCode::OK);

    let ians = invitation_token(&portal.email_to("ian@example.com", "invitation").await);
    let off = portal
        .staff_post(&format!("/staff/portal-users/{ian}/deactivate"), json!({}))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(lookup(ians.clone()).await, StatusCode::GONE);
    let accepted = portal
        .post(
            "/invitations/accept",
            json!({ "token": ians, "password": PASSWORD }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::GONE);
}
