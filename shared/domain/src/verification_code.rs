//! The 6-digit code that proves a person reads a mailbox: the one they registered with, or
//! the one they give through a personal link.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::DomainError;

use crate::random::{Randomness, below};

/// How long a code works after it is sent.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong codes allowed before the code is burned.
pub const MAX_ATTEMPTS: u8 = 5;
/// Shortest wait between two codes for one request.
pub const RESEND_INTERVAL: Duration = Duration::seconds(60);
/// Codes one request may be sent in all (the first plus the resends).
pub const MAX_SENDS: u8 = 6;

/// A freshly generated code. Only its hash is stored; the plain code travels in the email.
pub struct VerificationCode(String);

impl VerificationCode {
    pub fn generate(random: &dyn Randomness) -> Self {
        Self(format!("{:06}", below(random, 1_000_000)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Hashed with the id of what it was sent for, so equal codes differ at rest.
    pub fn hash(&self, salt: &str) -> String {
        hash_code(salt, &self.0)
    }
}

/// What a person typed: exactly six ASCII digits (spaces around are forgiven).
#[derive(Debug, PartialEq, Eq)]
pub struct CodeAttempt(String);

impl CodeAttempt {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.len() == 6 && trimmed.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err("must be the 6 digits from the email")
        }
    }

    pub fn matches(&self, salt: &str, stored_hash: &str) -> bool {
        hash_code(salt, &self.0) == stored_hash
    }
}

/// The code currently sent, stored as a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCode {
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub failed_attempts: u8,
    /// Codes sent for this purpose so far, the first included.
    pub sends: u8,
}

/// How a typed code compared with the pending one.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Right,
    /// Wrong: the pending code with this failure counted, to be stored.
    Wrong(PendingCode),
}

impl PendingCode {
    /// `code` as just sent (the `sends`-th), hashed with `salt`.
    pub fn sent(code: &VerificationCode, salt: &str, sends: u8, now: OffsetDateTime) -> Self {
        Self {
            hash: code.hash(salt),
            expires_at: now + CODE_LIFETIME,
            sent_at: now,
            failed_attempts: 0,
            sends,
        }
    }

    /// Zero when a new code may be sent now; otherwise how long to wait. After
    /// [`MAX_SENDS`] codes none comes until `no_more_until`.
    pub fn wait_before_resend(
        &self,
        no_more_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> std::time::Duration {
        let until = if self.sends >= MAX_SENDS {
            no_more_until
        } else {
            self.sent_at + RESEND_INTERVAL
        };
        let secs = (until - now).whole_seconds();
        std::time::Duration::from_secs(secs.max(0) as u64)
    }

    /// Compares `attempt`: a code burned by [`MAX_ATTEMPTS`] wrong ones is `TooManyAttempts`
    /// (until a new one may be sent), an expired one `CodeInvalid`.
    pub fn check(
        &self,
        attempt: &CodeAttempt,
        salt: &str,
        no_more_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<CodeCheck, DomainError> {
        if self.failed_attempts >= MAX_ATTEMPTS {
            return Err(DomainError::TooManyAttempts {
                retry_after: self.wait_before_resend(no_more_until, now),
            });
        }
        if self.expires_at <= now {
            return Err(DomainError::CodeInvalid(
                "the code has expired; request a new one",
            ));
        }
        if attempt.matches(salt, &self.hash) {
            Ok(CodeCheck::Right)
        } else {
            Ok(CodeCheck::Wrong(Self {
                failed_attempts: self.failed_attempts + 1,
                ..self.clone()
            }))
        }
    }
}

fn hash_code(salt: &str, code: &str) -> String {
    let digest = Sha256::digest(format!("{salt}:{code}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRandomness;

    #[test]
    fn a_generated_code_is_six_digits_and_matches_its_own_hash() {
        let code = VerificationCode::generate(&TestRandomness);
        assert_eq!(code.as_str().len(), 6);
        let attempt = CodeAttempt::parse(code.as_str()).unwrap();
        assert!(attempt.matches("reg-1", &code.hash("reg-1")));
    }

    #[test]
    fn the_same_code_hashes_differently_for_another_request() {
        let code = VerificationCode::generate(&TestRandomness);
        let attempt = CodeAttempt::parse(code.as_str()).unwrap();
        assert!(!attempt.matches("reg-2", &code.hash("reg-1")));
    }

    #[test]
    fn an_attempt_must_be_six_digits() {
        assert!(CodeAttempt::parse(" 012345 ").is_ok());
        for raw in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert!(CodeAttempt::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
