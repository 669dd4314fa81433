use serde::{Deserialize, Serialize};

/// A first or last name: trimmed, 1..=100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        super::text(raw, 100, "must be at most 100 characters").map(Self)
    }
}

super::parsed_string_serde!(PersonName, super::text_schema(100, super::TEXT_PATTERN));

#[cfg(test)]
mod tests {
    use super::PersonName;

    #[test]
    fn a_name_is_trimmed_and_keeps_its_letters() {
        assert_eq!(PersonName::parse("  Zoë ").unwrap().as_ref(), "Zoë");
    }

    #[test]
    fn empty_overlong_and_control_character_names_are_refused() {
        assert_eq!(PersonName::parse(" "), Err("must not be empty"));
        assert_eq!(
            PersonName::parse(&"é".repeat(101)),
            Err("must be at most 100 characters")
        );
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            PersonName::parse("Ada\u{0}"),
            Err("must not contain control characters")
        );
    }
}
