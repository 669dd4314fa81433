use serde::{Deserialize, Serialize};

/// The company a person says they work for: trimmed, 1..=200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Company(String);

impl Company {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        super::text(raw, 200, "must be at most 200 characters").map(Self)
    }
}

super::parsed_string_serde!(Company, super::text_schema(200, super::TEXT_PATTERN));

#[cfg(test)]
mod tests {
    use super::Company;

    #[test]
    fn a_company_is_trimmed_and_limited_to_200_characters() {
        assert_eq!(Company::parse(" Acme ").unwrap().as_ref(), "Acme");
        assert!(Company::parse(&"x".repeat(200)).is_ok());
        assert!(Company::parse(&"x".repeat(201)).is_err());
    }
}
