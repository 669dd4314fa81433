//! RFC 6238 time-based one-time passwords as every authenticator app makes them: HMAC-SHA1,
//! 6 digits, 30-second steps, one step of clock drift either way.

use time::OffsetDateTime;
use totp_rs::{Builder, Secret, Totp};

use crate::random::Randomness;
use crate::secret_token::constant_time_eq;

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of now, for a phone's clock that drifts.
const SKEW: u64 = 1;
/// 160 bits, the HMAC-SHA1 block RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// An authenticator app's shared secret.
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate(random: &dyn Randomness) -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        random.fill(&mut bytes);
        Self(bytes)
    }

    /// The secret as an app's "enter a key" field takes it (RFC 4648 base32, no padding).
    pub fn base32(&self) -> String {
        self.secret().to_base32()
    }

    pub fn from_base32(text: &str) -> Option<Self> {
        Secret::try_from_base32(text)
            .ok()
            .map(|secret| Self(secret.as_bytes().to_vec()))
            .filter(|secret| secret.0.len() == SECRET_BYTES)
    }

    /// The `otpauth://` URI a QR code carries (the Key Uri Format of Google Authenticator,
    /// which every app reads).
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{}:{}", encode(issuer), encode(account));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            self.base32(),
            encode(issuer)
        )
    }

    /// The newest step within the skew whose code is `code` and that is later than
    /// `last_used` (a step is accepted once).
    pub fn matching_step(
        &self,
        code: &TotpCode,
        now: OffsetDateTime,
        last_used: Option<u64>,
    ) -> Option<u64> {
        let current = now.unix_timestamp().max(0) as u64 / STEP_SECONDS;
        let totp = self.totp();
        // Every candidate is computed and compared, so the time taken tells nothing.
        let mut found = None;
        for step in current.saturating_sub(SKEW)..=current + SKEW {
            let matches =
                constant_time_eq(&totp.generate(step * STEP_SECONDS).to_string(), &code.0);
            if matches && last_used.is_none_or(|last| step > last) {
                found = Some(step);
            }
        }
        found
    }

    /// The code of the step `unix_seconds` falls in (tests and benchmarks play the app).
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.totp().generate(unix_seconds).to_string()
    }

    fn secret(&self) -> Secret {
        Secret::new(self.0.clone().into_boxed_slice())
    }

    /// SHA-1 and six digits are the builder's defaults; the skew is ours to check.
    fn totp(&self) -> Totp {
        Builder::new()
            .with_secret(self.secret())
            .with_skew(0)
            .with_step_duration(STEP_SECONDS)
            .build()
            .expect("a 160-bit secret and the defaults are valid")
    }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Six digits as typed: spaces are dropped (apps show "123 456"); anything else that is
/// not six digits is a `422` before any account is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    pub fn parse(typed: &str) -> Result<Self, &'static str> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err("must be the 6 digits the authenticator app shows")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 seed is the ASCII of "12345678901234567890"; the
    /// 8-digit values there end in these 6 digits.
    const RFC_SEED: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: [(u64, &str); 6] = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];

    fn rfc_secret() -> TotpSecret {
        TotpSecret(RFC_SEED.to_vec())
    }

    fn at(unix: u64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix as i64).unwrap()
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        for (time, expected) in RFC_VECTORS {
            assert_eq!(rfc_secret().code_at(time), expected, "at {time}");
            let code = TotpCode::parse(expected).unwrap();
            assert_eq!(
                rfc_secret().matching_step(&code, at(time), None),
                Some(time / 30)
            );
        }
    }

    #[test]
    fn one_step_either_side_is_accepted_and_two_are_not() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        for (offset, accepted) in [(-60i64, false), (-30, true), (30, true), (60, false)] {
            let code = TotpCode::parse(&secret.code_at((now as i64 + offset) as u64)).unwrap();
            assert_eq!(
                secret.matching_step(&code, at(now), None).is_some(),
                accepted,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn a_step_already_used_and_every_older_one_are_refused() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let code = TotpCode::parse(&secret.code_at(now)).unwrap();
        let step = secret.matching_step(&code, at(now), None).unwrap();

        assert_eq!(secret.matching_step(&code, at(now), Some(step)), None);
        let older = TotpCode::parse(&secret.code_at(now - 30)).unwrap();
        assert_eq!(secret.matching_step(&older, at(now), Some(step)), None);
    }

    #[test]
    fn a_code_must_be_six_digits_and_spaces_are_dropped() {
        assert!(TotpCode::parse("123 456").is_ok());
        for bad in ["12345", "1234567", "12345a", "", "١٢٣٤٥٦"] {
            assert!(TotpCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_secret_travels_as_base32_and_in_an_otpauth_uri() {
        let secret = rfc_secret();
        assert_eq!(secret.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32(&secret.base32()).unwrap().0,
            RFC_SEED
        );
        assert_eq!(
            secret.otpauth_uri("Acme Portal", "ada@example.com"),
            "otpauth://totp/Acme%20Portal:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Acme%20Portal&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn a_generated_secret_is_160_random_bits() {
        let secret = TotpSecret::generate(&crate::testing::TestRandomness);
        assert_eq!(secret.0.len(), 20);
    }
}
