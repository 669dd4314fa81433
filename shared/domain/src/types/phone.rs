use serde::{Deserialize, Serialize};

/// A phone number as people write it (`+49 30 1234-567`, `(555) 010 2000`):
/// 7..=15 digits (the E.164 maximum), an optional leading `+`, and the separators
/// space, `-`, `.`, `(`, `)`. Kept as written, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const INVALID: &str = "is not a valid phone number";
        let trimmed = raw.trim();
        let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
        let allowed = |c: char| c.is_ascii_digit() || " -.()".contains(c);
        if !body.chars().all(allowed) {
            return Err(INVALID);
        }
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            return Err(INVALID);
        }
        Ok(Self(trimmed.to_owned()))
    }
}

/// 7 to 15 digits, perhaps a leading `+`, spaces, dots, dashes and brackets between.
const PATTERN: &str = r"^\s*\+?[ .()\-]*([0-9][ .()\-]*){7,15}\s*$";

super::parsed_string_serde!(Phone, super::pattern_schema(PATTERN));

#[cfg(test)]
mod tests {
    use super::Phone;

    #[test]
    fn common_spellings_are_accepted_as_written() {
        for raw in [
            "+49 30 1234-567",
            "(555) 010 2000",
            "0301234567",
            "+1.555.010.2000",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_ref(), raw);
        }
    }

    #[test]
    fn letters_short_numbers_and_inner_plus_signs_are_refused() {
        for raw in [
            "",
            "12345",
            "call me",
            "+49 30 +1234567",
            "1234567890123456",
        ] {
            assert!(Phone::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
