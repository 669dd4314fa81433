//! Issues access tokens with one Ed25519 key, and verifies them with its public half,
//! both prepared at cold start.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
    get_current_timestamp,
};
use portal_adapters::OsRandomness;
use portal_domain::ids::{OrganizationId, PortalUserId};
use portal_domain::random::new_id;
use portal_domain::use_cases::SessionStart;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::config::{AccessTokenConfig, AccessTokenVerifierConfig};

/// How long an access token lasts: 15 minutes, so a stolen one is of short use; refresh
/// tokens outlive it.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// RFC 9068 §2.1: the `typ` of a JWT access token, so it cannot pass for another kind
/// of JWT (an ID token, a staff token) or the other way round.
const TYP: &str = "at+jwt";

/// Clock skew tolerated between our own functions, on `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: u64 = 30;

/// PKCS#8 v1 `PrivateKeyInfo` for Ed25519 (RFC 8410) up to the seed, which follows as an
/// OCTET STRING of 32 bytes: what `EncodingKey::from_ed_der` expects.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Whom a new token speaks for: what the session use case read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenSubject {
    /// The portal user's id, the token's `sub`.
    pub user_id: PortalUserId,
    /// The user's organization, the token's `org` (left out when `None`).
    pub organization_id: Option<OrganizationId>,
    /// The token's `roles`.
    pub roles: Vec<String>,
    /// The token's `org_admin`.
    pub org_admin: bool,
    /// The user's token version when the token was issued, the token's `ver`.
    pub token_version: u64,
    /// The session (refresh token family) the token belongs to, the token's `sid`:
    /// logging out ends that session.
    pub session_id: String,
    /// How the person signed in, the token's `amr` (RFC 8176).
    pub amr: Vec<String>,
    /// When the person signed in (not when the session was last refreshed), the token's
    /// `auth_time`: what "signed in within the last five minutes" is checked against.
    pub auth_time: OffsetDateTime,
}

impl AccessTokenSubject {
    /// The subject of a session's tokens.
    pub fn of(session: &SessionStart) -> Self {
        let user = &session.user;
        Self {
            user_id: user.id().clone(),
            organization_id: user.organization_id().cloned(),
            roles: session.roles.iter().map(ToString::to_string).collect(),
            org_admin: user.org_admin(),
            token_version: user.token_version(),
            session_id: session.family_id.clone(),
            amr: session.amr.clone(),
            auth_time: session.auth_time,
        }
    }
}

/// The claims of an access token, named as in the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub aud: String,
    /// The portal user's id (a token naming anything else is refused as malformed).
    pub sub: PortalUserId,
    /// Issued at, in seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, in seconds since the Unix epoch.
    pub exp: u64,
    /// This token's unique id.
    pub jti: String,
    /// The user's organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrganizationId>,
    pub roles: Vec<String>,
    pub org_admin: bool,
    /// The user's token version at issue; a token with an older one is revoked.
    pub ver: u64,
    /// The session the token belongs to.
    pub sid: String,
    /// How the person signed in (tokens issued before it was carried have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// When the person signed in, in seconds since the Unix epoch (0 in tokens issued
    /// before it was carried: never recent).
    #[serde(default)]
    pub auth_time: u64,
}

impl AccessTokenClaims {
    pub fn signed_in_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.auth_time.min(i64::MAX as u64) as i64)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// Issues portal access tokens (the password function). Build it once per cold start
/// and share it (`Arc<AccessTokens>`); its [`verifier`](Self::verifier) checks them.
pub struct AccessTokens {
    issuer: String,
    audience: String,
    encoding_key: EncodingKey,
    verifier: Arc<AccessTokenVerifier>,
}

impl AccessTokens {
    pub fn new(config: AccessTokenConfig) -> Self {
        let pkcs8 = [PKCS8_ED25519_PREFIX.as_slice(), config.signing_key.seed()].concat();
        Self {
            verifier: Arc::new(AccessTokenVerifier::new(config.verifier_config())),
            issuer: config.issuer,
            audience: config.audience,
            encoding_key: EncodingKey::from_ed_der(&pkcs8),
        }
    }

    /// What checks the tokens this issues, and publishes their key.
    pub fn verifier(&self) -> &Arc<AccessTokenVerifier> {
        &self.verifier
    }

    /// A new token for `subject`, valid from now, and its lifetime in seconds (the
    /// `expires_in` of a token response).
    pub fn issue(&self, subject: &AccessTokenSubject) -> (String, u64) {
        self.issue_at(subject, get_current_timestamp())
    }

    /// A new token issued at `issued_at` (seconds since the Unix epoch), and its lifetime
    /// in seconds.
    pub fn issue_at(&self, subject: &AccessTokenSubject, issued_at: u64) -> (String, u64) {
        let lifetime = ACCESS_TOKEN_LIFETIME.as_secs();
        let claims = AccessTokenClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.user_id.clone(),
            iat: issued_at,
            exp: issued_at.saturating_add(lifetime),
            jti: new_id(&OsRandomness),
            org: subject.organization_id.clone(),
            roles: subject.roles.clone(),
            org_admin: subject.org_admin,
            ver: subject.token_version,
            sid: subject.session_id.clone(),
            amr: subject.amr.clone(),
            auth_time: subject.auth_time.unix_timestamp().max(0).unsigned_abs(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TYP.to_owned());
        header.kid = Some(self.verifier.kid.clone());
        let token = encode(&header, &claims, &self.encoding_key)
            .expect("an Ed25519 key built from a 32-byte seed signs any claims");
        (token, lifetime)
    }
}

/// Checks portal access tokens with the public key alone, and publishes it. Build it once
/// per cold start and share it (`Arc<AccessTokenVerifier>`, what [`PortalCaller`] takes).
///
/// [`PortalCaller`]: super::PortalCaller
pub struct AccessTokenVerifier {
    kid: String,
    /// The raw 32-byte Ed25519 public key.
    public_key: [u8; 32],
    decoding_key: DecodingKey,
    validation: Validation,
}

impl AccessTokenVerifier {
    pub fn new(config: AccessTokenVerifierConfig) -> Self {
        let public_key = *config.public_key.bytes();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Self {
            kid: key_id(&public_key),
            public_key,
            decoding_key: DecodingKey::from_ed_der(&public_key),
            validation,
        }
    }

    /// The `kid` of our key: base64url of the first 16 bytes of the SHA-256 of the raw
    /// public key. The same key always gets the same `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The claims of a token we issued, unexpired, for our issuer and audience. The error
    /// says why a token was refused, for the logs only: it never contains the token.
    pub fn verify(&self, token: &str) -> Result<AccessTokenClaims, String> {
        // `alg: none` (or any unknown alg) already fails here: `Algorithm` has no such value.
        let header = decode_header(token).map_err(|error| format!("bad token header: {error}"))?;
        // The algorithm comes from our key, never from the token (`decode` checks it
        // again against the validation): an HS256 token "signed" with our public key
        // stops here.
        if header.alg != Algorithm::EdDSA {
            return Err(format!("token refused: alg {:?} is not EdDSA", header.alg));
        }
        // RFC 9068 §4: `at+jwt`, or the same media type spelled in full; case-insensitive.
        let typ = header.typ.as_deref().unwrap_or_default();
        if !(typ.eq_ignore_ascii_case(TYP) || typ.eq_ignore_ascii_case("application/at+jwt")) {
            return Err("token refused: typ is not at+jwt".to_owned());
        }
        match header.kid.as_deref() {
            Some(kid) if kid == self.kid => {}
            Some(_) => return Err("token refused: signed with another key (kid)".to_owned()),
            None => return Err("token refused: no kid".to_owned()),
        }
        // Checks the signature, then `exp`, `nbf`, `iss`, `aud` and that `sub` is there;
        // `iat` and our own claims are required by `AccessTokenClaims` itself.
        let claims = decode::<AccessTokenClaims>(token, &self.decoding_key, &self.validation)
            .map_err(|error| format!("token refused: {error}"))?
            .claims;
        if claims.iat > get_current_timestamp().saturating_add(LEEWAY_SECONDS) {
            return Err("token refused: issued in the future".to_owned());
        }
        if claims.sub.trim().is_empty() {
            return Err("token refused: empty sub".to_owned());
        }
        Ok(claims)
    }

    /// The JWKS (RFC 7517) that verifies our tokens, for `GET /.well-known/jwks.json`:
    /// one Ed25519 key (RFC 8037), with its `kid`, `alg` and `use`.
    pub fn jwks(&self) -> Value {
        json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(self.public_key),
                "kid": self.kid,
                "alg": "EdDSA",
                "use": "sig",
            }]
        })
    }
}

/// Never prints key material, private or public.
impl fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokens")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("kid", &self.verifier.kid)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for AccessTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokenVerifier")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn key_id(public_key: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(public_key)[..16])
}
