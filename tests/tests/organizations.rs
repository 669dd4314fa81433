//! Organizations end to end over real HTTP, on both stores: staff create an organization,
//! bulk-invite a mixed list, promote an invitee to organization administrator, who invites,
//! deactivates and reactivates a colleague; organizations stay apart; links die when a
//! newer one is sent or the user is deactivated.

use portal_testkit::{Backend, LocalPortal, Member, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn bulk(portal: &LocalPortal, organization: &str, emails: Value) -> Vec<Value> {
    let reply = portal
        .add_members(organization, json!({ "emails": emails }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.results().to_vec()
}

/// The newest invitation to `email`, accepted.
async fn accept(portal: &LocalPortal, email: &str) -> Member {
    portal.accepted(&portal.invitation_token(email).await).await
}

fn row<'a>(results: &'a [Value], email: &str) -> &'a Value {
    results
        .iter()
        .find(|row| row["email"] == email)
        .unwrap_or_else(|| panic!("no row for {email} in {results:?}"))
}

async fn from_bulk_invite_to_an_admin_who_cuts_off_a_colleague(backend: Backend) {
    let portal = LocalPortal::start(backend).await;
    let acme = portal.new_organization("Acme", &["orders.viewer"]).await;
    let known = portal
        .create_contact("Kim", "Known", "kim@example.com")
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
    let contacts = portal.find_contacts("new.person@example.com").await;
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
        .change_user(&kim_id, json!({ "org_admin": true }))
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    assert_eq!(promoted.body["org_admin"], true);
    let kim = portal.log_in("kim@example.com", PASSWORD).await;
    assert_eq!(kim.status, StatusCode::OK, "{}", kim.body);
    let kim_token = kim.id("access_token");

    let invited = portal
        .org(&kim_token)
        .invite(json!({ "emails": ["colleague@example.com"], "roles": ["orders.viewer"] }))
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let colleague_id = invited.body["results"][0]["portal_user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let colleague = accept(&portal, "colleague@example.com").await;
    let colleague_token = colleague.access_token.as_str();
    let me = portal.me(colleague_token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["organization_id"], acme.as_str());

    let off = portal.org(&kim_token).deactivate(&colleague_id).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["status"], "deactivated");
    let me = portal.me(colleague_token).await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "the old token stops at once"
    );
    assert_eq!(
        portal
            .log_in("colleague@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    portal
        .email_to("colleague@example.com", "deactivated")
        .await;

    let back = portal.org(&kim_token).reactivate(&colleague_id).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["status"], "active");
    assert_eq!(
        portal
            .log_in("colleague@example.com", PASSWORD)
            .await
            .status,
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
    let acme = portal.new_organization("Acme", &["orders.viewer"]).await;
    let globex = portal.new_organization("Globex", &["billing.viewer"]).await;
    let admin = bulk(&portal, &acme, json!(["admin@acme.example"])).await;
    let admin_id = admin[0]["portal_user_id"].as_str().unwrap().to_owned();
    accept(&portal, "admin@acme.example").await;
    let promoted = portal
        .change_user(&admin_id, json!({ "org_admin": true }))
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let token = portal
        .log_in("admin@acme.example", PASSWORD)
        .await
        .id("access_token");
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
        let reply = portal.call(method, &path, Some(&token), body).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
    }
    let listed = portal.org(&token).members("").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(
        listed.column("portal_user_id"),
        [admin_id.as_str()],
        "only Acme's members"
    );
    let foreign_role = portal
        .org(&token)
        .invite(json!({ "emails": ["x@acme.example"], "roles": ["billing.viewer"] }))
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
    let acme = portal.new_organization("Acme", &[]).await;
    let invited = bulk(
        &portal,
        &acme,
        json!(["ivy@example.com", "ian@example.com"]),
    )
    .await;
    let ivy = invited[0]["portal_user_id"].as_str().unwrap().to_owned();
    let ian = invited[1]["portal_user_id"].as_str().unwrap().to_owned();
    let first = portal.invitation_token("ivy@example.com").await;

    let resent = portal.reinvite(&ivy).await;

    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.body);
    assert_eq!(
        portal.lookup_invitation(&first).await.status,
        StatusCode::GONE
    );
    let second = portal.invitation_token("ivy@example.com").await;
    assert_eq!(
        portal.lookup_invitation(&second).await.status,
        StatusCode::OK
    );

    let ians = portal.invitation_token("ian@example.com").await;
    let off = portal.deactivate(&ian).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        portal.lookup_invitation(&ians).await.status,
        StatusCode::GONE
    );
    let accepted = portal.accept_invitation(&ians, PASSWORD, None).await;
    assert_eq!(accepted.status, StatusCode::GONE);
}
