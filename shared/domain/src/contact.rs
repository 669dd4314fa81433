//! CRM contacts: the people portal users are linked to. One contact per email address; a
//! contact may also have none (a person known by name alone, as in ELMA365).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::{Actor, AuditAction, AuditEvent};
use crate::ids::{ContactId, PortalUserId};
use crate::registration::Registration;
use crate::types::{Company, EmailAddress, Locale, PersonName, Phone, search_key};
use crate::{DomainError, FieldErrors};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub first_name: PersonName,
    /// Unknown for a contact made from an email address alone (a bulk invitation).
    #[serde(default)]
    pub last_name: Option<PersonName>,
    /// Unique among contacts (a guard item). Absent for a person known by name alone: their
    /// portal user confirms one through a personal link.
    #[serde(default)]
    pub email: Option<EmailAddress>,
    pub phone: Option<Phone>,
    pub company: Option<Company>,
    pub locale: Locale,
    /// The CRM's id of this person, unique among contacts (a guard item, like the email).
    #[serde(default)]
    pub external_ref: Option<String>,
    /// Each edit writes the next version over the one it read. Linking a portal user is not
    /// an edit: an edit is also refused when the contact's portal user changed.
    #[serde(default = "first_version")]
    pub version: u64,
    /// Set once a portal user is created for this contact; a contact has at most one.
    pub portal_user_id: Option<PortalUserId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
}

fn first_version() -> u64 {
    1
}

/// The validated fields staff give for a new contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactForm {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Option<EmailAddress>,
    pub phone: Option<Phone>,
    pub company: Option<Company>,
    pub external_ref: Option<String>,
}

/// What staff change about a contact; `None` leaves that field as it is, and `Some(None)`
/// removes an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactChange {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<EmailAddress>,
    pub phone: Option<Option<Phone>>,
    pub company: Option<Option<Company>>,
    pub locale: Option<Locale>,
    pub external_ref: Option<Option<String>>,
}

/// Why a contact's email may not change: it is their portal user's username, which the
/// person signs in with and which is unique through a guard of its own.
pub const EMAIL_IS_USERNAME: &str =
    "the contact's portal user signs in with this email; it cannot change here";

/// Why a contact without email whose portal user exists gets none from staff: the person
/// gives and confirms their own through their personal link.
pub const EMAIL_CONFIRMED_BY_USER: &str =
    "the contact's portal user confirms their own email through their personal link";

/// An external reference (another system's id): trimmed, 1..=200 characters, no control
/// characters.
pub fn parse_reference(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 || trimmed.chars().any(char::is_control)
    {
        return Err("must be 1 to 200 characters");
    }
    Ok(trimmed.to_owned())
}

/// A person's fields as a client sent them, before parsing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonFields<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
    pub external_ref: Option<&'a str>,
}

impl ContactForm {
    /// Parses the person fields every form shares (registration, new contact), recording
    /// each invalid one in `errors`; `None` if any was invalid. Only the name is required
    /// here; a registration requires the email too.
    pub fn parse(errors: &mut FieldErrors, fields: PersonFields<'_>) -> Option<Self> {
        let first_name = errors.require("first_name", fields.first_name, PersonName::parse);
        let last_name = errors.require("last_name", fields.last_name, PersonName::parse);
        let email = errors.optional("email", fields.email, EmailAddress::parse);
        let phone = errors.optional("phone", fields.phone, Phone::parse);
        let company = errors.optional("company", fields.company, Company::parse);
        let external_ref = errors.optional("external_ref", fields.external_ref, parse_reference);
        Some(Self {
            first_name: first_name?,
            last_name: last_name?,
            email: email?,
            phone: phone?,
            company: company?,
            external_ref: external_ref?,
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
            external_ref: form.external_ref,
            version: 1,
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
            email: Some(registration.email().clone()),
            phone: registration.phone().cloned(),
            company: registration.company().cloned(),
            external_ref: None,
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
            email: Some(email.clone()),
            phone: None,
            company: None,
            locale: Locale::default(),
            external_ref: None,
            version: 1,
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

    /// The texts a search by prefix finds this contact by: the name (first then last), the
    /// email and the company, each as [`search_key`] makes it.
    pub fn search_keys(&self) -> [(SearchField, Option<String>); 3] {
        [
            (SearchField::Name, Some(self.name_key())),
            (
                SearchField::Email,
                self.email.as_ref().map(ToString::to_string),
            ),
            (
                SearchField::Company,
                self.company
                    .as_ref()
                    .map(|company| search_key(company.as_ref())),
            ),
        ]
    }

    /// The next version with `change` made, recorded in the history (the detail names what
    /// changed). The email of a contact with a portal user stays: it is their username.
    pub fn change(
        &self,
        actor: &Actor,
        change: &ContactChange,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        let mut next = Self {
            version: self.version + 1,
            ..self.clone()
        };
        let mut what = Vec::new();
        if let Some(first_name) = &change.first_name {
            next.first_name = first_name.clone();
            what.push("first_name");
        }
        if let Some(last_name) = &change.last_name {
            next.last_name = Some(last_name.clone());
            what.push("last_name");
        }
        if let Some(email) = change
            .email
            .as_ref()
            .filter(|email| self.email.as_ref() != Some(*email))
        {
            match (&self.portal_user_id, &self.email) {
                (Some(_), Some(_)) => return Err(DomainError::Conflict(EMAIL_IS_USERNAME)),
                (Some(_), None) => return Err(DomainError::Conflict(EMAIL_CONFIRMED_BY_USER)),
                (None, _) => {}
            }
            next.email = Some(email.clone());
            what.push("email");
        }
        if let Some(phone) = &change.phone {
            next.phone = phone.clone();
            what.push("phone");
        }
        if let Some(company) = &change.company {
            next.company = company.clone();
            what.push("company");
        }
        if let Some(locale) = &change.locale {
            next.locale = locale.clone();
            what.push("locale");
        }
        if let Some(external_ref) = &change.external_ref {
            next.external_ref = external_ref.clone();
            what.push("external_ref");
        }
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::ContactChanged,
            Some(what.join(", ")),
            now,
        ));
        Ok(next)
    }
}

impl Contact {
    /// The next version with the email its portal user confirmed through their personal
    /// link; only a contact without one gets it this way.
    pub fn confirm_email(
        &self,
        actor: &Actor,
        email: &EmailAddress,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.email.is_some() {
            return Err(DomainError::Conflict(EMAIL_IS_USERNAME));
        }
        let mut next = Self {
            version: self.version + 1,
            email: Some(email.clone()),
            ..self.clone()
        };
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::EmailConfirmed,
            Some(email.to_string()),
            now,
        ));
        Ok(next)
    }
}

/// Which of a contact's texts a search entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SearchField {
    Name,
    Email,
    Company,
}

/// How names are compared when suggesting contacts: case and spacing do not matter.
pub fn name_key(first_name: &PersonName, last_name: Option<&PersonName>) -> String {
    let last_name = last_name.map(ToString::to_string).unwrap_or_default();
    search_key(&format!("{first_name} {last_name}"))
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

    #[test]
    fn an_external_reference_is_trimmed_and_bounded() {
        assert_eq!(parse_reference(" ACC-1 ").unwrap(), "ACC-1");
        for bad in ["", "  ", "a\nb", &"x".repeat(201)] {
            assert!(parse_reference(bad).is_err(), "{bad:?}");
        }
    }

    fn contact() -> Contact {
        let actor = Actor {
            subject: "s".into(),
            name: None,
        };
        let created = AuditEvent::new(
            &actor,
            AuditAction::ContactCreated,
            None,
            time::macros::datetime!(2026-11-23 10:00 UTC),
        );
        let form = ContactForm {
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: PersonName::parse("Lovelace").unwrap(),
            email: Some(EmailAddress::parse("ada@example.com").unwrap()),
            phone: None,
            company: Some(Company::parse("Analytical Engines").unwrap()),
            external_ref: Some("CRM-1".into()),
        };
        Contact::new(crate::testing::id("c"), form, Locale::default(), created)
    }

    #[test]
    fn a_change_is_the_next_version_and_names_what_changed() {
        let actor = Actor {
            subject: "staff".into(),
            name: None,
        };
        let change = ContactChange {
            email: Some(EmailAddress::parse("ada@lovelace.org").unwrap()),
            company: Some(None),
            external_ref: Some(Some("CRM-2".into())),
            ..ContactChange::default()
        };
        let next = contact()
            .change(
                &actor,
                &change,
                time::macros::datetime!(2026-11-24 10:00 UTC),
            )
            .unwrap();
        assert_eq!(next.version, 2);
        assert_eq!(next.email.unwrap().as_ref(), "ada@lovelace.org");
        assert_eq!(next.company, None);
        assert_eq!(next.external_ref.as_deref(), Some("CRM-2"));
        assert_eq!(next.first_name.as_ref(), "Ada");
        let event = next.audit.last().unwrap();
        assert_eq!(event.action, AuditAction::ContactChanged);
        assert_eq!(
            event.detail.as_deref(),
            Some("email, company, external_ref")
        );
    }

    #[test]
    fn the_email_of_a_contact_with_a_portal_user_stays_as_it_is() {
        let actor = Actor {
            subject: "staff".into(),
            name: None,
        };
        let mut linked = contact();
        linked.portal_user_id = Some(crate::testing::id("u"));
        let now = time::macros::datetime!(2026-11-24 10:00 UTC);
        let other = ContactChange {
            email: Some(EmailAddress::parse("ada@lovelace.org").unwrap()),
            ..ContactChange::default()
        };
        assert!(matches!(
            linked.change(&actor, &other, now),
            Err(DomainError::Conflict(EMAIL_IS_USERNAME))
        ));
        // The same address again is no change at all.
        let same = ContactChange {
            email: linked.email.clone(),
            ..ContactChange::default()
        };
        assert_eq!(
            linked.change(&actor, &same, now).unwrap().email,
            linked.email
        );
    }

    #[test]
    fn a_contact_is_found_by_name_email_and_company() {
        let keys = contact().search_keys();
        assert_eq!(
            keys,
            [
                (SearchField::Name, Some("ada lovelace".to_owned())),
                (SearchField::Email, Some("ada@example.com".to_owned())),
                (SearchField::Company, Some("analytical engines".to_owned())),
            ]
        );
    }
}

#[cfg(test)]
mod name_only_tests {
    use super::*;
    use crate::testing::id;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-11-23 10:00 UTC);

    fn actor() -> Actor {
        Actor {
            subject: "staff".into(),
            name: None,
        }
    }

    fn ivan() -> Contact {
        let mut errors = FieldErrors::new();
        let form = ContactForm::parse(
            &mut errors,
            PersonFields {
                first_name: Some("Ivan"),
                last_name: Some("Petrov"),
                ..PersonFields::default()
            },
        )
        .expect("a name alone is a contact");
        assert!(errors.is_empty());
        let created = AuditEvent::new(&actor(), AuditAction::ContactCreated, None, NOW);
        Contact::new(id("c"), form, Locale::default(), created)
    }

    fn address() -> EmailAddress {
        EmailAddress::parse("ivan@example.com").unwrap()
    }

    #[test]
    fn a_contact_known_by_name_alone_is_found_by_name_only() {
        let contact = ivan();
        assert_eq!(contact.email, None);
        let keys = contact.search_keys();
        assert_eq!(keys[0], (SearchField::Name, Some("ivan petrov".into())));
        assert_eq!(keys[1], (SearchField::Email, None));
    }

    #[test]
    fn its_user_confirms_an_address_once() {
        let contact = ivan();
        let confirmed = contact.confirm_email(&actor(), &address(), NOW).unwrap();
        assert_eq!(confirmed.email, Some(address()));
        assert_eq!(confirmed.version, contact.version + 1);
        let event = confirmed.audit.last().unwrap();
        assert_eq!(event.action, AuditAction::EmailConfirmed);
        assert_eq!(event.detail.as_deref(), Some("ivan@example.com"));
        let again = confirmed.confirm_email(&actor(), &address(), NOW);
        assert!(matches!(again, Err(DomainError::Conflict(_))), "{again:?}");
    }

    #[test]
    fn staff_give_an_address_until_a_user_exists_who_confirms_their_own() {
        let change = ContactChange {
            email: Some(address()),
            ..ContactChange::default()
        };
        let given = ivan().change(&actor(), &change, NOW).unwrap();
        assert_eq!(given.email, Some(address()));
        let linked = Contact {
            portal_user_id: Some(id("u")),
            ..ivan()
        };
        let refused = linked.change(&actor(), &change, NOW);
        assert!(
            matches!(refused, Err(DomainError::Conflict(EMAIL_CONFIRMED_BY_USER))),
            "{refused:?}"
        );
    }
}
