//! Staff sign-in, the parts that need no provider to answer: `/staff/login`'s redirect,
//! the callback's checks before the code exchange (state bound to the browser, single use,
//! expiry, issuer), and the session cookie on every staff route (Origin, idle and absolute
//! expiry, logout). A whole sign-in through a real provider is in tests/browser.

use axum::http::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::secret_token::token_hash;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS, StaffMember};
use portal_domain::use_cases::start_staff_session;
use std::sync::Arc;

use portal_http::{GivenSecret, PermissionRule, ProviderConfig};
use portal_testkit::{Method, ProviderDocs, Reply, Setup, StatusCode, TestApp, request};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::Duration;

const CLIENT_ID: &str = "portal-console";

/// A portal whose staff provider's documents are served on this machine.
async fn with_provider() -> (TestApp, ProviderDocs) {
    let docs = ProviderDocs::serve(r#"{"keys":[]}"#.to_owned()).await;
    let app = Setup::default()
        .staff_provider(ProviderConfig {
            issuer: docs.issuer.clone(),
            client_id: CLIENT_ID.into(),
            audience: CLIENT_ID.into(),
            permissions: PermissionRule {
                claim: "permissions".into(),
                map: None,
            },
            client_secret: Some(Arc::new(GivenSecret("client-secret".into()))),
        })
        .start();
    (app, docs)
}

async fn get(app: &TestApp, path: &str, cookies: &str) -> Reply {
    let mut request = request(Method::GET, path, None, None);
    if !cookies.is_empty() {
        request
            .headers_mut()
            .insert(COOKIE, cookies.parse().unwrap());
    }
    app.send(request).await
}

/// A request with the session cookie and, if given, an `Origin`.
async fn with_session(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    origin: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut request = request(method, path, None, body.as_ref());
    let headers = request.headers_mut();
    headers.insert(
        COOKIE,
        format!("__Host-portal-staff={cookie}").parse().unwrap(),
    );
    if let Some(origin) = origin {
        headers.insert(ORIGIN, origin.parse().unwrap());
    }
    app.send(request).await
}

fn set_cookies(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

fn query(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    &pairs.iter().find(|(key, _)| key == name).unwrap().1
}

fn origin(app: &TestApp) -> String {
    app.ports.settings.portal_base_url.clone()
}

async fn session_for(app: &TestApp, permissions: &[&str]) -> String {
    let member = StaffMember {
        subject: "ada".into(),
        name: Some("Ada Admin".into()),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    };
    let (cookie, _) = start_staff_session(&app.ports, member, None).await.unwrap();
    cookie.as_str().to_owned()
}

/// Starts a sign-in; returns its state (from the cookie) and the redirect's query.
async fn signed_in_start(app: &TestApp) -> (String, Vec<(String, String)>) {
    let reply = get(app, "/staff/login?return_to=/staff%23people", "").await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.text());
    let cookie = set_cookies(&reply)
        .into_iter()
        .find(|c| c.starts_with("__Host-portal-staff-sign-in="))
        .unwrap();
    let state = cookie
        .trim_start_matches("__Host-portal-staff-sign-in=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (state, query(reply.header("location")))
}

#[tokio::test]
async fn without_a_provider_sign_in_is_not_found() {
    let app = TestApp::start();
    for path in ["/staff/login", "/staff/callback?state=x&code=y"] {
        let reply = get(&app, path, "").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(reply.text().contains("not set up"), "{path}");
    }
}

#[tokio::test]
async fn login_sends_the_browser_to_the_provider_with_pkce_state_and_nonce() {
    let (app, docs) = with_provider().await;

    let reply = get(&app, "/staff/login?return_to=/staff%23people", "").await;

    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply.header("location");
    assert!(
        location.starts_with(&format!("{}/auth?", docs.issuer)),
        "{location}"
    );
    let pairs = query(location);
    assert_eq!(param(&pairs, "response_type"), "code");
    assert_eq!(param(&pairs, "client_id"), CLIENT_ID);
    assert_eq!(
        param(&pairs, "redirect_uri"),
        format!("{}/staff/callback", origin(&app))
    );
    assert_eq!(param(&pairs, "code_challenge_method"), "S256");
    assert!(param(&pairs, "scope").split(' ').any(|s| s == "openid"));
    let state = param(&pairs, "state");
    let cookie = &set_cookies(&reply)[0];
    assert!(cookie.starts_with(&format!("__Host-portal-staff-sign-in={state};")));
    for attribute in [
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    // The store keeps the state's hash (never the state) with the verifier whose S256
    // challenge went out, and the nonce that went out.
    let snapshot = app.store.snapshot();
    let kept = &snapshot["staff_sign_ins"][token_hash(state)];
    assert_eq!(kept["nonce"], param(&pairs, "nonce"));
    assert_eq!(kept["return_to"], "/staff#people");
    let verifier = kept["pkce_verifier"].as_str().unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier)),
        param(&pairs, "code_challenge")
    );
    assert!(!snapshot.to_string().contains(state));
}

#[tokio::test]
async fn the_sign_in_routes_are_limited_per_client() {
    let app = Setup::default().client_limit(2).start();
    for _ in 0..2 {
        assert_eq!(
            get(&app, "/staff/login", "").await.status,
            StatusCode::NOT_FOUND
        );
    }
    let third = get(&app, "/staff/login", "").await;
    third.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(third.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn login_refuses_a_return_to_outside_the_console_and_keeps_nothing() {
    let (app, _docs) = with_provider().await;
    let before = app.store.snapshot();
    for return_to in [
        "https://evil.example/staff",
        "//evil.example/staff",
        "/account",
        "/%5Cevil.example",
    ] {
        let path = format!(
            "/staff/login?return_to={}",
            url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect::<String>()
        );
        let reply = get(&app, &path, "").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{return_to}");
        assert!(reply.header("content-type").starts_with("text/html"));
        assert!(reply.text().contains("outside the staff console"));
        assert!(reply.headers.get(LOCATION).is_none());
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_callback_whose_state_is_not_this_browser_s_is_refused_and_uses_nothing_up() {
    let (app, _docs) = with_provider().await;
    let (state, _) = signed_in_start(&app).await;
    let before = app.store.snapshot();

    for (case, cookie) in [
        ("no sign-in cookie", String::new()),
        (
            "another sign-in's cookie",
            "__Host-portal-staff-sign-in=forged".to_owned(),
        ),
    ] {
        let reply = get(
            &app,
            &format!("/staff/callback?state={state}&code=c"),
            &cookie,
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
        assert!(reply.text().contains("Sign in again"), "{case}");
        assert!(
            !set_cookies(&reply)
                .iter()
                .any(|c| c.starts_with("__Host-portal-staff="))
        );
    }
    // A forged state with a matching forged cookie finds no sign-in.
    let reply = get(
        &app,
        "/staff/callback?state=forged&code=c",
        "__Host-portal-staff-sign-in=forged",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.store.snapshot(),
        before,
        "the real sign-in is still there"
    );
}

#[tokio::test]
async fn a_callback_is_single_use_and_a_replay_is_refused() {
    let (app, _docs) = with_provider().await;
    let (state, _) = signed_in_start(&app).await;
    let cookie = format!("__Host-portal-staff-sign-in={state}");
    let path = format!("/staff/callback?state={state}&code=stolen");

    // The first use takes the sign-in (the code exchange then fails: this provider has
    // no token endpoint), and a replay finds nothing to take.
    let first = get(&app, &path, &cookie).await;
    let replay = get(&app, &path, &cookie).await;

    assert_eq!(first.status, StatusCode::BAD_REQUEST);
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.text().contains("already used"));
    assert_eq!(app.store.snapshot()["staff_sign_ins"], json!({}));
    assert_eq!(app.store.snapshot()["staff_sessions"], json!({}));
}

#[tokio::test]
async fn an_expired_sign_in_another_issuer_or_a_provider_error_signs_no_one_in() {
    let (app, _docs) = with_provider().await;
    for case in ["expired", "issuer", "error"] {
        let (state, _) = signed_in_start(&app).await;
        let cookie = format!("__Host-portal-staff-sign-in={state}");
        let path = match case {
            "expired" => {
                app.clock.advance(Duration::minutes(11));
                format!("/staff/callback?state={state}&code=c")
            }
            "issuer" => format!("/staff/callback?state={state}&code=c&iss=https://evil.example"),
            _ => format!("/staff/callback?state={state}&error=access_denied"),
        };
        let reply = get(&app, &path, &cookie).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
        // The sign-in cookie is cleared with the refusal.
        assert!(
            set_cookies(&reply)
                .iter()
                .any(|c| c.starts_with("__Host-portal-staff-sign-in=;") && c.contains("Max-Age=0")),
            "{case}"
        );
    }
    assert_eq!(app.store.snapshot()["staff_sessions"], json!({}));
}

#[tokio::test]
async fn the_session_cookie_signs_staff_in_on_every_staff_route() {
    let app = TestApp::start();
    let cookie = session_for(&app, &[MANAGE_USERS, ASSIGN_ROLES]).await;

    let session = with_session(&app, Method::GET, "/staff/session", &cookie, None, None).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(session.body["subject"], "ada");
    assert_eq!(session.body["name"], "Ada Admin");
    assert_eq!(
        session.body["permissions"],
        json!([MANAGE_USERS, ASSIGN_ROLES])
    );
    assert!(session.body["expires_at"].is_string());
    assert!(session.body.get("id_token").is_none());

    let queue = with_session(
        &app,
        Method::GET,
        "/staff/registrations",
        &cookie,
        None,
        None,
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK);
    let created = with_session(
        &app,
        Method::POST,
        "/staff/contacts",
        &cookie,
        Some(&origin(&app)),
        Some(json!({"first_name": "Lin", "last_name": "Ng"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

#[tokio::test]
async fn a_state_changing_request_with_the_cookie_needs_the_portal_s_origin() {
    let app = TestApp::start();
    let cookie = session_for(&app, &[MANAGE_USERS]).await;
    let before = app.store.snapshot();

    // A cross-site form post hides its origin (`null`) and says so in its Fetch Metadata.
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let reply = with_session(
            &app,
            Method::POST,
            "/staff/contacts",
            &cookie,
            origin,
            Some(json!({"first_name": "Lin", "last_name": "Ng"})),
        )
        .await;
        reply.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(app.store.snapshot(), before);
}

#[tokio::test]
async fn a_form_posted_from_the_portal_s_own_page_counts_by_its_fetch_metadata() {
    let app = TestApp::start();
    let cookie = session_for(&app, &[MANAGE_USERS]).await;
    let post = |site: &'static str| {
        let mut request = request(Method::POST, "/staff/logout", None, None);
        let headers = request.headers_mut();
        headers.insert(
            COOKIE,
            format!("__Host-portal-staff={cookie}").parse().unwrap(),
        );
        headers.insert(ORIGIN, "null".parse().unwrap());
        headers.insert("sec-fetch-site", site.parse().unwrap());
        request
    };

    let cross = app.send(post("cross-site")).await;
    cross.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let own = app.send(post("same-origin")).await;
    assert_eq!(own.status, StatusCode::FOUND);
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_8_hours_in_all() {
    let app = TestApp::start();
    let idle = session_for(&app, &[MANAGE_USERS]).await;
    app.clock.advance(Duration::minutes(30));
    with_session(&app, Method::GET, "/staff/session", &idle, None, None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    let busy = session_for(&app, &[MANAGE_USERS]).await;
    for _ in 0..23 {
        app.clock.advance(Duration::minutes(20));
        let reply =
            with_session(&app, Method::GET, "/staff/registrations", &busy, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "within 8 hours, never idle");
    }
    app.clock.advance(Duration::minutes(20));
    with_session(&app, Method::GET, "/staff/registrations", &busy, None, None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie_but_not_from_another_origin() {
    let app = TestApp::start();
    let cookie = session_for(&app, &[MANAGE_USERS]).await;

    let forged = with_session(
        &app,
        Method::POST,
        "/staff/logout",
        &cookie,
        Some("https://evil.example"),
        None,
    )
    .await;
    forged.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let still = with_session(&app, Method::GET, "/staff/session", &cookie, None, None).await;
    assert_eq!(still.status, StatusCode::OK);

    let reply = with_session(
        &app,
        Method::POST,
        "/staff/logout",
        &cookie,
        Some(&origin(&app)),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.header("location"), "/staff");
    let cleared = &set_cookies(&reply)[0];
    assert!(cleared.starts_with("__Host-portal-staff=;") && cleared.contains("Max-Age=0"));
    for path in ["/staff/session", "/staff/registrations"] {
        with_session(&app, Method::GET, path, &cookie, None, None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn an_unknown_or_doubled_session_cookie_is_401_and_a_bearer_token_still_works() {
    let app = TestApp::start();
    let cookie = session_for(&app, &[MANAGE_USERS]).await;
    with_session(
        &app,
        Method::GET,
        "/staff/registrations",
        "forged",
        None,
        None,
    )
    .await
    .assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    let doubled = get(
        &app,
        "/staff/registrations",
        &format!("__Host-portal-staff={cookie}; __Host-portal-staff=other"),
    )
    .await;
    doubled.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");

    assert_eq!(app.registrations("").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_session_without_the_manage_permission_is_403() {
    let app = TestApp::start();
    let cookie = session_for(&app, &[ASSIGN_ROLES]).await;
    with_session(
        &app,
        Method::GET,
        "/staff/registrations",
        &cookie,
        None,
        None,
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "forbidden");
}
