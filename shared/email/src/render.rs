use portal_domain::outbox::{EmailContent, OutboxMessage};

use crate::EmailConfig;
use crate::templates::{already_registered, verification_code};

/// An email ready to send: both bodies say the same thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders `message` in its locale's language (English when that one is not written yet).
pub fn render(message: &OutboxMessage, config: &EmailConfig) -> RenderedEmail {
    let locale = &message.locale;
    match &message.content {
        EmailContent::VerificationCode {
            first_name,
            code,
            valid_minutes,
        } => verification_code::render(first_name, code, *valid_minutes, locale, config),
        EmailContent::AlreadyRegistered { first_name } => {
            already_registered::render(first_name, locale, config)
        }
    }
}
