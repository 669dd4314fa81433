//! Portal users: the accounts people log in with.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::{Actor, AuditAction, AuditEvent};
use crate::error::{DomainError, FieldErrors};
use crate::ids::{ContactId, OrganizationId, PortalUserId};
use crate::invitation::{EmailCode, Invitation, InvitationStatus};
use crate::mfa::SecondFactors;
use crate::stored::aggregate;
use crate::types::{EmailAddress, Locale, PersonName, Phone, Role, Username};
use crate::verification_code::{CodeAttempt, CodeCheck, PendingCode, VerificationCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortalUserStatus {
    Invited,
    Active,
    Deactivated,
}

mod second_factors;

aggregate! {
    /// A portal user. Its fields change only through its methods, each of which records what
    /// happened in its audit trail and bumps its version.
    pub struct PortalUser / StoredPortalUser {
        id: PortalUserId,
        contact_id: ContactId,
        /// What the person signs in with, unique among portal users: the contact's field
        /// `USERNAME_FIELD` names when the user was made. A person known by name alone
        /// under `USERNAME_FIELD=email` has none until they confirm an address through
        /// their personal link.
        username: Option<Username>,
        /// Where the portal writes to them: the contact's address when the user was made,
        /// or the one they confirmed through their personal link. Users made before
        /// usernames could be other than an address have none here; their username is it.
        email: Option<EmailAddress>,
        status: PortalUserStatus,
        /// The user's own roles; organization roles and the base role come on top.
        roles: Vec<Role>,
        organization_id: Option<OrganizationId>,
        org_admin: bool,
        /// The newest invitation; older ones no longer work.
        invitation: Option<Invitation>,
        last_login_at: Option<OffsetDateTime>,
        /// The name the person goes by; absent when invited by email alone (then the
        /// invitation landing asks for it).
        first_name: Option<PersonName>,
        last_name: Option<PersonName>,
        phone: Option<Phone>,
        /// The language of this user's emails (resets, notices): the one they registered in.
        locale: Locale,
        /// Argon2id PHC string; absent until the invitation is accepted.
        password_hash: Option<String>,
        /// Carried by access tokens and sessions; bumping it ends them all at once.
        token_version: u64,
        /// Carried by links to set a password; bumping it ends every older link.
        link_version: u64,
        /// Second factors, and the sign-in step under way.
        mfa: SecondFactors,
        created_at: OffsetDateTime,
        audit: Vec<AuditEvent>,
        version: u64,
    }
}

/// What the code a person known by name alone typed says.
// Built once per accept and matched at once: boxing the user would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum EmailCheck {
    /// The user has an address: no code is needed.
    NotNeeded,
    /// The code sent to this address is right.
    Confirmed(EmailAddress),
    /// Wrong: this next version counts the failure and is to be stored.
    WrongCode(PortalUser),
}

/// The name and phone a person gives for their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone: Option<Phone>,
}

/// What staff decide about a new user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    pub roles: Vec<Role>,
    pub organization_id: Option<OrganizationId>,
}

/// How a new portal user joins: what they are granted, whether they administer the
/// organization of the grant, and whether they are invited now or later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub grant: Grant,
    /// Administrator of `grant.organization_id` (so it needs one).
    pub org_admin: bool,
    /// `false`: created without a link; access information is sent later.
    pub send_invitation: bool,
}

/// A change of a user's access; `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessChange {
    pub roles: Option<Vec<Role>>,
    /// `Some(None)` takes the user out of their organization.
    pub organization_id: Option<Option<OrganizationId>>,
    pub org_admin: Option<bool>,
}

impl AccessChange {
    pub fn is_empty(&self) -> bool {
        self.roles.is_none() && self.organization_id.is_none() && self.org_admin.is_none()
    }
}

impl PortalUser {
    /// A user who must open the invitation link to set a password. Without an address
    /// (a person known by name alone) they confirm one through the link; without a
    /// username too, that address becomes it.
    pub fn invite(
        id: PortalUserId,
        contact_id: ContactId,
        username: Option<Username>,
        email: Option<EmailAddress>,
        grant: Grant,
        invitation: Invitation,
        invited: AuditEvent,
    ) -> Self {
        Self {
            id,
            contact_id,
            username,
            email,
            status: PortalUserStatus::Invited,
            roles: grant.roles,
            organization_id: grant.organization_id,
            org_admin: false,
            invitation: Some(invitation),
            last_login_at: None,
            first_name: None,
            last_name: None,
            phone: None,
            locale: Locale::default(),
            password_hash: None,
            token_version: 1,
            link_version: 0,
            mfa: SecondFactors::default(),
            created_at: invited.at,
            audit: vec![invited],
            version: 1,
        }
    }

    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.first_name = Some(profile.first_name);
        self.last_name = Some(profile.last_name);
        self.phone = profile.phone;
        self
    }

    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    /// Administrator of the organization it joins (there is none to administer without one).
    pub fn administering(mut self, org_admin: bool) -> Self {
        self.org_admin = org_admin && self.organization_id.is_some();
        self
    }

    /// Created without a link: access information is sent later.
    pub fn without_invitation(mut self) -> Self {
        self.invitation = None;
        self
    }

    pub fn id(&self) -> &PortalUserId {
        &self.id
    }

    pub fn contact_id(&self) -> &ContactId {
        &self.contact_id
    }

    /// What the person signs in with; unique among portal users. `None` for a person known
    /// by name alone until they confirm an address.
    pub fn username(&self) -> Option<&Username> {
        self.username.as_ref()
    }

    /// Where the portal writes to the person; `None` for a person known by name alone
    /// until they confirm an address through their personal link.
    pub fn email(&self) -> Option<EmailAddress> {
        // Users made before the address was kept apart from the username have it as their
        // username, which was always an address then.
        self.email.clone().or_else(|| {
            self.username
                .as_ref()
                .and_then(|username| EmailAddress::parse(username.as_str()).ok())
        })
    }

    /// Known by name alone: the welcome page asks for an address and a code sent to it.
    pub fn needs_email(&self) -> bool {
        self.email().is_none()
    }

    pub fn status(&self) -> PortalUserStatus {
        self.status
    }

    /// The user's own roles; organization roles and the base role come on top.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn organization_id(&self) -> Option<&OrganizationId> {
        self.organization_id.as_ref()
    }

    pub fn org_admin(&self) -> bool {
        self.org_admin
    }

    /// The newest invitation; older ones no longer work.
    pub fn invitation(&self) -> Option<&Invitation> {
        self.invitation.as_ref()
    }

    pub fn last_login_at(&self) -> Option<OffsetDateTime> {
        self.last_login_at
    }

    pub fn first_name(&self) -> Option<&PersonName> {
        self.first_name.as_ref()
    }

    pub fn last_name(&self) -> Option<&PersonName> {
        self.last_name.as_ref()
    }

    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// The language of this user's emails.
    pub fn locale(&self) -> &Locale {
        &self.locale
    }

    /// Argon2id PHC string; `None` until the invitation is accepted.
    pub fn password_hash(&self) -> Option<&str> {
        self.password_hash.as_deref()
    }

    /// Carried by access tokens and sessions; bumping it ends them all at once.
    pub fn token_version(&self) -> u64 {
        self.token_version
    }

    /// Carried by links to set a password; bumping it ends every older link.
    pub fn link_version(&self) -> u64 {
        self.link_version
    }

    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    pub fn audit(&self) -> &[AuditEvent] {
        &self.audit
    }

    /// Bumped by every change; stores write only if the version they read is still current.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Invited by email alone: the person tells us their name when accepting.
    pub fn needs_profile(&self) -> bool {
        self.first_name.is_none()
    }

    /// The invitation `token_hash` names, if it is this user's newest, pending and
    /// unexpired one; every other case is the same `InvitationInvalid`.
    pub fn live_invitation(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<&Invitation, DomainError> {
        match &self.invitation {
            Some(invitation)
                if self.status == PortalUserStatus::Invited
                    && invitation.token_hash == token_hash
                    && invitation.status == InvitationStatus::Pending
                    && now < invitation.expires_at =>
            {
                Ok(invitation)
            }
            _ => Err(DomainError::InvitationInvalid),
        }
    }

    /// The address a person known by name alone gave through their link, with a fresh
    /// `code` to send to it (which replaces any code before). Codes are spaced and counted
    /// as a registration's are.
    pub fn send_email_code(
        &self,
        token_hash: &str,
        email: EmailAddress,
        code: &VerificationCode,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        let invitation = self.live_invitation(token_hash, now)?;
        if !self.needs_email() {
            return Err(DomainError::InvalidState(
                "this invitation has an email already",
            ));
        }
        let sends = match &invitation.email_code {
            Some(current) => {
                let wait = current.code.wait_before_resend(invitation.expires_at, now);
                if !wait.is_zero() {
                    return Err(DomainError::RateLimited { retry_after: wait });
                }
                current.code.sends
            }
            None => 0,
        };
        let mut next = self.next_version();
        if let Some(invitation) = next.invitation.as_mut() {
            invitation.email_code = Some(EmailCode {
                email,
                code: PendingCode::sent(code, self.id.as_str(), sends + 1, now),
            });
        }
        Ok(next)
    }

    /// Compares the code a person known by name alone typed with the one sent to the
    /// address they gave. A user with an address needs none.
    pub fn check_email_code(
        &self,
        token_hash: &str,
        attempt: Option<&CodeAttempt>,
        now: OffsetDateTime,
    ) -> Result<EmailCheck, DomainError> {
        let invitation = self.live_invitation(token_hash, now)?;
        if !self.needs_email() {
            return Ok(EmailCheck::NotNeeded);
        }
        let Some(attempt) = attempt else {
            return Err(DomainError::invalid_field(
                "email_code",
                "is required: confirm your email with the code sent to it",
            ));
        };
        let Some(pending) = &invitation.email_code else {
            return Err(DomainError::CodeInvalid(
                "no code was sent; give your email first",
            ));
        };
        let check = pending
            .code
            .check(attempt, self.id.as_str(), invitation.expires_at, now)?;
        match check {
            CodeCheck::Right => Ok(EmailCheck::Confirmed(pending.email.clone())),
            CodeCheck::Wrong(counted) => {
                let mut next = self.next_version();
                if let Some(code) = next
                    .invitation
                    .as_mut()
                    .and_then(|invitation| invitation.email_code.as_mut())
                {
                    code.code = counted;
                }
                Ok(EmailCheck::WrongCode(next))
            }
        }
    }

    /// The password is set through the link: the invitation is used up and the user active.
    /// A person known by name alone gets the address they confirmed (and it becomes their
    /// username when they have none).
    pub fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: String,
        profile: Option<Profile>,
        confirmed_email: Option<EmailAddress>,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        self.live_invitation(token_hash, now)?;
        let mut next = self.next_version();
        match confirmed_email {
            Some(email) => {
                if next.username.is_none() {
                    next.username = Some(Username::of_email(&email));
                }
                next.email = Some(email);
            }
            None if self.needs_email() => {
                return Err(DomainError::invalid_field("email_code", "is required"));
            }
            None => {}
        }
        if let Some(profile) = profile {
            next = next.with_profile(profile);
        } else if self.needs_profile() {
            let mut errors = FieldErrors::new();
            errors.add("profile", "is required: tell us your name");
            return Err(DomainError::Validation(errors));
        }
        next.status = PortalUserStatus::Active;
        next.password_hash = Some(password_hash);
        if let Some(invitation) = next.invitation.as_mut() {
            invitation.status = InvitationStatus::Accepted;
            invitation.email_code = None;
        }
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::InvitationAccepted,
            None,
            now,
        ));
        Ok(next)
    }

    /// Only active users with a password may log in.
    pub fn can_log_in(&self) -> bool {
        self.status == PortalUserStatus::Active && self.password_hash.is_some()
    }

    /// A login with the right password (the username's failure count is cleared apart).
    pub fn login_succeeded(&self, now: OffsetDateTime) -> Self {
        let mut next = self.next_version();
        next.last_login_at = Some(now);
        next
    }

    /// A new password through a reset link: every session and access token ends, and so
    /// does a sign-in's second step begun with the old password.
    pub fn change_password(&self, password_hash: String, now: OffsetDateTime) -> Self {
        let mut next = self.next_version();
        next.password_hash = Some(password_hash);
        next.token_version += 1;
        next.mfa.challenge = None;
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::PasswordReset,
            None,
            now,
        ));
        next
    }

    /// A new link for an invited user; the one before stops working (only the newest
    /// invitation does). Active users reset their password instead.
    pub fn reinvite(
        &self,
        actor: &Actor,
        invitation: Invitation,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.status != PortalUserStatus::Invited {
            return Err(DomainError::InvalidState(
                "only an invited user gets a new invitation; an active user resets their password",
            ));
        }
        let mut next = self.next_version();
        next.invitation = Some(invitation);
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::Invited,
            Some("a new invitation replaces the previous one".into()),
            now,
        ));
        Ok(next)
    }

    /// A new link for an active user to choose a password, which staff send or hand over
    /// (`how` says which): every older link stops working; sessions go on until it is used.
    /// An invited user gets a new invitation instead, a deactivated one nothing.
    pub fn issue_password_link(
        &self,
        actor: &Actor,
        how: &str,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        match self.status {
            PortalUserStatus::Active => {}
            PortalUserStatus::Invited => {
                return Err(DomainError::InvalidState(
                    "an invited user gets a new invitation, not a password link",
                ));
            }
            PortalUserStatus::Deactivated => {
                return Err(DomainError::InvalidState(
                    "a deactivated user gets no access information",
                ));
            }
        }
        let mut next = self.next_version();
        next.link_version += 1;
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::PasswordLinkIssued,
            Some(how.to_owned()),
            now,
        ));
        Ok(next)
    }

    /// Cut off: a pending invitation is revoked and the token version bumped, which ends
    /// every session and access token at once.
    pub fn deactivate(&self, actor: &Actor, now: OffsetDateTime) -> Result<Self, DomainError> {
        if self.status == PortalUserStatus::Deactivated {
            return Err(DomainError::InvalidState("the user is deactivated already"));
        }
        let mut next = self.next_version();
        next.status = PortalUserStatus::Deactivated;
        if let Some(invitation) = next.invitation.as_mut()
            && invitation.status == InvitationStatus::Pending
        {
            invitation.status = InvitationStatus::Revoked;
        }
        next.token_version += 1;
        next.audit
            .push(AuditEvent::new(actor, AuditAction::Deactivated, None, now));
        Ok(next)
    }

    /// Whether reactivating this user takes a new invitation: they never set a password.
    pub fn reactivates_as_invited(&self) -> bool {
        self.password_hash.is_none()
    }

    /// Back to `active`, or to `invited` with `invitation` when they never set a password
    /// (then `invitation` must be `Some`).
    pub fn reactivate(
        &self,
        actor: &Actor,
        invitation: Option<Invitation>,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.status != PortalUserStatus::Deactivated {
            return Err(DomainError::InvalidState("the user is not deactivated"));
        }
        let mut next = self.next_version();
        if self.reactivates_as_invited() {
            next.status = PortalUserStatus::Invited;
            next.invitation = Some(invitation.ok_or(DomainError::InvalidState(
                "a user without a password is reactivated with a new invitation",
            ))?);
        } else {
            next.status = PortalUserStatus::Active;
        }
        next.audit
            .push(AuditEvent::new(actor, AuditAction::Reactivated, None, now));
        Ok(next)
    }

    /// Staff end a login lock early (the failure count lives apart, in the login guard,
    /// which the same write removes): recorded on the user.
    pub fn unlock(&self, actor: &Actor, now: OffsetDateTime) -> Self {
        let mut next = self.next_version();
        next.audit
            .push(AuditEvent::new(actor, AuditAction::Unlocked, None, now));
        next
    }

    /// Roles, organization and admin flag as `change` says. Leaving the organization also
    /// ends being its administrator. Access tokens already issued keep the roles they
    /// carry until they expire (15 minutes); the next refresh carries the new ones.
    pub fn change_access(&self, actor: &Actor, change: &AccessChange, now: OffsetDateTime) -> Self {
        let mut next = self.next_version();
        let mut what = Vec::new();
        if let Some(roles) = &change.roles {
            next.roles = roles.clone();
            what.push("roles");
        }
        if let Some(organization_id) = &change.organization_id {
            if next.organization_id != *organization_id {
                next.org_admin = false;
            }
            next.organization_id = organization_id.clone();
            what.push("organization");
        }
        if let Some(org_admin) = change.org_admin {
            next.org_admin = org_admin && next.organization_id.is_some();
            what.push("org_admin");
        }
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::AccessChanged,
            Some(what.join(", ")),
            now,
        ));
        next
    }

    /// The roles the user holds: their own, their organization's and the base role.
    pub fn effective_roles(&self, organization_roles: &[Role]) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .roles
            .iter()
            .chain(organization_roles)
            .cloned()
            .chain(std::iter::once(Role::base()))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The user acting on their own account, for the audit trail.
    fn as_actor(&self) -> Actor {
        Actor {
            subject: self.id.to_string(),
            name: self.username.as_ref().map(ToString::to_string),
        }
    }

    fn next_version(&self) -> Self {
        Self {
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// The invitation as people see it: a pending one past its deadline is expired.
    pub fn invitation_state(&self, now: OffsetDateTime) -> Option<(&'static str, OffsetDateTime)> {
        self.invitation.as_ref().map(|invitation| {
            let state = match invitation.status {
                InvitationStatus::Pending if invitation.expires_at <= now => "expired",
                InvitationStatus::Pending => "pending",
                InvitationStatus::Accepted => "accepted",
                InvitationStatus::Revoked => "revoked",
            };
            (state, invitation.expires_at)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret_token::SecretToken;
    use crate::testing::{TestRandomness, id};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    /// A user invited by staff at `NOW` with a fresh 72-hour link, under this username and
    /// address (both `None` for a person known by name alone), and the link's token.
    pub(super) fn invited_as(
        username: Option<Username>,
        email: Option<EmailAddress>,
    ) -> (PortalUser, SecretToken) {
        let token = SecretToken::generate(&TestRandomness);
        let invitation = Invitation {
            token_hash: token.hash(),
            status: InvitationStatus::Pending,
            created_at: NOW,
            expires_at: NOW + time::Duration::hours(72),
            confirm_contact_data: true,
            email_code: None,
        };
        let actor = Actor {
            subject: "staff".into(),
            name: None,
        };
        let user = PortalUser::invite(
            id("u1"),
            id("c1"),
            username,
            email,
            Grant::default(),
            invitation,
            AuditEvent::new(&actor, AuditAction::Invited, None, NOW),
        );
        (user, token)
    }

    fn invited(profile: bool) -> (PortalUser, SecretToken) {
        let address = EmailAddress::parse("ada@example.com").unwrap();
        let (user, token) = invited_as(Some(Username::of_email(&address)), Some(address));
        let user = if profile {
            user.with_profile(ada())
        } else {
            user
        };
        (user, token)
    }

    fn ada() -> Profile {
        Profile {
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: PersonName::parse("Lovelace").unwrap(),
            phone: None,
        }
    }

    #[test]
    fn accepting_the_invitation_activates_the_user_with_the_password() {
        let (user, token) = invited(true);
        let active = user
            .accept_invitation(&token.hash(), "hash".into(), None, None, NOW)
            .unwrap();
        assert_eq!(active.status, PortalUserStatus::Active);
        assert_eq!(active.password_hash.as_deref(), Some("hash"));
        assert_eq!(
            active.invitation.as_ref().unwrap().status,
            InvitationStatus::Accepted
        );
        assert!(active.can_log_in());
        assert_eq!(active.version, user.version + 1);
    }

    #[test]
    fn a_used_expired_or_foreign_invitation_is_invalid_alike() {
        let (user, token) = invited(true);
        let active = user
            .accept_invitation(&token.hash(), "hash".into(), None, None, NOW)
            .unwrap();
        let other = SecretToken::generate(&TestRandomness);
        for (candidate, hash, at) in [
            (&active, token.hash(), NOW),
            (&user, token.hash(), NOW + time::Duration::hours(72)),
            (&user, other.hash(), NOW),
        ] {
            assert!(matches!(
                candidate.accept_invitation(&hash, "h".into(), None, None, at),
                Err(DomainError::InvitationInvalid)
            ));
        }
    }

    #[test]
    fn an_invitation_without_a_profile_needs_one_to_be_accepted() {
        let (user, token) = invited(false);
        assert!(user.needs_profile());
        assert!(matches!(
            user.accept_invitation(&token.hash(), "h".into(), None, None, NOW),
            Err(DomainError::Validation(_))
        ));
        let active = user
            .accept_invitation(&token.hash(), "h".into(), Some(ada()), None, NOW)
            .unwrap();
        assert_eq!(active.first_name.unwrap().as_ref(), "Ada");
    }

    #[test]
    fn a_success_records_the_login() {
        let (user, _) = invited(true);
        let next = user.login_succeeded(NOW);
        assert_eq!(next.last_login_at, Some(NOW));
        assert_eq!(next.version, user.version + 1);
    }

    #[test]
    fn a_changed_password_ends_every_session() {
        let (user, token) = invited(true);
        let active = user
            .accept_invitation(&token.hash(), "old".into(), None, None, NOW)
            .unwrap();
        let changed = active.change_password("new".into(), NOW);
        assert_eq!(changed.token_version, active.token_version + 1);
        assert_eq!(changed.password_hash.as_deref(), Some("new"));
    }

    fn staff() -> Actor {
        Actor {
            subject: "staff".into(),
            name: None,
        }
    }

    fn active() -> PortalUser {
        let (user, token) = invited(true);
        user.accept_invitation(&token.hash(), "hash".into(), None, None, NOW)
            .unwrap()
    }

    fn fresh_invitation() -> (SecretToken, Invitation) {
        let token = SecretToken::generate(&TestRandomness);
        let invitation = Invitation {
            token_hash: token.hash(),
            status: InvitationStatus::Pending,
            created_at: NOW,
            expires_at: NOW + time::Duration::hours(72),
            confirm_contact_data: true,
            email_code: None,
        };
        (token, invitation)
    }

    fn role(name: &str) -> Role {
        Role::parse(name).unwrap()
    }

    #[test]
    fn deactivating_revokes_the_pending_invitation_and_ends_every_token() {
        let (user, token) = invited(true);

        let off = user.deactivate(&staff(), NOW).unwrap();

        assert_eq!(off.status, PortalUserStatus::Deactivated);
        assert_eq!(
            off.invitation.as_ref().unwrap().status,
            InvitationStatus::Revoked
        );
        assert_eq!(off.token_version, user.token_version + 1);
        assert_eq!(off.version, user.version + 1);
        assert_eq!(off.audit.last().unwrap().action, AuditAction::Deactivated);
        assert!(matches!(
            off.live_invitation(&token.hash(), NOW),
            Err(DomainError::InvitationInvalid)
        ));
        assert!(!off.can_log_in());
        assert!(matches!(
            off.deactivate(&staff(), NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn reactivating_a_user_with_a_password_makes_them_active_again() {
        let user = active().deactivate(&staff(), NOW).unwrap();
        assert!(!user.reactivates_as_invited());

        let back = user.reactivate(&staff(), None, NOW).unwrap();

        assert_eq!(back.status, PortalUserStatus::Active);
        assert!(back.can_log_in());
        assert_eq!(
            back.token_version, user.token_version,
            "old tokens stay dead"
        );
        assert!(matches!(
            back.reactivate(&staff(), None, NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn reactivating_a_user_who_never_set_a_password_invites_them_again() {
        let (user, old) = invited(true);
        let off = user.deactivate(&staff(), NOW).unwrap();
        assert!(off.reactivates_as_invited());
        let (token, invitation) = fresh_invitation();

        let back = off.reactivate(&staff(), Some(invitation), NOW).unwrap();

        assert_eq!(back.status, PortalUserStatus::Invited);
        assert!(back.live_invitation(&token.hash(), NOW).is_ok());
        assert!(back.live_invitation(&old.hash(), NOW).is_err());
        assert!(matches!(
            off.reactivate(&staff(), None, NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn a_new_invitation_replaces_the_old_one_for_invited_users_only() {
        let (user, old) = invited(true);
        let (token, invitation) = fresh_invitation();

        let next = user.reinvite(&staff(), invitation.clone(), NOW).unwrap();

        assert!(next.live_invitation(&token.hash(), NOW).is_ok());
        assert!(next.live_invitation(&old.hash(), NOW).is_err());
        assert!(matches!(
            active().reinvite(&staff(), invitation.clone(), NOW),
            Err(DomainError::InvalidState(_))
        ));
        let off = user.deactivate(&staff(), NOW).unwrap();
        assert!(matches!(
            off.reinvite(&staff(), invitation, NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn leaving_the_organization_ends_being_its_administrator() {
        let member = active().change_access(
            &staff(),
            &AccessChange {
                organization_id: Some(Some(id("o1"))),
                org_admin: Some(true),
                ..AccessChange::default()
            },
            NOW,
        );
        assert!(member.org_admin);

        let moved = member.change_access(
            &staff(),
            &AccessChange {
                organization_id: Some(Some(id("o2"))),
                ..AccessChange::default()
            },
            NOW,
        );
        let left = member.change_access(
            &staff(),
            &AccessChange {
                organization_id: Some(None),
                ..AccessChange::default()
            },
            NOW,
        );

        assert_eq!(moved.organization_id, Some(id("o2")));
        assert!(!moved.org_admin);
        assert_eq!(left.organization_id, None);
        assert!(!left.org_admin);
        assert_eq!(
            left.audit.last().unwrap().action,
            AuditAction::AccessChanged
        );
    }

    #[test]
    fn nobody_outside_an_organization_is_its_administrator() {
        let user = active().change_access(
            &staff(),
            &AccessChange {
                org_admin: Some(true),
                ..AccessChange::default()
            },
            NOW,
        );
        assert!(!user.org_admin);
    }

    #[test]
    fn effective_roles_are_own_organizations_and_the_base_role_once_each() {
        let mut user = active();
        user.roles = vec![role("billing.viewer"), role("portal.user")];

        let roles = user.effective_roles(&[role("orders.viewer"), role("billing.viewer")]);

        assert_eq!(
            roles,
            [
                role("billing.viewer"),
                role("orders.viewer"),
                role("portal.user")
            ]
        );
    }

    #[test]
    fn a_password_link_ends_the_older_ones_and_leaves_sessions_alone() {
        let user = active();
        let older = crate::password_reset::PasswordReset {
            token_hash: "ab".repeat(32),
            user_id: user.id.clone(),
            created_at: NOW,
            expires_at: NOW + time::Duration::hours(1),
            used_at: None,
            token_version: user.token_version,
            link_version: user.link_version,
        };
        assert!(older.still_works_for(&user));

        let next = user.issue_password_link(&staff(), "by email", NOW).unwrap();

        assert_eq!(next.link_version, user.link_version + 1);
        assert_eq!(next.token_version, user.token_version, "sessions go on");
        assert_eq!(next.version, user.version + 1);
        let event = next.audit.last().unwrap();
        assert_eq!(event.action, AuditAction::PasswordLinkIssued);
        assert_eq!(event.detail.as_deref(), Some("by email"));
        assert!(!older.still_works_for(&next));
    }

    #[test]
    fn only_an_active_user_gets_a_password_link() {
        let (invited, _) = invited(true);
        let deactivated = active().deactivate(&staff(), NOW).unwrap();
        for user in [invited, deactivated] {
            assert!(matches!(
                user.issue_password_link(&staff(), "by email", NOW),
                Err(DomainError::InvalidState(_))
            ));
        }
    }
}

#[cfg(test)]
mod name_only_tests {
    use super::*;
    use crate::secret_token::SecretToken;
    use crate::testing::TestRandomness;
    use crate::verification_code::{MAX_ATTEMPTS, MAX_SENDS, RESEND_INTERVAL};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    /// A user for a contact known by name alone, invited through a personal link.
    fn named_only() -> (PortalUser, String) {
        let (user, token) = super::tests::invited_as(None, None);
        let user = user.with_profile(Profile {
            first_name: PersonName::parse("Ivan").unwrap(),
            last_name: PersonName::parse("Petrov").unwrap(),
            phone: None,
        });
        (user, token.hash())
    }

    fn ivan() -> EmailAddress {
        EmailAddress::parse("ivan@example.com").unwrap()
    }

    fn attempt(code: &VerificationCode) -> CodeAttempt {
        CodeAttempt::parse(code.as_str()).unwrap()
    }

    fn wrong(code: &VerificationCode) -> CodeAttempt {
        let other = if code.as_str() == "000000" {
            "111111"
        } else {
            "000000"
        };
        CodeAttempt::parse(other).unwrap()
    }

    #[test]
    fn a_person_known_by_name_alone_needs_an_address_and_has_no_username() {
        let (user, _) = named_only();
        assert!(user.needs_email());
        assert_eq!(user.email(), None);
        assert_eq!(user.username(), None);
    }

    #[test]
    fn the_right_code_gives_the_address_as_email_and_username() {
        let (user, hash) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let sent = user.send_email_code(&hash, ivan(), &code, NOW).unwrap();
        let EmailCheck::Confirmed(email) = sent
            .check_email_code(&hash, Some(&attempt(&code)), NOW)
            .unwrap()
        else {
            panic!("the right code confirms the address");
        };
        assert_eq!(email, ivan());
        let active = sent
            .accept_invitation(&hash, "hash".into(), None, Some(email), NOW)
            .unwrap();
        assert_eq!(active.email(), Some(ivan()));
        assert_eq!(active.username(), Some(&Username::of_email(&ivan())));
        assert_eq!(active.status(), PortalUserStatus::Active);
        assert_eq!(active.invitation().unwrap().email_code, None);
    }

    #[test]
    fn accepting_without_a_confirmed_address_is_refused() {
        let (user, hash) = named_only();
        let refused = user.accept_invitation(&hash, "hash".into(), None, None, NOW);
        assert!(
            matches!(refused, Err(DomainError::Validation(_))),
            "{refused:?}"
        );
        let missing = user.check_email_code(&hash, None, NOW);
        assert!(
            matches!(missing, Err(DomainError::Validation(_))),
            "{missing:?}"
        );
        let code = VerificationCode::generate(&TestRandomness);
        let unsent = user.check_email_code(&hash, Some(&attempt(&code)), NOW);
        assert!(
            matches!(unsent, Err(DomainError::CodeInvalid(_))),
            "{unsent:?}"
        );
    }

    #[test]
    fn wrong_codes_are_counted_and_burn_the_code() {
        let (user, hash) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let mut user = user.send_email_code(&hash, ivan(), &code, NOW).unwrap();
        for _ in 0..MAX_ATTEMPTS {
            match user
                .check_email_code(&hash, Some(&wrong(&code)), NOW)
                .unwrap()
            {
                EmailCheck::WrongCode(counted) => {
                    assert_eq!(counted.version(), user.version() + 1);
                    user = counted;
                }
                other => panic!("a wrong code counted: {other:?}"),
            }
        }
        let burned = user.check_email_code(&hash, Some(&attempt(&code)), NOW);
        assert!(
            matches!(burned, Err(DomainError::TooManyAttempts { .. })),
            "{burned:?}"
        );
        // A new code starts again.
        let later = NOW + RESEND_INTERVAL;
        let fresh = user.send_email_code(&hash, ivan(), &code, later).unwrap();
        assert!(matches!(
            fresh.check_email_code(&hash, Some(&attempt(&code)), later),
            Ok(EmailCheck::Confirmed(_))
        ));
    }

    #[test]
    fn a_code_expires_after_ten_minutes() {
        let (user, hash) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let sent = user.send_email_code(&hash, ivan(), &code, NOW).unwrap();
        let late = NOW + crate::verification_code::CODE_LIFETIME;
        let expired = sent.check_email_code(&hash, Some(&attempt(&code)), late);
        assert!(
            matches!(expired, Err(DomainError::CodeInvalid(_))),
            "{expired:?}"
        );
    }

    #[test]
    fn codes_are_spaced_a_minute_apart_and_counted() {
        let (user, hash) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let mut user = user.send_email_code(&hash, ivan(), &code, NOW).unwrap();
        let too_soon =
            user.send_email_code(&hash, ivan(), &code, NOW + time::Duration::seconds(59));
        assert!(
            matches!(too_soon, Err(DomainError::RateLimited { .. })),
            "{too_soon:?}"
        );
        let mut now = NOW;
        for _ in 1..MAX_SENDS {
            now += RESEND_INTERVAL;
            user = user.send_email_code(&hash, ivan(), &code, now).unwrap();
        }
        now += RESEND_INTERVAL;
        let spent = user.send_email_code(&hash, ivan(), &code, now);
        assert!(
            matches!(spent, Err(DomainError::RateLimited { .. })),
            "{spent:?}"
        );
    }

    #[test]
    fn the_code_is_for_the_newest_address_given() {
        let (user, hash) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let other = EmailAddress::parse("someone@example.com").unwrap();
        let first = user.send_email_code(&hash, other, &code, NOW).unwrap();
        let later = NOW + RESEND_INTERVAL;
        let second = first.send_email_code(&hash, ivan(), &code, later).unwrap();
        assert!(matches!(
            second.check_email_code(&hash, Some(&attempt(&code)), later),
            Ok(EmailCheck::Confirmed(email)) if email == ivan()
        ));
    }

    #[test]
    fn a_user_with_an_address_needs_no_code_and_gets_none() {
        let (user, hash) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let sent = user.send_email_code(&hash, ivan(), &code, NOW).unwrap();
        let confirmed = sent
            .accept_invitation(&hash, "hash".into(), None, Some(ivan()), NOW)
            .unwrap();
        // Used: no more codes, whatever the token.
        let again = confirmed.send_email_code(&hash, ivan(), &code, NOW);
        assert!(
            matches!(again, Err(DomainError::InvitationInvalid)),
            "{again:?}"
        );
    }

    #[test]
    fn another_token_sends_no_code() {
        let (user, _) = named_only();
        let code = VerificationCode::generate(&TestRandomness);
        let other = SecretToken::generate(&TestRandomness).hash();
        let refused = user.send_email_code(&format!("{other}x"), ivan(), &code, NOW);
        assert!(
            matches!(refused, Err(DomainError::InvitationInvalid)),
            "{refused:?}"
        );
    }
}
