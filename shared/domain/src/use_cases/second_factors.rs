//! Second factors: the sign-in step after a right password, enrolling an authenticator
//! app with its recovery codes, removing it, and staff resetting a user's factors.
//! Passkeys have their own module (`passkeys`), built on the same steps.

use time::OffsetDateTime;

use crate::error::StoreError;
use crate::ids::PortalUserId;
use crate::login::{ClientInfo, LoginEvent, LoginGuard};
use crate::mfa::{
    ChallengePurpose, MfaChallenge, MfaMethod, MfaToken, PASSKEY_REFUSED, RECENT_SIGN_IN,
    RecoveryCode, RecoveryCodes, RelyingParty, SecondFactorProof, TotpCode, TotpSecret,
};
use crate::outbox::{EmailContent, SecondFactorChange};
use crate::user::PortalUser;
use crate::{DomainError, Ports};

use super::accounts::{SessionStart, SignedIn, active_user, record_sign_in, reserve_attempt};
use super::invitations::{email_to, greeting_name};
use super::manager::Manager;
use super::manager::managed_user;
use super::{OPTIMISTIC_RETRIES, deliver_after_commit, with_retries};

/// What a sign-in leads to: done, or a second step first.
pub enum SignIn<T> {
    Done(T),
    SecondStep(MfaStep),
}

/// The second step a right password leads to: its token (shown once) and what finishes
/// it; an enrolment step lists no methods (the user has none yet).
pub struct MfaStep {
    pub token: String,
    pub purpose: ChallengePurpose,
    pub methods: Vec<MfaMethod>,
    /// WebAuthn request options naming the user's passkeys, when they have any.
    pub passkey_options: Option<serde_json::Value>,
}

/// What the person gave at the second step.
pub enum SecondFactorAnswer {
    Totp(TotpCode),
    RecoveryCode(RecoveryCode),
    /// A passkey's assertion, as the browser gave it.
    Passkey(serde_json::Value),
}

/// Whether this user's sign-in needs a second step: their own factor, or their
/// organization's rule that they enrol one (one more read, for members only).
pub(super) async fn second_step_for(
    ports: &Ports,
    user: &PortalUser,
) -> Result<Option<ChallengePurpose>, DomainError> {
    if user.second_factors().any() {
        return Ok(Some(ChallengePurpose::SecondFactor));
    }
    let Some(organization_id) = user.organization_id() else {
        return Ok(None);
    };
    let organization = ports.store.organization(organization_id).await?;
    Ok(organization
        .filter(|organization| organization.require_mfa)
        .map(|_| ChallengePurpose::Enrolment))
}

/// Stores a new step on the user (it replaces one under way) and answers its token.
pub(super) async fn begin_second_step(
    ports: &Ports,
    mut user: PortalUser,
    purpose: ChallengePurpose,
) -> Result<MfaStep, DomainError> {
    for _ in 0..OPTIMISTIC_RETRIES {
        let now = ports.clock.now();
        let (mut challenge, token) =
            MfaChallenge::begin(ports.random.as_ref(), user.id(), purpose, now);
        let passkeys = &user.second_factors().passkeys;
        let passkey_options = match purpose {
            ChallengePurpose::SecondFactor if !passkeys.is_empty() => {
                // A portal moved to an IP address cannot check passkeys; the user's
                // other factors still work.
                RelyingParty::for_portal(&ports.settings.portal_base_url)
                    .and_then(|rp| rp.start_authentication(passkeys, now))
                    .ok()
                    .map(|(options, ceremony)| {
                        challenge.passkey = Some(ceremony);
                        options
                    })
            }
            _ => None,
        };
        let next = user.begin_mfa_challenge(challenge);
        match ports.store.update_portal_user(&next, None).await {
            Ok(()) => {
                let methods = match purpose {
                    ChallengePurpose::SecondFactor => next.second_factors().methods(),
                    ChallengePurpose::Enrolment => Vec::new(),
                };
                return Ok(MfaStep {
                    token,
                    purpose,
                    methods,
                    passkey_options,
                });
            }
            Err(StoreError::ConditionFailed) => user = active_user(ports, user.id()).await?,
            Err(other) => return Err(other.into()),
        }
    }
    Err(super::accounts::BUSY)
}

/// Finishes a sign-in with its second factor. The attempt counts against the username's
/// lockout before the code is checked, as a password's does; a wrong code is counted on
/// the step too (the fifth burns it). The right one ends the step and records the login
/// in one conditional write, so of two racing uses of one code only one signs in.
pub(super) async fn pass_second_step(
    ports: &Ports,
    token: &str,
    answer: &SecondFactorAnswer,
    client: &ClientInfo,
    with_session: bool,
) -> Result<(SignedIn, Vec<String>), DomainError> {
    let token = MfaToken::parse(token).ok_or(DomainError::Unauthenticated)?;
    let user = active_user(ports, &token.user_id).await?;
    let now = ports.clock.now();
    user.mfa_challenge(&token, ChallengePurpose::SecondFactor, now)?;
    let username = user.username().ok_or(DomainError::Unauthenticated)?;
    reserve_attempt(ports, &LoginGuard::key_of(username)).await?;
    let Some(proof) = proof_of(ports, &user, answer, now) else {
        // A lost race is counted in the winner's write, or finds the step ended.
        match ports
            .store
            .update_portal_user(&user.second_factor_failed(), None)
            .await
        {
            Ok(()) | Err(StoreError::ConditionFailed) => {}
            Err(other) => return Err(other.into()),
        }
        let event = LoginEvent::new(user.id(), false, client, now);
        ports.store.record_login_failure(&event).await?;
        return Err(match answer {
            SecondFactorAnswer::Passkey(_) => PASSKEY_REFUSED,
            _ => DomainError::CodeInvalid("the code is wrong"),
        });
    };
    let amr = proof.amr();
    let signed_in = record_sign_in(ports, user, client, with_session, amr.clone(), |user| {
        user.mfa_challenge(&token, ChallengePurpose::SecondFactor, now)?;
        let proof = proof_of(ports, user, answer, now).ok_or(DomainError::Unauthenticated)?;
        Ok(user.second_factor_passed(proof, now))
    })
    .await?;
    Ok((signed_in, amr))
}

/// `POST /sessions/mfa`: the second step passed, a session begins.
pub async fn log_in_second_step(
    ports: &Ports,
    token: &str,
    answer: &SecondFactorAnswer,
    client: &ClientInfo,
) -> Result<SessionStart, DomainError> {
    let ((user, session), _) = pass_second_step(ports, token, answer, client, true).await?;
    let session = session.expect("a session was asked for");
    SessionStart::new(ports, user, &session.family, session.token).await
}

/// What `answer` proves against the user's factors as they are now, if anything.
fn proof_of(
    ports: &Ports,
    user: &PortalUser,
    answer: &SecondFactorAnswer,
    now: OffsetDateTime,
) -> Option<SecondFactorProof> {
    let factors = user.second_factors();
    match answer {
        SecondFactorAnswer::Totp(code) => {
            let totp = factors.totp.as_ref()?;
            let secret = open_secret(ports, &totp.sealed_secret)?;
            let step = secret.matching_step(code, now, totp.last_step)?;
            Some(SecondFactorProof::Totp { step })
        }
        SecondFactorAnswer::RecoveryCode(code) => {
            let index = code.position_in(&factors.recovery_codes)?;
            Some(SecondFactorProof::RecoveryCode { index })
        }
        SecondFactorAnswer::Passkey(credential) => {
            let ceremony = factors.challenge.as_ref()?.passkey.as_ref()?;
            let used = RelyingParty::for_portal(&ports.settings.portal_base_url)
                .and_then(|rp| {
                    rp.finish_authentication(credential, ceremony, &factors.passkeys, now)
                })
                .ok()?;
            Some(SecondFactorProof::Passkey(used))
        }
    }
}

fn open_secret(ports: &Ports, sealed: &str) -> Option<TotpSecret> {
    let opened = ports.sealer.open(sealed);
    if opened.is_none() {
        tracing::error!("an authenticator secret does not open with the seal key");
    }
    TotpSecret::from_base32(&opened?)
}

/// Who sets up a second factor: a signed-in user (their access token already checked),
/// or one whose organization requires a factor before any token (their enrolment token).
pub enum Enroller {
    SignedIn(PortalUserId),
    Enrolling(MfaToken),
}

impl Enroller {
    /// `None` for text no enrolment step could have made.
    pub fn enrolling(token: &str) -> Option<Self> {
        MfaToken::parse(token).map(Self::Enrolling)
    }

    pub(super) async fn user(&self, ports: &Ports) -> Result<PortalUser, DomainError> {
        match self {
            Self::SignedIn(id) => active_user(ports, id).await,
            Self::Enrolling(token) => {
                let user = active_user(ports, &token.user_id).await?;
                user.mfa_challenge(token, ChallengePurpose::Enrolment, ports.clock.now())?;
                Ok(user)
            }
        }
    }
}

/// A new authenticator secret for the person to scan, waiting for its first code.
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Shows a new secret (sealed at rest); a secret shown before and never confirmed is
/// replaced.
pub async fn start_totp(ports: &Ports, enroller: &Enroller) -> Result<TotpSetup, DomainError> {
    with_retries(|| async {
        let user = enroller.user(ports).await?;
        let secret = TotpSecret::generate(ports.random.as_ref());
        let next = user.start_totp(ports.sealer.seal(&secret.base32()), ports.clock.now())?;
        ports.store.update_portal_user(&next, None).await?;
        let account = user
            .username()
            .map(ToString::to_string)
            .unwrap_or_else(|| user.id().to_string());
        Ok(TotpSetup {
            secret: secret.base32(),
            otpauth_uri: secret.otpauth_uri(&authenticator_issuer(ports), &account),
        })
    })
    .await
}

/// The first code from the app confirms it: the app becomes the user's factor, with ten
/// new recovery codes (answered once, stored hashed), and the user is emailed. An
/// enrolment step ends here; the person then signs in with the new factor.
pub async fn confirm_totp(
    ports: &Ports,
    enroller: &Enroller,
    code: &TotpCode,
) -> Result<Vec<String>, DomainError> {
    let change = SecondFactorChange::AuthenticatorAdded;
    change_factors(
        ports,
        || enroller.user(ports),
        change,
        |user, now| {
            let pending = user.pending_totp(now).ok_or(DomainError::InvalidState(
                "set up the authenticator app again",
            ))?;
            let step = open_secret(ports, &pending.sealed_secret)
                .and_then(|secret| secret.matching_step(code, now, None))
                .ok_or(DomainError::CodeInvalid("the code is wrong"))?;
            let recovery = RecoveryCodes::generate(ports.random.as_ref());
            Ok((
                user.confirm_totp(step, recovery.hashes, now)?,
                recovery.codes,
            ))
        },
    )
    .await
}

/// Removes the authenticator app; needs a sign-in within the last five minutes.
pub async fn remove_totp(
    ports: &Ports,
    user_id: &PortalUserId,
    auth_time: OffsetDateTime,
) -> Result<(), DomainError> {
    require_recent_sign_in(ports, auth_time)?;
    let change = SecondFactorChange::AuthenticatorRemoved;
    change_factors(
        ports,
        || active_user(ports, user_id),
        change,
        |user, now| Ok((user.remove_totp(now)?, ())),
    )
    .await
}

/// Ten new recovery codes, the old set ending; needs a sign-in within the last five
/// minutes.
pub async fn replace_recovery_codes(
    ports: &Ports,
    user_id: &PortalUserId,
    auth_time: OffsetDateTime,
) -> Result<Vec<String>, DomainError> {
    require_recent_sign_in(ports, auth_time)?;
    let change = SecondFactorChange::RecoveryCodesReplaced;
    change_factors(
        ports,
        || active_user(ports, user_id),
        change,
        |user, now| {
            let recovery = RecoveryCodes::generate(ports.random.as_ref());
            Ok((
                user.replace_recovery_codes(recovery.hashes, now)?,
                recovery.codes,
            ))
        },
    )
    .await
}

/// Staff remove every second factor of a user who lost theirs: audited, and the user
/// is emailed.
pub async fn reset_second_factors(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<PortalUser, DomainError> {
    let read = || managed_user(ports, manager, id);
    change_factors(
        ports,
        read,
        SecondFactorChange::ResetByStaff,
        |user, now| {
            let next = user.reset_second_factors(&manager.actor(), now)?;
            Ok((next.clone(), next))
        },
    )
    .await
}

/// One change of a user's second factors: the user read, changed and written with the
/// email that tells them (again, should another write come first), then the email sent.
pub(super) async fn change_factors<T, Read, Fut>(
    ports: &Ports,
    read: Read,
    change: SecondFactorChange,
    apply: impl Fn(&PortalUser, OffsetDateTime) -> Result<(PortalUser, T), DomainError>,
) -> Result<T, DomainError>
where
    Read: Fn() -> Fut,
    Fut: Future<Output = Result<PortalUser, DomainError>>,
{
    let (answer, email) = with_retries(|| async {
        let user = read().await?;
        let now = ports.clock.now();
        let (next, answer) = apply(&user, now)?;
        let content = EmailContent::SecondFactorChanged {
            first_name: greeting_name(&next),
            change,
        };
        let email = email_to(ports, &next, content, now);
        ports
            .store
            .update_portal_user(&next, email.as_ref())
            .await?;
        Ok((answer, email))
    })
    .await?;
    if let Some(email) = &email {
        deliver_after_commit(ports, email).await;
    }
    Ok(answer)
}

/// How authenticator apps name the account's issuer: the portal's host, which the
/// person recognizes from the address bar.
fn authenticator_issuer(ports: &Ports) -> String {
    url::Url::parse(&ports.settings.portal_base_url)
        .ok()
        .and_then(|url| url.host_str().map(ToOwned::to_owned))
        .unwrap_or_else(|| ports.settings.portal_base_url.clone())
}

pub(super) fn require_recent_sign_in(
    ports: &Ports,
    auth_time: OffsetDateTime,
) -> Result<(), DomainError> {
    if ports.clock.now() - auth_time > RECENT_SIGN_IN {
        return Err(DomainError::RecentSignInRequired);
    }
    Ok(())
}
