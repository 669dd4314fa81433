use serde::{Deserialize, Serialize};

/// An email address, trimmed and lowercased, so one mailbox has one spelling
/// (uniqueness guards and lookups compare this form).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty");
        }
        // Invisible and direction-changing characters make one address look like another.
        if trimmed
            .chars()
            .any(|c| c.is_control() || is_invisible_format(c))
        {
            return Err("must not contain control or invisible characters");
        }
        let (local, domain) = trimmed
            .rsplit_once('@')
            .ok_or("is not a valid email address")?;
        // Quoted local parts and source routes (`"a b"@x`, `@relay:a@x`) are valid in RFC
        // 5321 but no person types them, and they let one mailbox be written many ways.
        if local.is_empty() || local.chars().any(|c| LOCAL_PART_EXCLUDED.contains(&c)) {
            return Err("is not a valid email address");
        }
        // One domain, one spelling: internationalized domains are kept in their ASCII
        // (IDNA) form, which also folds case and look-alike width variants.
        let domain = idna::domain_to_ascii(domain).map_err(|_| "is not a valid email address")?;
        let normalized = format!("{}@{domain}", local.to_lowercase());
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

super::parsed_string_serde!(
    EmailAddress,
    super::text_schema(254, super::TEXT_PATTERN).format(Some(
        utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Email)
    ))
);

/// What a local part may not hold: quotes, source-route and comment syntax, whitespace.
const LOCAL_PART_EXCLUDED: &[char] = &[
    '"', '(', ')', ',', ':', ';', '<', '>', '[', ']', '\\', '@', ' ', '\t',
];

/// Unicode format characters that render as nothing: bidirectional controls, zero-width
/// characters and the byte order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

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
    fn quoted_local_parts_and_source_routes_are_refused() {
        for raw in [
            "\"ada lovelace\"@example.com",
            "\"ada\"@example.com",
            "@relay.example:ada@example.com",
            "ada,bob@example.com",
            "ada(comment)@example.com",
            "ada\\@example.com",
        ] {
            assert!(EmailAddress::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn control_and_bidirectional_characters_are_refused() {
        for raw in [
            "ada\u{0}@example.com",
            "ada\n@example.com",
            "ada@exa\u{202E}elpmam.com",
            "a\u{200B}da@example.com",
            "ada@example.com\u{2066}",
        ] {
            assert_eq!(
                EmailAddress::parse(raw),
                Err("must not contain control or invisible characters"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn an_internationalized_domain_is_kept_in_its_ascii_form_so_one_mailbox_is_one_address() {
        let unicode = EmailAddress::parse("Jürgen@Bücher.Example").unwrap();
        let ascii = EmailAddress::parse("jürgen@xn--bcher-kva.example").unwrap();
        let wide = EmailAddress::parse("jürgen@ｂüｃｈｅｒ.example").unwrap();

        assert_eq!(unicode.as_ref(), "jürgen@xn--bcher-kva.example");
        assert_eq!(unicode, ascii);
        assert_eq!(unicode, wide);
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
