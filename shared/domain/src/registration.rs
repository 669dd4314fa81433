//! A public self-registration request and its lifecycle:
//! `pending_verification` → `new` → `resolved` → `processed`, or `rejected`.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::audit::{Actor, AuditAction, AuditEvent};
use crate::contact::{Contact, ContactForm};
use crate::error::DomainError;
use crate::ids::{ContactId, PortalUserId, RegistrationId};
use crate::stored::aggregate;
use crate::types::{Company, EmailAddress, Locale, PersonName, Phone, Reason, search_key};
pub use crate::verification_code::PendingCode;
use crate::verification_code::{CodeAttempt, CodeCheck, VerificationCode};

/// Unverified requests are forgotten after this long.
pub const UNVERIFIED_LIFETIME: Duration = Duration::hours(24);

/// A search of the review queue reads at most this many requests per match a page asks
/// for (a page of 50: 500 requests); past that it answers what it found and a cursor.
pub const QUEUE_SEARCH_READS_PER_MATCH: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    PendingVerification,
    New,
    Resolved,
    Processed,
    Rejected,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingVerification => "pending_verification",
            Self::New => "new",
            Self::Resolved => "resolved",
            Self::Processed => "processed",
            Self::Rejected => "rejected",
        }
    }
}

/// The validated public form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationForm {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: EmailAddress,
    pub phone: Option<Phone>,
    pub company: Option<Company>,
    pub locale: Locale,
}

impl RegistrationForm {
    /// The person's fields and the address they register with (which a contact may lack,
    /// a request may not).
    pub fn new(person: ContactForm, email: EmailAddress, locale: Locale) -> Self {
        Self {
            first_name: person.first_name,
            last_name: person.last_name,
            email,
            phone: person.phone,
            company: person.company,
            locale,
        }
    }
}

aggregate! {
    /// A registration request. Its fields change only through its methods, each of which
    /// checks the lifecycle, bumps the version and records what staff did in the audit trail.
    pub struct Registration / StoredRegistration {
        id: RegistrationId,
        status: RegistrationStatus,
        first_name: PersonName,
        last_name: PersonName,
        email: EmailAddress,
        phone: Option<Phone>,
        company: Option<Company>,
        locale: Locale,
        /// The email already belonged to a portal user when the request came in: the person
        /// is told so instead of getting a code, and the request can never be verified.
        /// The answers stay the same, so the form does not reveal who has an account.
        existing_account: bool,
        code: Option<PendingCode>,
        /// The CRM contact staff linked; its email becomes the username on approval.
        contact: Option<LinkedContact>,
        portal_user_id: Option<PortalUserId>,
        rejection_reason: Option<Reason>,
        audit: Vec<AuditEvent>,
        created_at: OffsetDateTime,
        updated_at: OffsetDateTime,
        /// Set while unverified: after this the request no longer exists for anyone.
        expires_at: Option<OffsetDateTime>,
        /// Bumped by every change; stores write only if the version they read is still current.
        version: u64,
    }
}

/// The contact a request is linked to, with what approval needs from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedContact {
    pub id: ContactId,
    pub email: EmailAddress,
}

/// What a code attempt leads to. Both carry the next state, which the caller must store.
#[derive(Debug)]
pub enum Verification {
    Verified(Registration),
    WrongCode(Registration),
}

impl Registration {
    pub fn submit(
        id: RegistrationId,
        form: RegistrationForm,
        code: &VerificationCode,
        existing_account: bool,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            code: Some(PendingCode::sent(code, id.as_str(), 1, now)),
            id,
            status: RegistrationStatus::PendingVerification,
            first_name: form.first_name,
            last_name: form.last_name,
            email: form.email,
            phone: form.phone,
            company: form.company,
            locale: form.locale,
            existing_account,
            contact: None,
            portal_user_id: None,
            rejection_reason: None,
            audit: Vec::new(),
            created_at: now,
            updated_at: now,
            expires_at: Some(now + UNVERIFIED_LIFETIME),
            version: 1,
        }
    }

    pub fn id(&self) -> &RegistrationId {
        &self.id
    }

    pub fn status(&self) -> RegistrationStatus {
        self.status
    }

    pub fn first_name(&self) -> &PersonName {
        &self.first_name
    }

    pub fn last_name(&self) -> &PersonName {
        &self.last_name
    }

    pub fn email(&self) -> &EmailAddress {
        &self.email
    }

    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    pub fn company(&self) -> Option<&Company> {
        self.company.as_ref()
    }

    /// Whether staff searching the queue for `key` (a [`search_key`]) may mean this
    /// request: its name (first then last), email or company contains it.
    pub fn matches(&self, key: &str) -> bool {
        let name = search_key(&format!(
            "{} {}",
            self.first_name.as_ref(),
            self.last_name.as_ref()
        ));
        name.contains(key)
            || self.email.to_string().contains(key)
            || self
                .company
                .as_ref()
                .is_some_and(|company| search_key(company.as_ref()).contains(key))
    }

    pub fn locale(&self) -> &Locale {
        &self.locale
    }

    /// The email belonged to a portal user when the request came in (see the field).
    pub fn existing_account(&self) -> bool {
        self.existing_account
    }

    /// The code currently sent, while unverified.
    pub fn code(&self) -> Option<&PendingCode> {
        self.code.as_ref()
    }

    /// The CRM contact staff linked.
    pub fn contact(&self) -> Option<&LinkedContact> {
        self.contact.as_ref()
    }

    /// The portal user approval created.
    pub fn portal_user_id(&self) -> Option<&PortalUserId> {
        self.portal_user_id.as_ref()
    }

    pub fn rejection_reason(&self) -> Option<&Reason> {
        self.rejection_reason.as_ref()
    }

    pub fn audit(&self) -> &[AuditEvent] {
        &self.audit
    }

    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    pub fn updated_at(&self) -> OffsetDateTime {
        self.updated_at
    }

    /// Set while unverified: after this the request no longer exists for anyone.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    /// Bumped by every change; stores write only if the version they read is still current.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Time-limited items outlive their deadline until TTL deletes them, so readers ask this.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|deadline| deadline <= now)
    }

    pub fn verify(
        &self,
        attempt: &CodeAttempt,
        now: OffsetDateTime,
    ) -> Result<Verification, DomainError> {
        if self.status != RegistrationStatus::PendingVerification {
            return Err(DomainError::InvalidState(
                "the email address is already verified",
            ));
        }
        let code = self
            .code
            .as_ref()
            .ok_or(DomainError::CodeInvalid("no code was sent"))?;
        let mut next = self.next_version(now);
        match code.check(
            attempt,
            self.id.as_str(),
            self.no_more_codes_until(now),
            now,
        )? {
            CodeCheck::Right => {
                next.status = RegistrationStatus::New;
                next.code = None;
                next.expires_at = None;
                Ok(Verification::Verified(next))
            }
            CodeCheck::Wrong(counted) => {
                next.code = Some(counted);
                Ok(Verification::WrongCode(next))
            }
        }
    }

    /// Replaces the code: the old one stops working and the attempts start again.
    pub fn resend(
        &self,
        code: &VerificationCode,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if self.status != RegistrationStatus::PendingVerification {
            return Err(DomainError::InvalidState(
                "the email address is already verified",
            ));
        }
        let sends = match &self.code {
            Some(current) => {
                let wait = current.wait_before_resend(self.no_more_codes_until(now), now);
                if !wait.is_zero() {
                    return Err(DomainError::RateLimited { retry_after: wait });
                }
                current.sends
            }
            None => 0,
        };
        let mut next = self.next_version(now);
        next.code = Some(PendingCode::sent(code, self.id.as_str(), sends + 1, now));
        Ok(next)
    }

    /// Links the CRM contact this person is (again, while not yet approved).
    pub fn link_contact(
        &self,
        contact: &Contact,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if !matches!(
            self.status,
            RegistrationStatus::New | RegistrationStatus::Resolved
        ) {
            return Err(DomainError::InvalidState(
                "only a verified, undecided request can be linked",
            ));
        }
        if contact.portal_user_id.is_some() {
            return Err(DomainError::Conflict(
                "the contact already has a portal user",
            ));
        }
        let Some(email) = &contact.email else {
            return Err(DomainError::Conflict(
                "the contact has no email: give it the request's address first",
            ));
        };
        let mut next = self.next_version(now);
        next.status = RegistrationStatus::Resolved;
        next.contact = Some(LinkedContact {
            id: contact.id.clone(),
            email: email.clone(),
        });
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::ContactLinked,
            Some(contact.id.to_string()),
            now,
        ));
        Ok(next)
    }

    /// Approval: the request is done and a portal user with `portal_user_id` exists.
    pub fn approve(
        &self,
        portal_user_id: &PortalUserId,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        match self.status {
            RegistrationStatus::Resolved => {}
            RegistrationStatus::New => return Err(DomainError::ContactRequired),
            _ => {
                return Err(DomainError::InvalidState(
                    "only a request linked to a contact can be approved",
                ));
            }
        }
        let mut next = self.next_version(now);
        next.status = RegistrationStatus::Processed;
        next.portal_user_id = Some(portal_user_id.clone());
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::Approved,
            Some(portal_user_id.to_string()),
            now,
        ));
        Ok(next)
    }

    pub fn reject(
        &self,
        reason: Reason,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if !matches!(
            self.status,
            RegistrationStatus::New | RegistrationStatus::Resolved
        ) {
            return Err(DomainError::InvalidState(
                "only a verified, undecided request can be rejected",
            ));
        }
        let mut next = self.next_version(now);
        next.status = RegistrationStatus::Rejected;
        next.audit.push(AuditEvent::new(
            actor,
            AuditAction::Rejected,
            Some(reason.to_string()),
            now,
        ));
        next.rejection_reason = Some(reason);
        Ok(next)
    }

    /// Once every code is sent, no more come for this request: it expires and the person
    /// registers again.
    fn no_more_codes_until(&self, now: OffsetDateTime) -> OffsetDateTime {
        self.expires_at.unwrap_or(now)
    }

    fn next_version(&self, now: OffsetDateTime) -> Self {
        Self {
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestRandomness, id};
    use crate::verification_code::{CODE_LIFETIME, MAX_SENDS, RESEND_INTERVAL};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    fn form() -> RegistrationForm {
        crate::testing::registration_form("ada@example.com")
    }

    fn submitted() -> (Registration, VerificationCode) {
        let code = VerificationCode::generate(&TestRandomness);
        (
            Registration::submit(
                RegistrationId::generate(&TestRandomness),
                form(),
                &code,
                false,
                NOW,
            ),
            code,
        )
    }

    fn attempt(code: &VerificationCode) -> CodeAttempt {
        CodeAttempt::parse(code.as_str()).unwrap()
    }

    fn wrong_attempt(code: &VerificationCode) -> CodeAttempt {
        let wrong = (code.as_str().parse::<u32>().unwrap() + 1) % 1_000_000;
        CodeAttempt::parse(&format!("{wrong:06}")).unwrap()
    }

    fn after_wrong_codes(
        mut registration: Registration,
        code: &VerificationCode,
        n: usize,
    ) -> Registration {
        for _ in 0..n {
            registration = match registration.verify(&wrong_attempt(code), NOW).unwrap() {
                Verification::WrongCode(next) => next,
                Verification::Verified(_) => panic!("a wrong code verified"),
            };
        }
        registration
    }

    fn verified() -> Registration {
        let (registration, code) = submitted();
        match registration.verify(&attempt(&code), NOW).unwrap() {
            Verification::Verified(next) => next,
            Verification::WrongCode(_) => panic!("the right code did not verify"),
        }
    }

    fn actor() -> Actor {
        Actor {
            subject: "staff-1".into(),
            name: Some("Sam Staff".into()),
        }
    }

    fn contact(portal_user_id: Option<&str>) -> Contact {
        let created = AuditEvent::new(&actor(), AuditAction::ContactCreated, None, NOW);
        let mut contact = Contact::from_registration(id("c1"), &verified(), created);
        contact.portal_user_id = portal_user_id.map(id);
        contact
    }

    #[test]
    fn linking_a_contact_resolves_the_request_and_records_who_did_it() {
        let linked = verified()
            .link_contact(&contact(None), &actor(), NOW)
            .unwrap();
        assert_eq!(linked.status, RegistrationStatus::Resolved);
        assert_eq!(linked.contact.as_ref().unwrap().id, id("c1"));
        assert_eq!(
            linked.audit.last().unwrap().action,
            AuditAction::ContactLinked
        );
        assert_eq!(linked.audit.last().unwrap().actor, actor());
    }

    #[test]
    fn a_contact_that_already_has_a_portal_user_cannot_be_linked() {
        assert!(matches!(
            verified().link_contact(&contact(Some("u1")), &actor(), NOW),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn an_unverified_request_cannot_be_linked_approved_or_rejected() {
        let (registration, _) = submitted();
        let reason = Reason::parse("no").unwrap();
        assert!(matches!(
            registration.link_contact(&contact(None), &actor(), NOW),
            Err(DomainError::InvalidState(_))
        ));
        assert!(matches!(
            registration.approve(&id("u1"), &actor(), NOW),
            Err(DomainError::InvalidState(_))
        ));
        assert!(matches!(
            registration.reject(reason, &actor(), NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn approval_needs_a_linked_contact() {
        assert!(matches!(
            verified().approve(&id("u1"), &actor(), NOW),
            Err(DomainError::ContactRequired)
        ));
    }

    #[test]
    fn an_approved_request_is_processed_and_cannot_be_approved_or_rejected_again() {
        let linked = verified()
            .link_contact(&contact(None), &actor(), NOW)
            .unwrap();
        let approved = linked.approve(&id("u1"), &actor(), NOW).unwrap();
        assert_eq!(approved.status, RegistrationStatus::Processed);
        assert_eq!(approved.portal_user_id, Some(id("u1")));
        assert!(matches!(
            approved.approve(&id("u2"), &actor(), NOW),
            Err(DomainError::InvalidState(_))
        ));
        let reason = Reason::parse("too late").unwrap();
        assert!(matches!(
            approved.reject(reason, &actor(), NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn a_rejected_request_keeps_its_reason() {
        let rejected = verified()
            .reject(Reason::parse("Unknown company").unwrap(), &actor(), NOW)
            .unwrap();
        assert_eq!(rejected.status, RegistrationStatus::Rejected);
        assert_eq!(
            rejected.rejection_reason.unwrap().as_ref(),
            "Unknown company"
        );
        assert_eq!(rejected.audit.last().unwrap().action, AuditAction::Rejected);
    }

    #[test]
    fn a_new_request_waits_for_verification_and_expires_in_a_day() {
        let (registration, _) = submitted();
        assert_eq!(registration.status, RegistrationStatus::PendingVerification);
        assert!(!registration.is_expired(NOW + Duration::hours(23)));
        assert!(registration.is_expired(NOW + Duration::hours(24)));
    }

    #[test]
    fn the_right_code_verifies_and_the_request_no_longer_expires() {
        let (registration, code) = submitted();
        let Verification::Verified(next) = registration.verify(&attempt(&code), NOW).unwrap()
        else {
            panic!("the right code did not verify");
        };
        assert_eq!(next.status, RegistrationStatus::New);
        assert_eq!(next.version, 2);
        assert!(next.code.is_none());
        assert!(!next.is_expired(NOW + Duration::days(30)));
    }

    #[test]
    fn a_wrong_code_counts_an_attempt() {
        let (registration, code) = submitted();
        let next = after_wrong_codes(registration, &code, 1);
        assert_eq!(next.code.unwrap().failed_attempts, 1);
        assert_eq!(next.version, 2);
    }

    #[test]
    fn after_five_wrong_codes_even_the_right_code_is_refused() {
        let (registration, code) = submitted();
        let burned = after_wrong_codes(registration, &code, 5);
        assert!(matches!(
            burned.verify(&attempt(&code), NOW),
            Err(DomainError::TooManyAttempts { .. })
        ));
    }

    #[test]
    fn an_expired_code_is_refused_without_counting_an_attempt() {
        let (registration, code) = submitted();
        let later = NOW + CODE_LIFETIME;
        assert!(matches!(
            registration.verify(&attempt(&code), later),
            Err(DomainError::CodeInvalid(_))
        ));
    }

    #[test]
    fn a_verified_request_cannot_be_verified_again() {
        let (registration, code) = submitted();
        let Verification::Verified(next) = registration.verify(&attempt(&code), NOW).unwrap()
        else {
            panic!()
        };
        assert!(matches!(
            next.verify(&attempt(&code), NOW),
            Err(DomainError::InvalidState(_))
        ));
    }

    #[test]
    fn a_resend_replaces_the_code_and_resets_the_attempts() {
        let (registration, old) = submitted();
        let registration = after_wrong_codes(registration, &old, 5);
        let new = VerificationCode::generate(&TestRandomness);
        let later = NOW + RESEND_INTERVAL;
        let resent = registration.resend(&new, later).unwrap();
        assert_eq!(resent.code.as_ref().unwrap().failed_attempts, 0);
        assert_eq!(resent.code.as_ref().unwrap().sends, 2);
        if old.as_str() != new.as_str() {
            assert!(matches!(
                resent.verify(&attempt(&old), later).unwrap(),
                Verification::WrongCode(_)
            ));
        }
        assert!(matches!(
            resent.verify(&attempt(&new), later).unwrap(),
            Verification::Verified(_)
        ));
    }

    #[test]
    fn a_resend_within_a_minute_is_throttled() {
        let (registration, _) = submitted();
        let code = VerificationCode::generate(&TestRandomness);
        let Err(DomainError::RateLimited { retry_after }) =
            registration.resend(&code, NOW + Duration::seconds(20))
        else {
            panic!("an early resend was allowed");
        };
        assert_eq!(retry_after.as_secs(), 40);
    }

    #[test]
    fn a_request_gets_at_most_six_codes() {
        let (mut registration, _) = submitted();
        let mut now = NOW;
        for _ in 1..MAX_SENDS {
            now += RESEND_INTERVAL;
            registration = registration
                .resend(&VerificationCode::generate(&TestRandomness), now)
                .unwrap();
        }
        now += RESEND_INTERVAL;
        assert!(matches!(
            registration.resend(&VerificationCode::generate(&TestRandomness), now),
            Err(DomainError::RateLimited { .. })
        ));
    }
}
