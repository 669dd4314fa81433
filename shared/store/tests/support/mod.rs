//! Adapters to test and the data the contract tests write, built with the domain's own
//! constructors so the stored values are ones the use cases could produce.

use std::future::Future;
use std::path::PathBuf;
use std::task::Poll;

use aws_sdk_dynamodb::types::AttributeValue;
use portal_adapters::OsRandomness;
use portal_adapters::SealKey;
use portal_domain::StoreError;
use portal_domain::audit::{Actor, AuditAction, AuditEvent};
use portal_domain::contact::{Contact, ContactForm};
use portal_domain::ids::{Id, IdKind, OrganizationId, PortalUserId, RegistrationId};
use portal_domain::invitation::{Invitation, InvitationStatus, SecretToken};
use portal_domain::login::ClientInfo;
use portal_domain::organization::Organization;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::password_reset::{PasswordReset, RESET_LIFETIME};
use portal_domain::ports::{NewMember, Settings, Store};
use portal_domain::random::new_id;
use portal_domain::registration::{Registration, RegistrationForm, Verification};
use portal_domain::sealed::Sealer;
use portal_domain::session::NewSession;
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::{Company, EmailAddress, Locale, PersonName, Phone, Role, Username};
use portal_domain::user::{Grant, PortalUser, Profile};
use portal_domain::verification_code::{CODE_LIFETIME, CodeAttempt, VerificationCode};
use portal_store::table::create_table_if_missing;
use portal_store::{DynamoStore, EmbeddedStore, OutboxStatus, connect_dynamodb};
use tempfile::TempDir;
use time::OffsetDateTime;

/// An adapter under test, and what must live as long as it.
pub struct Fixture<S> {
    pub store: S,
    pub dir: Option<TempDir>,
}

impl Fixture<EmbeddedStore> {
    pub fn journal(&self) -> PathBuf {
        self.dir
            .as_ref()
            .expect("a store on a file")
            .path()
            .join("store.jsonl")
    }
}

pub fn in_memory() -> Fixture<EmbeddedStore> {
    Fixture {
        store: EmbeddedStore::in_memory(),
        dir: None,
    }
}

pub fn on_file() -> Fixture<EmbeddedStore> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = EmbeddedStore::open(&dir.path().join("store.jsonl")).expect("open the store");
    Fixture {
        store,
        dir: Some(dir),
    }
}

/// DynamoDB on moto, in a table of its own so tests cannot see each other's items.
pub async fn on_moto() -> Fixture<DynamoStore> {
    let client = moto_client().await;
    let table = new_table_name();
    create_table_if_missing(&client, &table)
        .await
        .unwrap_or_else(|error| panic!("cannot create table {table} on moto: {error}"));
    Fixture {
        store: DynamoStore::new(client, table),
        dir: None,
    }
}

pub async fn moto_client() -> aws_sdk_dynamodb::Client {
    let Ok(endpoint) = std::env::var("PORTAL_TEST_DYNAMODB_ENDPOINT") else {
        panic!("PORTAL_TEST_DYNAMODB_ENDPOINT is not set: run ./scripts/test (it starts moto)");
    };
    connect_dynamodb(Some(&endpoint)).await
}

pub fn new_table_name() -> String {
    format!("portal-store-test-{}", new_id(&OsRandomness))
}

/// The port, plus looks at the stored data that the port itself does not offer.
pub trait Subject: Store {
    async fn email_status(&self, id: &str) -> Option<OutboxStatus>;

    /// Everything the adapter holds, as text in a stable order: unchanged exactly when
    /// nothing was written, and searchable for what must never be stored.
    async fn everything(&self) -> String;

    /// Whose invitation the token with this hash is, by the invitation pointer.
    async fn invited_user(&self, token_hash: &str) -> Option<PortalUserId>;

    /// Submits `request` counted against its email's registration window.
    async fn submit(&self, request: &Request) -> Result<(), StoreError> {
        let throttle = window(
            request.registration.email(),
            request.registration.created_at(),
        );
        self.submit_registration(&request.registration, &request.email, &throttle)
            .await
    }
}

impl Subject for EmbeddedStore {
    async fn email_status(&self, id: &str) -> Option<OutboxStatus> {
        self.outbox_status(id).await.expect("read the outbox")
    }

    async fn everything(&self) -> String {
        self.snapshot().to_string()
    }

    async fn invited_user(&self, token_hash: &str) -> Option<PortalUserId> {
        let pointer = &self.snapshot()["invitations"][token_hash];
        pointer["portal_user_id"].as_str().and_then(Id::parse)
    }
}

impl Subject for DynamoStore {
    async fn email_status(&self, id: &str) -> Option<OutboxStatus> {
        self.outbox_status(id).await.expect("read the outbox")
    }

    /// A Scan: fine for a test's own small table, never in the store itself.
    async fn everything(&self) -> String {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client()
                .scan()
                .table_name(self.table_name())
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan the test table");
            items.extend(
                page.items()
                    .iter()
                    .map(|item| canonical(&AttributeValue::M(item.clone()))),
            );
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        items.sort();
        items.join("\n")
    }

    async fn invited_user(&self, token_hash: &str) -> Option<PortalUserId> {
        let pointer = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .key("pk", AttributeValue::S(format!("INV#{token_hash}")))
            .key("sk", AttributeValue::S("INV".into()))
            .consistent_read(true)
            .send()
            .await
            .expect("read the invitation pointer")
            .item?;
        Id::parse(pointer.get("portal_user_id")?.as_s().ok()?)
    }
}

/// An attribute value as text, map keys sorted (DynamoDB returns them in any order).
fn canonical(value: &AttributeValue) -> String {
    match value {
        AttributeValue::M(map) => {
            let mut entries: Vec<String> = map
                .iter()
                .map(|(name, value)| format!("{name:?}: {}", canonical(value)))
                .collect();
            entries.sort();
            format!("{{{}}}", entries.join(", "))
        }
        AttributeValue::L(list) => {
            let values: Vec<String> = list.iter().map(canonical).collect();
            format!("[{}]", values.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// A submitted registration, the code it was sent and the email carrying that code.
pub struct Request {
    pub registration: Registration,
    pub code: VerificationCode,
    pub email: OutboxMessage,
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A fresh address, so tests never share a throttle window or a username.
pub fn new_email() -> EmailAddress {
    EmailAddress::parse(&format!("{}@example.com", new_id(&OsRandomness))).expect("an address")
}

pub fn window(email: &EmailAddress, now: OffsetDateTime) -> ThrottleWindow {
    ThrottleWindow::registrations(email, now)
}

pub fn request(email: &EmailAddress, now: OffsetDateTime) -> Request {
    request_with_id(RegistrationId::generate(&OsRandomness), email, now)
}

/// A request with `id`, which another may already have.
pub fn request_with_id(id: RegistrationId, email: &EmailAddress, now: OffsetDateTime) -> Request {
    request_from(id, form("Ada", "Lovelace", email, None), now)
}

/// What a person fills in.
pub fn form(
    first_name: &str,
    last_name: &str,
    email: &EmailAddress,
    company: Option<&str>,
) -> RegistrationForm {
    RegistrationForm {
        first_name: PersonName::parse(first_name).expect("a name"),
        last_name: PersonName::parse(last_name).expect("a name"),
        email: email.clone(),
        phone: None,
        company: company.map(|company| Company::parse(company).expect("a company")),
        locale: Locale::default(),
    }
}

/// The request `form` makes, submitted `now`.
pub fn request_from(id: RegistrationId, form: RegistrationForm, now: OffsetDateTime) -> Request {
    let code = VerificationCode::generate(&OsRandomness);
    let registration = Registration::submit(id, form, &code, false, now);
    let email = code_email(&registration, &code);
    Request {
        registration,
        code,
        email,
    }
}

pub fn code_email(registration: &Registration, code: &VerificationCode) -> OutboxMessage {
    OutboxMessage::new(
        &OsRandomness,
        registration.email().clone(),
        registration.locale().clone(),
        EmailContent::VerificationCode {
            first_name: registration.first_name().to_string(),
            sealed_code: SealKey::generate(&OsRandomness).seal(code.as_str()),
            valid_minutes: CODE_LIFETIME.whole_minutes() as u32,
        },
        registration.updated_at(),
    )
}

/// The request's next state after its right code.
pub fn verified(request: &Request, now: OffsetDateTime) -> Registration {
    let right = CodeAttempt::parse(request.code.as_str()).expect("six digits");
    match attempt(request, &right, now) {
        Verification::Verified(next) => next,
        Verification::WrongCode(_) => panic!("the right code did not verify"),
    }
}

/// The request's next state after a wrong code.
pub fn wrong_code(request: &Request, now: OffsetDateTime) -> Registration {
    match attempt(request, &wrong_attempt(request), now) {
        Verification::WrongCode(next) => next,
        Verification::Verified(_) => panic!("a wrong code verified"),
    }
}

/// A code that is not the request's.
pub fn wrong_attempt(request: &Request) -> CodeAttempt {
    let right: u32 = request.code.as_str().parse().expect("six digits");
    CodeAttempt::parse(&format!("{:06}", (right + 1) % 1_000_000)).expect("six digits")
}

fn attempt(request: &Request, attempt: &CodeAttempt, now: OffsetDateTime) -> Verification {
    request
        .registration
        .verify(attempt, now)
        .expect("a fresh request takes a code")
}

pub fn staff() -> Actor {
    Actor {
        subject: "staff-1".into(),
        name: Some("Sam Staff".into()),
    }
}

/// A request submitted at `at` and verified in `store`: status `new`.
pub async fn verified_in(store: &impl Subject, at: OffsetDateTime) -> Registration {
    verified_request(store, request(&new_email(), at), at).await
}

/// `request`, submitted and verified at `at`, in the queue of new requests.
pub async fn verified_request(
    store: &impl Subject,
    request: Request,
    at: OffsetDateTime,
) -> Registration {
    store.submit(&request).await.expect("submit");
    let next = verified(&request, at);
    store
        .advance_registration(&next, None)
        .await
        .expect("verify");
    next
}

/// A contact made from a request's own data, as staff would when no contact fits.
pub fn contact_of(registration: &Registration) -> Contact {
    let created = AuditEvent::new(&staff(), AuditAction::ContactCreated, None, now());
    Contact::from_registration(Id::generate(&OsRandomness), registration, created)
}

/// A contact staff type in, named Grace Hopper.
pub fn new_contact(email: &EmailAddress) -> Contact {
    contact_named("Grace", "Hopper", Some(email.clone()))
}

/// A contact staff type in with this name and address (or none).
pub fn contact_named(first_name: &str, last_name: &str, email: Option<EmailAddress>) -> Contact {
    let form = ContactForm {
        first_name: PersonName::parse(first_name).expect("a name"),
        last_name: PersonName::parse(last_name).expect("a name"),
        email,
        phone: None,
        company: None,
        external_ref: None,
    };
    let created = AuditEvent::new(&staff(), AuditAction::ContactCreated, None, now());
    Contact::new(
        Id::generate(&OsRandomness),
        form,
        Locale::default(),
        created,
    )
}

/// The request's next state, linked to `contact`.
pub fn linked(registration: &Registration, contact: &Contact) -> Registration {
    registration
        .link_contact(contact, &staff(), now())
        .expect("a verified request can be linked")
}

/// A verified request in `store`, linked to a new contact made from it.
pub async fn linked_in(store: &impl Subject) -> (Registration, Contact) {
    let registration = verified_in(store, now()).await;
    let contact = contact_of(&registration);
    let next = linked(&registration, &contact);
    store
        .link_new_contact(&next, &contact)
        .await
        .expect("link a new contact");
    (next, contact)
}

/// What the approval of a linked request writes, built as the use case builds it.
pub struct Approval {
    pub next: Registration,
    pub user: PortalUser,
    pub email: OutboxMessage,
    pub token: SecretToken,
}

pub fn approval(linked: &Registration, grant: Grant) -> Approval {
    let now = now();
    let user_id = Id::generate(&OsRandomness);
    let next = linked
        .approve(&user_id, &staff(), now)
        .expect("a linked request can be approved");
    let contact = next.contact().cloned().expect("a linked contact");
    let (token, invitation) = invitation(now);
    let email = invitation_email(
        &contact.email,
        next.first_name().as_ref(),
        &token,
        &invitation,
    );
    let invited = AuditEvent::new(
        &staff(),
        AuditAction::Invited,
        Some(format!("from registration {}", linked.id())),
        now,
    );
    let user = PortalUser::invite(
        user_id,
        contact.id,
        Some(Username::of_email(&contact.email)),
        Some(contact.email),
        grant,
        invitation,
        invited,
    );
    Approval {
        next,
        user,
        email,
        token,
    }
}

/// The email that carries `invitation`'s link.
pub fn invitation_email(
    to: &EmailAddress,
    first_name: &str,
    token: &SecretToken,
    invitation: &Invitation,
) -> OutboxMessage {
    OutboxMessage::new(
        &OsRandomness,
        to.clone(),
        Locale::default(),
        EmailContent::Invitation {
            first_name: first_name.to_owned(),
            sealed_token: SealKey::generate(&OsRandomness).seal(token.as_str()),
            expires_at: invitation.expires_at,
            username: Some(to.to_string()),
            client_id: None,
        },
        invitation.created_at,
    )
}

pub fn invitation(now: OffsetDateTime) -> (SecretToken, Invitation) {
    let token = SecretToken::generate(&OsRandomness);
    let invitation = Invitation {
        token_hash: token.hash(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now + Settings::DEFAULT_INVITATION_LIFETIME,
        confirm_contact_data: true,
        email_code: None,
    };
    (token, invitation)
}

/// The address of a contact that has one.
pub fn contact_email(contact: &Contact) -> EmailAddress {
    contact.email.clone().expect("a contact with an address")
}

/// A user invited directly (not through a request), for a contact of its own.
pub fn portal_user(username: &EmailAddress) -> PortalUser {
    let now = now();
    let invited = AuditEvent::new(&staff(), AuditAction::Invited, None, now);
    PortalUser::invite(
        Id::generate(&OsRandomness),
        Id::generate(&OsRandomness),
        Some(Username::of_email(username)),
        Some(username.clone()),
        Grant::default(),
        invitation(now).1,
        invited,
    )
}

/// A new organization of its own id, with one role.
pub fn organization() -> Organization {
    let now = now();
    Organization {
        id: Id::generate(&OsRandomness),
        name: Company::parse("Analytical Engines").expect("a company"),
        account_ref: Some("ACC-1".into()),
        roles: vec![Role::parse("billing.viewer").expect("a role")],
        require_mfa: false,
        created_at: now,
        audit: vec![AuditEvent::new(
            &staff(),
            AuditAction::OrganizationCreated,
            None,
            now,
        )],
        version: 1,
    }
}

pub async fn organization_in(store: &impl Subject) -> Organization {
    let organization = organization();
    store
        .create_organization(&organization)
        .await
        .expect("create the organization");
    organization
}

/// A user invited in bulk for `contact` into `organization_id`, created at `at`: what a
/// bulk invite writes for one address.
pub struct Invitee {
    pub contact: Contact,
    pub user: PortalUser,
    pub email: OutboxMessage,
    pub token: SecretToken,
}

pub fn invitee(
    contact: &Contact,
    organization_id: Option<&OrganizationId>,
    at: OffsetDateTime,
) -> Invitee {
    let (token, invitation) = invitation(at);
    let email = invitation_email(
        contact.email.as_ref().unwrap(),
        "Grace",
        &token,
        &invitation,
    );
    let grant = Grant {
        roles: Vec::new(),
        organization_id: organization_id.cloned(),
    };
    let invited = AuditEvent::new(&staff(), AuditAction::Invited, None, at);
    let user = PortalUser::invite(
        Id::generate(&OsRandomness),
        contact.id.clone(),
        Some(Username::of_email(contact.email.as_ref().unwrap())),
        contact.email.clone(),
        grant,
        invitation,
        invited,
    );
    Invitee {
        contact: contact.clone(),
        user,
        email,
        token,
    }
}

impl Invitee {
    /// The member for a contact that is new too.
    pub fn with_new_contact(&self) -> NewMember {
        NewMember::User {
            new_contact: Some(self.contact.clone()),
            user: self.user.clone(),
            email: Some(self.email.clone()),
        }
    }

    /// The member for a contact that is stored already.
    pub fn for_existing_contact(&self) -> NewMember {
        NewMember::User {
            new_contact: None,
            user: self.user.clone(),
            email: Some(self.email.clone()),
        }
    }

    /// The contact as it is stored once linked to the user.
    pub fn linked_contact(&self) -> Contact {
        Contact {
            portal_user_id: Some(self.user.id().clone()),
            ..self.contact.clone()
        }
    }
}

/// Ada Lovelace with a phone, as a person fills in on the invitation landing.
pub fn profile() -> Profile {
    Profile {
        first_name: PersonName::parse("Ada").expect("a name"),
        last_name: PersonName::parse("Lovelace").expect("a name"),
        phone: Some(Phone::parse("+44 20 7946 0000").expect("a phone")),
    }
}

/// An invited user approved into `store`, so its invitation pointer is written too.
pub async fn invited_in(store: &impl Subject) -> Approval {
    let (linked, _) = linked_in(store).await;
    let approved = approval(&linked, Grant::default());
    store
        .approve_registration(&approved.next, &approved.user, &approved.email)
        .await
        .expect("approve");
    approved
}

/// What accepting `invited`'s invitation makes of the user: active, with a password.
pub fn accepted(invited: &Approval) -> PortalUser {
    invited
        .user
        .accept_invitation(
            &invited.token.hash(),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            Some(profile()),
            None,
            now(),
        )
        .expect("a fresh invitation can be accepted")
}

/// A session for `user`, as a login or an accepted invitation begins it.
pub fn session(user: &PortalUser) -> NewSession {
    NewSession::begin(&OsRandomness, user.id(), user.token_version(), now())
}

/// An active user in `store`, with the session its accepted invitation began.
pub async fn active_in(store: &impl Subject) -> (PortalUser, NewSession) {
    let user = accepted(&invited_in(store).await);
    let session = session(&user);
    store
        .accept_invitation(&user, Some(&session), None)
        .await
        .expect("accept the invitation");
    (user, session)
}

pub fn client() -> ClientInfo {
    ClientInfo {
        ip: Some("192.0.2.10".into()),
        user_agent: Some("contract-test".into()),
    }
}

/// A fresh, unused reset link for `user`.
pub fn reset_for(user: &PortalUser, now: OffsetDateTime) -> PasswordReset {
    PasswordReset {
        token_hash: SecretToken::generate(&OsRandomness).hash(),
        user_id: user.id().clone(),
        created_at: now,
        expires_at: now + RESET_LIFETIME,
        used_at: None,
        token_version: user.token_version(),
        link_version: user.link_version(),
    }
}

pub fn reset_email(user: &PortalUser, reset: &PasswordReset) -> OutboxMessage {
    OutboxMessage::new(
        &OsRandomness,
        user.email().unwrap(),
        Locale::default(),
        EmailContent::PasswordReset {
            first_name: "Ada".into(),
            sealed_token: "sealed".into(),
            expires_at: reset.expires_at,
        },
        reset.created_at,
    )
}

pub fn password_changed_email(user: &PortalUser) -> OutboxMessage {
    OutboxMessage::new(
        &OsRandomness,
        user.email().unwrap(),
        Locale::default(),
        EmailContent::PasswordChanged {
            first_name: "Ada".into(),
        },
        now(),
    )
}

/// A window of three reset requests for `user` (the domain has no such window yet; the
/// store only counts what it is given).
pub fn reset_window(user: &PortalUser, now: OffsetDateTime) -> ThrottleWindow {
    ThrottleWindow {
        key: format!(
            "reset#{}#{}",
            user.username().expect("a username"),
            now.unix_timestamp() / 3600
        ),
        limit: 3,
        ends_at: now + time::Duration::hours(1),
    }
}

/// Every future's output, the futures run concurrently (in one task, as `join!` does).
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|output| output.expect("every future finished"))
        .collect()
}

/// An id of the right shape that nothing has.
pub fn unknown<K: IdKind>() -> Id<K> {
    Id::generate(&OsRandomness)
}
