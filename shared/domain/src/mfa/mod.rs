//! Second factors: an authenticator app (TOTP), passkeys, recovery codes, and the short-lived step
//! between a right password and the second factor (or the enrolment an organization
//! requires). What a user has enrolled lives on the user (`PortalUser::second_factors`),
//! so every change to it is one conditional write of the user.

mod challenge;
mod passkey;
mod recovery;
mod totp;

pub use challenge::{
    CHALLENGE_LIFETIME, ChallengePurpose, ENROLMENT_LIFETIME, MAX_WRONG_CODES, MfaChallenge,
    MfaToken,
};
pub use passkey::{
    CEREMONY_LIFETIME, DEFAULT_PASSKEY_NAME, MAX_PASSKEYS, PASSKEY_REFUSED, PasskeyCeremony,
    PasskeyFactor, PasskeyUse, RelyingParty, passkey_name,
};
pub use recovery::{RECOVERY_CODE_COUNT, RecoveryCode, RecoveryCodes};
pub use totp::{TotpCode, TotpSecret};

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How the person proved who they are, for `amr` (RFC 8176).
pub const AMR_PASSWORD: &str = "pwd";
/// A one-time password: an authenticator app's code or a recovery code.
pub const AMR_OTP: &str = "otp";
/// A hardware-bound key (a passkey).
pub const AMR_HARDWARE_KEY: &str = "hwk";
/// More than one factor.
pub const AMR_MFA: &str = "mfa";

/// Removing a factor or replacing the recovery codes needs a sign-in this recent, so a
/// session left open (or a stolen token) cannot take a factor away.
pub const RECENT_SIGN_IN: Duration = Duration::minutes(5);

/// A second factor a sign-in can be finished with, as `methods` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MfaMethod {
    Totp,
    Passkey,
    RecoveryCode,
}

/// What a user has enrolled, and the sign-in step under way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<TotpFactor>,
    /// A secret shown to the person and not yet confirmed with a first code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_totp: Option<PendingTotp>,
    /// The SHA-256 of each unused recovery code (they carry 80 random bits, so a fast
    /// hash is enough); a used one is removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<PasskeyFactor>,
    /// A passkey registration under way (options given, the browser's answer awaited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_passkey: Option<PasskeyCeremony>,
    /// Hashes of the sign-ins without a password this user finished, kept while their
    /// ceremony could still be answered: each works once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spent_passkey_sign_ins: Vec<SpentSignIn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<MfaChallenge>,
}

impl SecondFactors {
    /// Whether a sign-in needs a second step.
    pub fn any(&self) -> bool {
        self.totp.is_some() || !self.passkeys.is_empty()
    }

    /// What a sign-in can be finished with.
    pub fn methods(&self) -> Vec<MfaMethod> {
        let mut methods = Vec::new();
        if self.totp.is_some() {
            methods.push(MfaMethod::Totp);
        }
        if !self.passkeys.is_empty() {
            methods.push(MfaMethod::Passkey);
        }
        if self.any() && !self.recovery_codes.is_empty() {
            methods.push(MfaMethod::RecoveryCode);
        }
        methods
    }
}

/// A confirmed authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpFactor {
    /// The secret, sealed like the outbox tokens: a read of the table gives no codes.
    pub sealed_secret: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    /// The newest time step a code was accepted for: it and every older one are refused.
    #[serde(default)]
    pub last_step: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTotp {
    pub sealed_secret: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// How long a shown secret waits for its first code.
pub const PENDING_TOTP_LIFETIME: Duration = Duration::minutes(30);

/// A sign-in without a password that was finished: the hash of its ceremony's token,
/// until that ceremony could no longer be answered anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpentSignIn {
    pub token_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// What the second step was passed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorProof {
    /// An authenticator code of this time step.
    Totp { step: u64 },
    /// The recovery code stored at this index (now used up).
    RecoveryCode { index: usize },
    /// A passkey's assertion, its signature counter moved on.
    Passkey(PasskeyUse),
}

impl SecondFactorProof {
    /// `amr` after a password and this proof.
    pub fn amr(&self) -> Vec<String> {
        let second = match self {
            Self::Totp { .. } | Self::RecoveryCode { .. } => AMR_OTP,
            Self::Passkey(_) => AMR_HARDWARE_KEY,
        };
        vec![AMR_PASSWORD.into(), second.into(), AMR_MFA.into()]
    }
}

/// `amr` of a sign-in with a passkey alone: something held (the key) and something known or
/// been (the authenticator verified the person: WebAuthn's user verification is required).
pub fn passkey_amr() -> Vec<String> {
    vec![AMR_HARDWARE_KEY.into(), AMR_MFA.into()]
}

/// `amr` of a sign-in with a password alone.
pub fn password_amr() -> Vec<String> {
    vec![AMR_PASSWORD.into()]
}
