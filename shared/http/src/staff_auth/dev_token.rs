//! Staff tokens minted by ourselves, for `portal-local` and tests: in AWS the identity
//! provider mints them and we only hold its public keys.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use serde::Serialize;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    name: &'a str,
    permissions: &'a [&'a str],
    iat: u64,
    exp: u64,
}

/// An HS256 staff token valid from now for `lifetime`.
pub fn mint_dev_staff_token(
    secret: &[u8],
    issuer: &str,
    audience: &str,
    subject: &str,
    name: &str,
    permissions: &[&str],
    lifetime: Duration,
) -> String {
    let now = get_current_timestamp();
    let claims = Claims {
        iss: issuer,
        aud: audience,
        sub: subject,
        name,
        permissions,
        iat: now,
        exp: now.saturating_add(lifetime.as_secs()),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("HS256 signs any claims with any secret")
}
