//! Rerunnable benchmark (not a test): `./scripts/bench`, or `cargo bench -p portal-tests`
//! with PORTAL_TEST_DYNAMODB_ENDPOINT pointing at moto.
//! 1. Registration submits per second through the full router (shared layers included) on
//!    the embedded store with its file journal and the file outbox, on one core.
//! 2. An app's sign-in through the OpenID provider, authorize to token, per second on the
//!    embedded store (a provider session already exists, so no Argon2), on one core.
//! 3. DynamoDB calls per operation of every route that writes, counted by an SDK
//!    interceptor against moto, what each kind of outbox message adds to its write, what
//!    a staff session adds to a staff request, and each step of the OpenID provider.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::types::AttributeValue;
use portal_domain::clock::SystemClock;
use portal_domain::ports::Mailer;
use portal_domain::staff::{MANAGE_USERS, StaffMember};
use portal_domain::testing::RecordingMailer;
use portal_domain::use_cases::start_staff_session;
use portal_email::{EmailConfig, FileOutbox};
use portal_store::{DynamoStore, EmbeddedStore};
use portal_testkit::{
    Api, Method, PASSWORD, StatusCode, TestApp, TestPasskey, bench, moto, person,
};
use serde_json::{Value, json};

const SUBMITS: usize = 20_000;
const ROUNDS: usize = 3;
const DYNAMODB_SAMPLES: usize = 20;
const LOGINS: usize = 100;
const APP_SIGN_INS: usize = 2_000;
const PASSKEY_SIGN_INS: usize = 500;
/// PKCE's example verifier (RFC 7636 Appendix B) and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const APP: &str = "https://app.example.com/callback";

fn main() {
    bench::run(async {
        submits_per_second_on_the_embedded_store().await;
        logins_per_second_against_the_argon2_bound().await;
        totp_sign_ins_per_second_against_the_argon2_bound().await;
        passkey_sign_ins_per_second_on_the_embedded_store().await;
        app_sign_ins_per_second_on_the_embedded_store().await;
        dynamodb_calls_per_operation().await;
    });
}

async fn submits_per_second_on_the_embedded_store() {
    let mut rates = Vec::new();
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("store.jsonl")).expect("store"));
        let ports = portal_testkit::ports(
            store,
            Arc::new(RecordingMailer::default()),
            Arc::new(SystemClock),
        );
        let email = EmailConfig::local("http://127.0.0.1:3000", ports.sealer.clone());
        let outbox: Arc<dyn Mailer> =
            Arc::new(FileOutbox::new(dir.path().join("outbox.jsonl"), email));
        let router = portal_http::app(portal_registration::router(portal_domain::Ports {
            mailer: outbox,
            ..ports
        }));
        let api = Api::in_process(router);
        let started = Instant::now();
        for i in 0..SUBMITS {
            let reply = api
                .register(person(&format!("p{round}-{i}@example.com")))
                .await;
            assert_eq!(reply.status, StatusCode::ACCEPTED);
        }
        rates.push(SUBMITS as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "embedded store: {:.0} registration submits/s on one core (median of {ROUNDS} rounds of {SUBMITS}; min {:.0}, max {:.0})",
        rates[ROUNDS / 2],
        rates[0],
        rates[ROUNDS - 1]
    );
}

async fn dynamodb_calls_per_operation() {
    let endpoint = bench::moto_endpoint("dynamodb", "PORTAL_TEST_DYNAMODB_ENDPOINT");
    let calls = CallCounter::default();
    let base = portal_store::connect_dynamodb(Some(&endpoint)).await;
    let config = base
        .config()
        .to_builder()
        .interceptor(calls.clone())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let table = format!("portal-bench-{}", std::process::id());
    portal_store::table::create_table_if_missing(&client, &table)
        .await
        .expect("create table");
    // On a clock the benchmark moves, to get past the one-minute wait before a resend.
    let app = TestApp::setup().start_on(Arc::new(DynamoStore::new(client.clone(), table.clone())));
    let app = &app;
    let email = |i: usize| format!("d{i}@example.com");

    let ids = measure(&calls, "POST /registrations", |i| async move {
        app.register(person(&email(i))).await.id("registration_id")
    })
    .await;
    app.clock.advance(time::Duration::seconds(60));
    measure(&calls, "POST /registrations/{id}/resend-code", |i| {
        app.resend(&ids[i])
    })
    .await;
    // What was mailed is read before each step, so its reading is not counted.
    let codes = mailed(|i| async move { app.code_for(&email(i)).await }).await;
    measure(&calls, "POST /registrations/{id}/verify", |i| {
        app.verify(&ids[i], &codes[i])
    })
    .await;
    measure(
        &calls,
        "POST /staff/registrations/{id}/link-contact (new contact)",
        |i| app.link_new_contact(&ids[i]),
    )
    .await;
    measure(&calls, "POST /staff/registrations/{id}/approve", |i| {
        app.approve(&ids[i], json!({}))
    })
    .await;
    let tokens = mailed(|i| async move { app.invitation_token(&email(i)).await }).await;
    let pairs = measure(&calls, "POST /invitations/accept", |i| {
        app.accept_invitation(&tokens[i], PASSWORD, None)
    })
    .await;
    measure(&calls, "POST /sessions (login)", |i| async move {
        app.log_in(&email(i), PASSWORD).await
    })
    .await;
    measure(&calls, "POST /sessions/refresh", |i| {
        app.refresh(pairs[i].body["refresh_token"].as_str().expect("a pair"))
    })
    .await;
    second_step_calls(app, &calls, &pairs, &email).await;
    passkey_calls(app, &calls, &pairs).await;
    // People known by name alone: staff hand each a link (not counted), they give an
    // address and accept with the code mailed to it.
    let mut links = Vec::new();
    for _ in 0..DYNAMODB_SAMPLES {
        links.push(app.known_by_name("Ivan", "Petrov").await.2);
    }
    let links = &links;
    let named = |i: usize| format!("n{i}@example.com");
    let sent = measure(&calls, "POST /invitations/email", |i| async move {
        app.send_email_code(&links[i], &named(i)).await
    })
    .await;
    assert!(
        sent.iter()
            .all(|reply| reply.status == StatusCode::ACCEPTED)
    );
    let codes = mailed(|i| async move { app.code_for(&named(i)).await }).await;
    let accepted = measure(
        &calls,
        "POST /invitations/accept (confirming an address)",
        |i| {
            app.post(
                "/invitations/accept",
                json!({ "token": links[i], "password": PASSWORD, "email_code": codes[i] }),
            )
        },
    )
    .await;
    assert!(accepted.iter().all(|reply| reply.status == StatusCode::OK));
    staff_session_calls(app, &calls).await;
    provider_calls(app, &calls).await;
    outbox_write_cost(&client, &table).await;
}

/// The sign-in of users with an authenticator app (set up first, not counted): the
/// password's step, then the code's.
async fn second_step_calls(
    app: &TestApp<DynamoStore>,
    calls: &CallCounter,
    pairs: &[portal_testkit::Reply],
    email: &impl Fn(usize) -> String,
) {
    use portal_domain::clock::Clock;
    let mut secrets = Vec::new();
    for pair in pairs {
        let (secret, _) = app
            .enrol_totp(&pair.id("access_token"), app.clock.now())
            .await;
        secrets.push(secret);
    }
    app.clock.advance(time::Duration::seconds(30));
    let steps = measure(
        calls,
        "POST /sessions (a second factor is due)",
        |i| async move { app.log_in(&email(i), PASSWORD).await },
    )
    .await;
    let (steps, secrets) = (&steps, &secrets);
    let signed_in = measure(calls, "POST /sessions/mfa", |i| async move {
        let code = portal_testkit::totp_code(&secrets[i], app.clock.now());
        app.second_factor(&steps[i].id("mfa_token"), json!({ "code": code }))
            .await
    })
    .await;
    assert!(signed_in.iter().all(|reply| reply.status == StatusCode::OK));
    // The provider's steps below sign the same people in with a password alone.
    for reply in &signed_in {
        let removed = app
            .call(
                Method::DELETE,
                "/me/mfa/totp",
                Some(&reply.id("access_token")),
                None,
            )
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    }
}

/// A sign-in with a passkey alone by users who registered one (not counted): the options,
/// then the passkey's answer. The passkeys are removed again, for the provider's steps.
async fn passkey_calls(
    app: &TestApp<DynamoStore>,
    calls: &CallCounter,
    pairs: &[portal_testkit::Reply],
) {
    let mut passkeys = Vec::new();
    for pair in pairs {
        let mut passkey = TestPasskey::at(portal_testkit::TEST_BASE_URL);
        app.enrol_passkey(&pair.id("access_token"), &mut passkey)
            .await;
        passkeys.push(passkey);
    }
    let options = measure(calls, "POST /sessions/passkey/options", |_| {
        app.post("/sessions/passkey/options", json!({}))
    })
    .await;
    let bodies: Vec<Value> = options
        .iter()
        .zip(&mut passkeys)
        .map(|(options, passkey)| {
            let credential = passkey.get(&json!({ "publicKey": options.body["publicKey"] }));
            json!({ "passkey_token": options.id("passkey_token"), "credential": credential })
        })
        .collect();
    let bodies = &bodies;
    let signed_in = measure(calls, "POST /sessions/passkey", |i| {
        app.post("/sessions/passkey", bodies[i].clone())
    })
    .await;
    for (reply, passkey) in signed_in.iter().zip(&passkeys) {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let path = format!("/me/passkeys/{}", passkey.credential_id());
        let removed = app
            .call(Method::DELETE, &path, Some(&reply.id("access_token")), None)
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    }
}

/// A registered confidential app: its id and secret.
async fn app_client<S: portal_domain::ports::Store + 'static>(
    app: &TestApp<S>,
) -> (String, String) {
    let reply = app
        .register_oidc_client(json!({ "name": "Bench app", "redirect_uris": [APP] }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    (reply.id("client_id"), reply.id("client_secret"))
}

/// The query of an authorization request of `client_id`.
fn authorization(client_id: &str) -> String {
    format!(
        "client_id={client_id}&redirect_uri={}&response_type=code&scope=openid%20email%20offline_access\
         &state=s&nonce=n&code_challenge={CHALLENGE}&code_challenge_method=S256",
        url::form_urlencoded::byte_serialize(APP.as_bytes()).collect::<String>()
    )
}

/// The provider session's cookie value a sign-in set.
fn provider_cookie(reply: &portal_testkit::Reply) -> String {
    let cookie = reply.header("set-cookie");
    cookie["__Host-portal-provider=".len()..]
        .split(';')
        .next()
        .expect("a value")
        .to_owned()
}

/// The code of an authorization's redirect.
fn code_of(reply: &portal_testkit::Reply) -> String {
    let location = url::Url::parse(reply.header("location")).expect("a redirect to the app");
    location
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.into_owned())
        .expect("a code")
}

/// An app's sign-in, authorize to token, through the router on the embedded store with its
/// file journal: the person is signed in at the provider already (no Argon2).
async fn app_sign_ins_per_second_on_the_embedded_store() {
    let mut rates = Vec::new();
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("store.jsonl")).expect("store"));
        let app = TestApp::setup().start_on(store);
        app.active_user("app@example.com", json!({})).await;
        let (client_id, secret) = app_client(&app).await;
        let cookie = provider_cookie(&app.provider_sign_in("app@example.com", PASSWORD).await);
        let query = authorization(&client_id);
        let started = Instant::now();
        for _ in 0..APP_SIGN_INS {
            let code = code_of(&app.authorize(&query, Some(&cookie)).await);
            let tokens = app
                .oidc_token(
                    &client_id,
                    &secret,
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", APP),
                        ("code_verifier", VERIFIER),
                    ],
                )
                .await;
            assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
        }
        rates.push(APP_SIGN_INS as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "embedded store: {:.0} app sign-ins/s (authorize + token, ID token RS256) on one core (median of {ROUNDS} rounds of {APP_SIGN_INS}; min {:.0}, max {:.0})",
        rates[ROUNDS / 2],
        rates[0],
        rates[ROUNDS - 1]
    );
}

/// Each step of the OpenID provider, for the users `d{i}@example.com` the other steps made.
async fn provider_calls(app: &TestApp<DynamoStore>, calls: &CallCounter) {
    let (client_id, secret) = app_client(app).await;
    let (client_id, secret) = (&client_id, &secret);
    let query = &authorization(client_id);
    let signed_in = measure(
        calls,
        "POST /oauth2/login (Argon2 as a login)",
        |i| async move {
            app.provider_sign_in(&format!("d{i}@example.com"), PASSWORD)
                .await
        },
    )
    .await;
    let cookies: Vec<String> = signed_in.iter().map(provider_cookie).collect();
    let cookies = &cookies;
    let authorized = measure(calls, "GET /oauth2/authorize (signed in: a code)", |i| {
        app.authorize(query, Some(&cookies[i]))
    })
    .await;
    let codes: Vec<String> = authorized.iter().map(code_of).collect();
    let codes = &codes;
    let tokens = measure(
        calls,
        "POST /oauth2/token (authorization_code)",
        |i| async move {
            app.oidc_token(
                client_id,
                secret,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &codes[i]),
                    ("redirect_uri", APP),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await
        },
    )
    .await;
    let tokens = &tokens;
    let refreshed = measure(
        calls,
        "POST /oauth2/token (refresh_token)",
        |i| async move {
            let refresh_token = tokens[i].id("refresh_token");
            app.oidc_token(
                client_id,
                secret,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh_token),
                ],
            )
            .await
        },
    )
    .await;
    let refreshed = &refreshed;
    measure(calls, "GET /oauth2/userinfo", |i| async move {
        let access_token = refreshed[i].id("access_token");
        app.call(Method::GET, "/oauth2/userinfo", Some(&access_token), None)
            .await
    })
    .await;
    measure(
        calls,
        "POST /oauth2/revoke (a refresh token)",
        |i| async move {
            let token = refreshed[i].id("refresh_token");
            app.oidc_form("/oauth2/revoke", client_id, secret, &[("token", &token)])
                .await
        },
    )
    .await;
    let ended = measure(calls, "GET /oauth2/logout (id_token_hint)", |i| {
        let path = format!("/oauth2/logout?id_token_hint={}", tokens[i].id("id_token"));
        let mut request = portal_testkit::request(Method::GET, &path, None, None);
        let cookie = format!("__Host-portal-provider={}", cookies[i]);
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("a cookie"));
        app.send(request)
    })
    .await;
    assert!(ended.iter().all(|reply| reply.status == StatusCode::OK));
}

/// What a staff session costs a request: sessions are started directly (the provider's
/// part of a sign-in is the browser tests'), then read on `/staff/session`, which does
/// nothing else.
async fn staff_session_calls(app: &TestApp<DynamoStore>, calls: &CallCounter) {
    let member = StaffMember {
        subject: "bench".into(),
        name: None,
        permissions: vec![MANAGE_USERS.into()],
    };
    let mut cookies = Vec::new();
    for _ in 0..DYNAMODB_SAMPLES {
        let (cookie, _) = start_staff_session(&app.ports, member.clone(), None)
            .await
            .expect("a session");
        cookies.push(format!("__Host-portal-staff={}", cookie.as_str()));
    }
    let cookies = &cookies;
    let with_cookie = |i: usize, method: Method, path: &str| {
        let mut request = portal_testkit::request(method, path, None, None);
        let headers = request.headers_mut();
        headers.insert("cookie", cookies[i].parse().expect("a cookie"));
        headers.insert("sec-fetch-site", "same-origin".parse().expect("a header"));
        app.send(request)
    };
    let read = |name| {
        measure(calls, name, move |i| {
            with_cookie(i, Method::GET, "/staff/session")
        })
    };
    let fresh = read("GET /staff/session (a request within a minute of the last)").await;
    app.clock.advance(time::Duration::seconds(61));
    let touched = read("GET /staff/session (a minute later: the request recorded)").await;
    let ended = measure(calls, "POST /staff/logout", |i| {
        with_cookie(i, Method::POST, "/staff/logout")
    })
    .await;
    assert!(
        fresh
            .iter()
            .chain(&touched)
            .all(|reply| reply.status == StatusCode::OK)
    );
    assert!(ended.iter().all(|reply| reply.status == StatusCode::FOUND));
}

/// What `read` answers for every sample, read outside any measurement.
async fn mailed<F, Fut>(read: F) -> Vec<String>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let mut secrets = Vec::new();
    for i in 0..DYNAMODB_SAMPLES {
        secrets.push(read(i).await);
    }
    secrets
}

/// What the outbox adds to a transition's write: its item's size by DynamoDB's sizing
/// rules, and the write units that costs inside a transaction (2 per started KB).
async fn outbox_write_cost(client: &aws_sdk_dynamodb::Client, table: &str) {
    let mut sizes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for item in moto::scan(client, table).await {
        let Some(AttributeValue::M(data)) = item.get("data") else {
            continue;
        };
        let is_outbox =
            matches!(item.get("pk"), Some(AttributeValue::S(pk)) if pk.starts_with("OUTBOX#"));
        let Some(AttributeValue::M(content)) = data.get("content") else {
            continue;
        };
        if let (true, Some(AttributeValue::S(kind))) = (is_outbox, content.get("kind")) {
            let size = item
                .iter()
                .map(|(name, value)| name.len() + value_size(value))
                .sum();
            sizes.entry(kind.clone()).or_default().push(size);
        }
    }
    for (kind, sizes) in sizes {
        let largest = sizes.iter().copied().max().unwrap_or_default();
        println!(
            "outbox: {kind} message: {largest} bytes at most ({} seen), {} write units in its transaction, +1 for the sent mark",
            sizes.len(),
            2 * largest.div_ceil(1024)
        );
    }
}

/// An attribute value's size as DynamoDB bills it (numbers: about one byte per two digits).
fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => number.len().div_ceil(2) + 1,
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, value)| name.len() + value_size(value) + 1)
                .sum::<usize>()
        }
        AttributeValue::L(list) => {
            3 + list
                .iter()
                .map(|value| value_size(value) + 1)
                .sum::<usize>()
        }
        other => panic!("unexpected attribute type in an outbox item: {other:?}"),
    }
}

/// Logins per second through the router (one Argon2 verification each), set against
/// Argon2 verifications per second alone: the login's own overhead is the difference.
async fn logins_per_second_against_the_argon2_bound() {
    let app = TestApp::start();
    app.registered_user(person("login@example.com")).await;
    let bound = argon2_bound(&app).await;
    let started = Instant::now();
    for _ in 0..LOGINS {
        let reply = app.log_in("login@example.com", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let logins = LOGINS as f64 / started.elapsed().as_secs_f64();
    println!(
        "logins: {logins:.1}/s on one core through the router on the embedded store; Argon2id verifications alone {bound:.1}/s: {:.0} % of the bound ({LOGINS} each)",
        100.0 * logins / bound
    );
}

/// Argon2id verifications per second alone, with the app's hasher: what a login costs
/// at least.
async fn argon2_bound(app: &TestApp) -> f64 {
    let hasher = app.ports.hasher.clone();
    let stored = hasher
        .hash(
            &portal_domain::password::NewPassword::parse(PASSWORD, &[], Default::default())
                .expect("a good password"),
        )
        .await;
    let started = Instant::now();
    for _ in 0..LOGINS {
        assert!(hasher.verify(PASSWORD, Some(&stored)).await);
    }
    LOGINS as f64 / started.elapsed().as_secs_f64()
}

/// Sign-ins with an authenticator app per second through the router (the password's
/// Argon2 verification, then the second step: one code checked, one conditional write),
/// set against Argon2 verifications per second alone. The test clock moves one step per
/// sign-in, since a step's code is accepted once.
async fn totp_sign_ins_per_second_against_the_argon2_bound() {
    use portal_domain::clock::Clock;
    let app = TestApp::start();
    let ada = app.registered_user(person("totp@example.com")).await;
    let (secret, _) = app.enrol_totp(&ada.access_token, app.clock.now()).await;
    let bound = argon2_bound(&app).await;
    let started = Instant::now();
    for _ in 0..LOGINS {
        app.clock.advance(time::Duration::seconds(30));
        let step = app.log_in("totp@example.com", PASSWORD).await;
        let code = portal_testkit::totp_code(&secret, app.clock.now());
        let reply = app
            .second_factor(&step.id("mfa_token"), json!({ "code": code }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let sign_ins = LOGINS as f64 / started.elapsed().as_secs_f64();
    println!(
        "sign-ins with an authenticator app: {sign_ins:.1}/s on one core through the router on the embedded store; Argon2id verifications alone {bound:.1}/s: {:.0} % of the bound ({LOGINS} each)",
        100.0 * sign_ins / bound
    );
}

/// Sign-ins with a passkey alone through the router (options, then the answer: one ECDSA
/// P-256 verification, one conditional write), the software authenticator's signing
/// measured apart and left out.
async fn passkey_sign_ins_per_second_on_the_embedded_store() {
    let app = TestApp::start();
    let ada = app.registered_user(person("passkey@example.com")).await;
    let mut passkey = TestPasskey::at(portal_testkit::TEST_BASE_URL);
    app.enrol_passkey(&ada.access_token, &mut passkey).await;
    let mut rates = Vec::new();
    for _ in 0..ROUNDS {
        let mut in_portal = std::time::Duration::ZERO;
        for _ in 0..PASSKEY_SIGN_INS {
            let started = Instant::now();
            let options = app.post("/sessions/passkey/options", json!({})).await;
            in_portal += started.elapsed();
            let credential = passkey.get(&json!({ "publicKey": options.body["publicKey"] }));
            let body =
                json!({ "passkey_token": options.id("passkey_token"), "credential": credential });
            let started = Instant::now();
            let reply = app.post("/sessions/passkey", body).await;
            in_portal += started.elapsed();
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        rates.push(PASSKEY_SIGN_INS as f64 / in_portal.as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "sign-ins with a passkey alone: {:.0}/s on one core through the router on the embedded store (median of {ROUNDS} rounds of {PASSKEY_SIGN_INS}; min {:.0}, max {:.0}; the authenticator's signing left out)",
        rates[ROUNDS / 2],
        rates[0],
        rates[ROUNDS - 1]
    );
}

/// Runs `operation` for every sample and prints the DynamoDB calls it made per sample.
async fn measure<T, F, Fut>(calls: &CallCounter, name: &str, mut operation: F) -> Vec<T>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    calls.reset();
    let mut outputs = Vec::new();
    for i in 0..DYNAMODB_SAMPLES {
        outputs.push(operation(i).await);
    }
    calls.report(name, DYNAMODB_SAMPLES);
    outputs
}

/// Counts DynamoDB requests by operation (the `x-amz-target` header names it).
#[derive(Clone, Debug, Default)]
struct CallCounter(Arc<Mutex<BTreeMap<String, usize>>>);

impl CallCounter {
    fn reset(&self) {
        self.0.lock().expect("lock").clear();
    }

    fn report(&self, operation: &str, samples: usize) {
        let counts = std::mem::take(&mut *self.0.lock().expect("lock"));
        let total: usize = counts.values().sum();
        let detail: Vec<String> = counts
            .iter()
            .map(|(name, n)| format!("{name} {}", *n as f64 / samples as f64))
            .collect();
        println!(
            "dynamodb: {operation} = {} calls ({})",
            total as f64 / samples as f64,
            detail.join(" + ")
        );
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown")
            .trim_start_matches("DynamoDB_20120810.")
            .to_owned();
        *self.0.lock().expect("lock").entry(target).or_default() += 1;
        Ok(())
    }
}
