//! Sessions: a family of refresh tokens that starts at a login (or an accepted invitation)
//! and rotates on every refresh. Reusing a rotated token revokes the whole family.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::PortalUserId;
use crate::mfa::password_amr;
use crate::oidc::OidcGrant;
use crate::random::{Randomness, new_id};
use crate::secret_token::SecretToken;

/// How long a session lasts without a fresh login.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// A rotated token presented again within this long is a client's duplicate request
/// (answered 401), not a replay; later, it revokes the family.
pub const REUSE_GRACE: Duration = Duration::seconds(5);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFamily {
    pub id: String,
    pub user_id: PortalUserId,
    /// The user's token version when the session began; a bump ends the session.
    pub token_version: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_at: Option<OffsetDateTime>,
    /// Set for an app's session through our OpenID provider: only that client may refresh
    /// it, and only there (`/sessions/refresh` refuses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcGrant>,
    /// How the person signed in (`amr`, RFC 8176); sessions begun before second factors
    /// existed were password sign-ins.
    #[serde(default = "password_amr")]
    pub amr: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshStatus {
    Active,
    Rotated,
}

/// A refresh token as stored: its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    pub token_hash: String,
    pub family_id: String,
    pub user_id: PortalUserId,
    pub status: RefreshStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub rotated_at: Option<OffsetDateTime>,
}

/// A session just begun: what the store keeps, and the token the client gets (once).
pub struct NewSession {
    pub family: SessionFamily,
    pub refresh: RefreshToken,
    pub token: SecretToken,
}

impl NewSession {
    pub fn begin(
        random: &dyn Randomness,
        user_id: &PortalUserId,
        token_version: u64,
        now: OffsetDateTime,
    ) -> Self {
        let family = SessionFamily {
            id: new_id(random),
            user_id: user_id.clone(),
            token_version,
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
            revoked_at: None,
            oidc: None,
            amr: password_amr(),
        };
        let (refresh, token) = RefreshToken::issue(random, &family, now);
        Self {
            family,
            refresh,
            token,
        }
    }
}

impl NewSession {
    /// This session, begun with the sign-in `amr` names (a password alone otherwise).
    pub fn signed_in_with(mut self, amr: Vec<String>) -> Self {
        self.family.amr = amr;
        self
    }
}

impl SessionFamily {
    /// How and when the person proved who they are: an app's sign-in as its grant says,
    /// any other session at its beginning.
    pub fn authentication(&self) -> (Vec<String>, OffsetDateTime) {
        match &self.oidc {
            Some(grant) => (grant.amr.clone(), grant.auth_time),
            None => (self.amr.clone(), self.created_at),
        }
    }

    /// Not revoked (by a logout or a replayed refresh token) and not past its lifetime.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// What presenting a refresh token leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Rotate: mark the old one rotated, store the new one.
    Rotate,
    /// A rotated token came back after the grace: someone replays it, end the family.
    RevokeFamily,
    /// Expired, revoked, or a duplicate within the grace: refuse, change nothing.
    Refuse,
}

impl RefreshToken {
    pub fn issue(
        random: &dyn Randomness,
        family: &SessionFamily,
        now: OffsetDateTime,
    ) -> (Self, SecretToken) {
        let token = SecretToken::generate(random);
        let refresh = Self {
            token_hash: token.hash(),
            family_id: family.id.clone(),
            user_id: family.user_id.clone(),
            status: RefreshStatus::Active,
            issued_at: now,
            expires_at: family.expires_at,
            rotated_at: None,
        };
        (refresh, token)
    }

    /// Decides on a presented token, given its family and the user's current token version.
    pub fn decide(
        &self,
        family: &SessionFamily,
        token_version: u64,
        now: OffsetDateTime,
    ) -> RefreshDecision {
        if family.revoked_at.is_some()
            || family.token_version != token_version
            || self.expires_at <= now
        {
            return RefreshDecision::Refuse;
        }
        match (self.status, self.rotated_at) {
            (RefreshStatus::Active, _) => RefreshDecision::Rotate,
            (RefreshStatus::Rotated, Some(at)) if now - at < REUSE_GRACE => RefreshDecision::Refuse,
            (RefreshStatus::Rotated, _) => RefreshDecision::RevokeFamily,
        }
    }

    pub fn rotated(&self, now: OffsetDateTime) -> Self {
        Self {
            status: RefreshStatus::Rotated,
            rotated_at: Some(now),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestRandomness, id};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    #[test]
    fn a_session_ends_when_revoked_or_past_its_lifetime() {
        let session = NewSession::begin(&TestRandomness, &id("u1"), 1, NOW);
        assert!(session.family.is_live(NOW));
        assert!(!session.family.is_live(NOW + SESSION_LIFETIME));
        let revoked = SessionFamily {
            revoked_at: Some(NOW),
            ..session.family
        };
        assert!(!revoked.is_live(NOW));
    }

    #[test]
    fn a_fresh_token_rotates() {
        let session = NewSession::begin(&TestRandomness, &id("u1"), 1, NOW);
        assert_eq!(
            session.refresh.decide(&session.family, 1, NOW),
            RefreshDecision::Rotate
        );
        assert_eq!(session.refresh.token_hash, session.token.hash());
    }

    #[test]
    fn a_rotated_token_within_the_grace_is_refused_and_later_revokes_the_family() {
        let session = NewSession::begin(&TestRandomness, &id("u1"), 1, NOW);
        let rotated = session.refresh.rotated(NOW);
        assert_eq!(
            rotated.decide(&session.family, 1, NOW + Duration::seconds(1)),
            RefreshDecision::Refuse
        );
        assert_eq!(
            rotated.decide(&session.family, 1, NOW + REUSE_GRACE),
            RefreshDecision::RevokeFamily
        );
    }

    #[test]
    fn a_bumped_token_version_a_revoked_family_or_an_expired_token_is_refused() {
        let session = NewSession::begin(&TestRandomness, &id("u1"), 1, NOW);
        assert_eq!(
            session.refresh.decide(&session.family, 2, NOW),
            RefreshDecision::Refuse
        );
        let revoked = SessionFamily {
            revoked_at: Some(NOW),
            ..session.family.clone()
        };
        assert_eq!(
            session.refresh.decide(&revoked, 1, NOW),
            RefreshDecision::Refuse
        );
        assert_eq!(
            session
                .refresh
                .decide(&session.family, 1, NOW + SESSION_LIFETIME),
            RefreshDecision::Refuse
        );
    }
}
