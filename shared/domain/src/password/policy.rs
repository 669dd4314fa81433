//! What a new password must be: 15..=128 characters (the minimum configurable), no
//! composition rules, nothing of the user's own name or email, and not common or
//! guessable by zxcvbn's estimate.

use std::fmt;

/// Fewest characters (Unicode code points) a password may have, as deployed. NIST SP
/// 800-63B rev. 4 asks for at least 15 when the password is the only factor, and allows 8
/// when it is used with a second factor; 15 is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinLength(usize);

impl MinLength {
    pub const SINGLE_FACTOR: Self = Self(15);
    /// NIST's floor for a password used with a second factor.
    pub const FLOOR: usize = 8;

    pub fn new(chars: usize) -> Result<Self, String> {
        if (Self::FLOOR..=MAX_CHARS).contains(&chars) {
            Ok(Self(chars))
        } else {
            Err(format!(
                "the minimum password length must be {} to {MAX_CHARS} characters",
                Self::FLOOR
            ))
        }
    }

    pub fn chars(self) -> usize {
        self.0
    }
}

impl Default for MinLength {
    fn default() -> Self {
        Self::SINGLE_FACTOR
    }
}

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
    pub fn parse(raw: &str, personal: &[&str], min: MinLength) -> Result<Self, PasswordRejection> {
        let chars = raw.chars().count();
        if chars < min.chars() {
            return Err(PasswordRejection::TooShort(min));
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
    TooShort(MinLength),
    TooLong,
    /// Contains the user's email address (or its local part) or name.
    Personal,
    /// Common or too easy to guess; carries the reason with zxcvbn's advice.
    Guessable(String),
}

impl PasswordRejection {
    pub fn reason(&self) -> String {
        match self {
            Self::TooShort(min) => format!("must be at least {} characters", min.chars()),
            Self::TooLong => "must be at most 128 characters".into(),
            Self::Personal => "must not contain your email address or name".into(),
            Self::Guessable(reason) => reason.clone(),
        }
    }
}

impl fmt::Display for PasswordRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
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

    const DEFAULT: MinLength = MinLength::SINGLE_FACTOR;
    const TWELVE: MinLength = MinLength(12);

    fn parse(raw: &str, personal: &[&str]) -> Result<NewPassword, PasswordRejection> {
        NewPassword::parse(raw, personal, DEFAULT)
    }

    fn refusal(raw: &str, personal: &[&str]) -> PasswordRejection {
        parse(raw, personal).expect_err("the password should be refused")
    }

    #[test]
    fn fourteen_characters_are_too_short_by_default() {
        let rejection = refusal("tqzv-mw8r-kx7p", NOBODY);
        assert_eq!(rejection, PasswordRejection::TooShort(DEFAULT));
        assert_eq!(rejection.reason(), "must be at least 15 characters");
        assert!(parse("tqzv-mw8r-kx7p2", NOBODY).is_ok());
    }

    #[test]
    fn the_minimum_is_configurable_down_to_nists_floor_for_a_second_factor() {
        let eight = MinLength::new(8).unwrap();
        let eight_chars = NewPassword::parse("tq#v8rKx", NOBODY, eight);
        assert!(!matches!(eight_chars, Err(PasswordRejection::TooShort(_))));
        assert!(MinLength::new(7).is_err());
        assert!(MinLength::new(129).is_err());
        let twenty = MinLength::new(20).unwrap();
        assert_eq!(
            NewPassword::parse("tqzv-mw8r-kx7p2", NOBODY, twenty).err(),
            Some(PasswordRejection::TooShort(twenty))
        );
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
        assert_eq!(parse(raw, ADA).unwrap().expose(), raw);
    }

    #[test]
    fn length_is_counted_in_code_points_not_bytes() {
        let raw = "Grüße aus Köln, sagt Jürgen 2026";
        assert_eq!(parse(raw, ADA).unwrap().expose(), raw);

        // 11 code points in 17 bytes is too short; 12 code points is long enough.
        let eleven = NewPassword::parse("ÄÖÜßéèñøåçœ", NOBODY, TWELVE);
        assert_eq!(eleven.err(), Some(PasswordRejection::TooShort(TWELVE)));
        let twelve = "ßüöäÖÜæøåñçé";
        assert_eq!(twelve.chars().count(), 12);
        assert!(twelve.len() > 12);
        let parsed = NewPassword::parse(twelve, NOBODY, TWELVE).unwrap();
        assert_eq!(parsed.expose(), twelve);
        assert!(NewPassword::parse("Zwölf Äpfel!", NOBODY, TWELVE).is_ok());
    }

    #[test]
    fn spaces_count_and_are_kept() {
        let raw = " wombat fjord   ";
        assert_eq!(parse(raw, NOBODY).unwrap().expose(), raw);
        // Trimmed it would be 14 characters; the spaces make it long enough.
        assert!(parse(" xq7#vLm2pQz9wR", NOBODY).is_ok());
    }

    #[test]
    fn a_common_password_is_refused_with_zxcvbn_advice() {
        let rejection = refusal("password1234567", NOBODY);
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
        assert!(parse("Adamant quokkas vote sideways", ADA).is_ok());
    }

    #[test]
    fn a_long_random_looking_passphrase_is_accepted() {
        let raw = "correct-Horse-battery-Staple-9f#kQ";
        assert_eq!(parse(raw, ADA).unwrap().expose(), raw);
    }

    #[test]
    fn debug_never_prints_the_password() {
        let password = parse("correct-Horse-battery-Staple-9f#kQ", ADA).unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(..)");
    }
}
