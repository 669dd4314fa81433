//! Everything the embedded store holds, and the one way it changes: by applying the full
//! new state of each entity a transition touched (the same records the journal keeps).

use std::collections::BTreeMap;

use portal_domain::outbox::OutboxMessage;
use portal_domain::registration::Registration;
use portal_domain::types::EmailAddress;
use portal_domain::user::PortalUser;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::OutboxStatus;

/// Sorted maps, so a snapshot of equal states is equal JSON.
#[derive(Debug, Default, Serialize)]
pub(super) struct State {
    pub registrations: BTreeMap<String, Registration>,
    pub outbox: BTreeMap<String, OutboxEntry>,
    pub throttles: BTreeMap<String, ThrottleCount>,
    pub portal_users: BTreeMap<String, PortalUser>,
    /// Username → portal user id: what makes a username unique.
    pub usernames: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct OutboxEntry {
    pub message: OutboxMessage,
    pub status: OutboxStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

impl OutboxEntry {
    pub fn pending(message: &OutboxMessage) -> Self {
        Self {
            message: message.clone(),
            status: OutboxStatus::Pending,
            sent_at: None,
        }
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
    pub username: EmailAddress,
    pub portal_user_id: String,
}

/// The new state of one entity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Change {
    Registration(Registration),
    Outbox(OutboxEntry),
    Throttle(ThrottleCount),
    PortalUser(PortalUser),
    Username(UsernameGuard),
}

impl State {
    pub fn apply(&mut self, changes: Vec<Change>) {
        for change in changes {
            match change {
                Change::Registration(registration) => {
                    self.registrations
                        .insert(registration.id.clone(), registration);
                }
                Change::Outbox(entry) => {
                    self.outbox.insert(entry.message.id.clone(), entry);
                }
                Change::Throttle(count) => {
                    self.throttles.insert(count.key.clone(), count);
                }
                Change::PortalUser(user) => {
                    self.portal_users.insert(user.id.clone(), user);
                }
                Change::Username(guard) => {
                    self.usernames
                        .insert(guard.username.into(), guard.portal_user_id);
                }
            }
        }
    }

    /// Writes already counted in the window named `key`.
    pub fn throttle_count(&self, key: &str) -> u32 {
        self.throttles.get(key).map_or(0, |window| window.count)
    }
}
