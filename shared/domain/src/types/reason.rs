use serde::{Deserialize, Serialize};

/// Why staff rejected a request, as told to the requester: 1..=1000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty");
        }
        if trimmed.chars().count() > 1000 {
            return Err("must be at most 1000 characters");
        }
        // Line breaks are welcome in a reason; other control characters are not.
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err("must not contain control characters");
        }
        Ok(Self(trimmed.to_owned()))
    }
}

/// Printable text, line breaks and tabs allowed, with something besides spaces.
const PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

super::parsed_string_serde!(Reason, super::text_schema(1000, PATTERN));

#[cfg(test)]
mod tests {
    use super::Reason;

    #[test]
    fn a_reason_is_trimmed_text_that_may_span_lines() {
        assert_eq!(
            Reason::parse(" Unknown company.\nCall us. ")
                .unwrap()
                .as_ref(),
            "Unknown company.\nCall us."
        );
        assert!(Reason::parse("  ").is_err());
        assert!(Reason::parse(&"x".repeat(1001)).is_err());
        assert!(Reason::parse("bell\u{7}").is_err());
    }
}
