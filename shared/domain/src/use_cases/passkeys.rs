//! Passkeys: registering them (from the account page, or while enrolling the factor an
//! organization requires), listing and removing them, and signing in with one alone. As the
//! second step after a password they go through `second_factors`.
//!
//! A sign-in without a password writes nothing before the person's passkey has answered: its
//! ceremony travels sealed in the token the options come with (`OUTBOX_SEAL_KEY`, so it
//! cannot be forged or altered), and it is made single use on the user it signs in, whose
//! item keeps the token's hash until the ceremony expires. Anonymous requests for options
//! therefore cost no table write.

use serde_json::Value;
use time::OffsetDateTime;

use crate::ids::PortalUserId;
use crate::login::{ClientInfo, LoginEvent};
use crate::mfa::{
    PASSKEY_REFUSED, PasskeyCeremony, PasskeyFactor, RecoveryCodes, RelyingParty, passkey_amr,
    passkey_name,
};
use crate::outbox::SecondFactorChange;
use crate::secret_token::token_hash;
use crate::user::PortalUser;
use crate::{DomainError, Ports};

use super::accounts::{SessionStart, SignedIn, active_user, record_sign_in};
use super::second_factors::{Enroller, change_factors, require_recent_sign_in};
use super::with_retries;

/// A new passkey, and the recovery codes that come with a first factor (shown once).
pub struct PasskeyAdded {
    pub passkey: PasskeyFactor,
    pub recovery_codes: Option<Vec<String>>,
}

/// Options for a sign-in without a password, and the token to send back with the answer.
pub struct PasskeySignInStart {
    pub options: Value,
    pub token: String,
}

fn relying_party(ports: &Ports) -> Result<RelyingParty, DomainError> {
    RelyingParty::for_portal(&ports.settings.portal_base_url)
}

/// `POST /me/passkeys/options`: creation options for the browser; the ceremony is kept on
/// the user for five minutes.
pub async fn start_passkey(ports: &Ports, enroller: &Enroller) -> Result<Value, DomainError> {
    let rp = relying_party(ports)?;
    with_retries(|| async {
        let user = enroller.user(ports).await?;
        let account = user
            .username()
            .map(ToString::to_string)
            .unwrap_or_else(|| user.id().to_string());
        let display_name = match (user.first_name(), user.last_name()) {
            (Some(first), Some(last)) => format!("{first} {last}"),
            _ => account.clone(),
        };
        let (options, ceremony) = rp.start_registration(
            user.id(),
            &account,
            &display_name,
            &user.second_factors().passkeys,
            ports.clock.now(),
        )?;
        ports
            .store
            .update_portal_user(&user.start_passkey(ceremony)?, None)
            .await?;
        Ok(options)
    })
    .await
}

/// `POST /me/passkeys`: the browser's answer to the options. The passkey becomes the
/// user's (emailed, audited); a first factor comes with ten recovery codes.
pub async fn add_passkey(
    ports: &Ports,
    enroller: &Enroller,
    credential: &Value,
    name: Option<&str>,
) -> Result<PasskeyAdded, DomainError> {
    let name = passkey_name(name).map_err(|error| DomainError::Validation(error.into()))?;
    let rp = relying_party(ports)?;
    change_factors(
        ports,
        || enroller.user(ports),
        SecondFactorChange::PasskeyAdded,
        |user, now| {
            let ceremony = user
                .second_factors()
                .pending_passkey
                .as_ref()
                .ok_or(PASSKEY_REFUSED)?;
            let (id, stored) = rp.finish_registration(credential, ceremony, now)?;
            let passkey = PasskeyFactor {
                id,
                name: name.clone(),
                added_at: now,
                last_used_at: None,
                credential: stored,
            };
            let recovery = (!user.second_factors().any())
                .then(|| RecoveryCodes::generate(ports.random.as_ref()));
            let hashes = recovery.as_ref().map(|codes| codes.hashes.clone());
            let next = user.add_passkey(passkey.clone(), hashes, now)?;
            let added = PasskeyAdded {
                passkey,
                recovery_codes: recovery.map(|codes| codes.codes),
            };
            Ok((next, added))
        },
    )
    .await
}

/// `GET /me/passkeys`.
pub async fn passkeys(
    ports: &Ports,
    user_id: &PortalUserId,
) -> Result<Vec<PasskeyFactor>, DomainError> {
    let user = active_user(ports, user_id).await?;
    Ok(user.second_factors().passkeys.clone())
}

/// `DELETE /me/passkeys/{id}`: needs a sign-in within the last five minutes.
pub async fn remove_passkey(
    ports: &Ports,
    user_id: &PortalUserId,
    id: &str,
    auth_time: OffsetDateTime,
) -> Result<(), DomainError> {
    require_recent_sign_in(ports, auth_time)?;
    change_factors(
        ports,
        || active_user(ports, user_id),
        SecondFactorChange::PasskeyRemoved,
        |user, now| Ok((user.remove_passkey(id, now)?, ())),
    )
    .await
}

/// `POST /sessions/passkey/options`: options for the browser's passkey dialog, and the
/// sealed ceremony as the token to send back.
pub fn begin_passkey_sign_in(ports: &Ports) -> Result<PasskeySignInStart, DomainError> {
    let (options, ceremony) = relying_party(ports)?.start_discoverable(ports.clock.now())?;
    let sealed = serde_json::to_string(&ceremony).expect("a ceremony serialises");
    Ok(PasskeySignInStart {
        options,
        token: ports.sealer.seal(&sealed),
    })
}

/// `POST /sessions/passkey`: the passkey the browser chose signs its user in.
pub async fn log_in_with_passkey(
    ports: &Ports,
    token: &str,
    credential: &Value,
    client: &ClientInfo,
) -> Result<SessionStart, DomainError> {
    let (user, session) = pass_passkey_sign_in(ports, token, credential, client, true).await?;
    let session = session.expect("a session was asked for");
    SessionStart::new(ports, user, &session.family, session.token).await
}

/// A sign-in with a passkey alone, recorded with a session (`with_session`) or without
/// one (the OpenID provider starts its own). Every failure is the one `PASSKEY_REFUSED`,
/// whatever it was: no user, another user's passkey, a wrong origin, an expired, forged or
/// spent token, a replayed assertion.
pub(super) async fn pass_passkey_sign_in(
    ports: &Ports,
    token: &str,
    credential: &Value,
    client: &ClientInfo,
    with_session: bool,
) -> Result<SignedIn, DomainError> {
    let rp = relying_party(ports)?;
    // The credential's shape first: a malformed one is the client's bug, said by field.
    let user_id = rp.claimed_user(credential)?;
    let ceremony: PasskeyCeremony = ports
        .sealer
        .open(token)
        .and_then(|opened| serde_json::from_str(&opened).ok())
        .ok_or(PASSKEY_REFUSED)?;
    let user = ports
        .store
        .portal_user(&user_id)
        .await?
        .filter(PortalUser::can_log_in)
        .ok_or(PASSKEY_REFUSED)?;
    let spent = token_hash(token);
    let now = ports.clock.now();
    let sign_in = |user: &PortalUser| {
        if user.passkey_sign_in_spent(&spent) {
            return Err(PASSKEY_REFUSED);
        }
        let used =
            rp.finish_discoverable(credential, &ceremony, &user.second_factors().passkeys, now)?;
        Ok(user.passkey_signed_in(used, spent.clone(), ceremony.expires_at, now))
    };
    if let Err(refusal) = sign_in(&user) {
        let event = LoginEvent::new(user.id(), false, client, now);
        ports.store.record_login_failure(&event).await?;
        return Err(refusal);
    }
    record_sign_in(ports, user, client, with_session, passkey_amr(), sign_in)
        .await
        .map_err(|error| match error {
            DomainError::InvalidCredentials => PASSKEY_REFUSED,
            other => other,
        })
}
