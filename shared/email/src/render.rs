use std::fmt;

use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::ports::MailError;

use crate::EmailConfig;
use crate::templates::{
    access_info, already_registered, deactivated, invitation, password_changed, password_reset,
    rejection, second_factor_changed, verification_code,
};

/// An email ready to send: both bodies say the same thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a message cannot be rendered. It must then stay in the outbox, unsent: an email
/// with a broken link is worse than a late one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    /// The token of an invitation or password reset does not open with the configured
    /// seal key: it was sealed with another `OUTBOX_SEAL_KEY`, or altered.
    SealDoesNotOpen { outbox_id: String },
    /// The token opened but is not base64url, so it cannot go into a link as it is (or a
    /// code opened but is not 6 digits).
    MalformedToken { outbox_id: String },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ids only: neither the sealed nor the opened token belongs in a log line.
        match self {
            Self::SealDoesNotOpen { outbox_id } => write!(
                f,
                "outbox message {outbox_id} cannot be rendered: its sealed token or code does \
                 not open with the configured seal key (sealed with another OUTBOX_SEAL_KEY, or \
                 altered)"
            ),
            Self::MalformedToken { outbox_id } => write!(
                f,
                "outbox message {outbox_id} cannot be rendered: its token is not base64url, or \
                 its code not 6 digits"
            ),
        }
    }
}

impl std::error::Error for RenderError {}

impl From<RenderError> for MailError {
    fn from(error: RenderError) -> Self {
        MailError(error.to_string())
    }
}

/// Renders `message` in its locale's language (English when that one is not written yet).
pub fn render(message: &OutboxMessage, config: &EmailConfig) -> Result<RenderedEmail, RenderError> {
    let locale = &message.locale;
    let rendered = match &message.content {
        EmailContent::VerificationCode {
            first_name,
            sealed_code,
            valid_minutes,
        } => {
            let code = open_code(message, sealed_code, config)?;
            verification_code::render(first_name, &code, *valid_minutes, locale, config)
        }
        EmailContent::AlreadyRegistered { first_name } => {
            already_registered::render(first_name, locale, config)
        }
        EmailContent::Invitation {
            first_name,
            sealed_token,
            expires_at,
            username,
            client_id,
        } => {
            let token = open_token(message, sealed_token, config)?;
            let username = username.as_deref();
            let app = client_id.as_ref();
            invitation::render(
                first_name,
                username,
                &token,
                *expires_at,
                app,
                locale,
                config,
            )
        }
        EmailContent::Rejection { first_name, reason } => {
            rejection::render(first_name, reason, locale, config)
        }
        EmailContent::PasswordReset {
            first_name,
            sealed_token,
            expires_at,
        } => {
            let token = open_token(message, sealed_token, config)?;
            password_reset::render(first_name, &token, *expires_at, locale, config)
        }
        EmailContent::AccessInfo {
            first_name,
            username,
            sealed_token,
            expires_at,
            client_id,
        } => {
            let token = open_token(message, sealed_token, config)?;
            let app = client_id.as_ref();
            access_info::render(
                first_name,
                username,
                &token,
                *expires_at,
                app,
                locale,
                config,
            )
        }
        EmailContent::PasswordChanged { first_name } => {
            password_changed::render(first_name, locale, config)
        }
        EmailContent::Deactivated { first_name } => deactivated::render(first_name, locale, config),
        EmailContent::SecondFactorChanged { first_name, change } => {
            second_factor_changed::render(first_name, *change, locale, config)
        }
    };
    Ok(rendered)
}

/// The code, checked to be the 6 digits it was sealed as.
fn open_code(
    message: &OutboxMessage,
    sealed_code: &str,
    config: &EmailConfig,
) -> Result<String, RenderError> {
    let code = config
        .sealer
        .open(sealed_code)
        .ok_or_else(|| RenderError::SealDoesNotOpen {
            outbox_id: message.id.clone(),
        })?;
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(RenderError::MalformedToken {
            outbox_id: message.id.clone(),
        });
    }
    Ok(code)
}

/// The token for the link, checked to be base64url so it goes into the URL unchanged.
fn open_token(
    message: &OutboxMessage,
    sealed_token: &str,
    config: &EmailConfig,
) -> Result<String, RenderError> {
    let outbox_id = || message.id.clone();
    let token = config
        .sealer
        .open(sealed_token)
        .ok_or_else(|| RenderError::SealDoesNotOpen {
            outbox_id: outbox_id(),
        })?;
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if token.is_empty() || !token.chars().all(url_safe) {
        return Err(RenderError::MalformedToken {
            outbox_id: outbox_id(),
        });
    }
    Ok(token)
}
