//! The link that lets an approved person choose a password and start using the portal.

use portal_domain::pages;
use portal_domain::types::Locale;
use time::OffsetDateTime;

use super::{language_for, link_email};
use crate::{EmailConfig, RenderedEmail};

pub(super) type Strings = link_email::Strings;

/// `token` is the opened token, already checked to be base64url.
pub(crate) fn render(
    first_name: &str,
    username: Option<&str>,
    token: &str,
    expires_at: OffsetDateTime,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    link_email::render(
        &language.invitation,
        pages::WELCOME,
        first_name,
        username,
        token,
        expires_at,
        locale,
        config,
    )
}
