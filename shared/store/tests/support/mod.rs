//! Adapters to test and the data the contract tests write, built with the domain's own
//! constructors so the stored values are ones the use cases could produce.

use std::path::PathBuf;

use portal_domain::StoreError;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::ports::Store;
use portal_domain::random::{OsRandomness, new_id};
use portal_domain::registration::{Registration, RegistrationForm, Verification};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::{EmailAddress, Locale, PersonName};
use portal_domain::user::{PortalUser, PortalUserStatus};
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

/// The port, plus a look at the outbox that the port itself does not offer.
pub trait Subject: Store {
    async fn email_status(&self, id: &str) -> Option<OutboxStatus>;

    /// Submits `request` counted against its email's registration window.
    async fn submit(&self, request: &Request) -> Result<(), StoreError> {
        let throttle = window(&request.registration.email, request.registration.created_at);
        self.submit_registration(&request.registration, &request.email, &throttle)
            .await
    }
}

impl Subject for EmbeddedStore {
    async fn email_status(&self, id: &str) -> Option<OutboxStatus> {
        self.outbox_status(id).await.expect("read the outbox")
    }
}

impl Subject for DynamoStore {
    async fn email_status(&self, id: &str) -> Option<OutboxStatus> {
        self.outbox_status(id).await.expect("read the outbox")
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
    let form = RegistrationForm {
        first_name: PersonName::parse("Ada").expect("a name"),
        last_name: PersonName::parse("Lovelace").expect("a name"),
        email: email.clone(),
        phone: None,
        company: None,
        locale: Locale::default(),
    };
    let code = VerificationCode::generate(&OsRandomness);
    let registration = Registration::submit(new_id(&OsRandomness), form, &code, false, now);
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
        registration.email.clone(),
        registration.locale.clone(),
        EmailContent::VerificationCode {
            first_name: registration.first_name.to_string(),
            code: code.as_str().to_owned(),
            valid_minutes: CODE_LIFETIME.whole_minutes() as u32,
        },
        registration.updated_at,
    )
}

/// The request's next state after its right code.
pub fn verified(request: &Request, now: OffsetDateTime) -> Registration {
    match attempt(request, request.code.as_str(), now) {
        Verification::Verified(next) => next,
        Verification::WrongCode(_) => panic!("the right code did not verify"),
    }
}

/// The request's next state after a wrong code.
pub fn wrong_code(request: &Request, now: OffsetDateTime) -> Registration {
    let right: u32 = request.code.as_str().parse().expect("six digits");
    match attempt(request, &format!("{:06}", (right + 1) % 1_000_000), now) {
        Verification::WrongCode(next) => next,
        Verification::Verified(_) => panic!("a wrong code verified"),
    }
}

fn attempt(request: &Request, typed: &str, now: OffsetDateTime) -> Verification {
    let attempt = CodeAttempt::parse(typed).expect("six digits");
    request
        .registration
        .verify(&attempt, now)
        .expect("a fresh request takes a code")
}

pub fn portal_user(username: &EmailAddress) -> PortalUser {
    PortalUser {
        id: new_id(&OsRandomness),
        contact_id: new_id(&OsRandomness),
        username: username.clone(),
        status: PortalUserStatus::Invited,
        created_at: now(),
        version: 1,
    }
}
