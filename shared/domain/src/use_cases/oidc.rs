//! Our OpenID provider's steps: staff register the company's portal apps; a person signs in
//! at the provider once (a provider session); each app gets a single-use code, trades it
//! for a session of its own (a refresh token family that carries the grant), refreshes and
//! revokes it. The protocol's checks on parameters are the HTTP layer's; what needs the
//! store is here.

use crate::ids::{OidcClientId, PortalUserId};
use crate::login::ClientInfo;
use crate::mfa::password_amr;
use crate::oidc::{
    AuthorizationCode, CODE_LIFETIME, ClientSettings, ClientType, OidcClient, OidcGrant,
    PROVIDER_SESSION_LIFETIME, ProviderSession, pkce_matches,
};
use crate::random::new_id;
use crate::secret_token::{SecretToken, token_hash};
use crate::session::NewSession;
use crate::staff::{MANAGE_CLIENTS, StaffMember};
use crate::user::PortalUser;
use crate::{DomainError, Ports, StoreError};

use super::accounts::{SessionStart, active_user, refresh_family, verify_login};
use super::second_factors::{SecondFactorAnswer, SignIn, pass_second_step};

/// A client just registered, with its secret (shown once; only its hash is kept).
pub struct RegisteredClient {
    pub client: OidcClient,
    pub secret: Option<SecretToken>,
}

pub async fn register_oidc_client(
    ports: &Ports,
    staff: &StaffMember,
    settings: ClientSettings,
    client_type: ClientType,
) -> Result<RegisteredClient, DomainError> {
    staff.require(MANAGE_CLIENTS)?;
    let secret = (client_type == ClientType::Confidential)
        .then(|| SecretToken::generate(ports.random.as_ref()));
    let client = OidcClient::new(
        OidcClientId::generate(ports.random.as_ref()),
        settings,
        client_type,
        secret.as_ref().map(SecretToken::hash),
        ports.clock.now(),
    );
    ports.store.create_oidc_client(&client).await?;
    tracing::info!(client_id = %client.id, staff = %staff.subject, "OpenID client registered");
    Ok(RegisteredClient { client, secret })
}

pub async fn oidc_clients(
    ports: &Ports,
    staff: &StaffMember,
) -> Result<Vec<OidcClient>, DomainError> {
    staff.require(MANAGE_CLIENTS)?;
    Ok(ports.store.oidc_clients().await?)
}

pub async fn oidc_client(
    ports: &Ports,
    staff: &StaffMember,
    id: &OidcClientId,
) -> Result<OidcClient, DomainError> {
    staff.require(MANAGE_CLIENTS)?;
    ports
        .store
        .oidc_client(id)
        .await?
        .ok_or(DomainError::NotFound)
}

pub async fn change_oidc_client(
    ports: &Ports,
    staff: &StaffMember,
    id: &OidcClientId,
    settings: ClientSettings,
) -> Result<OidcClient, DomainError> {
    let next = oidc_client(ports, staff, id).await?.with_settings(settings);
    match ports.store.update_oidc_client(&next).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed) => Err(DomainError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// Its apps' sessions end with it: a refresh names a client that no longer exists.
pub async fn delete_oidc_client(
    ports: &Ports,
    staff: &StaffMember,
    id: &OidcClientId,
) -> Result<(), DomainError> {
    oidc_client(ports, staff, id).await?;
    ports.store.delete_oidc_client(id).await?;
    tracing::info!(client_id = %id, staff = %staff.subject, "OpenID client deleted");
    Ok(())
}

/// A registered client by the id a request names (anything not shaped like an id is
/// unknown without a read).
pub async fn registered_client(
    ports: &Ports,
    client_id: &str,
) -> Result<Option<OidcClient>, DomainError> {
    match OidcClientId::parse(client_id) {
        Some(id) => Ok(ports.store.oidc_client(&id).await?),
        None => Ok(None),
    }
}

/// The client a token, revocation or logout request names, if its credentials are right:
/// a confidential client's secret, or none for a public client. One answer for every
/// failure (`Unauthenticated`, which the token endpoint calls `invalid_client`).
pub async fn authenticate_client(
    ports: &Ports,
    client_id: &str,
    secret: Option<&str>,
) -> Result<OidcClient, DomainError> {
    registered_client(ports, client_id)
        .await?
        .filter(|client| client.secret_matches(secret))
        .ok_or(DomainError::Unauthenticated)
}

/// A provider session just begun, and the cookie value that names it (shown once).
pub struct ProviderSignIn {
    pub key: SecretToken,
    pub session: ProviderSession,
}

/// Signs in at the provider with a password: the same login as `POST /sessions` (counted
/// against the lockout, recorded in the login history, a second step when the account
/// has a second factor), which starts a provider session instead of a refresh token family.
pub async fn sign_in_to_provider(
    ports: &Ports,
    username: &str,
    password: &str,
    client: &ClientInfo,
) -> Result<SignIn<ProviderSignIn>, DomainError> {
    match verify_login(ports, username, password, client, false).await? {
        SignIn::Done((user, _)) => Ok(SignIn::Done(
            start_provider_session(ports, &user, password_amr()).await?,
        )),
        SignIn::SecondStep(step) => Ok(SignIn::SecondStep(step)),
    }
}

/// Finishes a provider sign-in with its second factor (see `POST /sessions/mfa`).
pub async fn sign_in_to_provider_second_step(
    ports: &Ports,
    token: &str,
    answer: &SecondFactorAnswer,
    client: &ClientInfo,
) -> Result<ProviderSignIn, DomainError> {
    let ((user, _), amr) = pass_second_step(ports, token, answer, client, false).await?;
    start_provider_session(ports, &user, amr).await
}

/// Signs in at the provider with a passkey alone (see `POST /sessions/passkey`).
pub async fn sign_in_to_provider_with_passkey(
    ports: &Ports,
    token: &str,
    credential: &serde_json::Value,
    client: &ClientInfo,
) -> Result<ProviderSignIn, DomainError> {
    let (user, _) =
        super::passkeys::pass_passkey_sign_in(ports, token, credential, client, false).await?;
    start_provider_session(ports, &user, crate::mfa::passkey_amr()).await
}

async fn start_provider_session(
    ports: &Ports,
    user: &PortalUser,
    amr: Vec<String>,
) -> Result<ProviderSignIn, DomainError> {
    let now = ports.clock.now();
    let key = SecretToken::generate(ports.random.as_ref());
    let session = ProviderSession {
        key_hash: key.hash(),
        user_id: user.id().clone(),
        token_version: user.token_version(),
        auth_time: now,
        amr,
        expires_at: now + PROVIDER_SESSION_LIFETIME,
    };
    ports.store.start_provider_session(&session).await?;
    Ok(ProviderSignIn { key, session })
}

/// The provider session a cookie names, if it still signs its person in: not expired,
/// the user active and under the same token version (a deactivation or password reset
/// since ends it).
pub async fn provider_session(
    ports: &Ports,
    key: &str,
) -> Result<Option<ProviderSession>, DomainError> {
    let Some(session) = ports.store.provider_session(&token_hash(key)).await? else {
        return Ok(None);
    };
    let user = match active_user(ports, &session.user_id).await {
        Ok(user) => user,
        Err(DomainError::Unauthenticated) => return Ok(None),
        Err(other) => return Err(other),
    };
    Ok(session
        .is_live(user.token_version(), ports.clock.now())
        .then_some(session))
}

pub async fn end_provider_session(ports: &Ports, key: &str) -> Result<(), DomainError> {
    Ok(ports.store.end_provider_session(&token_hash(key)).await?)
}

/// What an app asked for in a checked authorization request.
pub struct CodeRequest {
    pub client_id: OidcClientId,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
}

/// A code for the app, from the person's provider session.
pub async fn issue_authorization_code(
    ports: &Ports,
    request: CodeRequest,
    session: &ProviderSession,
) -> Result<SecretToken, DomainError> {
    let code = SecretToken::generate(ports.random.as_ref());
    let now = ports.clock.now();
    ports
        .store
        .save_authorization_code(&AuthorizationCode {
            code_hash: code.hash(),
            client_id: request.client_id,
            redirect_uri: request.redirect_uri,
            user_id: session.user_id.clone(),
            scopes: request.scopes,
            nonce: request.nonce,
            code_challenge: request.code_challenge,
            auth_time: session.auth_time,
            amr: session.amr.clone(),
            family_id: new_id(ports.random.as_ref()),
            expires_at: now + CODE_LIFETIME,
            used_at: None,
        })
        .await?;
    Ok(code)
}

/// An app's session: its refresh token (and the user and roles the tokens carry), what it
/// was granted, and the `nonce` of the authorization request (for the first ID token).
pub struct AppSession {
    pub start: SessionStart,
    pub grant: OidcGrant,
    pub nonce: Option<String>,
}

/// Trades a code for an app session (RFC 6749 §4.1.3, RFC 7636 §4.6). Every refusal is
/// `TokenInvalid` (`invalid_grant`): unknown, expired, another client's, another redirect
/// URI, the wrong verifier. A code presented again ends the session its first use began.
pub async fn redeem_authorization_code(
    ports: &Ports,
    client: &OidcClient,
    code: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<AppSession, DomainError> {
    let now = ports.clock.now();
    let stored = ports
        .store
        .authorization_code(&token_hash(code))
        .await?
        .ok_or(DomainError::TokenInvalid)?;
    if stored.used_at.is_some() {
        return Err(replayed(ports, &stored).await);
    }
    let refusal = if now >= stored.expires_at {
        Some("expired")
    } else if stored.client_id != client.id {
        Some("issued to another client")
    } else if redirect_uri != Some(stored.redirect_uri.as_str()) {
        Some("another redirect_uri")
    } else if !code_verifier.is_some_and(|verifier| pkce_matches(verifier, &stored.code_challenge))
    {
        Some("wrong or missing code_verifier")
    } else {
        None
    };
    if let Some(reason) = refusal {
        tracing::info!(client_id = %client.id, reason, "authorization code refused");
        return Err(DomainError::TokenInvalid);
    }
    let user = active_user(ports, &stored.user_id)
        .await
        .map_err(|_| DomainError::TokenInvalid)?;
    let grant = OidcGrant {
        client_id: client.id.clone(),
        scopes: stored.scopes.clone(),
        auth_time: stored.auth_time,
        amr: stored.amr.clone(),
    };
    let mut session =
        NewSession::begin(ports.random.as_ref(), user.id(), user.token_version(), now);
    session.family.id = stored.family_id.clone();
    session.family.oidc = Some(grant.clone());
    session.refresh.family_id = stored.family_id.clone();
    match ports
        .store
        .redeem_authorization_code(&stored.used(now), &session)
        .await
    {
        Ok(()) => Ok(AppSession {
            start: SessionStart::new(ports, user, &session.family, session.token).await?,
            grant,
            nonce: stored.nonce,
        }),
        Err(StoreError::ConditionFailed) => Err(replayed(ports, &stored).await),
        Err(other) => Err(other.into()),
    }
}

/// RFC 6749 §4.1.2: a code used twice is likely stolen; what its first use issued ends.
async fn replayed(ports: &Ports, code: &AuthorizationCode) -> DomainError {
    tracing::warn!(client_id = %code.client_id, family_id = %code.family_id, "an authorization code was reused; its session ended");
    match ports
        .store
        .revoke_session_family(&code.family_id, ports.clock.now())
        .await
    {
        Ok(()) => DomainError::TokenInvalid,
        Err(error) => error.into(),
    }
}

/// Rotates an app session's refresh token, with the reuse detection of `/sessions/refresh`.
/// Only the client it was issued to may; the client must still exist.
pub async fn refresh_app_session(
    ports: &Ports,
    client: &OidcClient,
    token: &str,
) -> Result<AppSession, DomainError> {
    let (start, family) = refresh_family(ports, token, Some(&client.id))
        .await
        .map_err(|error| match error {
            DomainError::Unauthenticated => DomainError::TokenInvalid,
            other => other,
        })?;
    let grant = family.oidc.ok_or(DomainError::TokenInvalid)?;
    Ok(AppSession {
        start,
        grant,
        nonce: None,
    })
}

/// RFC 7009: ends the app session a refresh token belongs to, when it is this client's.
/// Unknown tokens and other clients' tokens change nothing, and the answer is the same.
pub async fn revoke_refresh_token(
    ports: &Ports,
    client: &OidcClient,
    token: &str,
) -> Result<(), DomainError> {
    if let Some(stored) = ports.store.refresh_token(&token_hash(token)).await? {
        revoke_app_session(ports, client, &stored.family_id).await?;
    }
    Ok(())
}

/// Ends an app session by its id (an access token's `sid`), when it is this client's.
pub async fn revoke_app_session(
    ports: &Ports,
    client: &OidcClient,
    family_id: &str,
) -> Result<(), DomainError> {
    let owned = ports
        .store
        .session_family(family_id)
        .await?
        .and_then(|family| family.oidc)
        .is_some_and(|grant| grant.client_id == client.id);
    if owned {
        ports
            .store
            .revoke_session_family(family_id, ports.clock.now())
            .await?;
    }
    Ok(())
}

/// Whom an app's access token speaks for, with what the app was granted (userinfo): the
/// user active, under the token's version, in a live app session.
pub async fn app_user(
    ports: &Ports,
    user_id: &PortalUserId,
    token_version: u64,
    session_id: &str,
) -> Result<(PortalUser, Vec<String>, OidcGrant), DomainError> {
    let user = active_user(ports, user_id).await?;
    let now = ports.clock.now();
    let grant = ports
        .store
        .session_family(session_id)
        .await?
        .filter(|family| {
            &family.user_id == user.id()
                && family.is_live(now)
                && user.token_version() == token_version
        })
        .and_then(|family| family.oidc)
        .ok_or(DomainError::Unauthenticated)?;
    let roles = super::members::organization_roles(ports, &user).await?;
    let roles = user
        .effective_roles(&roles)
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok((user, roles, grant))
}
