//! What the use cases need from the outside world. Store methods are shaped by
//! transitions, so each adapter can make every one of them a single atomic write.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::clock::Clock;
use crate::error::StoreError;
use crate::outbox::OutboxMessage;
use crate::random::Randomness;
use crate::registration::Registration;
use crate::throttle::ThrottleWindow;
use crate::types::EmailAddress;
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
    async fn registration(&self, id: &str) -> Result<Option<Registration>, StoreError>;

    /// Replaces a request by its next state (`next.version` = stored version + 1), with the
    /// email that transition sends, atomically. `ConditionFailed` if the stored version moved.
    async fn advance_registration(
        &self,
        next: &Registration,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError>;
}

#[async_trait]
pub trait PortalUserStore: Send + Sync {
    async fn portal_user_id_by_username(
        &self,
        username: &EmailAddress,
    ) -> Result<Option<String>, StoreError>;

    /// Creates a user whose username is not taken yet (`ConditionFailed` otherwise).
    async fn create_portal_user(&self, user: &PortalUser) -> Result<(), StoreError>;
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Marks a pending message as delivered, once; `ConditionFailed` if it already was.
    async fn mark_email_sent(&self, id: &str, at: OffsetDateTime) -> Result<(), StoreError>;
}

pub trait Store: RegistrationStore + PortalUserStore + OutboxStore {}
impl<T: RegistrationStore + PortalUserStore + OutboxStore> Store for T {}

#[derive(Debug, thiserror::Error)]
#[error("email delivery failed: {0}")]
pub struct MailError(pub String);

/// Delivers one outbox message (rendering it is the adapter's job).
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError>;
}

/// Everything a use case talks to, built once per process and shared by handlers.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
}
