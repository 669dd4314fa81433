//! Staff authentication by bearer token, in process, through a tiny router that takes the
//! `Staff` extractor: our HS256 tokens, and the provider's, whose keys come from its
//! discovery document (served here by a small document server on a free port).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use portal_domain::Ports;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_http::{
    DevTokens, PermissionRule, ProviderConfig, Staff, StaffAuthConfig, StaffVerifier, app,
    mint_dev_staff_token,
};
use portal_testkit::{ProviderDocs, Setup};
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &[u8] = b"a local staff secret of at least 32 bytes";
const ISSUER: &str = "https://idp.example.test";
const AUDIENCE: &str = "portal-staff";
const KID: &str = "staff-test-1";
const PRIVATE_KEY: &[u8] = include_bytes!("fixtures/staff-ed25519.pem");
const STRANGER_KEY: &[u8] = include_bytes!("fixtures/other-ed25519.pem");
const JWKS: &str = include_str!("fixtures/staff-jwks.json");

#[derive(Clone)]
struct TestState {
    verifier: Arc<StaffVerifier>,
    ports: Ports,
}

impl FromRef<TestState> for Arc<StaffVerifier> {
    fn from_ref(state: &TestState) -> Self {
        state.verifier.clone()
    }
}

impl FromRef<TestState> for Ports {
    fn from_ref(state: &TestState) -> Self {
        state.ports.clone()
    }
}

fn hs256_app() -> Router {
    test_app(StaffAuthConfig {
        provider: None,
        dev: Some(DevTokens {
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            secret: SECRET.to_vec(),
        }),
    })
}

/// An app trusting the provider whose documents `docs` serves.
fn provider_config(docs: &ProviderDocs, permissions: PermissionRule) -> StaffAuthConfig {
    StaffAuthConfig {
        provider: Some(ProviderConfig {
            issuer: docs.issuer.clone(),
            client_id: "portal-console".into(),
            audience: AUDIENCE.into(),
            permissions,
            client_secret: None,
        }),
        dev: None,
    }
}

fn permissions_claim() -> PermissionRule {
    PermissionRule {
        claim: "permissions".into(),
        map: None,
    }
}

/// An app trusting the provider, and the claims its tokens must carry.
async fn jwks_app() -> (Router, Value) {
    let docs = ProviderDocs::serve(JWKS.to_owned()).await;
    let mut claims = claims();
    claims["iss"] = json!(docs.issuer);
    (
        test_app(provider_config(&docs, permissions_claim())),
        claims,
    )
}

fn test_app(config: StaffAuthConfig) -> Router {
    let routes = Router::new()
        .route(
            "/staff/me",
            get(|Staff(staff): Staff| async move {
                axum::Json(json!({
                    "subject": staff.subject,
                    "name": staff.name,
                    "permissions": staff.permissions,
                }))
            }),
        )
        .with_state(TestState {
            verifier: Arc::new(StaffVerifier::new(config).unwrap()),
            ports: Setup::default().start().ports.clone(),
        });
    app(routes)
}

fn dev_token(permissions: &[&str]) -> String {
    mint_dev_staff_token(
        SECRET,
        ISSUER,
        AUDIENCE,
        "staff-42",
        "Ada Staff",
        permissions,
        Duration::from_secs(600),
    )
}

/// Claims a valid token would carry; tests remove or change one.
fn claims() -> Value {
    let now = get_current_timestamp();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "staff-42",
        "name": "Ada Staff",
        "permissions": [MANAGE_USERS],
        "iat": now,
        "exp": now + 600,
    })
}

fn without(claim: &str) -> Value {
    let mut claims = claims();
    claims.as_object_mut().unwrap().remove(claim);
    claims
}

fn with(claim: &str, value: Value) -> Value {
    let mut claims = claims();
    claims[claim] = value;
    claims
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn eddsa(claims: &Value, pem: &[u8], kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &EncodingKey::from_ed_pem(pem).unwrap()).unwrap()
}

/// jsonwebtoken refuses to make these, so by hand: `header.payload.` with no signature.
fn unsigned(header: Value, claims: &Value) -> String {
    let part = |value: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap());
    format!("{}.{}.", part(&header), part(claims))
}

async fn call(app: Router, authorization: Option<&str>) -> Response {
    let mut request = Request::get("/staff/me");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    app.oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn with_token(app: Router, token: &str) -> Response {
    call(app, Some(&format!("Bearer {token}"))).await
}

async fn json_body(response: Response) -> Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// A 401 problem with the bearer challenge and the one generic detail.
async fn assert_unauthenticated(response: Response, case: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer",
        "{case}"
    );
    let body = json_body(response).await;
    assert_eq!(body["code"], "unauthenticated", "{case}");
    assert_eq!(
        body["detail"], "Sign in as staff (or send a valid staff bearer token)",
        "{case}"
    );
}

#[tokio::test]
async fn a_valid_token_is_accepted_and_its_claims_read() {
    let response = with_token(hs256_app(), &dev_token(&[MANAGE_USERS, ASSIGN_ROLES])).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({
            "subject": "staff-42",
            "name": "Ada Staff",
            "permissions": [ASSIGN_ROLES, MANAGE_USERS],
        })
    );
}

#[tokio::test]
async fn name_is_optional() {
    let response = with_token(hs256_app(), &hs256(&without("name"), SECRET)).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await["name"], Value::Null);
}

#[tokio::test]
async fn no_token_is_401() {
    assert_unauthenticated(call(hs256_app(), None).await, "no header").await;
}

#[tokio::test]
async fn a_malformed_authorization_header_is_401() {
    let token = dev_token(&[MANAGE_USERS]);
    for value in [
        format!("Basic {token}"),
        format!("Bearer{token}"),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer not-a-jwt".to_owned(),
        "Bearer a.b.c".to_owned(),
        token.clone(),
    ] {
        assert_unauthenticated(call(hs256_app(), Some(&value)).await, &value).await;
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let token = dev_token(&[MANAGE_USERS]);
    let response = call(hs256_app(), Some(&format!("bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let past = get_current_timestamp() - 3600;
    let mut claims = claims();
    claims["iat"] = json!(past - 600);
    claims["exp"] = json!(past);
    assert_unauthenticated(
        with_token(hs256_app(), &hs256(&claims, SECRET)).await,
        "expired",
    )
    .await;
}

#[tokio::test]
async fn a_token_from_the_future_is_401() {
    let future = get_current_timestamp() + 3600;
    let token = hs256(&with("iat", json!(future)), SECRET);
    assert_unauthenticated(with_token(hs256_app(), &token).await, "iat ahead").await;
    let token = hs256(&with("nbf", json!(future)), SECRET);
    assert_unauthenticated(with_token(hs256_app(), &token).await, "nbf ahead").await;
}

#[tokio::test]
async fn a_wrong_issuer_or_audience_is_401() {
    for (case, claims) in [
        ("issuer", with("iss", json!("https://evil.example.test"))),
        ("audience", with("aud", json!("another-app"))),
        ("audience list", with("aud", json!(["another-app"]))),
    ] {
        let token = hs256(&claims, SECRET);
        assert_unauthenticated(with_token(hs256_app(), &token).await, case).await;
    }
}

#[tokio::test]
async fn an_audience_list_naming_us_is_accepted() {
    let token = hs256(&with("aud", json!(["another-app", AUDIENCE])), SECRET);
    assert_eq!(
        with_token(hs256_app(), &token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_401() {
    let token = hs256(&claims(), b"another secret, also 32 bytes long!!");
    assert_unauthenticated(with_token(hs256_app(), &token).await, "wrong key").await;
}

#[tokio::test]
async fn an_unsigned_token_is_401() {
    for header in [
        json!({"alg": "none"}),
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "None"}),
        json!({"alg": "none", "kid": KID}),
    ] {
        let token = unsigned(header.clone(), &claims());
        let case = format!("{header}");
        assert_unauthenticated(with_token(hs256_app(), &token).await, &case).await;
        assert_unauthenticated(with_token(jwks_app().await.0, &token).await, &case).await;
    }
}

#[tokio::test]
async fn a_token_missing_a_required_claim_is_401() {
    for claim in ["sub", "iat", "exp", "iss", "aud"] {
        let token = hs256(&without(claim), SECRET);
        assert_unauthenticated(with_token(hs256_app(), &token).await, claim).await;
    }
}

#[tokio::test]
async fn malformed_claims_are_401() {
    for (claim, value) in [
        ("sub", json!("")),
        ("sub", json!(42)),
        ("iat", json!("yesterday")),
        ("exp", json!("tomorrow")),
    ] {
        let token = hs256(&with(claim, value.clone()), SECRET);
        let case = format!("{claim} = {value}");
        assert_unauthenticated(with_token(hs256_app(), &token).await, &case).await;
    }
}

#[tokio::test]
async fn the_hs256_verifier_refuses_other_algorithms() {
    let token = eddsa(&claims(), PRIVATE_KEY, Some(KID));
    assert_unauthenticated(with_token(hs256_app(), &token).await, "EdDSA").await;
    let token = encode(
        &Header::new(Algorithm::HS512),
        &claims(),
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    assert_unauthenticated(with_token(hs256_app(), &token).await, "HS512").await;
}

#[tokio::test]
async fn a_token_signed_by_a_key_of_the_provider_s_jwks_is_accepted() {
    let (app, claims) = jwks_app().await;
    let token = eddsa(&claims, PRIVATE_KEY, Some(KID));
    let response = with_token(app, &token).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await["subject"], "staff-42");
}

#[tokio::test]
async fn an_hs256_token_is_refused_when_only_a_provider_is_trusted() {
    let (app, claims) = jwks_app().await;
    let jwks: Value = serde_json::from_str(JWKS).unwrap();
    let x = jwks["keys"][0]["x"].as_str().unwrap();
    let raw_public_key = URL_SAFE_NO_PAD.decode(x).unwrap();
    // Algorithm confusion: "signed" with what an attacker knows of the public key.
    for secret in [
        raw_public_key.as_slice(),
        x.as_bytes(),
        JWKS.as_bytes(),
        SECRET,
    ] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(KID.to_owned());
        let token = encode(&header, &claims, &EncodingKey::from_secret(secret)).unwrap();
        assert_unauthenticated(with_token(app.clone(), &token).await, "HS256 with kid").await;
    }
}

#[tokio::test]
async fn a_provider_token_needs_a_known_kid_and_the_matching_key() {
    let (app, claims) = jwks_app().await;
    for (case, token) in [
        (
            "unknown kid",
            eddsa(&claims, PRIVATE_KEY, Some("rotated-away")),
        ),
        ("no kid", eddsa(&claims, PRIVATE_KEY, None)),
        ("stranger's key", eddsa(&claims, STRANGER_KEY, Some(KID))),
    ] {
        assert_unauthenticated(with_token(app.clone(), &token).await, case).await;
    }
}

#[tokio::test]
async fn a_provider_token_is_held_to_issuer_audience_and_claims() {
    let (app, claims) = jwks_app().await;
    let changed = |claim: &str, value: Option<Value>| {
        let mut claims = claims.clone();
        match value {
            Some(value) => claims[claim] = value,
            None => drop(claims.as_object_mut().unwrap().remove(claim)),
        }
        claims
    };
    for (case, claims) in [
        (
            "issuer",
            changed("iss", Some(json!("https://evil.example.test"))),
        ),
        ("audience", changed("aud", Some(json!("another-app")))),
        ("no iat", changed("iat", None)),
        ("no sub", changed("sub", None)),
    ] {
        let token = eddsa(&claims, PRIVATE_KEY, Some(KID));
        assert_unauthenticated(with_token(app.clone(), &token).await, case).await;
    }
}

#[tokio::test]
async fn the_keys_are_fetched_once_and_again_only_for_an_unknown_kid_at_most_once_a_minute() {
    let docs = ProviderDocs::serve(JWKS.to_owned()).await;
    let app = test_app(provider_config(&docs, permissions_claim()));
    let mut claims = claims();
    claims["iss"] = json!(docs.issuer);
    let good = eddsa(&claims, PRIVATE_KEY, Some(KID));
    assert_eq!(
        docs.key_fetches(),
        0,
        "nothing is fetched before a token comes"
    );

    for _ in 0..3 {
        assert_eq!(
            with_token(app.clone(), &good).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(docs.key_fetches(), 1, "known keys are cached");

    // A burst of forged kids less than a minute after the fetch: none reaches the provider.
    for n in 0..5 {
        let forged = eddsa(&claims, PRIVATE_KEY, Some(&format!("forged-{n}")));
        assert_unauthenticated(with_token(app.clone(), &forged).await, "forged kid").await;
    }
    assert_eq!(
        docs.key_fetches(),
        1,
        "an unknown kid refetches at most once a minute"
    );
}

#[tokio::test]
async fn an_unknown_kid_before_any_fetch_fetches_the_keys_once() {
    let docs = ProviderDocs::serve(JWKS.to_owned()).await;
    let app = test_app(provider_config(&docs, permissions_claim()));
    let mut claims = claims();
    claims["iss"] = json!(docs.issuer);

    let forged = eddsa(&claims, PRIVATE_KEY, Some("forged"));
    assert_unauthenticated(with_token(app.clone(), &forged).await, "forged kid").await;
    let good = eddsa(&claims, PRIVATE_KEY, Some(KID));
    assert_eq!(with_token(app, &good).await.status(), StatusCode::OK);

    assert_eq!(docs.key_fetches(), 1);
}

#[tokio::test]
async fn a_group_claim_maps_to_permissions() {
    let docs = ProviderDocs::serve(JWKS.to_owned()).await;
    let app = test_app(provider_config(
        &docs,
        PermissionRule {
            claim: "groups".into(),
            map: Some(
                [(
                    "portal-admins".to_owned(),
                    vec![MANAGE_USERS.to_owned(), ASSIGN_ROLES.to_owned()],
                )]
                .into(),
            ),
        },
    ));
    let mut claims = claims();
    claims["iss"] = json!(docs.issuer);
    claims["groups"] = json!(["cafeteria", "portal-admins"]);
    claims.as_object_mut().unwrap().remove("permissions");

    let response = with_token(app.clone(), &eddsa(&claims, PRIVATE_KEY, Some(KID))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await["permissions"],
        json!([ASSIGN_ROLES, MANAGE_USERS])
    );

    claims["groups"] = json!(["cafeteria"]);
    let response = with_token(app, &eddsa(&claims, PRIVATE_KEY, Some(KID))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_token_without_the_manage_permission_is_403() {
    for (case, token) in [
        ("roles only", dev_token(&[ASSIGN_ROLES])),
        ("no permissions", dev_token(&[])),
        ("claim missing", hs256(&without("permissions"), SECRET)),
        ("null", hs256(&with("permissions", Value::Null), SECRET)),
    ] {
        let response = with_token(hs256_app(), &token).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
        assert_eq!(json_body(response).await["code"], "forbidden", "{case}");
    }
    let (app, mut claims) = jwks_app().await;
    claims.as_object_mut().unwrap().remove("permissions");
    let token = eddsa(&claims, PRIVATE_KEY, Some(KID));
    assert_eq!(
        with_token(app, &token).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[test]
fn a_short_hs256_secret_is_refused() {
    let error = StaffVerifier::new(StaffAuthConfig {
        provider: None,
        dev: Some(DevTokens {
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            secret: b"too short".to_vec(),
        }),
    })
    .err()
    .unwrap();
    assert!(error.contains("32 bytes"), "{error}");
}

#[test]
fn a_verifier_trusting_nothing_is_refused() {
    let error = StaffVerifier::new(StaffAuthConfig {
        provider: None,
        dev: None,
    })
    .err()
    .unwrap();
    assert!(error.contains("STAFF_OIDC_ISSUER"), "{error}");
}

#[tokio::test]
async fn the_verifier_reads_a_dev_token() {
    let verifier = StaffVerifier::new(StaffAuthConfig {
        provider: None,
        dev: Some(DevTokens {
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            secret: SECRET.to_vec(),
        }),
    })
    .unwrap();
    let staff = verifier.verify(&dev_token(&[MANAGE_USERS])).await.unwrap();
    assert_eq!(staff.subject, "staff-42");
    assert_eq!(staff.name.as_deref(), Some("Ada Staff"));
    assert_eq!(staff.permissions, [MANAGE_USERS]);
    let error = verifier.verify("a.b.c").await.unwrap_err();
    assert!(!error.contains("a.b.c"), "{error}");
}

#[tokio::test]
async fn permissions_in_one_string_are_read_as_space_separated_values() {
    let token = hs256(&with("permissions", json!(MANAGE_USERS)), SECRET);
    let response = with_token(hs256_app(), &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await["permissions"],
        json!([MANAGE_USERS])
    );
}

/// The verifier of a sign-in's ID tokens, its provider's documents, and the claims of a
/// token it accepts (nonce `n-1`, for the client `portal-console`).
async fn id_token_verifier() -> (StaffVerifier, ProviderDocs, Value) {
    let docs = ProviderDocs::serve(JWKS.to_owned()).await;
    let verifier = StaffVerifier::new(provider_config(&docs, permissions_claim())).unwrap();
    let mut claims = claims();
    claims["iss"] = json!(docs.issuer);
    claims["aud"] = json!("portal-console");
    claims["nonce"] = json!("n-1");
    (verifier, docs, claims)
}

#[tokio::test]
async fn an_id_token_for_our_client_with_the_sign_in_s_nonce_names_the_staff_member() {
    let (verifier, _docs, claims) = id_token_verifier().await;
    let token = eddsa(&claims, PRIVATE_KEY, Some(KID));

    let staff = verifier.verify_id_token(&token, "n-1").await.unwrap();

    assert_eq!(staff.subject, "staff-42");
    assert_eq!(staff.permissions, [MANAGE_USERS]);
}

#[tokio::test]
async fn an_id_token_with_a_wrong_nonce_issuer_audience_party_or_age_is_refused() {
    let (verifier, _docs, claims) = id_token_verifier().await;
    let changed = |claim: &str, value: Value| {
        let mut claims = claims.clone();
        claims[claim] = value;
        claims
    };
    let past = get_current_timestamp() - 3600;
    let mut expired = claims.clone();
    expired["iat"] = json!(past - 600);
    expired["exp"] = json!(past);
    let mut no_nonce = claims.clone();
    no_nonce.as_object_mut().unwrap().remove("nonce");
    for (case, claims, expected) in [
        ("wrong nonce", changed("nonce", json!("n-2")), "nonce"),
        ("no nonce", no_nonce, "nonce"),
        (
            "other issuer",
            changed("iss", json!("https://evil.example")),
            "refused",
        ),
        // The bearer tokens' audience is not the client's: an access token for the API is
        // not an ID token for the console.
        ("other audience", changed("aud", json!(AUDIENCE)), "refused"),
        (
            "several audiences, issued to another",
            {
                let mut claims = changed("aud", json!(["portal-console", "other-app"]));
                claims["azp"] = json!("other-app");
                claims
            },
            "azp",
        ),
        (
            "several audiences, no azp",
            changed("aud", json!(["portal-console", "other-app"])),
            "azp",
        ),
        ("expired", expired, "refused"),
    ] {
        let token = eddsa(&claims, PRIVATE_KEY, Some(KID));
        let error = verifier.verify_id_token(&token, "n-1").await.unwrap_err();
        assert!(error.contains(expected), "{case}: {error}");
    }
    let stranger = eddsa(&claims, STRANGER_KEY, Some(KID));
    assert!(verifier.verify_id_token(&stranger, "n-1").await.is_err());
}
