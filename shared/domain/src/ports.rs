//! What the use cases need from the outside world. Store methods are shaped by
//! transitions, so each adapter can make every one of them a single atomic write.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::audit::AuditEvent;
use crate::clock::Clock;
use crate::contact::Contact;
use crate::error::StoreError;
use crate::ids::{ContactId, ImportId, OidcClientId, OrganizationId, PortalUserId, RegistrationId};
use crate::import::{ImportChunk, ImportJob};
use crate::login::{AttemptReservation, LoginEvent, LoginGuard};
use crate::oidc::{AuthorizationCode, OidcClient, ProviderSession};
use crate::organization::Organization;
use crate::outbox::{
    ClaimedEmail, DeadEmail, DeliveryClaim, DeliveryFailure, OutboxMessage, RetryPolicy,
};
use crate::page::{Page, PageRequest};
use crate::password::{MinLength, PasswordHasher};
use crate::password_reset::PasswordReset;
use crate::random::Randomness;
use crate::registration::{Registration, RegistrationStatus};
use crate::sealed::Sealer;
use crate::session::{NewSession, RefreshToken, SessionFamily};
use crate::staff_session::{StaffSession, StaffSignIn};
use crate::throttle::ThrottleWindow;
use crate::types::{EmailAddress, Username, UsernameField};
use crate::user::PortalUser;

#[async_trait]
pub trait RegistrationStore: Send + Sync {
    /// Writes a new request and its first email, counting it against `throttle`, atomically.
    /// `StoreError::Throttled` when the window is full (then nothing is written).
    async fn submit_registration(
        &self,
        registration: &Registration,
        email: &OutboxMessage,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError>;

    /// Reads a request with strong consistency (it may be past its deadline: check).
    async fn registration(&self, id: &RegistrationId) -> Result<Option<Registration>, StoreError>;

    /// One page of requests in `status`, newest first (a Query on the index, never a Scan).
    /// `StoreError::InvalidCursor` for a cursor this list did not make.
    async fn registrations_by_status(
        &self,
        status: RegistrationStatus,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError>;

    /// One page of the requests in `status` that [`Registration::matches`] `key`, newest
    /// first: Queries of the same list, reading at most
    /// [`QUEUE_SEARCH_READS_PER_MATCH`](crate::registration::QUEUE_SEARCH_READS_PER_MATCH)
    /// requests per match asked for, so a page may hold fewer (even none) with a cursor to
    /// read on. Its cursors are the list's.
    async fn search_registrations(
        &self,
        status: RegistrationStatus,
        key: &str,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError>;

    /// Stores `next` (linked to an existing contact) if the stored version is still
    /// `next.version - 1` and the contact exists without a portal user, atomically.
    /// `Refused(ContactMissing | ContactHasPortalUser)`, or `ConditionFailed` if the version moved.
    async fn link_existing_contact(&self, next: &Registration) -> Result<(), StoreError>;

    /// Creates `contact` (unique by email) and stores `next` linked to it, atomically.
    /// `Refused(ContactEmailTaken)`, or `ConditionFailed` if the version moved.
    async fn link_new_contact(
        &self,
        next: &Registration,
        contact: &Contact,
    ) -> Result<(), StoreError>;

    /// Approval in one atomic write: `next` (version-checked), the new `user` with its
    /// username guard, the contact's link to the user (refused if it has one), the
    /// invitation index and the invitation `email`. When `user.organization_id` is set,
    /// the organization must exist. `Refused(..)` names a broken rule.
    async fn approve_registration(
        &self,
        next: &Registration,
        user: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError>;

    /// Replaces a request by its next state (`next.version` = stored version + 1), with the
    /// email that transition sends, atomically. `ConditionFailed` if the stored version moved.
    async fn advance_registration(
        &self,
        next: &Registration,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError>;
}

#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Creates a contact whose email and external reference no other contact has
    /// (`Refused(ContactEmailTaken | ExternalRefTaken)`), with its search entries.
    async fn create_contact(&self, contact: &Contact) -> Result<(), StoreError>;

    /// Writes `next` (an edit of `previous`) over `previous`, moving the email's and the
    /// external reference's guards and the search entries with it: `ConditionFailed` if
    /// the stored version or portal user is no longer `previous`'s,
    /// `Refused(ContactEmailTaken | ExternalRefTaken)` if another contact holds the new one.
    async fn update_contact(&self, previous: &Contact, next: &Contact) -> Result<(), StoreError>;

    /// A page of the contacts whose name, email or company (as `search_key` makes them)
    /// starts with `prefix` (2 characters at least), in the order of the text that matched.
    /// A contact two of whose texts match shows once per page, maybe again on another.
    async fn search_contacts(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<Contact>, StoreError>;

    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>, StoreError>;

    async fn contact_by_email(&self, email: &EmailAddress) -> Result<Option<Contact>, StoreError>;

    /// Contacts whose `name_key()` is `name_key`, at most `limit`.
    async fn contacts_named(&self, name_key: &str, limit: u32) -> Result<Vec<Contact>, StoreError>;
}

#[async_trait]
pub trait PortalUserStore: Send + Sync {
    async fn portal_user(&self, id: &PortalUserId) -> Result<Option<PortalUser>, StoreError>;

    async fn portal_user_id_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<PortalUserId>, StoreError>;

    /// Creates a user whose username is not taken yet (`ConditionFailed` otherwise).
    async fn create_portal_user(&self, user: &PortalUser) -> Result<(), StoreError>;
}

/// Organizations and what staff and organization administrators do to portal users:
/// create them from contacts, bulk membership, new invitations, access changes,
/// deactivation. Each write is one atomic write.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// Creates an organization with a new id.
    async fn create_organization(&self, organization: &Organization) -> Result<(), StoreError>;

    async fn organization(&self, id: &OrganizationId) -> Result<Option<Organization>, StoreError>;

    /// One page of the organizations by name whose search key (`Organization::name_key`)
    /// starts with `prefix` (every one for an empty prefix). A Query, never a Scan.
    /// `StoreError::InvalidCursor` for a cursor this list did not make.
    async fn organizations(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<Organization>, StoreError>;

    /// Stores `next` over the version before it (`ConditionFailed` if it moved).
    async fn update_organization(&self, next: &Organization) -> Result<(), StoreError>;

    /// One page of the portal users of `organization_id` (or of those in no organization),
    /// oldest first: a Query of the organization's members list, never a Scan.
    async fn portal_users_in(
        &self,
        organization_id: Option<&OrganizationId>,
        page: &PageRequest,
    ) -> Result<Page<PortalUser>, StoreError>;

    /// The contacts with these emails, in any order; unknown emails are left out.
    /// Every user, whatever their organization, oldest first (users stored before this
    /// list existed are not on it).
    async fn all_portal_users(&self, page: &PageRequest) -> Result<Page<PortalUser>, StoreError>;

    async fn contacts_by_emails(&self, emails: &[EmailAddress])
    -> Result<Vec<Contact>, StoreError>;

    /// The contacts with these ids, in any order; unknown ids are left out.
    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError>;

    /// The portal users with these ids, in any order; unknown ids are left out.
    async fn portal_users_by_ids(
        &self,
        ids: &[PortalUserId],
    ) -> Result<Vec<PortalUser>, StoreError>;

    /// Writes each of `members` atomically on its own and says how each went, in order:
    /// a refused member (a taken email or username, a moved version) changes nothing and
    /// does not stop the others. Adapters may group members into fewer round trips.
    async fn add_members(
        &self,
        members: &[NewMember],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError>;

    /// Stores `next` (version-checked) with the invitation pointer of its invitation when
    /// that is new, and `email`, atomically. `ConditionFailed` if the user moved.
    async fn update_portal_user(
        &self,
        next: &PortalUser,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError>;

    /// Stores `next` (version-checked, its link version bumped), the new link `reset`
    /// and `email` when the link is emailed, atomically. `ConditionFailed` if the user moved.
    async fn issue_password_link(
        &self,
        next: &PortalUser,
        reset: &PasswordReset,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError>;
}

/// One member a bulk invite or a staff creation writes.
// Both variants hold a whole user; boxing the larger one would save nothing that matters
// for a list built once per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewMember {
    /// A new portal user for a contact, with the contact itself when it is new (unique by
    /// email), the username guard, the contact's link to the user (refused if it has one),
    /// the invitation pointer and the invitation email when there is one. The user's
    /// organization, when set, must exist.
    User {
        new_contact: Option<Contact>,
        user: PortalUser,
        email: Option<OutboxMessage>,
    },
    /// An existing user's next version (joined an organization), version-checked.
    Update(PortalUser),
}

/// The address a person known by name alone confirmed, as their contact takes it: the
/// contact's next version (version-checked over `previous`) with the address's guard and
/// search entry, and the username's guard when the address became the user's username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEmail {
    pub previous: Contact,
    pub next: Contact,
    pub username_is_new: bool,
}

/// Accounts: invitation landing, logins, sessions and password resets.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The user behind an invitation token hash (via its pointer item), if any.
    async fn portal_user_by_invitation(
        &self,
        token_hash: &str,
    ) -> Result<Option<PortalUser>, StoreError>;

    async fn portal_user_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<PortalUser>, StoreError>;

    /// One atomic write: `next` (version-checked: a second accept of the same invitation
    /// fails) and the session it begins; with `contact`, the address a person known by
    /// name alone confirmed (refused as `ContactEmailTaken` or `UsernameTaken` when
    /// another contact or user has it). `ConditionFailed` if the user or contact moved.
    /// No session when a second factor must be set up first.
    async fn accept_invitation(
        &self,
        next: &PortalUser,
        session: Option<&NewSession>,
        contact: Option<&ContactEmail>,
    ) -> Result<(), StoreError>;

    /// The failure count of a username (by `LoginGuard::key_for`), if it has one.
    async fn login_guard(&self, key: &str) -> Result<Option<LoginGuard>, StoreError>;

    /// Counts one login attempt against its guard (creating it), if the stored guard
    /// still `admits` it: one conditional write, so that parallel attempts are each
    /// counted and none passes a lock. `ConditionFailed` otherwise (read it again).
    async fn reserve_login_attempt(
        &self,
        reservation: &AttemptReservation,
    ) -> Result<(), StoreError>;

    /// A successful login in one atomic write: `next` (version-checked), the login event
    /// (with its TTL), the session it begins if any, and the username's login guard removed.
    async fn record_login_success(
        &self,
        next: &PortalUser,
        event: &LoginEvent,
        session: Option<&NewSession>,
    ) -> Result<(), StoreError>;

    /// A failed login of a known user, for their history (the attempt was counted when
    /// it was reserved).
    async fn record_login_failure(&self, event: &LoginEvent) -> Result<(), StoreError>;

    /// One atomic write: `next` (version-checked, with its audit event) and the login
    /// guard of its username removed. `ConditionFailed` if the user moved.
    async fn unlock_login(&self, next: &PortalUser) -> Result<(), StoreError>;

    /// The user's newest login events first, at most `limit`.
    async fn recent_logins(
        &self,
        user_id: &PortalUserId,
        limit: u32,
    ) -> Result<Vec<LoginEvent>, StoreError>;

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshToken>, StoreError>;

    async fn session_family(&self, family_id: &str) -> Result<Option<SessionFamily>, StoreError>;

    /// One atomic write: `old` becomes `rotated` only if it is still active and its family
    /// is not revoked, and `new` is stored. `ConditionFailed` otherwise (a concurrent refresh won).
    async fn rotate_refresh_token(
        &self,
        rotated: &RefreshToken,
        new: &RefreshToken,
    ) -> Result<(), StoreError>;

    /// Ends a session family (idempotent).
    async fn revoke_session_family(
        &self,
        family_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Counts a reset request against `throttle` and stores the reset link, with its
    /// email when it has one (an active user's address), atomically. `Throttled` when the
    /// window is full (nothing written).
    async fn request_password_reset(
        &self,
        reset: &PasswordReset,
        email: Option<&OutboxMessage>,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError>;

    async fn password_reset(&self, token_hash: &str) -> Result<Option<PasswordReset>, StoreError>;

    /// One atomic write: the reset marked used (only if it was unused), `next` (version-
    /// checked), the "password changed" email, and the username's login guard removed (a
    /// reset unlocks). `ConditionFailed` otherwise.
    async fn complete_password_reset(
        &self,
        used: &PasswordReset,
        next: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError>;
}

/// The delivery side of the outbox. A message is `pending` (possibly held by one
/// deliverer's claim), then `sent` or `dead`; every step is a conditional write, so two
/// deliverers never both hold, and never both send, the same message.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Ids of pending messages that nobody holds and whose next try is due at `now`,
    /// oldest first, at most `limit`.
    async fn due_emails(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<String>, StoreError>;

    /// Takes a pending, due, unheld message for `claim` and counts the try; `None` if it
    /// is unknown, sent, dead, not due, or held by a claim that has not lapsed at `now`.
    async fn claim_email(
        &self,
        id: &str,
        claim: &DeliveryClaim,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedEmail>, StoreError>;

    /// Marks a message delivered, once; `ConditionFailed` unless `owner` holds it.
    async fn mark_email_sent(
        &self,
        id: &str,
        owner: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Records a failed try: pending again for later, or dead. `ConditionFailed` unless
    /// `owner` holds the message.
    async fn release_email(
        &self,
        id: &str,
        owner: &str,
        failure: &DeliveryFailure,
    ) -> Result<(), StoreError>;

    /// Messages the mailer gave up on, most recent first.
    async fn dead_emails(&self, page: &PageRequest) -> Result<Page<DeadEmail>, StoreError>;

    /// Puts a dead message back on the mailer's list, due at `event.at` with a fresh count
    /// of tries, and records `event` on it. `ConditionFailed` unless it is dead.
    async fn requeue_email(&self, id: &str, event: &AuditEvent) -> Result<(), StoreError>;
}

/// Rate limits that guard no other write: one counted write, shared by every instance.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one request in `window`; `Throttled` once it is full (nothing counted).
    async fn count_request(&self, window: &ThrottleWindow) -> Result<(), StoreError>;
}

/// Import jobs and their chunks of rows.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Stores a new job with all its chunks; the job is written last, so a job that can
    /// be read has every chunk (chunks of a job never written are left to expire).
    async fn create_import(
        &self,
        job: &ImportJob,
        chunks: &[ImportChunk],
    ) -> Result<(), StoreError>;

    async fn import(&self, id: &ImportId) -> Result<Option<ImportJob>, StoreError>;

    /// Writes `next` over the version just before it (`ConditionFailed` otherwise).
    async fn update_import(&self, next: &ImportJob) -> Result<(), StoreError>;

    /// Up to `limit` jobs that are queued or running, oldest first: what a sweep resumes.
    async fn open_imports(&self, limit: u32) -> Result<Vec<ImportJob>, StoreError>;

    /// Up to `limit` chunks of a job from the one at `from`, in order.
    async fn import_chunks(
        &self,
        id: &ImportId,
        from: u32,
        limit: u32,
    ) -> Result<Vec<ImportChunk>, StoreError>;

    /// Records a chunk's results with the job's `next` version, in one transaction:
    /// `ConditionFailed` if the job moved or the chunk has results already.
    async fn finish_import_chunk(
        &self,
        next: &ImportJob,
        chunk: &ImportChunk,
    ) -> Result<(), StoreError>;
}

/// Staff sign-ins through the company's identity provider, and the sessions they start.
#[async_trait]
pub trait StaffSessionStore: Send + Sync {
    /// Keeps a sign-in until its callback (or until it expires).
    async fn save_staff_sign_in(&self, sign_in: &StaffSignIn) -> Result<(), StoreError>;

    /// Removes and returns the sign-in with this state hash: of two callbacks with one
    /// `state`, only the first gets it.
    async fn take_staff_sign_in(&self, state_hash: &str)
    -> Result<Option<StaffSignIn>, StoreError>;

    async fn start_staff_session(&self, session: &StaffSession) -> Result<(), StoreError>;

    async fn staff_session(&self, key_hash: &str) -> Result<Option<StaffSession>, StoreError>;

    /// Writes `next` (the session with its newest request recorded); `ConditionFailed` if
    /// the session has ended meanwhile: a touch never brings a session back.
    async fn touch_staff_session(&self, next: &StaffSession) -> Result<(), StoreError>;

    /// Idempotent: ending an ended (or unknown) session succeeds.
    async fn end_staff_session(&self, key_hash: &str) -> Result<(), StoreError>;
}

/// Our OpenID provider: registered apps, their authorization codes, and provider sessions.
#[async_trait]
pub trait OidcStore: Send + Sync {
    /// `ConditionFailed` if a client with this id exists.
    async fn create_oidc_client(&self, client: &OidcClient) -> Result<(), StoreError>;
    async fn oidc_client(&self, id: &OidcClientId) -> Result<Option<OidcClient>, StoreError>;
    /// Every registered client, by name (a company registers a handful).
    async fn oidc_clients(&self) -> Result<Vec<OidcClient>, StoreError>;
    /// `ConditionFailed` if the client is gone.
    async fn update_oidc_client(&self, next: &OidcClient) -> Result<(), StoreError>;
    /// Nothing to do if it is already gone.
    async fn delete_oidc_client(&self, id: &OidcClientId) -> Result<(), StoreError>;
    /// `ConditionFailed` if a code with this hash exists.
    async fn save_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError>;
    async fn authorization_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<AuthorizationCode>, StoreError>;
    /// Marks the code used (`used` is it with `used_at` set) and starts the session it
    /// grants, in one write: `ConditionFailed` if it was used meanwhile, and then nothing
    /// is written.
    async fn redeem_authorization_code(
        &self,
        used: &AuthorizationCode,
        session: &NewSession,
    ) -> Result<(), StoreError>;
    /// `ConditionFailed` if a session with this hash exists.
    async fn start_provider_session(&self, session: &ProviderSession) -> Result<(), StoreError>;
    async fn provider_session(&self, key_hash: &str)
    -> Result<Option<ProviderSession>, StoreError>;
    /// Nothing to do if it is already gone.
    async fn end_provider_session(&self, key_hash: &str) -> Result<(), StoreError>;
}

pub trait Store:
    RegistrationStore
    + ContactStore
    + PortalUserStore
    + AccountStore
    + MembershipStore
    + OutboxStore
    + ThrottleStore
    + ImportStore
    + StaffSessionStore
    + OidcStore
{
}
impl<
    T: RegistrationStore
        + ContactStore
        + PortalUserStore
        + AccountStore
        + MembershipStore
        + OutboxStore
        + ThrottleStore
        + ImportStore
        + StaffSessionStore
        + OidcStore,
> Store for T
{
}

#[derive(Debug, thiserror::Error)]
#[error("email delivery failed: {0}")]
pub struct MailError(pub String);

/// Delivers one outbox message (rendering it is the adapter's job).
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError>;
}

/// Deployment choices the rules depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long an invitation link works (72 h unless configured).
    pub invitation_lifetime: time::Duration,
    /// How often, and how far apart, a failing email is tried again.
    pub email_retries: RetryPolicy,
    /// The fewest characters a new password may have (15 unless configured).
    pub password_min_length: MinLength,
    /// Requests a minute one client may send to one public route; 0 turns the limit off.
    pub client_rate_limit: u32,
    /// The portal's public address (`PORTAL_BASE_URL`, checked): the only base of the
    /// personal links handed to staff.
    pub portal_base_url: String,
    /// Which contact field is a new user's username (`USERNAME_FIELD`, email by default).
    pub username_field: UsernameField,
}

impl Settings {
    /// `<base><page>#token=<token>`: the token rides in the fragment, so it never reaches
    /// a server log (the emails build their links the same way).
    pub fn link(&self, page: &str, token: &str) -> String {
        format!(
            "{}{page}#token={token}",
            self.portal_base_url.trim_end_matches('/')
        )
    }

    pub const DEFAULT_INVITATION_LIFETIME: time::Duration = time::Duration::hours(72);
    /// Enough for a person and a page's retries, far too few to relay spam or guess.
    pub const DEFAULT_CLIENT_RATE_LIMIT: u32 = 60;
}

/// Everything a use case talks to, built once per process and shared by handlers.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// Seals the secrets that pass through the outbox (links, codes).
    pub sealer: Arc<dyn Sealer>,
    pub settings: Arc<Settings>,
}
