//! Staff signed in through the company's identity provider: the sign-in on its way (between
//! the redirect to the provider and its callback) and the session it starts. Both are kept
//! in the store under the hash of the secret the browser holds, so a read of the table
//! signs no one in.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::staff::StaffMember;

/// How long a session lasts from its sign-in, however busy.
pub const SESSION_LIFETIME: Duration = Duration::hours(8);
/// How long a session survives without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// A request this soon after the last recorded one does not record itself again: idle
/// time is kept to the minute, for one write a minute instead of one per request.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);
/// How long a person has at the provider's login page.
pub const SIGN_IN_LIFETIME: Duration = Duration::minutes(10);

/// A sign-in sent to the provider and not yet back: what the callback checks the answer
/// against. Single use: the callback takes it out of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSignIn {
    /// Hash of the `state` the provider hands back.
    pub state_hash: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier whose S256 challenge went to the provider.
    pub pkce_verifier: String,
    /// Where the person goes once signed in: a path of this portal.
    pub return_to: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl StaffSignIn {
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}

/// A signed-in staff member, as the provider's ID token named them at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSession {
    /// Hash of the session cookie's value.
    pub key_hash: String,
    pub subject: String,
    pub name: Option<String>,
    pub permissions: Vec<String>,
    /// Kept for the provider's logout (`id_token_hint`); never shown to the browser.
    pub id_token: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
}

impl StaffSession {
    /// When the session ends if no request comes first.
    pub fn expires_at(&self) -> OffsetDateTime {
        (self.started_at + SESSION_LIFETIME).min(self.last_seen + SESSION_IDLE)
    }

    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at()
    }

    /// Whether a request at `now` should record itself as the last one.
    pub fn needs_touch(&self, now: OffsetDateTime) -> bool {
        now - self.last_seen >= TOUCH_EVERY
    }

    pub fn member(&self) -> StaffMember {
        StaffMember {
            subject: self.subject.clone(),
            name: self.name.clone(),
            permissions: self.permissions.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn session(started_at: OffsetDateTime, last_seen: OffsetDateTime) -> StaffSession {
        StaffSession {
            key_hash: "h".into(),
            subject: "ada".into(),
            name: None,
            permissions: vec![],
            id_token: None,
            started_at,
            last_seen,
        }
    }

    #[test]
    fn a_session_ends_after_30_idle_minutes() {
        let start = datetime!(2026-11-27 09:00 UTC);
        let session = session(start, start + Duration::minutes(5));
        assert!(session.is_live(start + Duration::minutes(34)));
        assert!(!session.is_live(start + Duration::minutes(35)));
        assert_eq!(session.expires_at(), start + Duration::minutes(35));
    }

    #[test]
    fn a_busy_session_still_ends_8_hours_after_sign_in() {
        let start = datetime!(2026-11-27 09:00 UTC);
        let session = session(start, start + Duration::minutes(475));
        assert_eq!(session.expires_at(), start + Duration::hours(8));
        assert!(!session.is_live(start + Duration::hours(8)));
    }

    #[test]
    fn a_request_is_recorded_once_a_minute() {
        let start = datetime!(2026-11-27 09:00 UTC);
        let session = session(start, start);
        assert!(!session.needs_touch(start + Duration::seconds(59)));
        assert!(session.needs_touch(start + Duration::seconds(60)));
    }

    #[test]
    fn a_sign_in_is_usable_until_it_expires() {
        let now = datetime!(2026-11-27 09:00 UTC);
        let sign_in = StaffSignIn {
            state_hash: "h".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/staff".into(),
            expires_at: now + SIGN_IN_LIFETIME,
        };
        assert!(sign_in.is_usable(now + Duration::minutes(9)));
        assert!(!sign_in.is_usable(now + SIGN_IN_LIFETIME));
    }
}
