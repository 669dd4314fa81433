use serde::{Deserialize, Serialize};

use super::{EmailAddress, Phone};
use crate::contact::{Contact, parse_reference};

/// What a person signs in with, unique among portal users: the contact field
/// `USERNAME_FIELD` names, normalized so that one person's spellings are one username
/// (an address as [`EmailAddress`] keeps it, a phone's `+` and digits, a reference in
/// lowercase).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn of_email(email: &EmailAddress) -> Self {
        Self(email.to_string())
    }

    pub fn of_phone(phone: &Phone) -> Self {
        let raw = phone.as_ref();
        let plus = if raw.starts_with('+') { "+" } else { "" };
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        Self(format!("{plus}{digits}"))
    }

    pub fn of_reference(reference: &str) -> Self {
        Self(reference.trim().to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which contact field is the username (`USERNAME_FIELD`, EspoCRM's choice): `email` (the
/// default), `phone` or `external_ref`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UsernameField {
    #[default]
    Email,
    Phone,
    ExternalRef,
}

impl UsernameField {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw.trim() {
            "email" => Ok(Self::Email),
            "phone" => Ok(Self::Phone),
            "external_ref" => Ok(Self::ExternalRef),
            _ => Err("must be email, phone or external_ref"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::ExternalRef => "external_ref",
        }
    }

    /// The username `contact` gives, if it has this field.
    pub fn of_contact(self, contact: &Contact) -> Option<Username> {
        match self {
            Self::Email => contact.email.as_ref().map(Username::of_email),
            Self::Phone => contact.phone.as_ref().map(Username::of_phone),
            Self::ExternalRef => contact.external_ref.as_deref().map(Username::of_reference),
        }
    }

    /// The username a person typed at sign-in, if it can be one.
    pub fn typed(self, raw: &str) -> Option<Username> {
        match self {
            Self::Email => EmailAddress::parse(raw)
                .ok()
                .map(|email| Username::of_email(&email)),
            Self::Phone => Phone::parse(raw)
                .ok()
                .map(|phone| Username::of_phone(&phone)),
            Self::ExternalRef => parse_reference(raw)
                .ok()
                .map(|r| Username::of_reference(&r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_persons_spellings_are_one_username() {
        let phone = UsernameField::Phone;
        assert_eq!(
            phone.typed("+49 30 1234-567"),
            phone.typed("+49(30)1234567")
        );
        assert_eq!(
            phone.typed("+49 30 1234-567").unwrap().as_str(),
            "+49301234567"
        );
        let reference = UsernameField::ExternalRef;
        assert_eq!(reference.typed(" CRM-7 ").unwrap().as_str(), "crm-7");
        let email = UsernameField::Email;
        assert_eq!(
            email.typed("Ada@Example.com").unwrap().as_str(),
            "ada@example.com"
        );
        assert_eq!(email.typed("not an address"), None);
        assert_eq!(phone.typed("abc"), None);
    }

    #[test]
    fn the_field_is_one_of_three() {
        for field in [
            UsernameField::Email,
            UsernameField::Phone,
            UsernameField::ExternalRef,
        ] {
            assert_eq!(UsernameField::parse(field.name()), Ok(field));
        }
        assert!(UsernameField::parse("name").is_err());
    }
}
