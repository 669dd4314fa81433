//! The shape of every email that carries a one-time link (invitation, password reset):
//! greeting, why, the button, how long it works, and what to do if unexpected. The token
//! rides in the URL fragment, so it never reaches a server log.

use portal_domain::types::Locale;
use time::OffsetDateTime;

use super::layout::{self, Block};
use super::{fill, language_for, utc_date_time};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    /// Why the email came, introducing the button.
    pub(super) intro: &'static str,
    /// The button's label.
    pub(super) button: &'static str,
    /// What the person signs in with, shown when the email names it.
    pub(super) username: &'static str,
    pub(super) validity: &'static str,
    pub(super) not_you: &'static str,
}

/// The link is `<base><page>#token=<token>`; `token` is the opened token, already checked
/// to be base64url.
#[allow(clippy::too_many_arguments)] // one per part of the email, each named at the call
pub(super) fn render(
    strings: &Strings,
    page: &str,
    first_name: &str,
    username: Option<&str>,
    token: &str,
    expires_at: OffsetDateTime,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let product = config.product_name.as_str();
    let expires_at = utc_date_time(expires_at, &language.date_time);
    let mut blocks = vec![
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.intro, &[("product", product)])),
    ];
    if let Some(username) = username {
        blocks.push(Block::Paragraph(fill(
            strings.username,
            &[("username", username)],
        )));
    }
    blocks.extend([
        Block::Link {
            label: strings.button.to_owned(),
            url: config.link(&format!("{page}#token={token}")),
        },
        Block::Paragraph(fill(strings.validity, &[("expires_at", &expires_at)])),
        Block::Paragraph(strings.not_you.to_owned()),
    ]);
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
