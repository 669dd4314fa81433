//! Everything the embedded store holds, and the one way it changes: by applying the full
//! new state of each entity a transition touched (the same records the journal keeps).

use std::collections::{BTreeMap, BTreeSet};

use portal_domain::audit::AuditEvent;
use portal_domain::contact::Contact;
use portal_domain::ids::{
    ContactId, ImportId, OidcClientId, OrganizationId, PortalUserId, RegistrationId,
};
use portal_domain::import::{ImportChunk, ImportJob};
use portal_domain::invitation::InvitationStatus;
use portal_domain::login::{LoginEvent, LoginGuard};
use portal_domain::oidc::{AuthorizationCode, OidcClient, ProviderSession};
use portal_domain::organization::Organization;
use portal_domain::outbox::{FIRST_TRY_OWNER, OutboxMessage};
use portal_domain::password_reset::PasswordReset;
use portal_domain::registration::Registration;
use portal_domain::session::{RefreshToken, SessionFamily};
use portal_domain::staff_session::{StaffSession, StaffSignIn};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::{EmailAddress, Username};
use portal_domain::user::PortalUser;
use portal_domain::{Refusal, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::records::{PortalUserRecord, RegistrationRecord, as_records};
use crate::{OutboxStatus, contact_search, members, organization_list, review_queue};

/// Sorted maps, so a snapshot of equal states is equal JSON. The indexes are derived from
/// the entities on every change (and so on replay), which is why snapshots leave them out.
#[derive(Debug, Default, Serialize)]
pub(super) struct State {
    #[serde(serialize_with = "as_records::<_, _, RegistrationRecord, _>")]
    pub registrations: BTreeMap<RegistrationId, Registration>,
    pub outbox: BTreeMap<String, OutboxEntry>,
    pub throttles: BTreeMap<String, ThrottleCount>,
    #[serde(serialize_with = "as_records::<_, _, PortalUserRecord, _>")]
    pub portal_users: BTreeMap<PortalUserId, PortalUser>,
    /// Username → portal user id: what makes a username unique.
    pub usernames: BTreeMap<String, PortalUserId>,
    pub contacts: BTreeMap<ContactId, Contact>,
    /// Email → contact id: what makes a contact's email unique.
    pub contact_emails: BTreeMap<String, ContactId>,
    /// Invitation token hash → whose invitation it is.
    pub invitations: BTreeMap<String, InvitationPointer>,
    /// Session families by id.
    pub session_families: BTreeMap<String, SessionFamily>,
    /// Refresh tokens by hash.
    pub refresh_tokens: BTreeMap<String, RefreshToken>,
    /// User id → (position in time, as on DynamoDB → login event), read from the end.
    pub logins: BTreeMap<PortalUserId, BTreeMap<String, LoginEvent>>,
    /// Login guards (failure counts) by key.
    pub login_guards: BTreeMap<String, LoginGuard>,
    /// Password reset links by token hash.
    pub password_resets: BTreeMap<String, PasswordReset>,
    /// Organizations by id.
    pub organizations: BTreeMap<OrganizationId, Organization>,
    /// Import jobs by id, and their chunks by [`chunk_key`] (in order within a job).
    pub imports: BTreeMap<ImportId, ImportJob>,
    pub import_chunks: BTreeMap<String, ImportChunk>,
    /// Staff sign-ins on their way, by state hash, and staff sessions, by cookie hash.
    pub staff_sign_ins: BTreeMap<String, StaffSignIn>,
    pub staff_sessions: BTreeMap<String, StaffSession>,
    /// Our OpenID provider: registered clients by id, authorization codes by code hash (a
    /// used one stays, so a replay is recognized), provider sessions by cookie hash.
    pub oidc_clients: BTreeMap<OidcClientId, OidcClient>,
    pub authorization_codes: BTreeMap<String, AuthorizationCode>,
    pub provider_sessions: BTreeMap<String, ProviderSession>,
    /// The review queue: status → (queue position → request id), read from the end.
    #[serde(skip)]
    pub queue: BTreeMap<&'static str, BTreeMap<String, RegistrationId>>,
    /// (name key, contact id), for suggestions by name.
    #[serde(skip)]
    pub contact_names: BTreeSet<(String, String)>,
    /// External reference → contact id: what makes a reference unique.
    #[serde(skip)]
    pub contact_external_refs: BTreeMap<String, ContactId>,
    /// The contacts' search entries by position, as `contact_search` orders them.
    #[serde(skip)]
    pub contact_search: BTreeMap<String, ContactId>,
    /// The organizations list: position (name key, id) → id, read in order.
    #[serde(skip)]
    pub organization_names: BTreeMap<String, OrganizationId>,
    /// The members lists: list name → (position → user id), read in order.
    #[serde(skip)]
    pub members: BTreeMap<String, BTreeMap<String, PortalUserId>>,
}

/// A message and its delivery state. Fields added after the first release default, so
/// older journals replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct OutboxEntry {
    pub message: OutboxMessage,
    pub status: OutboxStatus,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub claim: Option<Claim>,
    /// Not tried before this; `None` when due from the start.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_try_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub died_at: Option<OffsetDateTime>,
    /// Each time staff put it back on the mailer's list after it died.
    #[serde(default)]
    pub requeues: Vec<AuditEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Claim {
    pub owner: String,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

impl OutboxEntry {
    /// A new message, held for its committer's first try when it has one.
    pub fn pending(message: &OutboxMessage) -> Self {
        let claim = message.first_try_until.map(|until| Claim {
            owner: FIRST_TRY_OWNER.to_owned(),
            until,
        });
        Self {
            message: message.clone(),
            status: OutboxStatus::Pending,
            attempts: u32::from(claim.is_some()),
            claim,
            next_try_at: None,
            last_error: None,
            sent_at: None,
            died_at: None,
            requeues: Vec::new(),
        }
    }

    /// Pending, due, and held by nobody (or by a claim that has lapsed) at `now`.
    pub fn is_claimable(&self, now: OffsetDateTime) -> bool {
        self.status == OutboxStatus::Pending
            && self.next_try_at.is_none_or(|at| at <= now)
            && self.claim.as_ref().is_none_or(|claim| claim.until <= now)
    }

    pub fn is_held_by(&self, owner: &str) -> bool {
        self.status == OutboxStatus::Pending
            && self
                .claim
                .as_ref()
                .is_some_and(|claim| claim.owner == owner)
    }
}

/// Writes counted in one throttle window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ThrottleCount {
    pub key: String,
    pub count: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct UsernameGuard {
    pub username: Username,
    pub portal_user_id: PortalUserId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ContactEmailGuard {
    pub email: EmailAddress,
    pub contact_id: ContactId,
}

/// Finds the user an invitation link is for, by the token's hash (the token is never kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct InvitationPointer {
    pub token_hash: String,
    pub portal_user_id: PortalUserId,
    /// Past this the pointer leads nowhere; readers check it (as they must on DynamoDB).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl InvitationPointer {
    /// `None` for a user without a pending invitation: an accepted or revoked one needs no
    /// way in.
    pub fn pending(user: &PortalUser) -> Option<Self> {
        user.invitation()
            .filter(|invitation| invitation.status == InvitationStatus::Pending)
            .map(|invitation| Self {
                token_hash: invitation.token_hash.clone(),
                portal_user_id: user.id().clone(),
                expires_at: invitation.expires_at,
            })
    }
}

/// A login event and its place among the user's (a random suffix keeps two of one instant
/// apart), journaled so a replay lists them in the same order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct LoginRecord {
    pub position: String,
    pub event: LoginEvent,
}

impl Change {
    pub(super) fn portal_user(user: &PortalUser) -> Self {
        Self::PortalUser(Box::new(user.into()))
    }
}

/// The new state of one entity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Change {
    Registration(RegistrationRecord),
    Outbox(OutboxEntry),
    Throttle(ThrottleCount),
    // Boxed: a user with second factors is the largest change by far.
    PortalUser(Box<PortalUserRecord>),
    Username(UsernameGuard),
    Contact(Contact),
    ContactEmail(ContactEmailGuard),
    Invitation(InvitationPointer),
    SessionFamily(SessionFamily),
    RefreshToken(RefreshToken),
    Login(LoginRecord),
    PasswordReset(PasswordReset),
    Organization(Organization),
    LoginGuard(LoginGuard),
    /// A username's failures forgotten (a success, a reset, an unlock), by guard key.
    LoginGuardCleared(String),
    Import(ImportJob),
    ImportChunk(ImportChunk),
    StaffSignIn(StaffSignIn),
    /// A sign-in used by its callback, by state hash.
    StaffSignInTaken(String),
    StaffSession(StaffSession),
    /// A session ended by logout, by cookie hash.
    StaffSessionEnded(String),
    OidcClient(OidcClient),
    /// A client removed by staff, by id.
    OidcClientDeleted(OidcClientId),
    /// A code saved, or marked used by its redemption.
    AuthorizationCode(AuthorizationCode),
    ProviderSession(ProviderSession),
    /// A provider session ended, by cookie hash.
    ProviderSessionEnded(String),
}

/// Where a job's chunk is kept: the job's chunks sort together, in index order.
pub(super) fn chunk_key(id: &ImportId, index: u32) -> String {
    format!("{id}/{index:010}")
}

impl State {
    pub fn apply(&mut self, changes: Vec<Change>) {
        for change in changes {
            match change {
                Change::Registration(record) => self.put_registration(record.into()),
                Change::Outbox(entry) => {
                    self.outbox.insert(entry.message.id.clone(), entry);
                }
                Change::Throttle(count) => {
                    self.throttles.insert(count.key.clone(), count);
                }
                Change::PortalUser(record) => self.put_portal_user((*record).into()),
                Change::Username(guard) => {
                    self.usernames
                        .insert(guard.username.to_string(), guard.portal_user_id);
                }
                Change::Contact(contact) => self.put_contact(contact),
                Change::ContactEmail(guard) => {
                    self.contact_emails
                        .insert(guard.email.into(), guard.contact_id);
                }
                Change::Invitation(pointer) => {
                    self.invitations.insert(pointer.token_hash.clone(), pointer);
                }
                Change::SessionFamily(family) => {
                    self.session_families.insert(family.id.clone(), family);
                }
                Change::RefreshToken(token) => {
                    self.refresh_tokens.insert(token.token_hash.clone(), token);
                }
                Change::Login(record) => {
                    self.logins
                        .entry(record.event.user_id.clone())
                        .or_default()
                        .insert(record.position, record.event);
                }
                Change::PasswordReset(reset) => {
                    self.password_resets.insert(reset.token_hash.clone(), reset);
                }
                Change::Organization(organization) => self.put_organization(organization),
                Change::LoginGuard(guard) => {
                    self.login_guards.insert(guard.key.clone(), guard);
                }
                Change::LoginGuardCleared(key) => {
                    self.login_guards.remove(&key);
                }
                Change::StaffSignIn(sign_in) => {
                    self.staff_sign_ins
                        .insert(sign_in.state_hash.clone(), sign_in);
                }
                Change::StaffSignInTaken(state_hash) => {
                    self.staff_sign_ins.remove(&state_hash);
                }
                Change::StaffSession(session) => {
                    self.staff_sessions
                        .insert(session.key_hash.clone(), session);
                }
                Change::StaffSessionEnded(key_hash) => {
                    self.staff_sessions.remove(&key_hash);
                }
                Change::OidcClient(client) => {
                    self.oidc_clients.insert(client.id.clone(), client);
                }
                Change::OidcClientDeleted(id) => {
                    self.oidc_clients.remove(&id);
                }
                Change::AuthorizationCode(code) => {
                    self.authorization_codes
                        .insert(code.code_hash.clone(), code);
                }
                Change::ProviderSession(session) => {
                    self.provider_sessions
                        .insert(session.key_hash.clone(), session);
                }
                Change::ProviderSessionEnded(key_hash) => {
                    self.provider_sessions.remove(&key_hash);
                }
                Change::Import(job) => {
                    self.imports.insert(job.id.clone(), job);
                }
                Change::ImportChunk(chunk) => {
                    self.import_chunks
                        .insert(chunk_key(&chunk.import_id, chunk.index), chunk);
                }
            }
        }
    }

    /// Writes already counted in the window named `key`.
    pub fn throttle_count(&self, key: &str) -> u32 {
        self.throttles.get(key).map_or(0, |window| window.count)
    }

    /// `ConditionFailed` unless the stored request is the version `next` was made from.
    pub fn expect_previous_version(&self, next: &Registration) -> Result<(), StoreError> {
        let stored = self.registrations.get(next.id()).map(|r| r.version());
        match (stored, next.version().checked_sub(1)) {
            (Some(stored), Some(expected)) if stored == expected => Ok(()),
            _ => Err(StoreError::ConditionFailed),
        }
    }

    /// `ConditionFailed` unless the stored user is the version `next` was made from.
    pub fn expect_previous_user_version(&self, next: &PortalUser) -> Result<(), StoreError> {
        let stored = self.portal_users.get(next.id()).map(|user| user.version());
        match (stored, next.version().checked_sub(1)) {
            (Some(stored), Some(expected)) if stored == expected => Ok(()),
            _ => Err(StoreError::ConditionFailed),
        }
    }

    /// One more write in `throttle`'s window, or `Throttled` when it is full.
    pub fn count_against(&self, throttle: &ThrottleWindow) -> Result<Change, StoreError> {
        let count = self.throttle_count(&throttle.key);
        if count >= throttle.limit {
            return Err(StoreError::Throttled);
        }
        Ok(Change::Throttle(ThrottleCount {
            key: throttle.key.clone(),
            count: count + 1,
            ends_at: throttle.ends_at,
        }))
    }

    /// The contact, if it exists and has no portal user yet.
    pub fn free_contact(&self, id: &ContactId) -> Result<&Contact, StoreError> {
        match self.contacts.get(id) {
            None => Err(StoreError::Refused(Refusal::ContactMissing)),
            Some(contact) if contact.portal_user_id.is_some() => {
                Err(StoreError::Refused(Refusal::ContactHasPortalUser))
            }
            Some(contact) => Ok(contact),
        }
    }

    fn put_registration(&mut self, registration: Registration) {
        if let Some(old) = self.registrations.get(registration.id())
            && let Some(listed) = self.queue.get_mut(old.status().as_str())
        {
            listed.remove(&review_queue::position(old));
        }
        self.queue
            .entry(registration.status().as_str())
            .or_default()
            .insert(
                review_queue::position(&registration),
                registration.id().clone(),
            );
        self.registrations
            .insert(registration.id().clone(), registration);
    }

    /// `Refused(OrganizationMissing)` unless `user`'s organization, if any, exists.
    pub fn expect_organization(&self, user: &PortalUser) -> Result<(), StoreError> {
        match &user.organization_id() {
            Some(id) if !self.organizations.contains_key(id.as_str()) => {
                Err(StoreError::Refused(Refusal::OrganizationMissing))
            }
            _ => Ok(()),
        }
    }

    /// A user changes lists when it changes organization, but never its place on them.
    fn put_portal_user(&mut self, user: PortalUser) {
        if let Some(old) = self.portal_users.get(user.id())
            && let Some(listed) = self.members.get_mut(&members::list(old.organization_id()))
        {
            listed.remove(&members::position(old));
        }
        self.members
            .entry(members::list(user.organization_id()))
            .or_default()
            .insert(members::position(&user), user.id().clone());
        // A user's place on the list of all never changes: put again, it stays.
        self.members
            .entry(members::ALL.to_owned())
            .or_default()
            .insert(members::position(&user), user.id().clone());
        self.portal_users.insert(user.id().clone(), user);
    }

    /// Keeps the organizations list in step: a renamed organization moves on it.
    fn put_organization(&mut self, organization: Organization) {
        if let Some(old) = self.organizations.get(&organization.id) {
            self.organization_names
                .remove(&organization_list::position(old));
        }
        self.organization_names.insert(
            organization_list::position(&organization),
            organization.id.clone(),
        );
        self.organizations
            .insert(organization.id.clone(), organization);
    }

    /// Keeps what is derived from contacts in step: the name list, the search entries, the
    /// external references, and the guard of an email the contact no longer has (the new
    /// one comes as a change of its own, as on DynamoDB).
    fn put_contact(&mut self, contact: Contact) {
        if let Some(old) = self.contacts.get(&contact.id) {
            self.contact_names
                .remove(&(old.name_key(), old.id.to_string()));
            for entry in contact_search::entries(old) {
                self.contact_search.remove(&entry.position);
            }
            if let Some(external_ref) = &old.external_ref {
                self.contact_external_refs.remove(external_ref);
            }
            if let Some(old_email) = &old.email
                && old.email != contact.email
                && self.contact_emails.get(old_email.as_ref()) == Some(&old.id)
            {
                self.contact_emails.remove(old_email.as_ref());
            }
        }
        self.contact_names
            .insert((contact.name_key(), contact.id.to_string()));
        for entry in contact_search::entries(&contact) {
            self.contact_search
                .insert(entry.position, contact.id.clone());
        }
        if let Some(external_ref) = &contact.external_ref {
            self.contact_external_refs
                .insert(external_ref.clone(), contact.id.clone());
        }
        self.contacts.insert(contact.id.clone(), contact);
    }
}
