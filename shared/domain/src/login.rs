//! Login attempts: counted per account, locked after repeated failures, and recorded.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Consecutive failures that lock an account (well under NIST's 100).
pub const MAX_FAILED_LOGINS: u32 = 10;
/// How long a locked account refuses logins.
pub const LOCKOUT: Duration = Duration::minutes(15);
/// How long login events are kept (TTL).
pub const LOGIN_EVENT_LIFETIME: Duration = Duration::days(90);

/// Where an attempt came from, as the HTTP layer saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginEvent {
    pub user_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub success: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl LoginEvent {
    pub fn new(user_id: &str, success: bool, client: &ClientInfo, at: OffsetDateTime) -> Self {
        Self {
            user_id: user_id.to_owned(),
            at,
            success,
            ip: client.ip.clone(),
            // Bounded: the header is client-controlled and stored.
            user_agent: client
                .user_agent
                .as_ref()
                .map(|agent| agent.chars().take(256).collect()),
        }
    }

    pub fn expires_at(&self) -> OffsetDateTime {
        self.at + LOGIN_EVENT_LIFETIME
    }
}
