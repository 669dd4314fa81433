//! Test doubles shared by the crates' tests (feature `testing`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use crate::outbox::OutboxMessage;
use crate::ports::{MailError, Mailer};

/// A mailer that keeps what it is given, and can be told to fail.
#[derive(Default)]
pub struct RecordingMailer {
    attempted: Mutex<Vec<OutboxMessage>>,
    sent: Mutex<Vec<OutboxMessage>>,
    failing: AtomicBool,
}

impl RecordingMailer {
    /// Every message handed over, delivered or not.
    pub fn attempted(&self) -> Vec<OutboxMessage> {
        self.attempted.lock().expect("mailer lock").clone()
    }

    pub fn sent(&self) -> Vec<OutboxMessage> {
        self.sent.lock().expect("mailer lock").clone()
    }

    pub fn fail_from_now_on(&self) {
        self.failing.store(true, Ordering::SeqCst);
    }

    pub fn succeed_from_now_on(&self) {
        self.failing.store(false, Ordering::SeqCst);
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError> {
        self.attempted
            .lock()
            .expect("mailer lock")
            .push(message.clone());
        if self.failing.load(Ordering::SeqCst) {
            return Err(MailError("injected failure".into()));
        }
        self.sent.lock().expect("mailer lock").push(message.clone());
        Ok(())
    }
}

/// A process that dies while sending: the send never finishes, so a caller bounded by a
/// timeout is dropped between its commit and the end of the send.
pub struct DyingMailer;

#[async_trait]
impl Mailer for DyingMailer {
    async fn send(&self, _: &OutboxMessage) -> Result<(), MailError> {
        std::future::pending().await
    }
}

/// A valid registration form for `email`, from Ada Lovelace, in the default language.
pub fn registration_form(email: &str) -> crate::registration::RegistrationForm {
    use crate::types::{EmailAddress, Locale, PersonName};
    crate::registration::RegistrationForm {
        first_name: PersonName::parse("Ada").expect("a name"),
        last_name: PersonName::parse("Lovelace").expect("a name"),
        email: EmailAddress::parse(email).expect("an email address"),
        phone: None,
        company: None,
        locale: Locale::default(),
    }
}

/// Ports for in-process tests: real randomness, default settings with a fresh seal key.
pub fn ports(
    store: std::sync::Arc<dyn crate::ports::Store>,
    mailer: std::sync::Arc<dyn Mailer>,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
) -> crate::Ports {
    let random = crate::random::OsRandomness;
    crate::Ports {
        store,
        mailer,
        clock,
        settings: std::sync::Arc::new(crate::ports::Settings {
            invitation_lifetime: crate::ports::Settings::DEFAULT_INVITATION_LIFETIME,
            seal_key: crate::sealed::SealKey::generate(&random),
            email_retries: Default::default(),
            password_min_length: Default::default(),
            // Off: router tests send many requests from no address at all; the limit
            // has tests of its own that turn it on.
            client_rate_limit: 0,
        }),
        random: std::sync::Arc::new(random),
        hasher: std::sync::Arc::new(crate::password::Argon2Hasher::new()),
    }
}
