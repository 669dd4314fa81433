//! Passkeys (WebAuthn): `/me/passkeys…` registers, lists and removes the caller's (the
//! registration also with an enrolment token), and `/sessions/passkey…` signs in with one
//! alone. Options are WebAuthn's JSON (`{publicKey: …}`), for
//! `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`;
//! credentials come back as the browser's `credential.toJSON()`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::Ports;
use portal_domain::mfa::PasskeyFactor;
use portal_domain::use_cases::{self, PasskeyAdded};
use portal_http::{
    AccessTokens, ApiJson, LoginClient, PasskeySignInBody, PortalCaller, Problem,
    webauthn_credential,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::mfa::EnrollingCaller;
use super::{TokenPair, token_pair};

/// Creation options for `navigator.credentials.create`, answered within 5 minutes with
/// `POST /me/passkeys`.
#[utoipa::path(post, path = "/me/passkeys/options", operation_id = "passkey_creation_options",
    security(("portal" = [])),
    responses(
        (status = 200, description = "WebAuthn creation options (`{publicKey}`)", body = Object),
        (status = 401, description = "No valid access or enrolment token (`unauthenticated`)"),
        (status = 409, description = "Ten passkeys are registered (`conflict`), or the portal \
            is reached by an IP address, where passkeys cannot work (`invalid_state`)"),
    ))]
pub async fn creation_options(
    State(ports): State<Ports>,
    EnrollingCaller(enroller): EnrollingCaller,
) -> Result<Json<Value>, Problem> {
    Ok(Json(use_cases::start_passkey(&ports, &enroller).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewPasskeyBody {
    /// The browser's answer to the creation options (`credential.toJSON()`).
    #[schema(value_type = Object)]
    credential: Option<Value>,
    /// What the person calls it ("Laptop"); at most 60 characters, `Passkey` when absent.
    #[schema(max_length = 60)]
    name: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyView {
    /// The credential id (base64url); `DELETE /me/passkeys/{id}` takes it.
    id: String,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    added_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    last_used_at: Option<OffsetDateTime>,
}

impl From<PasskeyFactor> for PasskeyView {
    fn from(passkey: PasskeyFactor) -> Self {
        Self {
            id: passkey.id,
            name: passkey.name,
            added_at: passkey.added_at,
            last_used_at: passkey.last_used_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyAddedView {
    passkey: PasskeyView,
    /// With a first second factor only: ten single-use codes, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    recovery_codes: Option<Vec<String>>,
}

/// Registers the passkey the browser made from the creation options. The user is emailed.
/// After an enrolment token, sign in again (with the passkey alone, if you like).
#[utoipa::path(post, path = "/me/passkeys", operation_id = "add_passkey",
    security(("portal" = [])),
    request_body = NewPasskeyBody,
    responses(
        (status = 201, description = "Registered", body = PasskeyAddedView),
        (status = 401, description = "No valid access or enrolment token (`unauthenticated`)"),
        (status = 409, description = "This passkey is registered already (`conflict`), or the \
            portal is reached by an IP address (`invalid_state`)"),
        (status = 422, description = "`credential` missing or not a WebAuthn credential, or \
            `name` too long (`validation_failed`); the credential does not answer these \
            options, for this portal, within 5 minutes (`code_invalid`)"),
    ))]
pub async fn add(
    State(ports): State<Ports>,
    EnrollingCaller(enroller): EnrollingCaller,
    ApiJson(body): ApiJson<NewPasskeyBody>,
) -> Result<(StatusCode, Json<PasskeyAddedView>), Problem> {
    let credential = webauthn_credential(body.credential)?;
    let PasskeyAdded {
        passkey,
        recovery_codes,
    } = use_cases::add_passkey(&ports, &enroller, &credential, body.name.as_deref()).await?;
    let added = PasskeyAddedView {
        passkey: passkey.into(),
        recovery_codes,
    };
    Ok((StatusCode::CREATED, Json(added)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyList {
    items: Vec<PasskeyView>,
}

/// The caller's passkeys.
#[utoipa::path(get, path = "/me/passkeys", operation_id = "list_passkeys",
    security(("portal" = [])),
    responses((status = 200, description = "The passkeys", body = PasskeyList)))]
pub async fn list(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<Json<PasskeyList>, Problem> {
    let passkeys = use_cases::passkeys(&ports, &claims.sub).await?;
    Ok(Json(PasskeyList {
        items: passkeys.into_iter().map(PasskeyView::from).collect(),
    }))
}

/// Removes one of the caller's passkeys (with no other factor left, the recovery codes go
/// too). Needs a sign-in within the last 5 minutes. The user is emailed.
#[utoipa::path(delete, path = "/me/passkeys/{id}", operation_id = "remove_passkey",
    security(("portal" = [])),
    params(("id" = String, Path, description = "The passkey's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Sign in again first (`recent_sign_in_required`)"),
        (status = 404, description = "The caller has no passkey with this id (`not_found`)"),
    ))]
pub async fn remove(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, Problem> {
    claims.current_user(&ports).await?;
    use_cases::remove_passkey(&ports, &claims.sub, &id, claims.signed_in_at()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeySignInOptions {
    /// WebAuthn request options: no credentials named, the browser offers the passkeys it
    /// holds for this portal.
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    public_key: Value,
    /// Send it back with the credential within 5 minutes; it works once.
    passkey_token: String,
}

/// Options for signing in with a passkey and no password.
#[utoipa::path(post, path = "/sessions/passkey/options", operation_id = "passkey_request_options",
    responses(
        (status = 200, description = "WebAuthn request options and their token", body = PasskeySignInOptions),
        (status = 409, description = "The portal is reached by an IP address (`invalid_state`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn sign_in_options(
    State(ports): State<Ports>,
) -> Result<Json<PasskeySignInOptions>, Problem> {
    let start = use_cases::begin_passkey_sign_in(&ports)?;
    Ok(Json(PasskeySignInOptions {
        public_key: start.options["publicKey"].clone(),
        passkey_token: start.token,
    }))
}

/// Signs in with a passkey alone: it counts as two factors (the key, and the person
/// verified by the authenticator), so no second step follows.
#[utoipa::path(post, path = "/sessions/passkey", operation_id = "log_in_with_passkey",
    request_body = PasskeySignInBody,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 409, description = "The portal is reached by an IP address (`invalid_state`)"),
        (status = 422, description = "A field is missing or not a WebAuthn credential \
            (`validation_failed`); the passkey is unknown, another's, for another portal, \
            replayed, or its token expired or was used (`code_invalid`, one answer for all)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn log_in(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    LoginClient(client): LoginClient,
    ApiJson(body): ApiJson<PasskeySignInBody>,
) -> Result<Json<TokenPair>, Problem> {
    let (token, credential) = body.parse()?;
    let session = use_cases::log_in_with_passkey(&ports, &token, &credential, &client).await?;
    Ok(token_pair(&tokens, &session))
}
