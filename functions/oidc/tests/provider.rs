//! The OpenID provider through its routes: the code flow, and every RFC 9700 bad input.

use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_testkit::{PASSWORD, Reply, TEST_BASE_URL, TestApp, oidc_keys};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const APP: &str = "https://app.example.com/callback";
const APP_LOGOUT: &str = "https://app.example.com/signed-out";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A registered app and a signed-in person's provider cookie.
struct Provider {
    app: TestApp,
    client_id: String,
    secret: String,
    user_id: String,
    cookie: String,
}

impl Provider {
    async fn start() -> Self {
        let app = TestApp::start();
        let member = app.active_user("ada@example.com", json!({})).await;
        let (client_id, secret) = register(&app, "confidential").await;
        let cookie = sign_in(&app, "ada@example.com").await;
        Self {
            app,
            client_id,
            secret,
            user_id: member.id,
            cookie,
        }
    }

    fn authorize_query(&self, extra: &[(&str, &str)]) -> String {
        let challenge = challenge(VERIFIER);
        let mut pairs = vec![
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", APP),
            ("response_type", "code"),
            ("scope", "openid email profile offline_access"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        for (name, value) in extra {
            pairs.retain(|(held, _)| held != name);
            if !value.is_empty() {
                pairs.push((name, value));
            }
        }
        encode(&pairs)
    }

    async fn authorize(&self, extra: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        self.app
            .authorize(&self.authorize_query(extra), cookie)
            .await
    }

    /// A code from a signed-in authorization.
    async fn code(&self) -> String {
        let reply = self.authorize(&[], Some(&self.cookie)).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.text());
        param(&reply, "code").expect("a code")
    }

    async fn token(&self, pairs: &[(&str, &str)]) -> Reply {
        token_as(&self.app, &self.client_id, &self.secret, pairs).await
    }

    async fn redeem(&self, code: &str) -> Reply {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", APP),
            ("code_verifier", VERIFIER),
        ])
        .await
    }
}

async fn register(app: &TestApp, kind: &str) -> (String, String) {
    let reply = app
        .register_oidc_client(json!({
            "name": "Orders app",
            "redirect_uris": [APP],
            "post_logout_redirect_uris": [APP_LOGOUT],
            "type": kind,
        }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    (
        reply.id("client_id"),
        reply.body["client_secret"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Signs in at the provider: the session cookie's value, checked for its flags.
async fn sign_in(app: &TestApp, username: &str) -> String {
    let reply = app.provider_sign_in(username, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let cookie = reply.header("set-cookie");
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    cookie
        .trim_start_matches("__Host-portal-provider=")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn token_as(app: &TestApp, id: &str, secret: &str, pairs: &[(&str, &str)]) -> Reply {
    app.oidc_token(id, secret, pairs).await
}

/// A query parameter of the redirect's `Location`.
fn param(reply: &Reply, name: &str) -> Option<String> {
    let location = url::Url::parse(reply.header("location")).ok()?;
    location
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn id_token_claims(reply: &Reply) -> Value {
    let token = reply.body["id_token"].as_str().expect("an id_token");
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn discovery_names_our_endpoints_and_the_jwks_holds_an_rs256_key() {
    let app = TestApp::start();
    let discovery = app.get("/.well-known/openid-configuration").await;
    assert_eq!(discovery.status, StatusCode::OK);
    assert_eq!(
        discovery.body["issuer"],
        TEST_BASE_URL.trim_end_matches('/')
    );
    assert_eq!(
        discovery.body["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(discovery.body["response_types_supported"], json!(["code"]));
    let jwks = app.get("/oauth2/jwks").await;
    let algs: Vec<&str> = jwks.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["RS256", "EdDSA"]);
}

#[tokio::test]
async fn a_signed_in_person_gets_a_code_that_trades_for_verified_tokens_once() {
    let provider = Provider::start().await;
    let reply = provider.authorize(&[], Some(&provider.cookie)).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert!(reply.header("location").starts_with(APP));
    assert_eq!(param(&reply, "state").as_deref(), Some("st-1"));
    assert_eq!(
        param(&reply, "iss").as_deref(),
        Some(TEST_BASE_URL.trim_end_matches('/'))
    );
    let code = param(&reply, "code").unwrap();

    let tokens = provider.redeem(&code).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert_eq!(tokens.header("cache-control"), "no-store");
    let claims = id_token_claims(&tokens);
    assert_eq!(claims["sub"], provider.user_id.as_str());
    assert_eq!(claims["aud"], provider.client_id.as_str());
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["email"], "ada@example.com");
    assert_eq!(claims["amr"], json!(["pwd"]));
    let keys = oidc_keys();
    let verified = keys
        .verify_hint(
            tokens.body["id_token"].as_str().unwrap(),
            TEST_BASE_URL.trim_end_matches('/'),
        )
        .unwrap();
    assert_eq!(verified.sub, provider.user_id);

    let access = tokens.id("access_token");
    let info = provider.app.userinfo(&access).await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    assert_eq!(info.body["sub"], provider.user_id.as_str());
    assert_eq!(info.body["email"], "ada@example.com");

    // A code used twice: refused, and what its first use issued ends (RFC 6749 §4.1.2).
    let again = provider.redeem(&code).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.body["error"], "invalid_grant");
    let after = provider.app.userinfo(&access).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let refresh = provider
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.id("refresh_token")),
        ])
        .await;
    assert_eq!(refresh.body["error"], "invalid_grant");
}

#[tokio::test]
async fn of_two_racing_redemptions_of_one_code_one_gets_tokens() {
    let provider = Provider::start().await;
    let code = provider.code().await;
    let (first, second) = tokio::join!(provider.redeem(&code), provider.redeem(&code));
    let statuses = [first.status, second.status];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(statuses.contains(&StatusCode::BAD_REQUEST), "{statuses:?}");
}

#[tokio::test]
async fn a_refresh_rotates_and_a_reused_refresh_token_ends_the_session() {
    let provider = Provider::start().await;
    let tokens = provider.redeem(&provider.code().await).await;
    let old = tokens.id("refresh_token");
    let rotated = provider
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &old)])
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert_eq!(id_token_claims(&rotated)["sub"], provider.user_id.as_str());
    provider.app.clock.advance(time::Duration::seconds(10));
    let replay = provider
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &old)])
        .await;
    assert_eq!(replay.body["error"], "invalid_grant");
    let newest = provider
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rotated.id("refresh_token")),
        ])
        .await;
    assert_eq!(newest.body["error"], "invalid_grant", "the family ended");
    // An app's refresh token is no `/sessions` refresh token.
    let elsewhere = provider.app.refresh(&rotated.id("refresh_token")).await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_code_without_its_verifier_with_another_redirect_or_expired_is_invalid_grant() {
    let provider = Provider::start().await;
    for (case, pairs) in [
        ("no verifier", vec![("redirect_uri", APP)]),
        (
            "wrong verifier",
            vec![
                ("redirect_uri", APP),
                ("code_verifier", &"x".repeat(43) as &str),
            ],
        ),
        ("no redirect_uri", vec![("code_verifier", VERIFIER)]),
        (
            "another redirect_uri",
            vec![
                ("redirect_uri", "https://app.example.com/callback/"),
                ("code_verifier", VERIFIER),
            ],
        ),
    ] {
        let code = provider.code().await;
        let mut all = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        all.extend(pairs);
        let reply = provider.token(&all).await;
        assert_eq!(reply.body["error"], "invalid_grant", "{case}");
    }
    let code = provider.code().await;
    provider.app.clock.advance(time::Duration::seconds(61));
    assert_eq!(
        provider.redeem(&code).await.body["error"],
        "invalid_grant",
        "expired"
    );
}

#[tokio::test]
async fn another_client_cannot_redeem_a_code_and_a_wrong_secret_is_invalid_client() {
    let provider = Provider::start().await;
    let (other_id, other_secret) = register(&provider.app, "confidential").await;
    let code = provider.code().await;
    let mixed_up = token_as(
        &provider.app,
        &other_id,
        &other_secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", APP),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(mixed_up.body["error"], "invalid_grant");
    let wrong = token_as(
        &provider.app,
        &provider.client_id,
        "guess",
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["error"], "invalid_client");
    // The code survived both: the right client still redeems it.
    assert_eq!(provider.redeem(&code).await.status, StatusCode::OK);
}

#[tokio::test]
async fn another_client_can_neither_refresh_nor_revoke_an_apps_tokens() {
    let provider = Provider::start().await;
    let (other_id, other_secret) = register(&provider.app, "confidential").await;
    let tokens = provider.redeem(&provider.code().await).await;
    let refresh_token = tokens.id("refresh_token");

    let refreshed = token_as(
        &provider.app,
        &other_id,
        &other_secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ],
    )
    .await;
    let revoked = provider
        .app
        .oidc_form(
            "/oauth2/revoke",
            &other_id,
            &other_secret,
            &[("token", &refresh_token)],
        )
        .await;

    assert_eq!(refreshed.body["error"], "invalid_grant");
    // RFC 7009: the same answer as for a revoked token, and nothing revoked.
    assert_eq!(revoked.status, StatusCode::OK);
    let info = provider.app.userinfo(&tokens.id("access_token")).await;
    assert_eq!(info.status, StatusCode::OK, "the app's session goes on");
    let own = provider
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ])
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
}

#[tokio::test]
async fn a_public_client_sends_no_secret_and_the_token_endpoint_takes_only_its_grants() {
    let provider = Provider::start().await;
    let (public_id, _) = register(&provider.app, "public").await;
    let post = |pairs: Vec<(&str, &str)>| {
        let body = encode(&pairs);
        let app = &provider.app;
        async move {
            app.post_raw("/oauth2/token", "application/x-www-form-urlencoded", body)
                .await
        }
    };
    let wrong = post(vec![("grant_type", "password"), ("client_id", &public_id)]).await;
    assert_eq!(wrong.body["error"], "unsupported_grant_type");
    let with_secret = post(vec![
        ("grant_type", "authorization_code"),
        ("client_id", &public_id),
        ("client_secret", "anything"),
    ])
    .await;
    assert_eq!(with_secret.body["error"], "invalid_client");
    let twice = provider
        .app
        .post_raw(
            "/oauth2/token",
            "application/x-www-form-urlencoded",
            format!("grant_type=refresh_token&grant_type=authorization_code&client_id={public_id}"),
        )
        .await;
    assert_eq!(twice.body["error"], "invalid_request");
    let json = provider
        .app
        .post("/oauth2/token", json!({"grant_type": "authorization_code"}))
        .await;
    assert_eq!(json.body["error"], "invalid_request");
}

#[tokio::test]
async fn an_unknown_client_or_redirect_uri_gets_a_page_never_a_redirect() {
    let provider = Provider::start().await;
    for extra in [
        vec![("client_id", "0123456789abcdef0123456789abcdef")],
        vec![("client_id", "not-an-id")],
        vec![("redirect_uri", "https://app.example.com/callback/")],
        vec![("redirect_uri", "https://app.example.com/callback/x")],
        vec![("redirect_uri", "https://app.example.com:8443/callback")],
        vec![("redirect_uri", "https://app.example.com/callback#x")],
        vec![("redirect_uri", "https://evil.example/callback")],
        vec![("redirect_uri", "")],
    ] {
        let reply = provider.authorize(&extra, Some(&provider.cookie)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{extra:?}");
        assert!(reply.headers.get("location").is_none(), "{extra:?}");
        assert!(reply.header("content-type").starts_with("text/html"));
    }
}

#[tokio::test]
async fn other_bad_requests_go_back_to_the_app_with_the_rfc_error() {
    let provider = Provider::start().await;
    for (extra, error) in [
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "profile email")], "invalid_scope"),
        (
            vec![("request", "eyJhbGciOiJub25lIn0.e30.")],
            "request_not_supported",
        ),
        (
            vec![("request_uri", "https://evil.example/r")],
            "request_uri_not_supported",
        ),
        (vec![("prompt", "none login")], "invalid_request"),
        (vec![("max_age", "soon")], "invalid_request"),
    ] {
        let reply = provider.authorize(&extra, Some(&provider.cookie)).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{extra:?}");
        assert_eq!(param(&reply, "error").as_deref(), Some(error), "{extra:?}");
        assert_eq!(param(&reply, "state").as_deref(), Some("st-1"));
        assert_eq!(param(&reply, "code"), None);
    }
}

#[tokio::test]
async fn without_a_session_prompt_none_is_login_required_and_otherwise_the_login_page() {
    let provider = Provider::start().await;
    let none = provider.authorize(&[("prompt", "none")], None).await;
    assert_eq!(param(&none, "error").as_deref(), Some("login_required"));
    let login = provider
        .authorize(&[("login_hint", "ada@example.com")], None)
        .await;
    let location = login.header("location");
    assert!(
        location.starts_with("/login?continue=%2Foauth2%2Fauthorize%3F"),
        "{location}"
    );
    assert!(
        location.contains("login_hint=ada%40example.com"),
        "{location}"
    );
    // prompt=login asks again even when signed in, and is left out of the way back.
    let again = provider
        .authorize(&[("prompt", "login")], Some(&provider.cookie))
        .await;
    let location = again.header("location");
    assert!(location.starts_with("/login?"), "{location}");
    assert!(!location.contains("prompt"), "{location}");
    // max_age: a sign-in older than asked for.
    provider.app.clock.advance(time::Duration::seconds(120));
    let old = provider
        .authorize(&[("max_age", "60")], Some(&provider.cookie))
        .await;
    assert!(old.header("location").starts_with("/login?"));
    let fresh_enough = provider
        .authorize(&[("max_age", "600")], Some(&provider.cookie))
        .await;
    assert!(param(&fresh_enough, "code").is_some());
}

#[tokio::test]
async fn the_provider_login_refuses_another_site_and_wrong_passwords() {
    let provider = Provider::start().await;
    let foreign = Request::post("/oauth2/login")
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .body(
            json!({"username": "ada@example.com", "password": PASSWORD})
                .to_string()
                .into_bytes(),
        )
        .unwrap();
    let reply = provider.app.send(foreign).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.headers.get("set-cookie").is_none());
    let wrong = Request::post("/oauth2/login")
        .header("content-type", "application/json")
        .header("origin", TEST_BASE_URL)
        .body(
            json!({"username": "ada@example.com", "password": "a wrong but long guess"})
                .to_string()
                .into_bytes(),
        )
        .unwrap();
    let reply = provider.app.send(wrong).await;
    reply.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn deactivation_ends_the_provider_session_userinfo_and_refresh_at_once() {
    let provider = Provider::start().await;
    let tokens = provider.redeem(&provider.code().await).await;
    let reply = provider.app.deactivate(&provider.user_id).await;
    assert!(reply.status.is_success(), "{}", reply.body);
    let info = provider.app.userinfo(&tokens.id("access_token")).await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED);
    assert!(info.header("www-authenticate").contains("invalid_token"));
    let refresh = provider
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.id("refresh_token")),
        ])
        .await;
    assert_eq!(refresh.body["error"], "invalid_grant");
    let silent = provider
        .authorize(&[("prompt", "none")], Some(&provider.cookie))
        .await;
    assert_eq!(param(&silent, "error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn revocation_ends_the_app_session_and_is_silent_about_unknown_tokens() {
    let provider = Provider::start().await;
    let tokens = provider.redeem(&provider.code().await).await;
    let provider = &provider;
    let revoke = |token: String| async move {
        provider
            .app
            .oidc_form(
                "/oauth2/revoke",
                &provider.client_id,
                &provider.secret,
                &[("token", &token)],
            )
            .await
    };
    assert_eq!(revoke("unknown".into()).await.status, StatusCode::OK);
    assert_eq!(
        revoke(tokens.id("refresh_token")).await.status,
        StatusCode::OK
    );
    let info = provider.app.userinfo(&tokens.id("access_token")).await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_returns_only_to_registered_uris_and_only_for_the_signed_in_person() {
    let provider = Provider::start().await;
    let tokens = provider.redeem(&provider.code().await).await;
    let hint = tokens.id("id_token");
    let logout = |pairs: Vec<(&str, &str)>, cookie: &str| {
        let request = Request::get(format!("/oauth2/logout?{}", encode(&pairs)))
            .header("cookie", format!("__Host-portal-provider={cookie}"))
            .body(Vec::new())
            .unwrap();
        provider.app.send(request)
    };
    // An open redirect through post_logout_redirect_uri: refused, nothing ended.
    let open = logout(
        vec![
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ],
        &provider.cookie,
    )
    .await;
    assert_eq!(open.status, StatusCode::BAD_REQUEST);
    assert!(open.headers.get("location").is_none());
    // Another person's ID token as the hint: refused, nothing ended.
    provider.app.active_user("bob@example.com", json!({})).await;
    let bob = sign_in(&provider.app, "bob@example.com").await;
    let foreign = logout(vec![("id_token_hint", &hint)], &bob).await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST);
    let still = provider.authorize(&[("prompt", "none")], Some(&bob)).await;
    assert!(param(&still, "code").is_some(), "bob is still signed in");
    // No hint: a page asks first.
    let ask = logout(vec![], &provider.cookie).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.text().contains("method=\"post\""));
    // The right hint and a registered URI: signed out, back with state.
    let done = logout(
        vec![
            ("id_token_hint", &hint),
            ("post_logout_redirect_uri", APP_LOGOUT),
            ("state", "bye"),
        ],
        &provider.cookie,
    )
    .await;
    assert_eq!(done.status, StatusCode::FOUND);
    assert_eq!(done.header("location"), format!("{APP_LOGOUT}?state=bye"));
    assert!(done.header("set-cookie").contains("Max-Age=0"));
    let after = provider
        .authorize(&[("prompt", "none")], Some(&provider.cookie))
        .await;
    assert_eq!(param(&after, "error").as_deref(), Some("login_required"));
    let info = provider.app.userinfo(&tokens.id("access_token")).await;
    assert_eq!(
        info.status,
        StatusCode::UNAUTHORIZED,
        "the app's session ended too"
    );
}

#[tokio::test]
async fn staff_need_the_clients_permission_and_valid_redirect_uris() {
    let app = TestApp::start();
    let manager_only = portal_testkit::staff_token(&["portal.users.manage"]);
    let reply = app
        .as_staff(&manager_only)
        .staff_post(
            "/staff/oidc-clients",
            json!({"name": "A", "redirect_uris": [APP]}),
        )
        .await;
    reply.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let reply = app
        .staff_post(
            "/staff/oidc-clients",
            json!({"name": "A", "redirect_uris": ["http://app.example.com/cb"]}),
        )
        .await;
    reply.assert_invalid(&["redirect_uris"]);
    let listed = app.staff_get("/staff/oidc-clients").await;
    assert_eq!(listed.items().len(), 0, "nothing was registered");
    let (id, secret) = register(&app, "confidential").await;
    let detail = app.staff_get(&format!("/staff/oidc-clients/{id}")).await;
    assert_eq!(detail.body["name"], "Orders app");
    assert!(!detail.text().contains(&secret), "the secret is shown once");
}

#[tokio::test]
async fn a_link_naming_an_app_goes_on_to_its_login_initiation_uri_with_our_issuer() {
    let app = TestApp::start();
    let reply = app
        .staff_post(
            "/staff/oidc-clients",
            json!({
                "name": "Orders",
                "redirect_uris": [APP],
                "initiate_login_uri": "https://app.example.com/login?from=portal",
            }),
        )
        .await;
    let client = reply.id("client_id");
    let (without, _) = register(&app, "public").await;

    let reply = app
        .get(&format!("/oauth2/initiate?client_id={client}"))
        .await;

    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(
        reply.header("location"),
        format!(
            "https://app.example.com/login?from=portal&iss={}",
            url::form_urlencoded::byte_serialize(TEST_BASE_URL.trim_end_matches('/').as_bytes())
                .collect::<String>()
        )
    );
    for other in [without.as_str(), "0123456789abcdef0123456789abcdef", "x"] {
        let reply = app
            .get(&format!("/oauth2/initiate?client_id={other}"))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{other}");
        assert!(reply.headers.get("location").is_none());
    }
    assert_eq!(
        app.get("/oauth2/initiate").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_password_reset_ends_the_provider_session() {
    let provider = Provider::start().await;
    let link = provider.app.reset_link("ada@example.com").await;
    let reset = provider
        .app
        .complete_reset(&link, "an entirely new passphrase")
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);

    let silent = provider
        .authorize(&[("prompt", "none")], Some(&provider.cookie))
        .await;

    assert_eq!(param(&silent, "error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn a_sign_in_with_a_second_factor_carries_it_into_the_apps_tokens() {
    use portal_domain::clock::Clock;
    let provider = Provider::start().await;
    let app = &provider.app;
    let ada = app.active_user("grace@example.com", json!({})).await;
    let (secret, _) = app.enrol_totp(&ada.access_token, app.clock.now()).await;
    app.clock.advance(time::Duration::seconds(30));

    let first = app.provider_sign_in("grace@example.com", PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["mfa_required"], true);
    let code = portal_testkit::totp_code(&secret, app.clock.now());

    let (id_claims, access_claims) =
        apps_tokens_after(&provider, &first, json!({ "code": code })).await;

    assert_eq!(id_claims["sub"], ada.id.as_str());
    assert_eq!(id_claims["amr"], json!(["pwd", "otp", "mfa"]));
    assert_eq!(access_claims["amr"], json!(["pwd", "otp", "mfa"]));
}

#[tokio::test]
async fn a_passkey_as_the_second_step_carries_hwk_into_the_apps_tokens() {
    let provider = Provider::start().await;
    let app = &provider.app;
    let ada = app.active_user("grace@example.com", json!({})).await;
    let mut passkey = portal_testkit::TestPasskey::at(TEST_BASE_URL);
    app.enrol_passkey(&ada.access_token, &mut passkey).await;

    let first = app.provider_sign_in("grace@example.com", PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let credential = passkey.get(&first.body["passkey_options"]);

    let (id_claims, access_claims) =
        apps_tokens_after(&provider, &first, json!({ "credential": credential })).await;

    assert_eq!(id_claims["sub"], ada.id.as_str());
    assert_eq!(id_claims["amr"], json!(["pwd", "hwk", "mfa"]));
    assert_eq!(access_claims["amr"], json!(["pwd", "hwk", "mfa"]));
}

#[tokio::test]
async fn a_passkey_alone_signs_in_at_the_provider_but_only_from_the_portals_pages() {
    let provider = Provider::start().await;
    let app = &provider.app;
    let ada = app.active_user("grace@example.com", json!({})).await;
    let mut passkey = portal_testkit::TestPasskey::at(TEST_BASE_URL);
    app.enrol_passkey(&ada.access_token, &mut passkey).await;

    app.provider_passkey_sign_in(&mut passkey, "https://evil.example")
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let signed_in = app
        .provider_passkey_sign_in(&mut passkey, TEST_BASE_URL)
        .await;

    let (id_claims, access_claims) = apps_tokens_of(&provider, &signed_in).await;
    assert_eq!(id_claims["sub"], ada.id.as_str());
    assert_eq!(id_claims["amr"], json!(["hwk", "mfa"]));
    assert_eq!(access_claims["amr"], json!(["hwk", "mfa"]));
}

/// The provider's second step finished with `answer`, then an app's sign-in: the claims of
/// its ID token and of its access token.
async fn apps_tokens_after(provider: &Provider, first: &Reply, answer: Value) -> (Value, Value) {
    let finished = provider
        .app
        .provider_second_factor(&first.id("mfa_token"), answer)
        .await;
    apps_tokens_of(provider, &finished).await
}

/// An app's sign-in with the provider cookie `finished` set: the claims of its ID token
/// and of its access token.
async fn apps_tokens_of(provider: &Provider, finished: &Reply) -> (Value, Value) {
    assert_eq!(
        finished.status,
        StatusCode::NO_CONTENT,
        "{}",
        finished.text()
    );
    let cookie = finished
        .header("set-cookie")
        .trim_start_matches("__Host-portal-provider=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let reply = provider.authorize(&[], Some(&cookie)).await;
    let tokens = provider.redeem(&param(&reply, "code").unwrap()).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    (
        id_token_claims(&tokens),
        portal_testkit::claims(&tokens.id("access_token")),
    )
}
