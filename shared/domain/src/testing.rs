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
