//! CRM contacts: the people portal users are linked to. One contact per email address.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::FieldErrors;
use crate::audit::AuditEvent;
use crate::ids::{ContactId, PortalUserId};
use crate::registration::Registration;
use crate::types::{Company, EmailAddress, Locale, PersonName, Phone};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub first_name: PersonName,
    /// Unknown for a contact made from an email address alone (a bulk invitation).
    #[serde(default)]
    pub last_name: Option<PersonName>,
    pub email: EmailAddress,
    pub phone: Option<Phone>,
    pub company: Option<Company>,
    pub locale: Locale,
    /// Set once a portal user is created for this contact; a contact has at most one.
    pub portal_user_id: Option<PortalUserId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
}

/// The validated fields staff give for a new contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactForm {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub phone: Option<Phone>,
    pub company: Option<Company>,
}

/// A person's fields as a client sent them, before parsing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonFields<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
}

impl ContactForm {
    /// Parses the person fields every form shares (registration, new contact), recording
    /// each invalid one in `errors`; `None` if any was invalid.
    pub fn parse(errors: &mut FieldErrors, fields: PersonFields<'_>) -> Option<Self> {
        let first_name = errors.require("first_name", fields.first_name, PersonName::parse);
        let last_name = errors.require("last_name", fields.last_name, PersonName::parse);
        let email = errors.require("email", fields.email, EmailAddress::parse);
        let phone = errors.optional("phone", fields.phone, Phone::parse);
        let company = errors.optional("company", fields.company, Company::parse);
        Some(Self {
            first_name: first_name?,
            last_name: last_name?,
            email: email?,
            phone: phone?,
            company: company?,
        })
    }
}

impl Contact {
    pub fn new(id: ContactId, form: ContactForm, locale: Locale, created: AuditEvent) -> Self {
        Self {
            id,
            first_name: form.first_name,
            last_name: Some(form.last_name),
            email: form.email,
            phone: form.phone,
            company: form.company,
            locale,
            portal_user_id: None,
            created_at: created.at,
            audit: vec![created],
        }
    }

    /// A contact with the data the person gave in their registration request.
    pub fn from_registration(
        id: ContactId,
        registration: &Registration,
        created: AuditEvent,
    ) -> Self {
        let form = ContactForm {
            first_name: registration.first_name().clone(),
            last_name: registration.last_name().clone(),
            email: registration.email().clone(),
            phone: registration.phone().cloned(),
            company: registration.company().cloned(),
        };
        Self::new(id, form, registration.locale().clone(), created)
    }

    /// A contact known only by an email address: its full name is the part before `@`
    /// (as the CRMs we learn from do), in the first name, with no last name.
    pub fn from_email(id: ContactId, email: &EmailAddress, created: AuditEvent) -> Self {
        let truncated: String = email.local_part().chars().take(100).collect();
        Self {
            id,
            first_name: PersonName::parse(&truncated)
                .unwrap_or_else(|_| PersonName::parse("unknown").expect("a valid name")),
            last_name: None,
            email: email.clone(),
            phone: None,
            company: None,
            locale: Locale::default(),
            portal_user_id: None,
            created_at: created.at,
            audit: vec![created],
        }
    }

    pub fn full_name(&self) -> String {
        match &self.last_name {
            Some(last_name) => format!("{} {last_name}", self.first_name),
            None => self.first_name.to_string(),
        }
    }

    pub fn name_key(&self) -> String {
        name_key(&self.first_name, self.last_name.as_ref())
    }
}

/// How names are compared when suggesting contacts: case and spacing do not matter.
pub fn name_key(first_name: &PersonName, last_name: Option<&PersonName>) -> String {
    let last_name = last_name.map(ToString::to_string).unwrap_or_default();
    crate::types::search_key(&format!("{first_name} {last_name}"))
}

#[cfg(test)]
mod from_email_tests {
    use time::macros::datetime;

    use super::*;
    use crate::audit::{Actor, AuditAction};

    #[test]
    fn a_contact_from_an_email_alone_is_named_by_the_part_before_the_at() {
        let created = AuditEvent::new(
            &Actor {
                subject: "s".into(),
                name: None,
            },
            AuditAction::ContactCreated,
            None,
            datetime!(2026-11-23 10:00 UTC),
        );
        let email = EmailAddress::parse("Grace.Hopper@Example.com").unwrap();

        let contact = Contact::from_email(crate::testing::id("c"), &email, created);

        assert_eq!(contact.full_name(), "grace.hopper");
        assert_eq!(contact.last_name, None);
        assert_eq!(contact.name_key(), "grace.hopper");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_their_case_and_spacing() {
        let a = name_key(
            &PersonName::parse("Ada").unwrap(),
            Some(&PersonName::parse("King  Lovelace").unwrap()),
        );
        let b = name_key(
            &PersonName::parse("ADA").unwrap(),
            Some(&PersonName::parse("king lovelace").unwrap()),
        );
        assert_eq!(a, b);
        assert_eq!(a, "ada king lovelace");
    }
}
