//! Access information staff sent an active user: their username and a link to choose a
//! password (the user's sessions go on until it is used).

use portal_domain::pages;
use portal_domain::types::Locale;
use time::OffsetDateTime;

use super::{language_for, link_email};
use crate::{EmailConfig, RenderedEmail};

pub(super) type Strings = link_email::Strings;

/// `token` is the opened token, already checked to be base64url.
pub(crate) fn render(
    first_name: &str,
    username: &str,
    token: &str,
    expires_at: OffsetDateTime,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    link_email::render(
        &language.access_info,
        pages::RESET,
        first_name,
        Some(username),
        token,
        expires_at,
        locale,
        config,
    )
}
