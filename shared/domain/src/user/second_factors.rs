//! A user's second factors and the sign-in step under way. Every change is a new version
//! of the user, written conditionally, so two racing uses of one code cannot both pass.

use time::OffsetDateTime;

use super::PortalUser;
use crate::audit::{Actor, AuditAction, AuditEvent};
use crate::error::DomainError;
use crate::mfa::{
    ChallengePurpose, MAX_PASSKEYS, MAX_WRONG_CODES, MfaChallenge, MfaToken, PENDING_TOTP_LIFETIME,
    PasskeyCeremony, PasskeyFactor, PasskeyUse, PendingTotp, SecondFactorProof, SecondFactors,
    SpentSignIn, TotpFactor,
};

/// How the audit trail and the emails name an authenticator app.
pub const TOTP_FACTOR_NAME: &str = "authenticator app";

impl PortalUser {
    pub fn second_factors(&self) -> &SecondFactors {
        &self.mfa
    }

    /// The step after a right password; it replaces any step under way.
    pub fn begin_mfa_challenge(&self, challenge: MfaChallenge) -> Self {
        let mut next = self.next_version();
        next.mfa.challenge = Some(challenge);
        next
    }

    /// This new version (not written yet) with the step after a right password: for a
    /// change that begins one in the same write (an accepted invitation).
    pub fn with_mfa_challenge(mut self, challenge: MfaChallenge) -> Self {
        self.mfa.challenge = Some(challenge);
        self
    }

    /// The step `token` names, if it is this user's and still works for `purpose`: one
    /// answer (`Unauthenticated`, sign in again) for every other case.
    pub fn mfa_challenge(
        &self,
        token: &MfaToken,
        purpose: ChallengePurpose,
        now: OffsetDateTime,
    ) -> Result<&MfaChallenge, DomainError> {
        self.mfa
            .challenge
            .as_ref()
            .filter(|challenge| token.user_id == self.id && challenge.admits(token, purpose, now))
            .filter(|_| self.can_log_in())
            .ok_or(DomainError::Unauthenticated)
    }

    /// A wrong code: counted on the step, which the fifth burns.
    pub fn second_factor_failed(&self) -> Self {
        let mut next = self.next_version();
        if let Some(challenge) = next.mfa.challenge.as_mut() {
            challenge.wrong_codes += 1;
            if challenge.wrong_codes >= MAX_WRONG_CODES {
                next.mfa.challenge = None;
            }
        }
        next
    }

    /// The second step passed: the step ends, the code's time step or the recovery code
    /// is used up, and the login is recorded.
    pub fn second_factor_passed(&self, proof: SecondFactorProof, now: OffsetDateTime) -> Self {
        let mut next = self.login_succeeded(now);
        next.mfa.challenge = None;
        match proof {
            SecondFactorProof::Totp { step } => {
                if let Some(totp) = next.mfa.totp.as_mut() {
                    totp.last_step = Some(step);
                }
            }
            SecondFactorProof::RecoveryCode { index } => {
                next.mfa.recovery_codes.remove(index);
            }
            SecondFactorProof::Passkey(used) => next.passkey_used(used, now),
        }
        next
    }

    /// A sign-in with a passkey alone: the login is recorded, the passkey moves on past
    /// this use, and the ceremony's token (`token_hash`) is spent until `until`.
    pub fn passkey_signed_in(
        &self,
        used: PasskeyUse,
        token_hash: String,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Self {
        let mut next = self.login_succeeded(now);
        next.passkey_used(used, now);
        next.mfa
            .spent_passkey_sign_ins
            .retain(|spent| now < spent.until);
        next.mfa
            .spent_passkey_sign_ins
            .push(SpentSignIn { token_hash, until });
        next
    }

    /// Whether a sign-in without a password with this token already happened.
    pub fn passkey_sign_in_spent(&self, token_hash: &str) -> bool {
        self.mfa
            .spent_passkey_sign_ins
            .iter()
            .any(|spent| spent.token_hash == token_hash)
    }

    fn passkey_used(&mut self, used: PasskeyUse, now: OffsetDateTime) {
        if let Some(passkey) = self.mfa.passkeys.get_mut(used.index) {
            passkey.credential = used.credential;
            passkey.last_used_at = Some(now);
        }
    }

    /// Keeps a passkey registration under way (it replaces one begun before).
    pub fn start_passkey(&self, ceremony: PasskeyCeremony) -> Result<Self, DomainError> {
        if self.mfa.passkeys.len() >= MAX_PASSKEYS {
            return Err(DomainError::Conflict(
                "ten passkeys are registered already; remove one first",
            ));
        }
        let mut next = self.next_version();
        next.mfa.pending_passkey = Some(ceremony);
        Ok(next)
    }

    /// The browser answered the registration: the passkey is the user's, the ceremony
    /// ends, and so does an enrolment step. `recovery_hashes` come with a first factor.
    pub fn add_passkey(
        &self,
        passkey: PasskeyFactor,
        recovery_hashes: Option<Vec<String>>,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.mfa.passkeys.iter().any(|held| held.id == passkey.id) {
            return Err(DomainError::Conflict("this passkey is registered already"));
        }
        let mut next = self.next_version();
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::SecondFactorAdded,
            Some(format!("passkey \"{}\"", passkey.name)),
            now,
        ));
        next.mfa.passkeys.push(passkey);
        next.mfa.pending_passkey = None;
        next.mfa.challenge = None;
        if let Some(hashes) = recovery_hashes {
            next.mfa.recovery_codes = hashes;
        }
        Ok(next)
    }

    /// Removes the passkey with this id; without another factor the recovery codes go too.
    pub fn remove_passkey(&self, id: &str, now: OffsetDateTime) -> Result<Self, DomainError> {
        let index = self
            .mfa
            .passkeys
            .iter()
            .position(|held| held.id == id)
            .ok_or(DomainError::NotFound)?;
        let mut next = self.next_version();
        let removed = next.mfa.passkeys.remove(index);
        if !next.mfa.any() {
            next.mfa.recovery_codes.clear();
        }
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::SecondFactorRemoved,
            Some(format!("passkey \"{}\"", removed.name)),
            now,
        ));
        Ok(next)
    }

    /// Shows a new authenticator secret, waiting for its first code. A user who has an
    /// app removes it first (one app per account).
    pub fn start_totp(
        &self,
        sealed_secret: String,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.mfa.totp.is_some() {
            return Err(DomainError::Conflict(
                "an authenticator app is already set up; remove it first",
            ));
        }
        let mut next = self.next_version();
        next.mfa.pending_totp = Some(PendingTotp {
            sealed_secret,
            created_at: now,
        });
        Ok(next)
    }

    /// The secret shown last, if it still waits for its first code.
    pub fn pending_totp(&self, now: OffsetDateTime) -> Option<&PendingTotp> {
        self.mfa
            .pending_totp
            .as_ref()
            .filter(|pending| now < pending.created_at + PENDING_TOTP_LIFETIME)
    }

    /// The first code was right: the app is the user's, with a new set of recovery codes
    /// (the old set ends), and an enrolment step ends.
    pub fn confirm_totp(
        &self,
        step: u64,
        recovery_hashes: Vec<String>,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        let pending = self.pending_totp(now).ok_or(DomainError::InvalidState(
            "set up the authenticator app again",
        ))?;
        let mut next = self.next_version();
        next.mfa.totp = Some(TotpFactor {
            sealed_secret: pending.sealed_secret.clone(),
            added_at: now,
            last_step: Some(step),
        });
        next.mfa.pending_totp = None;
        next.mfa.recovery_codes = recovery_hashes;
        next.mfa.challenge = None;
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::SecondFactorAdded,
            Some(TOTP_FACTOR_NAME.into()),
            now,
        ));
        Ok(next)
    }

    /// The authenticator app is removed; without another factor the recovery codes go too
    /// (they only stand in for one).
    pub fn remove_totp(&self, now: OffsetDateTime) -> Result<Self, DomainError> {
        if self.mfa.totp.is_none() {
            return Err(DomainError::NotFound);
        }
        let mut next = self.next_version();
        next.mfa.totp = None;
        if !next.mfa.any() {
            next.mfa.recovery_codes.clear();
        }
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::SecondFactorRemoved,
            Some(TOTP_FACTOR_NAME.into()),
            now,
        ));
        Ok(next)
    }

    /// A new set of recovery codes; the old set ends.
    pub fn replace_recovery_codes(
        &self,
        hashes: Vec<String>,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if !self.mfa.any() {
            return Err(DomainError::InvalidState(
                "recovery codes come with a second factor; set one up first",
            ));
        }
        let mut next = self.next_version();
        next.mfa.recovery_codes = hashes;
        next.audit.push(AuditEvent::new(
            &self.as_actor(),
            AuditAction::RecoveryCodesReplaced,
            None,
            now,
        ));
        Ok(next)
    }

    /// Staff remove every second factor (the person lost their phone): the next sign-in
    /// is with the password alone, or enrols again where the organization requires it.
    pub fn reset_second_factors(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.mfa == SecondFactors::default() {
            return Err(DomainError::InvalidState("the user has no second factor"));
        }
        let mut next = self.next_version();
        next.mfa = SecondFactors::default();
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::SecondFactorsReset,
            None,
            now,
        ));
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::mfa::{CHALLENGE_LIFETIME, MfaMethod, RecoveryCodes};
    use crate::testing::TestRandomness;
    use crate::types::{EmailAddress, Username};
    use crate::user::tests::invited_as;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    fn active() -> PortalUser {
        let address = EmailAddress::parse("ada@example.com").unwrap();
        let (user, token) = invited_as(Some(Username::of_email(&address)), Some(address));
        let profile = crate::user::Profile {
            first_name: crate::types::PersonName::parse("Ada").unwrap(),
            last_name: crate::types::PersonName::parse("Lovelace").unwrap(),
            phone: None,
        };
        user.accept_invitation(&token.hash(), "hash".into(), Some(profile), None, NOW)
            .unwrap()
    }

    /// Ada with an app confirmed at step 7 and ten recovery codes.
    fn enrolled() -> PortalUser {
        let pending = active().start_totp("sealed".into(), NOW).unwrap();
        let codes = RecoveryCodes::generate(&TestRandomness);
        pending.confirm_totp(7, codes.hashes, NOW).unwrap()
    }

    fn stepping(user: &PortalUser) -> (PortalUser, MfaToken) {
        let (challenge, token) = MfaChallenge::begin(
            &TestRandomness,
            user.id(),
            ChallengePurpose::SecondFactor,
            NOW,
        );
        (
            user.begin_mfa_challenge(challenge),
            MfaToken::parse(&token).unwrap(),
        )
    }

    #[test]
    fn an_app_counts_once_confirmed_with_its_first_step_spent_and_is_audited() {
        let pending = active().start_totp("sealed".into(), NOW).unwrap();
        assert!(!pending.second_factors().any(), "not before its first code");
        assert!(pending.pending_totp(NOW + PENDING_TOTP_LIFETIME).is_none());

        let user = enrolled();

        let factors = user.second_factors();
        assert_eq!(
            factors.methods(),
            [MfaMethod::Totp, MfaMethod::RecoveryCode]
        );
        assert_eq!(factors.totp.as_ref().unwrap().last_step, Some(7));
        assert_eq!(factors.recovery_codes.len(), 10);
        assert_eq!(
            user.audit().last().unwrap().action,
            AuditAction::SecondFactorAdded
        );
        assert!(matches!(
            user.start_totp("again".into(), NOW),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn a_confirmation_after_thirty_minutes_is_refused() {
        let pending = active().start_totp("sealed".into(), NOW).unwrap();
        let late = NOW + PENDING_TOTP_LIFETIME;
        assert!(matches!(
            pending.confirm_totp(1, Vec::new(), late),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn the_step_admits_only_its_token_and_the_fifth_wrong_code_ends_it() {
        let (mut user, token) = stepping(&enrolled());
        assert!(
            user.mfa_challenge(&token, ChallengePurpose::SecondFactor, NOW)
                .is_ok()
        );
        assert!(
            user.mfa_challenge(&token, ChallengePurpose::Enrolment, NOW)
                .is_err()
        );
        assert!(
            user.mfa_challenge(
                &token,
                ChallengePurpose::SecondFactor,
                NOW + CHALLENGE_LIFETIME
            )
            .is_err()
        );
        for _ in 0..4 {
            user = user.second_factor_failed();
            assert!(user.second_factors().challenge.is_some());
        }
        user = user.second_factor_failed();
        assert_eq!(user.second_factors().challenge, None);
        assert!(
            user.mfa_challenge(&token, ChallengePurpose::SecondFactor, NOW)
                .is_err()
        );
    }

    #[test]
    fn passing_ends_the_step_and_spends_the_step_or_the_recovery_code() {
        let (user, _) = stepping(&enrolled());

        let by_code = user.second_factor_passed(SecondFactorProof::Totp { step: 9 }, NOW);
        assert_eq!(by_code.second_factors().challenge, None);
        assert_eq!(
            by_code.second_factors().totp.as_ref().unwrap().last_step,
            Some(9)
        );
        assert_eq!(by_code.last_login_at(), Some(NOW));

        let kept = user.second_factors().recovery_codes[3].clone();
        let by_recovery =
            user.second_factor_passed(SecondFactorProof::RecoveryCode { index: 3 }, NOW);
        assert_eq!(by_recovery.second_factors().recovery_codes.len(), 9);
        assert!(!by_recovery.second_factors().recovery_codes.contains(&kept));
        assert_eq!(by_recovery.version(), user.version() + 1, "one write");
    }

    #[test]
    fn a_new_password_ends_the_step_begun_with_the_old_one() {
        let (user, token) = stepping(&enrolled());
        let changed = user.change_password("new hash".into(), NOW);
        assert!(
            changed
                .mfa_challenge(&token, ChallengePurpose::SecondFactor, NOW)
                .is_err()
        );
        assert!(changed.second_factors().any(), "the factors stay");
    }

    #[test]
    fn removing_the_only_app_takes_the_recovery_codes_with_it() {
        let user = enrolled().remove_totp(NOW).unwrap();
        assert!(!user.second_factors().any());
        assert!(user.second_factors().recovery_codes.is_empty());
        assert_eq!(user.second_factors().methods(), []);
        assert!(matches!(user.remove_totp(NOW), Err(DomainError::NotFound)));
        assert!(matches!(
            user.replace_recovery_codes(vec!["h".into()], NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn a_staff_reset_clears_everything_and_is_refused_when_nothing_is_there() {
        let staff = Actor {
            subject: "staff".into(),
            name: None,
        };
        let (user, _) = stepping(&enrolled());
        let reset = user.reset_second_factors(&staff, NOW).unwrap();
        assert_eq!(reset.second_factors(), &SecondFactors::default());
        assert_eq!(reset.audit().last().unwrap().actor, staff);
        assert!(matches!(
            reset.reset_second_factors(&staff, NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    fn passkey(id: &str) -> PasskeyFactor {
        PasskeyFactor {
            id: id.into(),
            name: "Laptop".into(),
            added_at: NOW,
            last_used_at: None,
            credential: "{}".into(),
        }
    }

    #[test]
    fn passkeys_are_factors_each_once_and_the_last_takes_the_recovery_codes_with_it() {
        let codes = RecoveryCodes::generate(&TestRandomness);
        let user = active()
            .add_passkey(passkey("a"), Some(codes.hashes), NOW)
            .unwrap();
        assert_eq!(
            user.second_factors().methods(),
            [MfaMethod::Passkey, MfaMethod::RecoveryCode]
        );
        assert!(matches!(
            user.add_passkey(passkey("a"), None, NOW),
            Err(DomainError::Conflict(_))
        ));
        let two = user.add_passkey(passkey("b"), None, NOW).unwrap();
        assert_eq!(two.second_factors().recovery_codes.len(), 10, "kept");

        let one = two.remove_passkey("a", NOW).unwrap();
        assert_eq!(one.second_factors().recovery_codes.len(), 10);
        let none = one.remove_passkey("b", NOW).unwrap();

        assert!(!none.second_factors().any());
        assert!(none.second_factors().recovery_codes.is_empty());
        assert!(matches!(
            none.remove_passkey("b", NOW),
            Err(DomainError::NotFound)
        ));
        let actions: Vec<_> = none.audit.iter().map(|event| event.action).collect();
        assert!(actions.ends_with(&[
            AuditAction::SecondFactorAdded,
            AuditAction::SecondFactorAdded,
            AuditAction::SecondFactorRemoved,
            AuditAction::SecondFactorRemoved,
        ]));
    }

    #[test]
    fn a_sign_in_without_a_password_is_spent_once_and_forgotten_when_it_expires() {
        let user = active().add_passkey(passkey("a"), None, NOW).unwrap();
        let used = PasskeyUse {
            index: 0,
            credential: "{\"moved\":1}".into(),
        };

        let signed_in =
            user.passkey_signed_in(used.clone(), "h1".into(), NOW + CHALLENGE_LIFETIME, NOW);

        assert!(signed_in.passkey_sign_in_spent("h1"));
        let passkey = &signed_in.second_factors().passkeys[0];
        assert_eq!(passkey.credential, "{\"moved\":1}");
        assert_eq!(passkey.last_used_at, Some(NOW));
        let later = NOW + CHALLENGE_LIFETIME;
        let again =
            signed_in.passkey_signed_in(used, "h2".into(), later + CHALLENGE_LIFETIME, later);
        assert!(!again.passkey_sign_in_spent("h1"), "expired, so dropped");
        assert!(again.passkey_sign_in_spent("h2"));
    }

    #[test]
    fn no_more_than_ten_passkeys() {
        let mut user = active();
        for index in 0..MAX_PASSKEYS {
            user = user
                .add_passkey(passkey(&index.to_string()), None, NOW)
                .unwrap();
        }
        let ceremony = PasskeyCeremony {
            state: "{}".into(),
            expires_at: NOW,
        };

        assert!(matches!(
            user.start_passkey(ceremony),
            Err(DomainError::Conflict(_))
        ));
    }
}
