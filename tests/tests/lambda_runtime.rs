//! The function binaries as Lambda runs them: each one under cargo-lambda's emulator
//! (`cargo lambda watch --only-lambda-apis`), polling its Runtime API, on moto, with the
//! environment `template.yaml` gives it, invoked with the events AWS sends (API Gateway
//! HTTP API 2.0 events; DynamoDB stream and schedule events for the mailer). The
//! binaries are the debug builds of the deployed crates (AWS gets release arm64 builds
//! of the same code). `./scripts/test` installs cargo-lambda; see tests/runtime/.

#[path = "../runtime/mod.rs"]
mod runtime;

use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_http::{AccessTokenConfig, AccessTokenSubject, AccessTokens, PortalSigningKey};
use portal_testkit::moto::{random_suffix, ses_bodies_to as emails_to};
use portal_testkit::{link_token, person, six_digits};
use reqwest::StatusCode;
use runtime::deployment::{Deployment, PORTAL_BASE_URL};
use runtime::emulator::{Emulator, deadline_shim};
use runtime::http_api::{Answer, Request};
use serde_json::{Value, json};

struct Stack {
    deployment: Deployment,
    emulator: Emulator,
}

/// A fresh deployment with these functions attached to one emulator.
async fn stack(functions: &[&str]) -> Stack {
    let deployment = Deployment::create().await;
    let mut emulator = Emulator::start().await;
    for function in functions {
        let environment = deployment.environment(function);
        // The mailer and the importer pace themselves to their deadline: give them the one
        // AWS would.
        let runtime_api = match *function {
            "mailer" | "importer" => Some(
                deadline_shim(emulator.runtime_api(function), deployment.timeout(function)).await,
            ),
            _ => None,
        };
        emulator.attach(function, &environment, runtime_api);
    }
    Stack {
        deployment,
        emulator,
    }
}

impl Stack {
    async fn send(&self, function: &str, request: Request) -> Answer {
        request.send(&self.emulator, function).await
    }

    fn staff(&self) -> String {
        self.deployment.staff_token(&[MANAGE_USERS])
    }

    /// An organization with these members invited by staff (their emails are left to
    /// the mailer): the members' portal user ids.
    async fn organization_with(&self, emails: &[&str]) -> Vec<String> {
        let created = self
            .send(
                "invitation",
                Request::post("/staff/organizations", "/staff/organizations")
                    .bearer(&self.staff())
                    .json(&json!({ "name": format!("Acme {}", random_suffix()), "roles": [] })),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let organization = text(&created.json(), "organization_id");
        let added = self
            .send(
                "invitation",
                Request::post(
                    "/staff/organizations/{id}/members",
                    format!("/staff/organizations/{organization}/members"),
                )
                .bearer(&self.staff())
                .json(&json!({ "emails": emails })),
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        added.json()["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| {
                assert_eq!(result["outcome"], "invited", "{result}");
                text(result, "portal_user_id")
            })
            .collect()
    }
}

fn address(name: &str) -> String {
    format!("{name}-{}@example.com", random_suffix())
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .to_owned()
}

const MALFORMED: &str = r#"{"email": "#;

#[tokio::test]
async fn registration_takes_a_request_and_its_emailed_code_and_answers_bad_json_with_400() {
    let stack = stack(&["registration"]).await;
    let email = address("grace");

    let submitted = stack
        .send(
            "registration",
            Request::post("/registrations", "/registrations").json(&person(&email)),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::ACCEPTED, "{}", submitted.body);
    let id = text(&submitted.json(), "registration_id");
    let code = six_digits(&emails_to(&email, 1).await[0]).expect("a code");
    let verified = stack
        .send(
            "registration",
            Request::post(
                "/registrations/{id}/verify",
                format!("/registrations/{id}/verify"),
            )
            .json(&json!({ "code": code })),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.json()["status"], "new");

    let malformed = stack
        .send(
            "registration",
            Request::post("/registrations", "/registrations").raw_json(MALFORMED),
        )
        .await;
    malformed.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
}

#[tokio::test]
async fn a_function_whose_secret_cannot_be_read_stops_its_cold_start_and_says_which() {
    let deployment = Deployment::create().await;
    let mut emulator = Emulator::start().await;
    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:portal-missing-AbCdEf";
    let mut environment = deployment.environment("registration");
    let arn = environment
        .iter_mut()
        .find(|(name, _)| name == "OUTBOX_SEAL_KEY_SECRET_ARN")
        .expect("the template gives registration its seal key's secret");
    arn.1 = missing.to_owned();
    emulator.attach("registration", &environment, None);

    let status = emulator.exit_status("registration").await;
    assert!(!status.success(), "registration started without its secret");
    // Its last words may still be on their way through the pipe.
    for _ in 0..50 {
        if emulator.printed().contains(missing) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let printed = emulator.printed();
    assert!(
        printed.contains("cannot read the secret OUTBOX_SEAL_KEY_SECRET_ARN names")
            && printed.contains(missing),
        "the error names the variable and the secret:\n{printed}"
    );
}

#[tokio::test]
async fn approval_serves_staff_with_an_idp_token_and_answers_bad_json_with_400() {
    let stack = stack(&["approval"]).await;
    let email = address("ada");

    let anonymous = stack
        .send(
            "approval",
            Request::get("/staff/registrations", "/staff/registrations?status=new"),
        )
        .await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let queue = stack
        .send(
            "approval",
            Request::get("/staff/registrations", "/staff/registrations?status=new")
                .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.json()["items"].is_array(), "{}", queue.body);
    let created = stack
        .send(
            "approval",
            Request::post("/staff/contacts", "/staff/contacts")
                .bearer(&stack.staff())
                .json(&json!({ "first_name": "Ada", "last_name": "Lovelace", "email": email })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let found = stack
        .send(
            "approval",
            Request::get("/staff/contacts", format!("/staff/contacts?email={email}"))
                .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(
        found.json()["items"][0]["contact_id"],
        created.json()["contact_id"]
    );

    let malformed = stack
        .send(
            "approval",
            Request::post("/staff/contacts", "/staff/contacts")
                .bearer(&stack.staff())
                .raw_json(MALFORMED),
        )
        .await;
    malformed.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
}

#[tokio::test]
async fn password_publishes_its_key_refuses_bad_credentials_and_answers_bad_json_with_400() {
    let stack = stack(&["password"]).await;

    let jwks = stack
        .send(
            "password",
            Request::get("/.well-known/jwks.json", "/.well-known/jwks.json"),
        )
        .await;
    assert_eq!(jwks.status, StatusCode::OK, "{}", jwks.body);
    assert_eq!(
        jwks.json()["keys"][0]["kid"],
        stack.deployment.access_tokens().verifier().kid()
    );
    let login = stack
        .send(
            "password",
            Request::post("/sessions", "/sessions").json(
                &json!({ "username": address("nobody"), "password": "correct horse battery staple" }),
            ),
        )
        .await;
    login.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");

    let malformed = stack
        .send(
            "password",
            Request::post("/sessions", "/sessions").raw_json(MALFORMED),
        )
        .await;
    malformed.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
}

#[tokio::test]
async fn oidc_reads_its_keys_from_secrets_manager_and_publishes_discovery_and_both_keys() {
    let stack = stack(&["oidc"]).await;

    let discovery = stack
        .send(
            "oidc",
            Request::get(
                "/.well-known/openid-configuration",
                "/.well-known/openid-configuration",
            ),
        )
        .await;
    assert_eq!(discovery.status, StatusCode::OK, "{}", discovery.body);
    assert_eq!(
        discovery.json()["token_endpoint"],
        format!("{PORTAL_BASE_URL}/oauth2/token")
    );
    let jwks = stack
        .send("oidc", Request::get("/oauth2/jwks", "/oauth2/jwks"))
        .await;
    assert_eq!(jwks.status, StatusCode::OK, "{}", jwks.body);
    assert_eq!(jwks.json()["keys"][0]["alg"], "RS256");
    assert_eq!(
        jwks.json()["keys"][1]["kid"],
        stack.deployment.access_tokens().verifier().kid()
    );
    let unknown = stack
        .send(
            "oidc",
            Request::post("/oauth2/token", "/oauth2/token")
                .form("grant_type=authorization_code&client_id=0123456789abcdef0123456789abcdef"),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{}", unknown.body);
    assert_eq!(unknown.json()["error"], "invalid_client");
}

#[tokio::test]
async fn invitation_invites_an_organization_and_answers_bad_json_with_400() {
    let stack = stack(&["invitation"]).await;

    let members = stack.organization_with(&[&address("grace")]).await;
    let user = stack
        .send(
            "invitation",
            Request::get(
                "/staff/portal-users/{id}",
                format!("/staff/portal-users/{}", members[0]),
            )
            .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(user.status, StatusCode::OK, "{}", user.body);
    assert_eq!(user.json()["status"], "invited");

    let malformed = stack
        .send(
            "invitation",
            Request::post("/staff/organizations", "/staff/organizations")
                .bearer(&stack.staff())
                .raw_json(MALFORMED),
        )
        .await;
    malformed.assert_problem(StatusCode::BAD_REQUEST, "malformed_request");
}

/// Invitation and deactivation get the public key alone (template.yaml): an organization
/// administrator's token from the password binary works on their `/org` routes, and a
/// token with the same claims signed by another key does not.
#[tokio::test]
async fn org_routes_take_the_password_binarys_tokens_with_only_the_public_key() {
    let stack = stack(&["invitation", "password", "deactivation"]).await;
    let admin_email = address("ada");
    let members = stack
        .organization_with(&[&admin_email, &address("grace")])
        .await;
    let (admin, colleague) = (&members[0], &members[1]);
    let promoted = stack
        .send(
            "invitation",
            Request::patch(
                "/staff/portal-users/{id}",
                format!("/staff/portal-users/{admin}"),
            )
            .bearer(&stack.deployment.staff_token(&[MANAGE_USERS, ASSIGN_ROLES]))
            .json(&json!({ "org_admin": true })),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let invited = stack
        .send(
            "invitation",
            Request::post(
                "/staff/portal-users/{id}/invitation",
                format!("/staff/portal-users/{admin}/invitation"),
            )
            .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(invited.status, StatusCode::ACCEPTED, "{}", invited.body);
    let accepted = stack
        .send(
            "password",
            Request::post("/invitations/accept", "/invitations/accept").json(&json!({
                "token": link_token(&emails_to(&admin_email, 1).await[0]).expect("a link with a token"),
                "password": "correct horse battery staple",
                // Bulk invitations name a new contact after their address: the
                // invited person gives their name.
                "profile": { "first_name": "Ada", "last_name": "Byron", "phone": "+44 20 7946 0958" },
            })),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let token = text(&accepted.json(), "access_token");

    let listed = stack
        .send(
            "invitation",
            Request::get("/org/members", "/org/members").bearer(&token),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let deactivated = stack
        .send(
            "deactivation",
            Request::post(
                "/org/members/{id}/deactivate",
                format!("/org/members/{colleague}/deactivate"),
            )
            .bearer(&token),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);

    let claims = stack
        .deployment
        .access_tokens()
        .verifier()
        .verify(&token)
        .expect("the password binary's token");
    let signed_in_at = claims.signed_in_at();
    let forged = AccessTokens::new(AccessTokenConfig {
        issuer: claims.iss,
        audience: claims.aud,
        signing_key: PortalSigningKey::generate(),
    })
    .issue(&AccessTokenSubject {
        auth_time: signed_in_at,
        user_id: claims.sub,
        organization_id: claims.org,
        roles: claims.roles,
        org_admin: claims.org_admin,
        token_version: claims.ver,
        session_id: claims.sid,
        amr: claims.amr,
    })
    .0;
    for (function, request) in [
        ("invitation", Request::get("/org/members", "/org/members")),
        (
            "deactivation",
            Request::post(
                "/org/members/{id}/reactivate",
                format!("/org/members/{colleague}/reactivate"),
            ),
        ),
    ] {
        stack
            .send(function, request.bearer(&forged))
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn deactivation_cuts_off_a_portal_user_and_answers_an_unknown_one_with_404() {
    let stack = stack(&["invitation", "deactivation"]).await;
    let members = stack.organization_with(&[&address("grace")]).await;

    let deactivated = stack
        .send(
            "deactivation",
            Request::post(
                "/staff/portal-users/{id}/deactivate",
                format!("/staff/portal-users/{}/deactivate", members[0]),
            )
            .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    assert_eq!(deactivated.json()["status"], "deactivated");

    let unknown = stack
        .send(
            "deactivation",
            Request::post(
                "/staff/portal-users/{id}/deactivate",
                "/staff/portal-users/no-such-user/deactivate",
            )
            .bearer(&stack.staff()),
        )
        .await;
    unknown.assert_problem(StatusCode::NOT_FOUND, "not_found");
    let anonymous = stack
        .send(
            "deactivation",
            Request::post(
                "/staff/portal-users/{id}/deactivate",
                format!("/staff/portal-users/{}/deactivate", members[0]),
            ),
        )
        .await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn pages_serves_the_form_with_its_security_headers_and_404_for_unknown_assets() {
    let stack = stack(&["pages"]).await;

    let page = stack
        .send("pages", Request::get("/register", "/register"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.header("content-type")
            .is_some_and(|kind| kind.starts_with("text/html")),
        "{page:?}"
    );
    assert!(
        page.header("content-security-policy")
            .is_some_and(|csp| csp.contains("default-src 'self'")),
        "{page:?}"
    );
    assert!(page.body.contains("<form"), "{}", page.body);
    let script = stack
        .send(
            "pages",
            Request::get("/assets/{file}", "/assets/register.js"),
        )
        .await;
    assert_eq!(script.status, StatusCode::OK);

    let missing = stack
        .send(
            "pages",
            Request::get("/assets/{file}", "/assets/missing.js"),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{missing:?}");
}

#[tokio::test]
async fn mailer_delivers_from_a_stream_batch_and_a_schedule_and_fails_on_a_non_event() {
    let stack = stack(&["invitation", "mailer"]).await;
    let (first, second) = (address("ada"), address("grace"));
    stack.organization_with(&[&first, &second]).await;
    let messages: Vec<String> = stack
        .deployment
        .keys_starting_with("OUTBOX#")
        .await
        .into_iter()
        .filter_map(|pk| Some(pk.strip_prefix("OUTBOX#")?.to_owned()))
        .filter(|id| id != "pending" && id != "dead")
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");

    let mut batch: Value =
        serde_json::from_str(include_str!("../runtime/events/dynamodb-stream.json")).unwrap();
    batch["Records"][0]["dynamodb"]["Keys"]["pk"]["S"] = json!(format!("OUTBOX#{}", messages[0]));
    let streamed = stack.emulator.invoke("mailer", &batch).await;
    assert_eq!(streamed.status, StatusCode::OK, "{}", streamed.payload);
    assert_eq!(streamed.payload["sent"], 1, "{}", streamed.payload);

    // Scheduler's payload, empty or the template's Input: anything without `Records`.
    let swept = stack.emulator.invoke("mailer", &json!({})).await;
    assert_eq!(swept.status, StatusCode::OK, "{}", swept.payload);
    assert_eq!(swept.payload["sent"], 1, "{}", swept.payload);
    let again = stack
        .emulator
        .invoke("mailer", &json!({ "source": "portal.mailer.sweep" }))
        .await;
    assert_eq!(again.payload["sent"], 0, "{}", again.payload);
    for to in [&first, &second] {
        let emails = emails_to(to, 1).await;
        assert_eq!(emails.len(), 1, "{to}: {emails:?}");
        assert!(emails[0].contains(&format!("{PORTAL_BASE_URL}/welcome#token=")));
    }

    let refused = stack.emulator.invoke("mailer", &json!([])).await;
    assert_ne!(refused.status, StatusCode::OK, "{}", refused.payload);
    assert_eq!(
        refused.payload["errorType"], "NotAnEvent",
        "{}",
        refused.payload
    );
}

#[tokio::test]
async fn importer_runs_an_uploaded_file_from_a_stream_batch_and_sweeps_on_a_schedule() {
    let stack = stack(&["invitation", "importer"]).await;
    let file = portal_testkit::people_csv(
        &portal_testkit::PEOPLE_HEADER,
        &portal_testkit::numbered_people(0, 120, "acme.example"),
    );
    let boundary = "runtime-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    // API Gateway hands a multipart body over base64-encoded.
    let started = stack
        .send(
            "invitation",
            Request::post("/staff/imports", "/staff/imports")
                .bearer(&stack.staff())
                .binary(&format!("multipart/form-data; boundary={boundary}"), &body),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    let id = started.json()["import_id"].as_str().unwrap().to_owned();

    let mut batch: Value =
        serde_json::from_str(include_str!("../runtime/events/dynamodb-stream.json")).unwrap();
    batch["Records"][0]["dynamodb"]["Keys"]["pk"]["S"] = json!(format!("IMPORT#{id}"));
    batch["Records"][0]["dynamodb"]["Keys"]["sk"]["S"] = json!("IMPORT");
    let streamed = stack.emulator.invoke("importer", &batch).await;
    assert_eq!(streamed.status, StatusCode::OK, "{}", streamed.payload);

    let job = stack
        .send(
            "invitation",
            Request::get("/staff/imports/{id}", format!("/staff/imports/{id}"))
                .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(job.status, StatusCode::OK, "{}", job.body);
    let job = job.json();
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["counts"]["added"], 120, "{job}");
    let swept = stack
        .emulator
        .invoke("importer", &json!({ "source": "portal.importer.sweep" }))
        .await;
    assert_eq!(swept.status, StatusCode::OK, "{}", swept.payload);
    assert_eq!(swept.payload, json!(0), "nothing left open");
    let refused = stack.emulator.invoke("importer", &json!([])).await;
    assert_eq!(
        refused.payload["errorType"], "NotAnEvent",
        "{}",
        refused.payload
    );
}

/// One person from the form to a login and out again, each step through the binary
/// that serves it in AWS.
#[tokio::test]
async fn a_person_registers_is_approved_logs_in_and_is_cut_off_across_the_binaries() {
    let stack = stack(&["registration", "approval", "password", "deactivation"]).await;
    let email = address("hedy");
    let password = "correct horse battery staple";

    let submitted = stack
        .send(
            "registration",
            Request::post("/registrations", "/registrations").json(&person(&email)),
        )
        .await;
    let id = text(&submitted.json(), "registration_id");
    let code = six_digits(&emails_to(&email, 1).await[0]).expect("a code");
    let verified = stack
        .send(
            "registration",
            Request::post(
                "/registrations/{id}/verify",
                format!("/registrations/{id}/verify"),
            )
            .json(&json!({ "code": code })),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    for (route, action, body) in [
        (
            "/staff/registrations/{id}/link-contact",
            "link-contact",
            json!({ "create_contact": true }),
        ),
        ("/staff/registrations/{id}/approve", "approve", json!({})),
    ] {
        let answer = stack
            .send(
                "approval",
                Request::post(route, format!("/staff/registrations/{id}/{action}"))
                    .bearer(&stack.staff())
                    .json(&body),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{action}: {}", answer.body);
    }
    let invitation = link_token(&emails_to(&email, 2).await[1]).expect("a link with a token");
    let accepted = stack
        .send(
            "password",
            Request::post("/invitations/accept", "/invitations/accept")
                .json(&json!({ "token": invitation, "password": password })),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let me = stack
        .send(
            "password",
            Request::get("/me", "/me").bearer(&text(&accepted.json(), "access_token")),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["username"], email);
    let user = text(&me.json(), "portal_user_id");

    let deactivated = stack
        .send(
            "deactivation",
            Request::post(
                "/staff/portal-users/{id}/deactivate",
                format!("/staff/portal-users/{user}/deactivate"),
            )
            .bearer(&stack.staff()),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    let login = stack
        .send(
            "password",
            Request::post("/sessions", "/sessions")
                .json(&json!({ "username": email, "password": password })),
        )
        .await;
    login.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
}
