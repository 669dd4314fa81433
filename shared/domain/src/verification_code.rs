//! The 6-digit code that proves a person reads the mailbox they registered with.

use sha2::{Digest, Sha256};
use time::Duration;

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

    /// Hashed with the request id, so equal codes of two requests differ at rest.
    pub fn hash(&self, registration_id: &str) -> String {
        hash_code(registration_id, &self.0)
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

    pub fn matches(&self, registration_id: &str, stored_hash: &str) -> bool {
        hash_code(registration_id, &self.0) == stored_hash
    }
}

fn hash_code(registration_id: &str, code: &str) -> String {
    let digest = Sha256::digest(format!("{registration_id}:{code}").as_bytes());
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
