//! Access information staff sent an active user: their username and a link to choose a
//! password (the user's sessions go on until it is used).

use portal_domain::ids::OidcClientId;
use portal_domain::pages;
use portal_domain::types::Locale;
use time::OffsetDateTime;

use super::{language_for, link_email};
use crate::{EmailConfig, RenderedEmail};

pub(super) type Strings = link_email::Strings;

/// `token` is the opened token, already checked to be base64url; `client_id` the app the
/// link leads on to.
#[allow(clippy::too_many_arguments)] // one per part of the email, each named at the call
pub(crate) fn render(
    first_name: &str,
    username: &str,
    token: &str,
    expires_at: OffsetDateTime,
    client_id: Option<&OidcClientId>,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    link_email::render(
        &language.access_info,
        &pages::for_app(pages::RESET, client_id),
        first_name,
        Some(username),
        token,
        expires_at,
        locale,
        config,
    )
}
