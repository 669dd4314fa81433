//! The JSON answers of the staff review routes, built from domain values.

use portal_domain::audit::AuditEvent;
use portal_domain::contact::Contact;
use portal_domain::ids::{ContactId, PortalUserId};
use portal_domain::login::LoginEvent;
use portal_domain::outbox::DeadEmail;
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::staff_session::StaffSession;
use portal_domain::use_cases::{Suggestion, SuggestionMatch};
use portal_domain::user::{PortalUser, PortalUserStatus};
use portal_http::{InvitationSummary, LoginView};
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistrationItem {
    registration_id: String,
    status: RegistrationStatus,
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    company: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[schema(value_type = Option<String>)]
    contact_id: Option<ContactId>,
}

impl From<&Registration> for RegistrationItem {
    fn from(registration: &Registration) -> Self {
        Self {
            registration_id: registration.id().to_string(),
            status: registration.status(),
            first_name: registration.first_name().to_string(),
            last_name: registration.last_name().to_string(),
            email: registration.email().to_string(),
            phone: registration.phone().map(ToString::to_string),
            company: registration.company().map(ToString::to_string),
            created_at: registration.created_at(),
            contact_id: registration.contact().map(|contact| contact.id.clone()),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistrationDetail {
    #[serde(flatten)]
    item: RegistrationItem,
    #[schema(value_type = Option<String>)]
    portal_user_id: Option<PortalUserId>,
    rejection_reason: Option<String>,
    suggested_contacts: Vec<SuggestedContact>,
    history: Vec<AuditEvent>,
}

impl RegistrationDetail {
    pub fn new(registration: &Registration, suggestions: &[Suggestion]) -> Self {
        Self {
            item: registration.into(),
            portal_user_id: registration.portal_user_id().cloned(),
            rejection_reason: registration.rejection_reason().map(ToString::to_string),
            suggested_contacts: suggestions.iter().map(SuggestedContact::from).collect(),
            history: registration.audit().to_vec(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct SuggestedContact {
    #[schema(value_type = String)]
    contact_id: ContactId,
    full_name: String,
    /// `null` for a person known by name alone.
    email: Option<String>,
    company: Option<String>,
    #[serde(rename = "match")]
    matched: &'static str,
}

impl From<&Suggestion> for SuggestedContact {
    fn from(suggestion: &Suggestion) -> Self {
        let contact = &suggestion.contact;
        Self {
            contact_id: contact.id.clone(),
            full_name: contact.full_name(),
            email: contact.email.as_ref().map(ToString::to_string),
            company: contact.company.as_ref().map(ToString::to_string),
            matched: match suggestion.matched {
                SuggestionMatch::Email => "email",
                SuggestionMatch::Name => "name",
            },
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactView {
    #[schema(value_type = String)]
    contact_id: ContactId,
    first_name: String,
    last_name: Option<String>,
    full_name: String,
    /// `null` for a person known by name alone.
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    locale: String,
    external_ref: Option<String>,
    #[schema(value_type = Option<String>)]
    portal_user_id: Option<PortalUserId>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    history: Vec<AuditEvent>,
}

impl From<&Contact> for ContactView {
    fn from(contact: &Contact) -> Self {
        Self {
            contact_id: contact.id.clone(),
            first_name: contact.first_name.to_string(),
            last_name: contact.last_name.as_ref().map(ToString::to_string),
            full_name: contact.full_name(),
            email: contact.email.as_ref().map(ToString::to_string),
            phone: contact.phone.as_ref().map(ToString::to_string),
            company: contact.company.as_ref().map(ToString::to_string),
            locale: contact.locale.to_string(),
            external_ref: contact.external_ref.clone(),
            portal_user_id: contact.portal_user_id.clone(),
            created_at: contact.created_at,
            history: contact.audit.clone(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactDetail {
    #[serde(flatten)]
    contact: ContactView,
    portal_user: Option<PortalUserSummary>,
}

impl ContactDetail {
    pub fn new(
        contact: &Contact,
        user: Option<&(PortalUser, Vec<LoginEvent>)>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            contact: contact.into(),
            portal_user: user.map(|(user, logins)| PortalUserSummary::new(user, logins, now)),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct PortalUserSummary {
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    /// `null` for a person known by name alone until they confirm an address.
    username: Option<String>,
    status: PortalUserStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    last_login_at: Option<OffsetDateTime>,
    /// The newest logins first.
    logins: Vec<LoginView>,
    invitation: Option<InvitationSummary>,
}

impl PortalUserSummary {
    fn new(user: &PortalUser, logins: &[LoginEvent], now: OffsetDateTime) -> Self {
        Self {
            portal_user_id: user.id().clone(),
            username: user.username().map(ToString::to_string),
            status: user.status(),
            last_login_at: user.last_login_at(),
            logins: logins.iter().map(LoginView::from).collect(),
            invitation: InvitationSummary::of(user, now),
        }
    }
}

/// What a request to requeue every dead email did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RequeuedView {
    /// How many went back on the mailer's list.
    pub requeued: u32,
    /// Whether dead emails are left (at most 500 are requeued at once): ask again.
    pub more: bool,
}

/// An email the mailer gave up on. The body is not shown: it may hold a one-time link.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeadEmailItem {
    pub id: String,
    pub kind: &'static str,
    pub to: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub attempts: u32,
    pub last_error: String,
    #[serde(with = "time::serde::rfc3339")]
    pub died_at: OffsetDateTime,
    /// Each time staff put it back on the mailer's list before it died again.
    pub requeues: Vec<AuditEvent>,
}

impl From<&DeadEmail> for DeadEmailItem {
    fn from(dead: &DeadEmail) -> Self {
        Self {
            id: dead.message.id.clone(),
            kind: dead.message.content.kind(),
            to: dead.message.to.to_string(),
            created_at: dead.message.created_at,
            attempts: dead.attempts,
            last_error: dead.last_error.clone(),
            died_at: dead.died_at,
            requeues: dead.requeues.clone(),
        }
    }
}

/// The signed-in staff member, as the provider named them at sign-in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StaffSessionView {
    subject: String,
    name: Option<String>,
    permissions: Vec<String>,
    /// When the session ends unless a request comes first (30 idle minutes, 8 hours at most).
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

impl From<&StaffSession> for StaffSessionView {
    fn from(session: &StaffSession) -> Self {
        Self {
            subject: session.subject.clone(),
            name: session.name.clone(),
            permissions: session.permissions.clone(),
            expires_at: session.expires_at(),
        }
    }
}
