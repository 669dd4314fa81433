//! The step between a right password and a finished sign-in: a short-lived token that
//! only the second factor (or, for an organization that requires one, its enrolment)
//! turns into a session.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::PortalUserId;
use crate::random::Randomness;
use crate::secret_token::{SecretToken, constant_time_eq, token_hash};

/// How long the second step waits for a code.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// How long an enrolment an organization requires may take (install an app, scan a code).
pub const ENROLMENT_LIFETIME: Duration = Duration::minutes(15);
/// Wrong codes that burn a second step (each also counts toward the username's lockout).
pub const MAX_WRONG_CODES: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengePurpose {
    /// The password was right; a second factor finishes the sign-in.
    SecondFactor,
    /// The password was right, but the organization requires a second factor the user
    /// has not enrolled: the token lets them enrol one, and nothing else.
    Enrolment,
}

/// The step under way, as stored on the user: only the token's hash. A new sign-in
/// replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaChallenge {
    pub token_hash: String,
    pub purpose: ChallengePurpose,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(default)]
    pub wrong_codes: u32,
    /// The passkey ceremony a user with passkeys may answer the step with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<super::PasskeyCeremony>,
}

impl MfaChallenge {
    /// A new step for `purpose`, and the token that names it (shown once).
    pub fn begin(
        random: &dyn Randomness,
        user_id: &PortalUserId,
        purpose: ChallengePurpose,
        now: OffsetDateTime,
    ) -> (Self, String) {
        let secret = SecretToken::generate(random);
        let lifetime = match purpose {
            ChallengePurpose::SecondFactor => CHALLENGE_LIFETIME,
            ChallengePurpose::Enrolment => ENROLMENT_LIFETIME,
        };
        let challenge = Self {
            token_hash: secret.hash(),
            purpose,
            expires_at: now + lifetime,
            wrong_codes: 0,
            passkey: None,
        };
        (challenge, format!("{user_id}.{}", secret.as_str()))
    }

    /// Whether `token` names this step, for `purpose`, and it still works.
    pub fn admits(&self, token: &MfaToken, purpose: ChallengePurpose, now: OffsetDateTime) -> bool {
        constant_time_eq(&token_hash(&token.secret), &self.token_hash)
            && self.purpose == purpose
            && now < self.expires_at
            && self.wrong_codes < MAX_WRONG_CODES
    }
}

/// An `mfa_token` or `enrollment_token` as a client sends it: the user it is for (so a
/// second step costs one read) and the secret whose hash the user's challenge holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaToken {
    pub user_id: PortalUserId,
    secret: String,
}

impl MfaToken {
    /// `None` for anything a challenge could not have made.
    pub fn parse(text: &str) -> Option<Self> {
        let (user_id, secret) = text.split_once('.')?;
        let valid_secret = secret.len() == 43
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        Some(Self {
            user_id: PortalUserId::parse(user_id)?,
            secret: secret.to_owned(),
        })
        .filter(|_| valid_secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRandomness;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    fn user() -> PortalUserId {
        PortalUserId::generate(&TestRandomness)
    }

    #[test]
    fn the_token_names_its_user_and_only_its_hash_is_kept() {
        let user_id = user();
        let (challenge, token) = MfaChallenge::begin(
            &TestRandomness,
            &user_id,
            ChallengePurpose::SecondFactor,
            NOW,
        );
        let parsed = MfaToken::parse(&token).unwrap();
        assert_eq!(parsed.user_id, user_id);
        assert!(!challenge.token_hash.contains(&parsed.secret));
        assert!(challenge.admits(&parsed, ChallengePurpose::SecondFactor, NOW));
    }

    #[test]
    fn a_step_ends_after_five_minutes_five_wrong_codes_or_for_another_purpose() {
        let (mut challenge, token) = MfaChallenge::begin(
            &TestRandomness,
            &user(),
            ChallengePurpose::SecondFactor,
            NOW,
        );
        let token = MfaToken::parse(&token).unwrap();
        assert!(!challenge.admits(
            &token,
            ChallengePurpose::SecondFactor,
            NOW + CHALLENGE_LIFETIME
        ));
        assert!(!challenge.admits(&token, ChallengePurpose::Enrolment, NOW));
        challenge.wrong_codes = MAX_WRONG_CODES;
        assert!(!challenge.admits(&token, ChallengePurpose::SecondFactor, NOW));
    }

    #[test]
    fn another_token_is_not_admitted() {
        let (challenge, _) = MfaChallenge::begin(
            &TestRandomness,
            &user(),
            ChallengePurpose::SecondFactor,
            NOW,
        );
        let (_, other) = MfaChallenge::begin(
            &TestRandomness,
            &user(),
            ChallengePurpose::SecondFactor,
            NOW,
        );
        assert!(!challenge.admits(
            &MfaToken::parse(&other).unwrap(),
            ChallengePurpose::SecondFactor,
            NOW
        ));
    }

    #[test]
    fn malformed_tokens_are_refused_before_any_read() {
        for bad in [
            "",
            "abc",
            "abc.def",
            &format!("{}.short", user()),
            &format!("{}", user()),
        ] {
            assert_eq!(MfaToken::parse(bad), None, "{bad:?}");
        }
    }
}
