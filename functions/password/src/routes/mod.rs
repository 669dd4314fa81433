pub mod invitations;
pub mod me;
pub mod mfa;
pub mod passkeys;
pub mod resets;
pub mod sessions;

use axum::Json;
use portal_domain::use_cases::{SessionStart, SignIn};
use portal_domain::{DomainError, FieldErrors};
use portal_http::{AccessTokenSubject, AccessTokens, SecondStep};
use serde::Serialize;

/// `POST /sessions`, `/sessions/refresh` and `/invitations/accept` answer this.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// Signed EdDSA JWT; keys at `/.well-known/jwks.json`.
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds the access token lasts.
    expires_in: u64,
    /// Single use: each refresh answers a new one.
    refresh_token: String,
}

/// What a right password answers: the token pair, or the second step first.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    SignedIn(TokenPair),
    SecondStep(SecondStep),
}

pub fn login_answer(tokens: &AccessTokens, signed_in: SignIn<SessionStart>) -> Json<LoginAnswer> {
    Json(match signed_in {
        SignIn::Done(session) => LoginAnswer::SignedIn(token_pair(tokens, &session).0),
        SignIn::SecondStep(step) => LoginAnswer::SecondStep(step.into()),
    })
}

pub fn token_pair(tokens: &AccessTokens, session: &SessionStart) -> Json<TokenPair> {
    let (access_token, expires_in) = tokens.issue(&AccessTokenSubject::of(session));
    Json(TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token: session.refresh_token.as_str().to_owned(),
    })
}

/// A field the body must carry, as text (a wrong JSON type is already a 400).
fn required(field: &str, value: Option<String>) -> Result<String, DomainError> {
    value.ok_or_else(|| {
        let mut errors = FieldErrors::new();
        errors.add(field, "is required");
        DomainError::Validation(errors)
    })
}
