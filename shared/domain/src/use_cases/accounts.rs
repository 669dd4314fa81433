//! The invited person's side: the invitation landing, logins, sessions, password resets.

use crate::audit::Actor;
use crate::error::StoreError;
use crate::ids::{ContactId, OidcClientId, PortalUserId};
use crate::login::{ClientInfo, LoginEvent, LoginGuard};
use crate::mfa::{MfaChallenge, password_amr};
use crate::outbox::{EmailContent, OutboxMessage};
use crate::password::{NewPassword, PasswordRejection};
use crate::password_reset::{PasswordReset, RESET_LIFETIME};
use crate::ports::ContactEmail;
use crate::secret_token::{SecretToken, token_hash};
use crate::session::{NewSession, RefreshDecision, RefreshToken, SessionFamily};
use crate::throttle::ThrottleWindow;
use crate::types::{EmailAddress, Role, Username, UsernameField};
use crate::user::{EmailCheck, PortalUser, PortalUserStatus, Profile};
use crate::verification_code::{CODE_LIFETIME, CodeAttempt, VerificationCode};
use crate::{DomainError, Ports};

use super::invitations::{email_to, greeting_name};
use super::members::organization_roles;
use super::second_factors::{MfaStep, SignIn, begin_second_step, second_step_for};
use super::{OPTIMISTIC_RETRIES, deliver_after_commit, with_retries};

/// A session handed to a client: the user it is for, the roles its access tokens carry,
/// and the refresh token (shown once).
pub struct SessionStart {
    pub user: PortalUser,
    /// Own ∪ organization's ∪ the base role.
    pub roles: Vec<Role>,
    pub family_id: String,
    pub refresh_token: SecretToken,
    /// How the person signed in (`amr`), and when: what access tokens carry.
    pub amr: Vec<String>,
    pub auth_time: time::OffsetDateTime,
}

impl SessionStart {
    /// Reads the organization's roles (one more read, for members of one only).
    pub(super) async fn new(
        ports: &Ports,
        user: PortalUser,
        family: &SessionFamily,
        refresh_token: SecretToken,
    ) -> Result<Self, DomainError> {
        let organization_roles = organization_roles(ports, &user).await?;
        let (amr, auth_time) = family.authentication();
        Ok(Self {
            roles: user.effective_roles(&organization_roles),
            user,
            family_id: family.id.clone(),
            refresh_token,
            amr,
            auth_time,
        })
    }
}

/// The user an invitation link is for, if the link still works.
pub async fn lookup_invitation(ports: &Ports, token: &str) -> Result<PortalUser, DomainError> {
    let hash = token_hash(token);
    let user = ports
        .store
        .portal_user_by_invitation(&hash)
        .await?
        .ok_or(DomainError::InvitationInvalid)?;
    user.live_invitation(&hash, ports.clock.now())?;
    Ok(user)
}

/// Sends a 6-digit code to the address a person known by name alone gives through their
/// personal link (a new code replaces the one before; codes are spaced and counted as a
/// registration's are). Whether the address is someone else's is told only after the
/// code proves the person reads it, when they accept.
pub async fn send_invitation_email_code(
    ports: &Ports,
    token: &str,
    email: &EmailAddress,
) -> Result<(), DomainError> {
    let hash = token_hash(token);
    let message = with_retries(|| async {
        let user = lookup_invitation(ports, token).await?;
        let now = ports.clock.now();
        let code = VerificationCode::generate(ports.random.as_ref());
        let next = user.send_email_code(&hash, email.clone(), &code, now)?;
        let content = EmailContent::VerificationCode {
            first_name: greeting_name(&next),
            sealed_code: ports.sealer.seal(code.as_str()),
            valid_minutes: CODE_LIFETIME.whole_minutes() as u32,
        };
        let message = OutboxMessage::new(
            ports.random.as_ref(),
            email.clone(),
            next.locale().clone(),
            content,
            now,
        );
        ports
            .store
            .update_portal_user(&next, Some(&message))
            .await?;
        Ok(message)
    })
    .await?;
    deliver_after_commit(ports, &message).await;
    Ok(())
}

/// Sets the password through the invitation link and logs the person in. The link is
/// consumed by the same conditional write that activates the user: of two concurrent
/// accepts, one wins and the other gets `InvitationInvalid`. A person known by name alone
/// gives the code sent to their address: a wrong one is counted (5 burn it); the right
/// one gives the address to the user (as their username when they have none) and to
/// their contact, in the same write, which a taken address refuses (`409`).
pub async fn accept_invitation(
    ports: &Ports,
    token: &str,
    password: &str,
    profile: Option<Profile>,
    email_code: Option<CodeAttempt>,
) -> Result<SignIn<SessionStart>, DomainError> {
    let hash = token_hash(token);
    let user = lookup_invitation(ports, token).await?;
    let confirmed = match user.check_email_code(&hash, email_code.as_ref(), ports.clock.now())? {
        EmailCheck::NotNeeded => None,
        EmailCheck::Confirmed(email) => Some(email),
        EmailCheck::WrongCode(counted) => {
            // A lost race counts in the winner's write, or reads a used invitation.
            match ports.store.update_portal_user(&counted, None).await {
                Ok(()) | Err(StoreError::ConditionFailed) => {}
                Err(other) => return Err(other.into()),
            }
            return Err(DomainError::CodeInvalid("the code is wrong"));
        }
    };
    let names = profile
        .as_ref()
        .map(|p| (p.first_name.to_string(), p.last_name.to_string()));
    let password = checked_password(ports, password, &user, names, confirmed.as_ref())?;
    let password_hash = ports.hasher.hash(&password).await;
    let now = ports.clock.now();
    let next = user.accept_invitation(&hash, password_hash, profile, confirmed.clone(), now)?;
    let contact = match &confirmed {
        Some(email) => {
            let previous = ports
                .store
                .contact(next.contact_id())
                .await?
                .ok_or(DomainError::InvitationInvalid)?;
            let actor = Actor {
                subject: next.id().to_string(),
                name: None,
            };
            // Only this accept gives the contact of a user without email an address (staff
            // may not): one that has one now lost the race to another accept of the link.
            let confirmed = previous
                .confirm_email(&actor, email, now)
                .map_err(|_| DomainError::InvitationInvalid)?;
            Some(ContactEmail {
                previous,
                next: confirmed,
                username_is_new: user.username().is_none(),
            })
        }
        None => None,
    };
    // An organization that requires a second factor gets no session before one is set
    // up: the same write begins the enrolment step instead.
    let (next, begun) = match second_step_for(ports, &next).await? {
        Some(purpose) => {
            let (challenge, token) =
                MfaChallenge::begin(ports.random.as_ref(), next.id(), purpose, now);
            let step = MfaStep {
                token,
                purpose,
                methods: next.second_factors().methods(),
                passkey_options: None,
            };
            (next.with_mfa_challenge(challenge), SignIn::SecondStep(step))
        }
        None => {
            let session =
                NewSession::begin(ports.random.as_ref(), next.id(), next.token_version(), now);
            (next, SignIn::Done(session))
        }
    };
    let session = match &begun {
        SignIn::Done(session) => Some(session),
        SignIn::SecondStep(_) => None,
    };
    match ports
        .store
        .accept_invitation(&next, session, contact.as_ref())
        .await
    {
        Ok(()) => match begun {
            SignIn::Done(session) => Ok(SignIn::Done(
                SessionStart::new(ports, next, &session.family, session.token).await?,
            )),
            SignIn::SecondStep(step) => Ok(SignIn::SecondStep(step)),
        },
        Err(StoreError::ConditionFailed) => Err(DomainError::InvitationInvalid),
        Err(other) => Err(other.into()),
    }
}

/// Checks a username and password and begins a session (a refresh token family), or the
/// second step when the account has a second factor (or must enrol one): see
/// [`verify_login`].
pub async fn log_in(
    ports: &Ports,
    username: &str,
    password: &str,
    client: &ClientInfo,
) -> Result<SignIn<SessionStart>, DomainError> {
    match verify_login(ports, username, password, client, true).await? {
        SignIn::Done((user, session)) => {
            let session = session.expect("a session was asked for");
            Ok(SignIn::Done(
                SessionStart::new(ports, user, &session.family, session.token).await?,
            ))
        }
        SignIn::SecondStep(step) => Ok(SignIn::SecondStep(step)),
    }
}

/// Checks a username and password. The attempt is counted against the username's guard
/// before the password is checked, whether or not the username exists; a locked username
/// is `TooManyAttempts` alike for both. Every other failure is the same
/// `InvalidCredentials`, and an unknown username costs the same Argon2 verification as a
/// wrong password. A success is recorded (the login history, the guard cleared) with a new
/// session when `with_session` (the OpenID provider keeps a session of its own instead).
/// An account with a second factor (or one its organization requires) gets the second
/// step instead, and its attempt stays counted until that step passes.
pub(super) async fn verify_login(
    ports: &Ports,
    username: &str,
    password: &str,
    client: &ClientInfo,
    with_session: bool,
) -> Result<SignIn<SignedIn>, DomainError> {
    let field = ports.settings.username_field;
    let user = match field.typed(username) {
        Some(username) => ports.store.portal_user_by_username(&username).await?,
        None => None,
    };
    reserve_attempt(ports, &LoginGuard::key_for(field, username)).await?;
    let stored = user.as_ref().and_then(|user| user.password_hash());
    let verified = ports.hasher.verify(password, stored).await;
    let Some(user) = user else {
        return Err(DomainError::InvalidCredentials);
    };
    let now = ports.clock.now();
    if !(verified && user.can_log_in()) {
        let event = LoginEvent::new(user.id(), false, client, now);
        ports.store.record_login_failure(&event).await?;
        return Err(DomainError::InvalidCredentials);
    }
    if let Some(purpose) = second_step_for(ports, &user).await? {
        return Ok(SignIn::SecondStep(
            begin_second_step(ports, user, purpose).await?,
        ));
    }
    let signed_in = record_sign_in(ports, user, client, with_session, password_amr(), |user| {
        Ok(user.login_succeeded(now))
    })
    .await?;
    Ok(SignIn::Done(signed_in))
}

/// A user who passed every step, and the session begun for them (when one was asked for).
pub(super) type SignedIn = (PortalUser, Option<NewSession>);

/// Records a sign-in that passed (the login history, the guard cleared, the session
/// begun with `amr`) as the user `pass` makes of the one read. A concurrent change to
/// the user means re-reading it and passing it again (the password is not verified
/// twice, but a second factor is checked again against the fresh user).
pub(super) async fn record_sign_in(
    ports: &Ports,
    mut user: PortalUser,
    client: &ClientInfo,
    with_session: bool,
    amr: Vec<String>,
    pass: impl Fn(&PortalUser) -> Result<PortalUser, DomainError>,
) -> Result<SignedIn, DomainError> {
    let now = ports.clock.now();
    for _ in 0..OPTIMISTIC_RETRIES {
        let next = pass(&user)?;
        let event = LoginEvent::new(user.id(), true, client, now);
        let session = with_session.then(|| {
            NewSession::begin(ports.random.as_ref(), next.id(), next.token_version(), now)
                .signed_in_with(amr.clone())
        });
        match ports
            .store
            .record_login_success(&next, &event, session.as_ref())
            .await
        {
            Ok(()) => return Ok((next, session)),
            Err(StoreError::ConditionFailed) => {
                user = ports
                    .store
                    .portal_user(user.id())
                    .await?
                    .filter(PortalUser::can_log_in)
                    .ok_or(DomainError::InvalidCredentials)?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(BUSY)
}

/// A login that could not be counted or recorded because others kept changing the same
/// account: never a 409 (that would tell an attacker their guesses raced), but a short wait.
pub(super) const BUSY: DomainError = DomainError::TooManyAttempts {
    retry_after: std::time::Duration::from_secs(1),
};

/// How often counting an attempt is tried again when the guard moved under it (a lock
/// began or ended meanwhile); plain parallel attempts never conflict.
const RESERVE_RETRIES: usize = 5;

/// Counts one attempt against the username's guard, reading it again (and so checking
/// the lock again) whenever it moved; `TooManyAttempts` while it is locked.
pub(super) async fn reserve_attempt(ports: &Ports, key: &str) -> Result<(), DomainError> {
    for _ in 0..RESERVE_RETRIES {
        let guard = ports
            .store
            .login_guard(key)
            .await?
            .unwrap_or_else(|| LoginGuard::fresh(key.to_owned()));
        let reservation =
            guard
                .reserve(ports.clock.now())
                .map_err(|lock| DomainError::TooManyAttempts {
                    retry_after: lock.retry_after(),
                })?;
        match ports.store.reserve_login_attempt(&reservation).await {
            Ok(()) => return Ok(()),
            Err(StoreError::ConditionFailed) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(BUSY)
}

/// Trades a refresh token for a new one (rotation). A rotated token presented again
/// after the grace period ends its whole session family.
pub async fn refresh_session(ports: &Ports, token: &str) -> Result<SessionStart, DomainError> {
    Ok(refresh_family(ports, token, None).await?.0)
}

/// [`refresh_session`] for the family of an app's sign-in through our OpenID provider
/// (`client`), or of `/sessions` (`None`): a token is refreshed only where it was issued.
/// Also answers the family, whose grant the new tokens carry.
pub(super) async fn refresh_family(
    ports: &Ports,
    token: &str,
    client: Option<&OidcClientId>,
) -> Result<(SessionStart, SessionFamily), DomainError> {
    let now = ports.clock.now();
    let old = ports
        .store
        .refresh_token(&token_hash(token))
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let family = ports
        .store
        .session_family(&old.family_id)
        .await?
        .filter(|family| family.oidc.as_ref().map(|grant| &grant.client_id) == client)
        .ok_or(DomainError::Unauthenticated)?;
    let user = active_user(ports, &old.user_id).await?;
    match old.decide(&family, user.token_version(), now) {
        RefreshDecision::Refuse => Err(DomainError::Unauthenticated),
        RefreshDecision::RevokeFamily => {
            tracing::warn!(family_id = %family.id, user_id = %user.id(), "a rotated refresh token was reused; session ended");
            ports.store.revoke_session_family(&family.id, now).await?;
            Err(DomainError::Unauthenticated)
        }
        RefreshDecision::Rotate => {
            let (new, refresh_token) = RefreshToken::issue(ports.random.as_ref(), &family, now);
            match ports
                .store
                .rotate_refresh_token(&old.rotated(now), &new)
                .await
            {
                Ok(()) => Ok((
                    SessionStart::new(ports, user, &family, refresh_token).await?,
                    family,
                )),
                Err(StoreError::ConditionFailed) => Err(DomainError::Unauthenticated),
                Err(other) => Err(other.into()),
            }
        }
    }
}

/// Ends the session an access token belongs to.
pub async fn log_out(ports: &Ports, family_id: &str) -> Result<(), DomainError> {
    Ok(ports
        .store
        .revoke_session_family(family_id, ports.clock.now())
        .await?)
}

/// The user an access token names, if it still may act: active, the token issued under
/// the current token version (deactivation and password resets bump it), and its session
/// still live (a logout or a replayed refresh token ends it): one more read per request,
/// so that an ended session's access tokens stop at once, not when they expire.
pub async fn current_user(
    ports: &Ports,
    user_id: &PortalUserId,
    token_version: u64,
    session_id: &str,
) -> Result<PortalUser, DomainError> {
    let user = active_user(ports, user_id).await?;
    if user.token_version() != token_version {
        return Err(DomainError::Unauthenticated);
    }
    let now = ports.clock.now();
    ports
        .store
        .session_family(session_id)
        .await?
        .filter(|family| &family.user_id == user.id() && family.is_live(now))
        .ok_or(DomainError::Unauthenticated)?;
    Ok(user)
}

/// Emails a reset link to an active user with this address; does nothing else otherwise.
/// The caller answers the same either way, and the store does the same work either way
/// (two reads, one write counted against the address's window; the email is left to the
/// mailer), so neither the answer nor its timing tells who has an account.
pub async fn request_password_reset(
    ports: &Ports,
    email: &EmailAddress,
) -> Result<(), DomainError> {
    let now = ports.clock.now();
    let user = user_with_address(ports, email).await?;
    let active = user.filter(|user| user.status() == PortalUserStatus::Active);
    // Every request writes a link; only an active user's is emailed (and so ever used).
    // The others are for nobody: their token is dropped here, and they expire in an hour.
    let (reset, email_message) = match &active {
        Some(user) => reset_link(ports, user, now),
        None => (unused_link(ports, now), None),
    };
    let throttle = ThrottleWindow::password_resets(email, now);
    match ports
        .store
        .request_password_reset(&reset, email_message.as_ref(), &throttle)
        .await
    {
        // Over the limit: silently nothing more, like for an unknown address.
        Ok(()) | Err(StoreError::Throttled) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// The user who gets emails at `email`, read with as many reads whether there is one or
/// not. When usernames are addresses, that is the username's guard and the user (an
/// unknown address reads a user who does not exist instead); otherwise the address's
/// contact guard, the contact and its user (each missing step read in vain).
async fn user_with_address(
    ports: &Ports,
    email: &EmailAddress,
) -> Result<Option<PortalUser>, DomainError> {
    let nobody = || PortalUserId::generate(ports.random.as_ref());
    if ports.settings.username_field == UsernameField::Email {
        return Ok(
            match ports
                .store
                .portal_user_by_username(&Username::of_email(email))
                .await?
            {
                Some(user) => Some(user),
                None => {
                    ports.store.portal_user(&nobody()).await?;
                    None
                }
            },
        );
    }
    let user_id = match ports.store.contact_by_email(email).await? {
        Some(contact) => contact.portal_user_id,
        None => {
            // A contact guard without its contact: the read the contact would have cost.
            ports
                .store
                .contact(&ContactId::generate(ports.random.as_ref()))
                .await?;
            None
        }
    };
    Ok(ports
        .store
        .portal_user(&user_id.unwrap_or_else(nobody))
        .await?)
}

/// A reset link nobody will ever hold: what an unknown address writes.
fn unused_link(ports: &Ports, now: time::OffsetDateTime) -> PasswordReset {
    PasswordReset {
        token_hash: SecretToken::generate(ports.random.as_ref()).hash(),
        // No user has a freshly generated id.
        user_id: PortalUserId::generate(ports.random.as_ref()),
        created_at: now,
        expires_at: now + RESET_LIFETIME,
        used_at: None,
        token_version: 0,
        link_version: 0,
    }
}

/// A new reset link for `user` and its email, which the mailer delivers.
fn reset_link(
    ports: &Ports,
    user: &PortalUser,
    now: time::OffsetDateTime,
) -> (PasswordReset, Option<OutboxMessage>) {
    let (reset, token) = password_link(ports, user, RESET_LIFETIME, now);
    let content = EmailContent::PasswordReset {
        first_name: greeting_name(user),
        sealed_token: ports.sealer.seal(token.as_str()),
        expires_at: reset.expires_at,
    };
    let message = email_to(ports, user, content, now).map(OutboxMessage::for_mailer);
    (reset, message)
}

/// A new link for `user` to choose a password, valid for `lifetime`, and the token
/// behind its hash (kept nowhere).
pub(super) fn password_link(
    ports: &Ports,
    user: &PortalUser,
    lifetime: time::Duration,
    now: time::OffsetDateTime,
) -> (PasswordReset, SecretToken) {
    let token = SecretToken::generate(ports.random.as_ref());
    let reset = PasswordReset {
        token_hash: token.hash(),
        user_id: user.id().clone(),
        created_at: now,
        expires_at: now + lifetime,
        used_at: None,
        token_version: user.token_version(),
        link_version: user.link_version(),
    };
    (reset, token)
}

/// Sets a new password through a reset link: the link is used up, every session and
/// access token of the user ends, and a "password changed" email goes out.
pub async fn complete_password_reset(
    ports: &Ports,
    token: &str,
    password: &str,
) -> Result<PortalUser, DomainError> {
    let hash = token_hash(token);
    let reset = usable_reset(ports, &hash).await?;
    let user = reset_user(ports, &reset).await?;
    let password = checked_password(ports, password, &user, None, None)?;
    let password_hash = ports.hasher.hash(&password).await;
    let mut user = user;
    for _ in 0..OPTIMISTIC_RETRIES {
        let now = ports.clock.now();
        let next = user.change_password(password_hash.clone(), now);
        let used = PasswordReset {
            used_at: Some(now),
            ..reset.clone()
        };
        let content = EmailContent::PasswordChanged {
            first_name: greeting_name(&next),
        };
        // Only a user with an address is active (one known by name alone confirms theirs
        // before their first password).
        let message = email_to(ports, &next, content, now).ok_or(DomainError::InvalidState(
            "the user has no email to tell of the change",
        ))?;
        match ports
            .store
            .complete_password_reset(&used, &next, &message)
            .await
        {
            Ok(()) => {
                deliver_after_commit(ports, &message).await;
                return Ok(next);
            }
            // The user changed (e.g. a login) or the link was used meanwhile: look again.
            Err(StoreError::ConditionFailed) => {
                usable_reset(ports, &hash).await?;
                user = reset_user(ports, &reset).await?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(DomainError::Conflict("the account is changing; try again"))
}

async fn usable_reset(ports: &Ports, hash: &str) -> Result<PasswordReset, DomainError> {
    ports
        .store
        .password_reset(hash)
        .await?
        .filter(|reset| reset.is_usable(ports.clock.now()))
        .ok_or(DomainError::TokenInvalid)
}

/// The user a reset link is for, if it still works for them: active, and no other reset
/// (nor a deactivation) happened since the link was made.
async fn reset_user(ports: &Ports, reset: &PasswordReset) -> Result<PortalUser, DomainError> {
    active_user(ports, &reset.user_id)
        .await
        .ok()
        .filter(|user| reset.still_works_for(user))
        .ok_or(DomainError::TokenInvalid)
}

pub(super) async fn active_user(
    ports: &Ports,
    user_id: &PortalUserId,
) -> Result<PortalUser, DomainError> {
    ports
        .store
        .portal_user(user_id)
        .await?
        .filter(|user| user.status() == PortalUserStatus::Active)
        .ok_or(DomainError::Unauthenticated)
}

/// The password policy, with the user's own username, address and names as forbidden
/// content (`email`: the one they are confirming, if any).
fn checked_password(
    ports: &Ports,
    password: &str,
    user: &PortalUser,
    names: Option<(String, String)>,
    email: Option<&EmailAddress>,
) -> Result<NewPassword, DomainError> {
    let (first, last) = names.unwrap_or_else(|| {
        let name =
            |n: Option<&crate::types::PersonName>| n.map(ToString::to_string).unwrap_or_default();
        (name(user.first_name()), name(user.last_name()))
    });
    let username = user.username().map(ToString::to_string).unwrap_or_default();
    let address = email
        .cloned()
        .or_else(|| user.email())
        .map(|email| email.to_string())
        .unwrap_or_default();
    let personal = [
        username.as_str(),
        address.as_str(),
        first.as_str(),
        last.as_str(),
    ];
    NewPassword::parse(password, &personal, ports.settings.password_min_length)
        .map_err(|rejection: PasswordRejection| DomainError::PasswordRejected(rejection.reason()))
}
