use serde::{Deserialize, Serialize};

/// An email address, trimmed and lowercased, so one mailbox has one spelling
/// (uniqueness guards and lookups compare this form).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let normalized = raw.trim().to_lowercase();
        if normalized.is_empty() {
            return Err("must not be empty");
        }
        if normalized.len() > 254 {
            return Err("must be at most 254 characters");
        }
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        email_address::EmailAddress::parse_with_options(&normalized, options)
            .map_err(|_| "is not a valid email address")?;
        Ok(Self(normalized))
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

super::parsed_string_serde!(EmailAddress);

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn an_address_is_trimmed_and_lowercased() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_ref(), "ada.lovelace@example.com");
        assert_eq!(email.local_part(), "ada.lovelace");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "",
            "   ",
            "no-at-sign",
            "a@",
            "@example.com",
            "a@b",
            "Ada <ada@example.com>",
            "a@[127.0.0.1]",
            "two@@example.com",
        ] {
            assert!(EmailAddress::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn overlong_addresses_are_refused() {
        let raw = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            EmailAddress::parse(&raw),
            Err("must be at most 254 characters")
        );
    }

    #[test]
    fn a_stored_invalid_address_does_not_deserialize() {
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }
}
