//! Test doubles shared by the crates' tests (feature `testing`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use crate::ids::{Id, IdKind};
use crate::outbox::OutboxMessage;
use crate::ports::{MailError, Mailer};

/// A readable, fixed id for tests: `name` (at most 16 bytes) in hex, padded with zeros,
/// so `id("u1")` is always the same well-formed id and differs from `id("u2")`.
pub fn id<K: IdKind>(name: &str) -> Id<K> {
    Id::parse(&id_text(name)).expect("hex digits are an id's shape")
}

/// The text of [`id`]`(name)`, for comparing with what is stored.
pub fn id_text(name: &str) -> String {
    assert!(name.len() <= 16, "a test id name has at most 16 bytes");
    let hex: String = name.bytes().map(|byte| format!("{byte:02x}")).collect();
    format!("{hex:0<32}")
}

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

/// Unique bytes for this process, from a counter: ids and tokens that never repeat in a
/// test run, without the OS's randomness (that adapter is `portal-adapters`'). Never
/// unpredictable: for tests only.
pub struct TestRandomness;

impl crate::random::Randomness for TestRandomness {
    fn fill(&self, buf: &mut [u8]) {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
        for chunk in buf.chunks_mut(8) {
            // splitmix64 of a counter: distinct, evenly spread values.
            let mut z = NEXT.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}
