//! Portal access tokens: issuing, verifying, the JWKS, and the `PortalCaller` extractor
//! through a tiny router.

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
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
    get_current_timestamp,
};
use portal_domain::ids::{OrganizationId, PortalUserId};
use portal_http::{
    ACCESS_TOKEN_LIFETIME, AccessTokenClaims, AccessTokenConfig, AccessTokenSubject,
    AccessTokenVerifier, AccessTokenVerifierConfig, AccessTokens, PortalCaller, PortalSigningKey,
    app, mint_dev_staff_token,
};
use serde_json::{Value, json};
use tower::ServiceExt;

const ISSUER: &str = "https://portal.example.test";
const AUDIENCE: &str = "portal-api";
const SEED: [u8; 32] = [7; 32];
const OTHER_SEED: [u8; 32] = [8; 32];
/// What `EncodingKey::from_ed_der` wants in front of a seed (PKCS#8, RFC 8410).
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

fn tokens_for(seed: [u8; 32], issuer: &str, audience: &str) -> AccessTokens {
    AccessTokens::new(AccessTokenConfig {
        issuer: issuer.to_owned(),
        audience: audience.to_owned(),
        signing_key: PortalSigningKey::from_seed(seed),
    })
}

fn tokens() -> AccessTokens {
    tokens_for(SEED, ISSUER, AUDIENCE)
}

fn subject() -> AccessTokenSubject {
    AccessTokenSubject {
        user_id: PortalUserId::parse(USER).unwrap(),
        organization_id: OrganizationId::parse(ORGANIZATION),
        roles: vec!["portal.base".to_owned(), "billing.read".to_owned()],
        org_admin: true,
        token_version: 3,
        session_id: "session-7".to_owned(),
        amr: vec!["pwd".to_owned(), "otp".to_owned(), "mfa".to_owned()],
        auth_time: time::OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap(),
    }
}

/// The ids a token names, in the shape every id has.
const USER: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const ORGANIZATION: &str = "09090909090909090909090909090909";

/// The decoded JSON of one part (0 header, 1 claims) of a token, unverified.
fn part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode_part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Claims a valid token would carry; tests remove or change one.
fn claims() -> Value {
    let now = get_current_timestamp();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": USER,
        "iat": now,
        "exp": now + 900,
        "jti": "0123456789abcdef0123456789abcdef",
        "roles": ["portal.base"],
        "org_admin": false,
        "ver": 1,
        "sid": "session-7",
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

/// The header our tokens carry.
fn our_header() -> Header {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(tokens().verifier().kid().to_owned());
    header
}

/// Signed with `seed`, whatever the header and claims: for tokens `issue` would not make.
fn signed(header: &Header, claims: &Value, seed: [u8; 32]) -> String {
    let der = [PKCS8_PREFIX.as_slice(), &seed].concat();
    encode(header, claims, &EncodingKey::from_ed_der(&der)).unwrap()
}

#[test]
fn an_issued_token_verifies_with_all_its_claims() {
    let tokens = tokens();
    let before = get_current_timestamp();
    let (token, expires_in) = tokens.issue(&subject());

    assert_eq!(expires_in, 900);
    assert_eq!(expires_in, ACCESS_TOKEN_LIFETIME.as_secs());
    let claims = tokens.verifier().verify(&token).unwrap();
    assert_eq!(claims.iss, ISSUER);
    assert_eq!(claims.aud, AUDIENCE);
    assert_eq!(claims.sub.as_str(), USER);
    assert_eq!(claims.org.as_deref(), Some(ORGANIZATION));
    assert_eq!(claims.roles, ["portal.base", "billing.read"]);
    assert!(claims.org_admin);
    assert_eq!(claims.ver, 3);
    assert_eq!(claims.amr, ["pwd", "otp", "mfa"]);
    assert_eq!(claims.auth_time, 1_790_000_000);
    assert!((before..=get_current_timestamp()).contains(&claims.iat));
    assert_eq!(claims.exp, claims.iat + 900);
    assert_eq!(claims.jti.len(), 32);
}

#[test]
fn the_header_names_the_algorithm_the_key_and_the_token_type() {
    let tokens = tokens();
    let (token, _) = tokens.issue(&subject());

    assert_eq!(
        part(&token, 0),
        json!({"alg": "EdDSA", "typ": "at+jwt", "kid": tokens.verifier().kid()})
    );
}

#[test]
fn a_user_without_organization_gets_no_org_claim() {
    let tokens = tokens();
    let subject = AccessTokenSubject {
        organization_id: None,
        roles: vec![],
        org_admin: false,
        ..subject()
    };
    let (token, _) = tokens.issue(&subject);

    let payload = part(&token, 1);
    assert!(payload.get("org").is_none(), "{payload}");
    assert_eq!(payload["roles"], json!([]));
    let claims = tokens.verifier().verify(&token).unwrap();
    assert_eq!(claims.org, None);
    assert!(!claims.org_admin);
}

#[test]
fn every_token_gets_its_own_jti() {
    let tokens = tokens();
    let first = tokens
        .verifier()
        .verify(&tokens.issue(&subject()).0)
        .unwrap();
    let second = tokens
        .verifier()
        .verify(&tokens.issue(&subject()).0)
        .unwrap();
    assert_ne!(first.jti, second.jti);
}

#[test]
fn an_expired_token_is_refused() {
    let tokens = tokens();
    let an_hour_ago = get_current_timestamp() - 3600;
    let (token, _) = tokens.issue_at(&subject(), an_hour_ago);

    let error = tokens.verifier().verify(&token).unwrap_err();
    assert!(error.contains("ExpiredSignature"), "{error}");
}

#[test]
fn a_token_just_past_its_expiry_passes_within_the_leeway() {
    let tokens = tokens();
    let issued_at = get_current_timestamp() - ACCESS_TOKEN_LIFETIME.as_secs() - 10;
    let (token, _) = tokens.issue_at(&subject(), issued_at);
    assert!(tokens.verifier().verify(&token).is_ok());
}

#[test]
fn a_token_issued_in_the_future_is_refused() {
    let tokens = tokens();
    let (token, _) = tokens.issue_at(&subject(), get_current_timestamp() + 3600);
    assert!(
        tokens
            .verifier()
            .verify(&token)
            .unwrap_err()
            .contains("future")
    );
    let token = signed(
        &our_header(),
        &with("nbf", json!(get_current_timestamp() + 3600)),
        SEED,
    );
    assert!(tokens.verifier().verify(&token).is_err());
}

#[test]
fn a_signed_token_naming_something_other_than_an_id_is_refused() {
    let tokens = tokens();
    for (claim, value) in [("sub", "user-1"), ("sub", ""), ("org", "../org")] {
        let token = signed(&our_header(), &with(claim, json!(value)), SEED);
        assert!(
            tokens.verifier().verify(&token).is_err(),
            "{claim} = {value:?}"
        );
    }
    let token = signed(&our_header(), &claims(), SEED);
    assert!(
        tokens.verifier().verify(&token).is_ok(),
        "the same token with an id"
    );
}

#[test]
fn a_token_from_another_key_is_refused() {
    let stranger = tokens_for(OTHER_SEED, ISSUER, AUDIENCE);
    let (token, _) = stranger.issue(&subject());
    assert!(tokens().verifier().verify(&token).is_err(), "its own kid");

    // Even when it claims our kid.
    let token = signed(&our_header(), &claims(), OTHER_SEED);
    let error = tokens().verifier().verify(&token).unwrap_err();
    assert!(error.contains("InvalidSignature"), "{error}");
}

#[test]
fn a_tampered_token_is_refused() {
    let tokens = tokens();
    let (token, _) = tokens.issue(&subject());
    let [header, payload, signature]: [&str; 3] =
        token.split('.').collect::<Vec<_>>().try_into().unwrap();

    let mut claims = part(&token, 1);
    claims["sub"] = json!("user-2");
    let forged = format!("{header}.{}.{signature}", encode_part(&claims));
    assert!(tokens.verifier().verify(&forged).is_err(), "changed sub");

    let mut claims = part(&token, 1);
    claims["ver"] = json!(99);
    let forged = format!("{header}.{}.{signature}", encode_part(&claims));
    assert!(tokens.verifier().verify(&forged).is_err(), "changed ver");

    let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    signature[0] ^= 1;
    let forged = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature));
    assert!(
        tokens.verifier().verify(&forged).is_err(),
        "changed signature"
    );

    let forged = format!("{header}.{payload}.");
    assert!(tokens.verifier().verify(&forged).is_err(), "no signature");
}

#[test]
fn an_unsigned_token_is_refused() {
    let tokens = tokens();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "at+jwt", "kid": tokens.verifier().kid()});
        let token = format!("{}.{}.", encode_part(&header), encode_part(&claims()));
        assert!(tokens.verifier().verify(&token).is_err(), "{alg}");
    }
}

#[test]
fn an_hs256_token_signed_with_the_public_key_is_refused() {
    let tokens = tokens();
    let jwks = tokens.verifier().jwks();
    let x = jwks["keys"][0]["x"].as_str().unwrap();
    let raw_public_key = URL_SAFE_NO_PAD.decode(x).unwrap();
    let mut header = our_header();
    header.alg = Algorithm::HS256;
    // Algorithm confusion: "signed" with what an attacker knows of the public key.
    for secret in [
        raw_public_key.as_slice(),
        x.as_bytes(),
        jwks.to_string().as_bytes(),
    ] {
        let token = encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
        let error = tokens.verifier().verify(&token).unwrap_err();
        assert!(error.contains("not EdDSA"), "{error}");
    }
}

#[test]
fn a_staff_token_is_refused() {
    let secret = b"a local staff secret of at least 32 bytes";
    let token = mint_dev_staff_token(
        secret,
        ISSUER,
        AUDIENCE,
        USER,
        "Ada Staff",
        &["portal.users.manage"],
        Duration::from_secs(600),
    );
    assert!(tokens().verifier().verify(&token).is_err());
}

#[test]
fn a_wrong_issuer_or_audience_is_refused() {
    for (case, other) in [
        (
            "issuer",
            tokens_for(SEED, "https://evil.example.test", AUDIENCE),
        ),
        ("audience", tokens_for(SEED, ISSUER, "another-api")),
    ] {
        // Same key and kid: only the claim differs.
        let (token, _) = other.issue(&subject());
        let error = tokens().verifier().verify(&token).unwrap_err();
        assert!(error.contains("Invalid"), "{case}: {error}");
    }
    let token = signed(&our_header(), &with("aud", json!(["another-api"])), SEED);
    assert!(tokens().verifier().verify(&token).is_err(), "audience list");
}

#[test]
fn the_header_must_say_at_jwt_and_name_our_key() {
    let tokens = tokens();
    let mut cases = Vec::new();
    for typ in [None, Some("JWT"), Some("jwt"), Some("id_token+jwt")] {
        let mut header = our_header();
        header.typ = typ.map(str::to_owned);
        cases.push((format!("typ {typ:?}"), header));
    }
    for kid in [None, Some("another-key")] {
        let mut header = our_header();
        header.kid = kid.map(str::to_owned);
        cases.push((format!("kid {kid:?}"), header));
    }
    for (case, header) in cases {
        let token = signed(&header, &claims(), SEED);
        assert!(tokens.verifier().verify(&token).is_err(), "{case}");
    }
    // RFC 9068 also allows the full media type, compared case-insensitively.
    for typ in ["application/at+jwt", "AT+JWT"] {
        let mut header = our_header();
        header.typ = Some(typ.to_owned());
        let token = signed(&header, &claims(), SEED);
        assert!(tokens.verifier().verify(&token).is_ok(), "{typ}");
    }
}

#[test]
fn a_token_missing_a_claim_is_refused() {
    let tokens = tokens();
    assert!(
        tokens
            .verifier()
            .verify(&signed(&our_header(), &claims(), SEED))
            .is_ok()
    );
    for claim in [
        "exp",
        "iat",
        "iss",
        "aud",
        "sub",
        "jti",
        "roles",
        "org_admin",
        "ver",
        "sid",
    ] {
        let token = signed(&our_header(), &without(claim), SEED);
        assert!(tokens.verifier().verify(&token).is_err(), "{claim}");
    }
}

#[test]
fn malformed_claims_are_refused() {
    let tokens = tokens();
    for (claim, value) in [
        ("sub", json!("")),
        ("sub", json!(42)),
        ("iat", json!("now")),
        ("iat", json!(-1)),
        ("exp", json!("later")),
        ("ver", json!(-1)),
        ("ver", json!("1")),
        ("roles", json!("portal.base")),
        ("org_admin", json!("yes")),
        ("org", json!(9)),
    ] {
        let token = signed(&our_header(), &with(claim, value.clone()), SEED);
        assert!(
            tokens.verifier().verify(&token).is_err(),
            "{claim} = {value}"
        );
    }
}

#[test]
fn a_refusal_never_contains_the_token() {
    let tokens = tokens();
    let (good, _) = tokens.issue(&subject());
    let (expired, _) = tokens.issue_at(&subject(), get_current_timestamp() - 3600);
    let (stranger, _) = tokens_for(OTHER_SEED, ISSUER, AUDIENCE).issue(&subject());
    let [header, payload, _]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().unwrap();
    for token in [
        expired,
        stranger,
        format!("{header}.{payload}.AAAA"),
        "not-a-jwt".to_owned(),
        "a.b.c".to_owned(),
    ] {
        let error = tokens.verifier().verify(&token).unwrap_err();
        for piece in token.split('.').filter(|piece| piece.len() > 3) {
            assert!(!error.contains(piece), "{error}");
        }
    }
}

#[test]
fn the_jwks_publishes_exactly_the_key_that_verifies_our_tokens() {
    let tokens = tokens();
    let jwks = tokens.verifier().jwks();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = keys[0].as_object().unwrap();
    let mut names: Vec<_> = key.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["alg", "crv", "kid", "kty", "use", "x"]);
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], tokens.verifier().kid());
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(key["x"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );

    // What a relying party does: pick the key by kid, verify with the key's algorithm.
    let set: JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let (token, _) = tokens.issue(&subject());
    let kid = decode_header(&token).unwrap().kid.unwrap();
    let jwk = set.find(&kid).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    let claims =
        decode::<AccessTokenClaims>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    assert_eq!(claims.sub.as_str(), USER);

    let (stranger, _) = tokens_for(OTHER_SEED, ISSUER, AUDIENCE).issue(&subject());
    let refused =
        decode::<AccessTokenClaims>(&stranger, &DecodingKey::from_jwk(jwk).unwrap(), &validation);
    assert!(refused.is_err());
}

#[test]
fn the_public_key_is_derived_as_rfc_8032_says() {
    // RFC 8032 §7.1, test 1.
    let seed: [u8; 32] = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        .try_into()
        .unwrap();
    let public_key = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

    let jwks = tokens_for(seed, ISSUER, AUDIENCE).verifier().jwks();
    assert_eq!(jwks["keys"][0]["x"], URL_SAFE_NO_PAD.encode(public_key));
}

/// What invitation and deactivation build: the public half of `seed`'s key, no seed.
fn verifier_for(seed: [u8; 32]) -> AccessTokenVerifier {
    AccessTokenVerifier::new(AccessTokenVerifierConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        public_key: PortalSigningKey::from_seed(seed).public_key(),
    })
}

#[test]
fn the_public_key_alone_verifies_our_tokens_and_no_others() {
    let (token, _) = tokens().issue(&subject());
    let verifier = verifier_for(SEED);
    assert_eq!(
        verifier.verify(&token).unwrap(),
        tokens().verifier().verify(&token).unwrap()
    );
    assert_eq!(verifier.kid(), tokens().verifier().kid());
    assert_eq!(verifier.jwks(), tokens().verifier().jwks());
    let error = verifier_for(OTHER_SEED).verify(&token).unwrap_err();
    assert!(error.contains("kid"), "{error}");
}

#[test]
fn the_kid_depends_on_the_key_only() {
    let kid = tokens().verifier().kid().to_owned();
    assert_eq!(kid.len(), 22, "{kid}");
    assert_eq!(
        tokens_for(SEED, "another issuer", "another-api")
            .verifier()
            .kid(),
        kid
    );
    assert_ne!(
        tokens_for(OTHER_SEED, ISSUER, AUDIENCE).verifier().kid(),
        kid
    );
    let generated = PortalSigningKey::generate();
    let from_text = PortalSigningKey::from_base64url(&generated.to_base64url()).unwrap();
    let config = |signing_key| AccessTokenConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        signing_key,
    };
    assert_eq!(
        AccessTokens::new(config(generated)).verifier().kid(),
        AccessTokens::new(config(from_text)).verifier().kid()
    );
}

#[test]
fn debug_output_shows_no_key_material() {
    let tokens = tokens();
    let debug = format!("{tokens:?}");
    assert!(debug.contains(tokens.verifier().kid()), "{debug}");
    let x = tokens.verifier().jwks()["keys"][0]["x"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!debug.contains(&x), "{debug}");
    assert!(!debug.contains("[7, 7"), "{debug}");
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

// The extractor.

fn test_app() -> Router {
    let routes = Router::new()
        .route(
            "/me",
            get(|PortalCaller(claims): PortalCaller| async move { axum::Json(claims) }),
        )
        .with_state(Arc::new(verifier_for(SEED)));
    app(routes)
}

async fn call(authorization: Option<&str>) -> Response {
    let mut request = Request::get("/me");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    test_app()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
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
    assert_eq!(body["detail"], "A valid access token is required", "{case}");
}

#[tokio::test]
async fn the_extractor_gives_the_claims_of_a_valid_token() {
    let (token, _) = tokens().issue(&subject());
    let response = call(Some(&format!("Bearer {token}"))).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body = json_body(response).await;
    assert_eq!(
        body,
        serde_json::to_value(tokens().verifier().verify(&token).unwrap()).unwrap()
    );
    assert_eq!(body["sub"], USER);
    assert_eq!(body["org"], ORGANIZATION);
    assert_eq!(body["org_admin"], true);
    assert_eq!(body["ver"], 3);
}

#[tokio::test]
async fn the_extractor_answers_401_without_a_token() {
    assert_unauthenticated(call(None).await, "no header").await;
}

#[tokio::test]
async fn the_extractor_answers_401_to_a_bad_token() {
    let (good, _) = tokens().issue(&subject());
    let (expired, _) = tokens().issue_at(&subject(), get_current_timestamp() - 3600);
    let (stranger, _) = tokens_for(OTHER_SEED, ISSUER, AUDIENCE).issue(&subject());
    let staff = mint_dev_staff_token(
        b"a local staff secret of at least 32 bytes",
        ISSUER,
        AUDIENCE,
        USER,
        "Ada Staff",
        &[],
        Duration::from_secs(600),
    );
    for value in [
        format!("Bearer {expired}"),
        format!("Bearer {stranger}"),
        format!("Bearer {staff}"),
        format!("Basic {good}"),
        format!("Bearer{good}"),
        good.clone(),
        "Bearer ".to_owned(),
        "Bearer a.b.c".to_owned(),
    ] {
        assert_unauthenticated(call(Some(&value)).await, &value).await;
    }
}
