//! Verifies staff tokens with keys and rules prepared once per cold start.

use std::collections::HashMap;

use jsonwebtoken::{
    Algorithm, DecodingKey, Header, Validation, decode, decode_header, get_current_timestamp,
};
use portal_domain::staff::StaffMember;
use serde::Deserialize;

use super::config::{StaffAuthConfig, StaffKey};
use super::jwks;

/// Clock skew tolerated between the identity provider and us, on `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: u64 = 30;

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
const MIN_SECRET_LEN: usize = 32;

/// The claims we read. `iat` is required here because jsonwebtoken can only require
/// `exp`, `nbf`, `iss`, `aud` and `sub`.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    iat: f64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    permissions: Option<Vec<String>>,
}

/// A key with the rules a token signed by it must pass; the algorithm list holds exactly
/// the key's one algorithm.
struct PinnedKey {
    key: DecodingKey,
    validation: Validation,
}

enum Keys {
    /// One shared HS256 secret; the header's `kid` plays no part.
    Shared(Box<PinnedKey>),
    /// The identity provider's keys, selected by the header's `kid`.
    ByKid(HashMap<String, PinnedKey>),
}

/// Checks staff bearer tokens. Build it once and share it (`Arc<StaffVerifier>`).
pub struct StaffVerifier {
    keys: Keys,
}

impl StaffVerifier {
    pub fn new(config: StaffAuthConfig) -> Result<Self, String> {
        let pin = |key, algorithm| PinnedKey {
            key,
            validation: validation(algorithm, &config.issuer, &config.audience),
        };
        let keys = match &config.key {
            StaffKey::Hs256(secret) => {
                if secret.len() < MIN_SECRET_LEN {
                    return Err(format!(
                        "the staff HS256 secret must be at least {MIN_SECRET_LEN} bytes"
                    ));
                }
                Keys::Shared(Box::new(pin(
                    DecodingKey::from_secret(secret),
                    Algorithm::HS256,
                )))
            }
            StaffKey::Jwks(set) => Keys::ByKid(
                jwks::signing_keys(set)?
                    .into_iter()
                    .map(|(kid, (key, algorithm))| (kid, pin(key, algorithm)))
                    .collect(),
            ),
        };
        Ok(Self { keys })
    }

    /// The staff member a valid token names. The error says why a token was refused, for
    /// the logs only: it never contains the token.
    pub fn verify(&self, token: &str) -> Result<StaffMember, String> {
        // `alg: none` (or any unknown alg) already fails here: `Algorithm` has no such value.
        let header = decode_header(token).map_err(|error| format!("bad token header: {error}"))?;
        let pinned = self.key_for(&header)?;
        let claims = decode::<Claims>(token, &pinned.key, &pinned.validation)
            .map_err(|error| format!("token refused: {error}"))?
            .claims;
        if !claims.iat.is_finite() || claims.iat < 0.0 {
            return Err("token refused: iat is not a date".to_owned());
        }
        if claims.iat > (get_current_timestamp() + LEEWAY_SECONDS) as f64 {
            return Err("token refused: issued in the future".to_owned());
        }
        if claims.sub.trim().is_empty() {
            return Err("token refused: empty sub".to_owned());
        }
        Ok(StaffMember {
            subject: claims.sub,
            name: claims.name,
            permissions: claims.permissions.unwrap_or_default(),
        })
    }

    fn key_for(&self, header: &Header) -> Result<&PinnedKey, String> {
        match &self.keys {
            Keys::Shared(pinned) => Ok(pinned),
            Keys::ByKid(keys) => {
                let kid = header.kid.as_deref().ok_or("token refused: no kid")?;
                keys.get(kid)
                    .ok_or_else(|| format!("token refused: unknown kid {kid:?}"))
            }
        }
    }
}

fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECONDS;
    validation
}
