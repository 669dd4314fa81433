//! Staff authentication, in process, through a tiny router that takes the `Staff` extractor.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS};
use portal_http::{Staff, StaffAuthConfig, StaffKey, StaffVerifier, app, mint_dev_staff_token};
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &[u8] = b"a local staff secret of at least 32 bytes";
const ISSUER: &str = "https://idp.example.test";
const AUDIENCE: &str = "portal-staff";
const KID: &str = "staff-test-1";
const PRIVATE_KEY: &[u8] = include_bytes!("fixtures/staff-ed25519.pem");
const STRANGER_KEY: &[u8] = include_bytes!("fixtures/other-ed25519.pem");
const JWKS: &str = include_str!("fixtures/staff-jwks.json");

fn hs256_app() -> Router {
    test_app(StaffKey::Hs256(SECRET.to_vec()))
}

fn jwks_app() -> Router {
    test_app(StaffKey::Jwks(serde_json::from_str(JWKS).unwrap()))
}

fn test_app(key: StaffKey) -> Router {
    let verifier = StaffVerifier::new(StaffAuthConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        key,
    })
    .unwrap();
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
        .with_state(Arc::new(verifier));
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
        body["detail"], "A valid staff bearer token is required",
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
            "permissions": [MANAGE_USERS, ASSIGN_ROLES],
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
        assert_unauthenticated(with_token(jwks_app(), &token).await, &case).await;
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
        ("permissions", json!(MANAGE_USERS)),
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
async fn a_token_signed_by_a_jwks_key_is_accepted() {
    let token = eddsa(&claims(), PRIVATE_KEY, Some(KID));
    let response = with_token(jwks_app(), &token).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await["subject"], "staff-42");
}

#[tokio::test]
async fn an_hs256_token_is_refused_when_a_jwks_is_configured() {
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
        let token = encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
        assert_unauthenticated(with_token(jwks_app(), &token).await, "HS256 with kid").await;
    }
}

#[tokio::test]
async fn a_jwks_token_needs_a_known_kid_and_the_matching_key() {
    for (case, token) in [
        (
            "unknown kid",
            eddsa(&claims(), PRIVATE_KEY, Some("rotated-away")),
        ),
        ("no kid", eddsa(&claims(), PRIVATE_KEY, None)),
        ("stranger's key", eddsa(&claims(), STRANGER_KEY, Some(KID))),
    ] {
        assert_unauthenticated(with_token(jwks_app(), &token).await, case).await;
    }
}

#[tokio::test]
async fn a_jwks_token_is_held_to_issuer_audience_and_claims() {
    for (case, claims) in [
        ("issuer", with("iss", json!("https://evil.example.test"))),
        ("audience", with("aud", json!("another-app"))),
        ("no iat", without("iat")),
        ("no sub", without("sub")),
    ] {
        let token = eddsa(&claims, PRIVATE_KEY, Some(KID));
        assert_unauthenticated(with_token(jwks_app(), &token).await, case).await;
    }
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
    let token = eddsa(&without("permissions"), PRIVATE_KEY, Some(KID));
    assert_eq!(
        with_token(jwks_app(), &token).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[test]
fn a_short_hs256_secret_is_refused() {
    let error = StaffVerifier::new(StaffAuthConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        key: StaffKey::Hs256(b"too short".to_vec()),
    })
    .err()
    .unwrap();
    assert!(error.contains("32 bytes"), "{error}");
}

#[test]
fn the_verifier_reads_a_dev_token() {
    let verifier = StaffVerifier::new(StaffAuthConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        key: StaffKey::Hs256(SECRET.to_vec()),
    })
    .unwrap();
    let staff = verifier.verify(&dev_token(&[MANAGE_USERS])).unwrap();
    assert_eq!(staff.subject, "staff-42");
    assert_eq!(staff.name.as_deref(), Some("Ada Staff"));
    assert_eq!(staff.permissions, [MANAGE_USERS]);
    let error = verifier.verify("a.b.c").unwrap_err();
    assert!(!error.contains("a.b.c"), "{error}");
}
