//! Emails are written to an outbox in the same atomic write as the transition that
//! causes them, and delivered after commit. The domain decides what an email says;
//! `portal-email` decides how it looks.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::random::{Randomness, new_id};
use crate::registration::Registration;
use crate::types::{EmailAddress, Locale};

/// What an email is about, with the facts its template needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailContent {
    VerificationCode {
        first_name: String,
        code: String,
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
    PasswordChanged {
        first_name: String,
    },
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
            Self::PasswordChanged { .. } => "password_changed",
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
}

impl OutboxMessage {
    /// An email to the person behind a request, in their language, dated by the transition.
    pub fn to_registrant(
        random: &dyn Randomness,
        registration: &Registration,
        content: EmailContent,
    ) -> Self {
        Self::new(
            random,
            registration.email.clone(),
            registration.locale.clone(),
            content,
            registration.updated_at,
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
        }
    }
}
