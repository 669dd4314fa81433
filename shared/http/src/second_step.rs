//! The second step of a sign-in as the API speaks it, shared by `POST /sessions` and the
//! OpenID provider's login: what a right password answers when a second factor is due,
//! and the body that finishes it.

use portal_domain::mfa::{ChallengePurpose, MfaMethod, RecoveryCode, TotpCode};
use portal_domain::use_cases::{MfaStep, SecondFactorAnswer};
use portal_domain::{DomainError, FieldErrors};
use serde::{Deserialize, Serialize};

/// A right password for an account with a second factor, or one whose organization
/// requires one: no token yet.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SecondStep {
    /// Finish with `POST /sessions/mfa` within 5 minutes.
    Required {
        /// Always `true`.
        mfa_required: bool,
        /// Single use; 5 wrong codes end it.
        mfa_token: String,
        methods: Vec<MfaMethod>,
        /// WebAuthn request options for the user's passkeys (when `methods` has
        /// `passkey`): give them to `navigator.credentials.get` (for example through
        /// `PublicKeyCredential.parseRequestOptionsFromJSON(passkey_options.publicKey)`) and
        /// send the credential back as `credential`.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<Object>)]
        passkey_options: Option<serde_json::Value>,
    },
    /// Set up an authenticator app with `POST /me/mfa/totp` and `/me/mfa/totp/confirm`
    /// (this token as the bearer, within 15 minutes), then sign in again.
    EnrolmentRequired {
        /// Always `true`.
        mfa_enrollment_required: bool,
        enrollment_token: String,
    },
}

impl From<MfaStep> for SecondStep {
    fn from(step: MfaStep) -> Self {
        match step.purpose {
            ChallengePurpose::SecondFactor => Self::Required {
                mfa_required: true,
                mfa_token: step.token,
                methods: step.methods,
                passkey_options: step.passkey_options,
            },
            ChallengePurpose::Enrolment => Self::EnrolmentRequired {
                mfa_enrollment_required: true,
                enrollment_token: step.token,
            },
        }
    }
}

/// `{mfa_token, code | recovery_code | credential}`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SecondFactorBody {
    #[schema(value_type = String)]
    mfa_token: Option<String>,
    /// The 6 digits the authenticator app shows (give this or `recovery_code`).
    #[schema(pattern = "^[0-9]{6}$", min_length = 6, max_length = 6)]
    code: Option<String>,
    /// One of the recovery codes (each works once); dashes and case do not matter.
    #[schema(pattern = "^[0-9a-tv-zA-TV-Z]{4}(-?[0-9a-tv-zA-TV-Z]{4}){3}$")]
    recovery_code: Option<String>,
    /// A passkey's answer to `passkey_options`: the `PublicKeyCredential` as its
    /// `toJSON()` gives it.
    #[schema(value_type = Option<Object>)]
    credential: Option<serde_json::Value>,
}

impl SecondFactorBody {
    /// The token and the answer, checked for shape before any account is read.
    pub fn parse(self) -> Result<(String, SecondFactorAnswer), DomainError> {
        let mut errors = FieldErrors::new();
        let token = errors.require("mfa_token", self.mfa_token.as_deref(), |token| {
            Ok(token.to_owned())
        });
        let answer = match (self.code, self.recovery_code, self.credential) {
            (Some(code), None, None) => errors
                .check("code", TotpCode::parse(&code))
                .map(SecondFactorAnswer::Totp),
            (None, Some(code), None) => errors
                .check("recovery_code", RecoveryCode::parse(&code))
                .map(SecondFactorAnswer::RecoveryCode),
            (None, None, Some(credential)) => errors
                .check("credential", credential_object(credential))
                .map(SecondFactorAnswer::Passkey),
            _ => {
                errors.add("code", "give one of code, recovery_code or credential");
                None
            }
        };
        match (token, answer) {
            (Some(token), Some(answer)) => Ok((token, answer)),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// `{passkey_token, credential}`: a sign-in with a passkey alone, answering the options of
/// `POST /sessions/passkey/options`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasskeySignInBody {
    /// What `POST /sessions/passkey/options` gave with the options.
    #[schema(value_type = String)]
    passkey_token: Option<String>,
    /// The browser's answer (`credential.toJSON()`).
    #[schema(value_type = Object)]
    credential: Option<serde_json::Value>,
}

impl PasskeySignInBody {
    /// The token and the credential, checked for shape before any account is read.
    pub fn parse(self) -> Result<(String, serde_json::Value), DomainError> {
        let token = self
            .passkey_token
            .ok_or_else(|| DomainError::invalid_field("passkey_token", "is required"))?;
        Ok((token, webauthn_credential(self.credential)?))
    }
}

/// The `credential` a body must carry: a JSON object, whose contents are WebAuthn's to check.
pub fn webauthn_credential(
    value: Option<serde_json::Value>,
) -> Result<serde_json::Value, DomainError> {
    let value = value.ok_or_else(|| DomainError::invalid_field("credential", "is required"))?;
    credential_object(value).map_err(|message| DomainError::invalid_field("credential", message))
}

fn credential_object(value: serde_json::Value) -> Result<serde_json::Value, &'static str> {
    if value.is_object() {
        Ok(value)
    } else {
        Err("must be a WebAuthn credential (an object)")
    }
}
