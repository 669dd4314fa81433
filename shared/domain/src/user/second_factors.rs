//! A user's second factors and the sign-in step under way. Every change is a new version
//! of the user, written conditionally, so two racing uses of one code cannot both pass.

use time::OffsetDateTime;

use super::PortalUser;
use crate::audit::{Actor, AuditAction, AuditEvent};
use crate::error::DomainError;
use crate::mfa::{
    ChallengePurpose, MAX_WRONG_CODES, MfaChallenge, MfaToken, PENDING_TOTP_LIFETIME, PendingTotp,
    SecondFactorProof, SecondFactors, TotpFactor,
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
        }
        next
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
