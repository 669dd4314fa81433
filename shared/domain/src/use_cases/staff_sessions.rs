//! Staff sign-in through the company's identity provider, as far as it touches the store:
//! the sign-in kept between the redirect and the callback, and the session it starts.
//! Talking to the provider is the HTTP layer's business.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::{DomainError, StoreError};
use crate::ports::Ports;
use crate::secret_token::{SecretToken, token_hash};
use crate::staff::StaffMember;
use crate::staff_session::{SIGN_IN_LIFETIME, StaffSession, StaffSignIn};

/// What the redirect to the provider carries; the browser keeps `state` in a cookie.
pub struct SignInStart {
    pub state: SecretToken,
    pub nonce: String,
    /// RFC 7636 S256: base64url(SHA-256(verifier)); the verifier stays with us.
    pub code_challenge: String,
}

/// Keeps a new sign-in that returns to `return_to` (a path the caller has checked).
pub async fn begin_staff_sign_in(
    ports: &Ports,
    return_to: &str,
) -> Result<SignInStart, DomainError> {
    let state = SecretToken::generate(ports.random.as_ref());
    let nonce = SecretToken::generate(ports.random.as_ref());
    let verifier = SecretToken::generate(ports.random.as_ref());
    let sign_in = StaffSignIn {
        state_hash: state.hash(),
        nonce: nonce.as_str().to_owned(),
        pkce_verifier: verifier.as_str().to_owned(),
        return_to: return_to.to_owned(),
        expires_at: ports.clock.now() + SIGN_IN_LIFETIME,
    };
    ports.store.save_staff_sign_in(&sign_in).await?;
    Ok(SignInStart {
        code_challenge: URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_str())),
        nonce: sign_in.nonce,
        state,
    })
}

/// The sign-in `state` names, used up: a second callback with it (a replay) finds none.
/// `Unauthenticated` for an unknown, used or expired one.
pub async fn take_staff_sign_in(ports: &Ports, state: &str) -> Result<StaffSignIn, DomainError> {
    ports
        .store
        .take_staff_sign_in(&token_hash(state))
        .await?
        .filter(|sign_in| sign_in.is_usable(ports.clock.now()))
        .ok_or(DomainError::Unauthenticated)
}

/// Starts a session for `member`; the secret goes into the cookie, its hash into the store.
pub async fn start_staff_session(
    ports: &Ports,
    member: StaffMember,
    id_token: Option<String>,
) -> Result<(SecretToken, StaffSession), DomainError> {
    let cookie = SecretToken::generate(ports.random.as_ref());
    let now = ports.clock.now();
    let session = StaffSession {
        key_hash: cookie.hash(),
        subject: member.subject,
        name: member.name,
        permissions: member.permissions,
        id_token,
        started_at: now,
        last_seen: now,
    };
    ports.store.start_staff_session(&session).await?;
    Ok((cookie, session))
}

/// The live session a cookie names, with this request recorded (once a minute).
/// `Unauthenticated` for an unknown, ended or expired one.
pub async fn staff_session(ports: &Ports, cookie: &str) -> Result<StaffSession, DomainError> {
    let now = ports.clock.now();
    let session = ports
        .store
        .staff_session(&token_hash(cookie))
        .await?
        .filter(|session| session.is_live(now))
        .ok_or(DomainError::Unauthenticated)?;
    if !session.needs_touch(now) {
        return Ok(session);
    }
    let touched = StaffSession {
        last_seen: now,
        ..session
    };
    match ports.store.touch_staff_session(&touched).await {
        Ok(()) => Ok(touched),
        // Ended (logout) between the read and the touch.
        Err(StoreError::ConditionFailed) => Err(DomainError::Unauthenticated),
        Err(error) => Err(error.into()),
    }
}

/// Ends the session a cookie names, and returns it (for the provider's logout) if it was
/// live. Ending an unknown session succeeds: logout is idempotent.
pub async fn end_staff_session(
    ports: &Ports,
    cookie: &str,
) -> Result<Option<StaffSession>, DomainError> {
    let key_hash = token_hash(cookie);
    let session = ports.store.staff_session(&key_hash).await?;
    ports.store.end_staff_session(&key_hash).await?;
    Ok(session.filter(|session| session.is_live(ports.clock.now())))
}
