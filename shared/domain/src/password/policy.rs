//! What a new password must be: 12..=128 characters, no composition rules, nothing of the
//! user's own name or email, and not common or guessable by zxcvbn's estimate.

use std::fmt;

/// Fewest characters (Unicode code points) a password may have.
pub const MIN_CHARS: usize = 12;
/// Most characters a password may have: long enough for any passphrase, short enough
/// that nobody sends a megabyte to the hasher.
pub const MAX_CHARS: usize = 128;
/// Personal entries shorter than this are too short to mean anything ("Al" is in many
/// passwords by chance).
const MIN_PERSONAL_CHARS: usize = 4;
/// zxcvbn's score 3: about 10^10 guesses, safe against online attacks and slowed offline.
const MIN_SCORE: u8 = 3;

/// A password that passed the policy, exactly as the user typed it: never trimmed,
/// normalized or truncated, so what they type at login is what was hashed.
pub struct NewPassword(String);

impl NewPassword {
    /// `personal`: what the user's password must not contain (username or email, first
    /// and last name). An email's local part is checked on its own too.
    pub fn parse(raw: &str, personal: &[&str]) -> Result<Self, PasswordRejection> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordRejection::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordRejection::TooLong);
        }
        let personal = personal_entries(personal);
        let lowered = raw.to_lowercase();
        if personal
            .iter()
            .any(|entry| lowered.contains(entry.as_str()))
        {
            return Err(PasswordRejection::Personal);
        }
        let inputs: Vec<&str> = personal.iter().map(String::as_str).collect();
        let estimate = zxcvbn::zxcvbn(raw, &inputs);
        if u8::from(estimate.score()) < MIN_SCORE {
            return Err(PasswordRejection::Guessable(guessable_reason(
                estimate.feedback(),
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// Why a password was refused, worded to follow the field's name ("password must …")
/// and safe to show the user (it never repeats the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordRejection {
    TooShort,
    TooLong,
    /// Contains the user's email address (or its local part) or name.
    Personal,
    /// Common or too easy to guess; carries the reason with zxcvbn's advice.
    Guessable(String),
}

impl PasswordRejection {
    pub fn reason(&self) -> &str {
        match self {
            Self::TooShort => "must be at least 12 characters",
            Self::TooLong => "must be at most 128 characters",
            Self::Personal => "must not contain your email address or name",
            Self::Guessable(reason) => reason,
        }
    }
}

impl fmt::Display for PasswordRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for PasswordRejection {}

/// Lowercased, long enough to count, with each email's local part added.
fn personal_entries(personal: &[&str]) -> Vec<String> {
    let mut entries = Vec::new();
    for entry in personal {
        let entry = entry.trim().to_lowercase();
        if let Some((local, _)) = entry.rsplit_once('@') {
            entries.push(local.to_owned());
        }
        entries.push(entry);
    }
    entries.retain(|entry| entry.chars().count() >= MIN_PERSONAL_CHARS);
    entries
}

fn guessable_reason(feedback: Option<&zxcvbn::feedback::Feedback>) -> String {
    let mut reason = String::from("is too easy to guess");
    let Some(feedback) = feedback else {
        return reason;
    };
    let advice: Vec<String> = feedback
        .warning()
        .map(|warning| warning.to_string())
        .into_iter()
        .chain(feedback.suggestions().iter().map(ToString::to_string))
        .collect();
    if !advice.is_empty() {
        reason.push_str(": ");
        reason.push_str(&advice.join(" "));
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOBODY: &[&str] = &[];
    const ADA: &[&str] = &["ada.lovelace@example.com", "Ada", "Lovelace"];

    fn refusal(raw: &str, personal: &[&str]) -> PasswordRejection {
        NewPassword::parse(raw, personal).expect_err("the password should be refused")
    }

    #[test]
    fn eleven_characters_are_too_short() {
        let rejection = refusal("tqzv-mw8r-k", NOBODY);
        assert_eq!(rejection, PasswordRejection::TooShort);
        assert!(rejection.reason().contains("12"), "{rejection}");
    }

    #[test]
    fn a_hundred_and_twenty_nine_characters_are_too_long() {
        let rejection = refusal(&"tqzv-mw8r-kx".repeat(11)[..129], NOBODY);
        assert_eq!(rejection, PasswordRejection::TooLong);
        assert!(rejection.to_string().contains("128"), "{rejection}");
    }

    #[test]
    fn a_passphrase_of_exactly_128_characters_is_accepted() {
        let raw = "Violet kangaroos juggle seventeen brass teapots near the frozen \
                   lighthouse, humming off-key while orbiting Saturn at dusk, maybe";
        let raw = &raw[..128];
        assert_eq!(raw.chars().count(), 128);
        assert_eq!(NewPassword::parse(raw, ADA).unwrap().expose(), raw);
    }

    #[test]
    fn length_is_counted_in_code_points_not_bytes() {
        let raw = "Grüße aus Köln, sagt Jürgen 2026";
        assert_eq!(NewPassword::parse(raw, ADA).unwrap().expose(), raw);

        // 11 code points in 17 bytes is too short; 12 code points is long enough.
        assert_eq!(refusal("ÄÖÜßéèñøåçœ", NOBODY), PasswordRejection::TooShort);
        let twelve = "ßüöäÖÜæøåñçé";
        assert_eq!(twelve.chars().count(), 12);
        assert!(twelve.len() > 12);
        assert_eq!(NewPassword::parse(twelve, NOBODY).unwrap().expose(), twelve);
        assert!(NewPassword::parse("Zwölf Äpfel!", NOBODY).is_ok());
    }

    #[test]
    fn spaces_count_and_are_kept() {
        let raw = " wombat fjord  ";
        assert_eq!(NewPassword::parse(raw, NOBODY).unwrap().expose(), raw);
        // Trimmed it would be 11 characters; the spaces make it long enough.
        assert!(NewPassword::parse(" xq7#vLm2pQz", NOBODY).is_ok());
    }

    #[test]
    fn a_common_password_is_refused_with_zxcvbn_advice() {
        let rejection = refusal("password123456", NOBODY);
        assert!(matches!(rejection, PasswordRejection::Guessable(_)));
        assert!(
            rejection.reason().starts_with("is too easy to guess: "),
            "{rejection}"
        );
        assert!(rejection.reason().contains("common"), "{rejection}");
    }

    #[test]
    fn the_email_itself_or_a_password_containing_the_name_is_refused() {
        for raw in [
            "ada.lovelace@example.com",
            "ADA.LOVELACE rides a bicycle",
            "my name is lovelace, okay?",
        ] {
            let rejection = refusal(raw, ADA);
            assert_eq!(rejection, PasswordRejection::Personal, "{raw}");
            assert_eq!(
                rejection.reason(),
                "must not contain your email address or name"
            );
        }
    }

    #[test]
    fn personal_entries_shorter_than_four_characters_are_ignored() {
        // "Ada" is in "Adamant", but three letters are too short to be a name check.
        assert!(NewPassword::parse("Adamant quokkas vote sideways", ADA).is_ok());
    }

    #[test]
    fn a_long_random_looking_passphrase_is_accepted() {
        let raw = "correct-Horse-battery-Staple-9f#kQ";
        assert_eq!(NewPassword::parse(raw, ADA).unwrap().expose(), raw);
    }

    #[test]
    fn debug_never_prints_the_password() {
        let password = NewPassword::parse("correct-Horse-battery-Staple-9f#kQ", ADA).unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(..)");
    }
}
