//! Emails are written to an outbox in the same atomic write as the transition that
//! causes them, and delivered after commit. The domain decides what an email says;
//! `portal-email` decides how it looks.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::OidcClientId;
use crate::random::{Randomness, new_id};
use crate::registration::Registration;
use crate::types::{EmailAddress, Locale};

/// What an email is about, with the facts its template needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailContent {
    /// The 6-digit code, sealed like the link tokens, so that neither the outbox item nor
    /// the table's stream holds it in clear. (Messages written before it was sealed carry
    /// the plain code under `code`; the seal does not open on those, and the mailer
    /// gives up on them as on any message it cannot render.)
    VerificationCode {
        first_name: String,
        #[serde(alias = "code")]
        sealed_code: String,
        valid_minutes: u32,
    },
    AlreadyRegistered {
        first_name: String,
    },
    /// The link to set a password. The token is sealed (see `sealed`): only the mailer,
    /// holding the key, can put it into the link.
    Invitation {
        first_name: String,
        sealed_token: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
        /// What the person signs in with, shown beside the link (absent in messages
        /// queued before it was).
        #[serde(default)]
        username: Option<String>,
        /// The app the link leads to once the password is set (an OpenID client).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<OidcClientId>,
    },
    Rejection {
        first_name: String,
        reason: String,
    },
    /// The link to choose a new password, sealed like an invitation's.
    PasswordReset {
        first_name: String,
        sealed_token: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
    },
    /// Access information staff sent an active user: their username and a link to set a
    /// password, sealed like an invitation's.
    AccessInfo {
        first_name: String,
        username: String,
        sealed_token: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
        /// The app the link leads to once the password is set (an OpenID client).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<OidcClientId>,
    },
    PasswordChanged {
        first_name: String,
    },
    /// The account was deactivated: sessions ended, pending invitation revoked.
    Deactivated {
        first_name: String,
    },
    /// The account's second factors changed, so that the owner of the mailbox learns of a
    /// change they did not make.
    SecondFactorChanged {
        first_name: String,
        change: SecondFactorChange,
    },
}

/// What happened to an account's second factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorChange {
    /// The person set up an authenticator app.
    AuthenticatorAdded,
    /// The person removed their authenticator app.
    AuthenticatorRemoved,
    /// The person registered a passkey.
    PasskeyAdded,
    /// The person removed a passkey.
    PasskeyRemoved,
    /// The person made new recovery codes; the old ones no longer work.
    RecoveryCodesReplaced,
    /// Staff removed every second factor (the person asked, having lost their phone).
    ResetByStaff,
}

impl OutboxMessage {
    /// This message, its link leading on to the app `client_id` names (invitations and
    /// access information only; other messages carry no such link).
    pub fn for_app(mut self, client_id: Option<&OidcClientId>) -> Self {
        if let EmailContent::Invitation { client_id: app, .. }
        | EmailContent::AccessInfo { client_id: app, .. } = &mut self.content
        {
            *app = client_id.cloned();
        }
        self
    }
}

impl EmailContent {
    /// The `kind` shown in the outbox.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::VerificationCode { .. } => "verification_code",
            Self::AlreadyRegistered { .. } => "already_registered",
            Self::Invitation { .. } => "invitation",
            Self::Rejection { .. } => "rejection",
            Self::PasswordReset { .. } => "password_reset",
            Self::AccessInfo { .. } => "access_info",
            Self::PasswordChanged { .. } => "password_changed",
            Self::Deactivated { .. } => "deactivated",
            Self::SecondFactorChanged { .. } => "second_factor_changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub to: EmailAddress,
    pub locale: Locale,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub content: EmailContent,
    /// Until when the process that commits the message holds it for one immediate try
    /// (see `FIRST_TRY_OWNER`); `None` leaves it to the mailer from the start.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub first_try_until: Option<OffsetDateTime>,
}

/// The claim a message is written with, so the committing process can send it at once
/// without another write. Only that process ever acts as this owner; if it dies, the
/// claim lapses after `FIRST_TRY_LEASE` and the mailer takes the message over.
pub const FIRST_TRY_OWNER: &str = "first-try";

/// How long a claim keeps other deliverers away: well above one SES call, short enough
/// that a crashed deliverer delays an email by about a minute.
pub const CLAIM_LEASE: Duration = Duration::seconds(60);
pub const FIRST_TRY_LEASE: Duration = CLAIM_LEASE;

impl OutboxMessage {
    /// An email to the person behind a request, in their language, dated by the transition.
    pub fn to_registrant(
        random: &dyn Randomness,
        registration: &Registration,
        content: EmailContent,
    ) -> Self {
        Self::new(
            random,
            registration.email().clone(),
            registration.locale().clone(),
            content,
            registration.updated_at(),
        )
    }

    pub fn new(
        random: &dyn Randomness,
        to: EmailAddress,
        locale: Locale,
        content: EmailContent,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: new_id(random),
            to,
            locale,
            created_at: now,
            content,
            first_try_until: Some(now + FIRST_TRY_LEASE),
        }
    }

    /// The same message left to the mailer: for transitions that write many emails at
    /// once, which must not wait on sending them.
    pub fn for_mailer(self) -> Self {
        Self {
            first_try_until: None,
            ..self
        }
    }
}

/// A deliverer's hold on one message: nobody else sends it until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryClaim {
    pub owner: String,
    pub until: OffsetDateTime,
}

/// A message taken for delivery, with the tries made so far including this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedEmail {
    pub message: OutboxMessage,
    pub attempts: u32,
}

/// What a failed try leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryFailure {
    /// Pending again, not tried before `at`.
    RetryAt { at: OffsetDateTime, error: String },
    /// Given up: listed for staff, never tried again.
    Dead { at: OffsetDateTime, error: String },
}

/// A message the mailer gave up on, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadEmail {
    pub message: OutboxMessage,
    pub attempts: u32,
    pub last_error: String,
    pub died_at: OffsetDateTime,
    /// Each time staff put it back on the mailer's list (it died again since).
    pub requeues: Vec<crate::audit::AuditEvent>,
}

/// Bounded retries with exponential backoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first one included.
    pub max_attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 1, 2, 4, ... 32 minutes, then hourly: eight tries over about three hours, which
    /// outlasts an SES throttling episode or a sender being verified.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_delay: Duration::minutes(1),
            max_delay: Duration::hours(1),
        }
    }
}

impl RetryPolicy {
    /// What becomes of a message whose try number `attempts` (1-based) failed at `now`.
    pub fn after_failure(
        &self,
        attempts: u32,
        now: OffsetDateTime,
        error: String,
    ) -> DeliveryFailure {
        if attempts >= self.max_attempts {
            return DeliveryFailure::Dead { at: now, error };
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let delay = self
            .first_delay
            .checked_mul(1 << doublings)
            .map_or(self.max_delay, |delay| delay.min(self.max_delay));
        DeliveryFailure::RetryAt {
            at: now + delay,
            error,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap_then_give_up() {
        let policy = RetryPolicy::default();
        let now = datetime!(2026-11-23 10:00 UTC);
        let delays: Vec<_> = (1..policy.max_attempts)
            .map(
                |attempts| match policy.after_failure(attempts, now, "x".into()) {
                    DeliveryFailure::RetryAt { at, .. } => (at - now).whole_minutes(),
                    dead => panic!("gave up after {attempts}: {dead:?}"),
                },
            )
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60]);
        assert_eq!(
            policy.after_failure(policy.max_attempts, now, "boom".into()),
            DeliveryFailure::Dead {
                at: now,
                error: "boom".into()
            }
        );
    }

    #[test]
    fn a_message_left_to_the_mailer_has_no_first_try() {
        let message = OutboxMessage {
            id: "m".into(),
            to: crate::types::EmailAddress::parse("a@example.com").unwrap(),
            locale: Locale::default(),
            created_at: datetime!(2026-11-23 10:00 UTC),
            content: EmailContent::AlreadyRegistered {
                first_name: "A".into(),
            },
            first_try_until: Some(datetime!(2026-11-23 10:01 UTC)),
        };
        assert_eq!(message.for_mailer().first_try_until, None);
    }
}
