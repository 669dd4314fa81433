//! The link to choose a new password, sent when someone asks for a reset of a known
//! address. The token rides in the fragment (`/reset#token=...`), so it never reaches a
//! server log.

use portal_domain::types::Locale;
use time::OffsetDateTime;

use super::layout::{self, Block};
use super::{fill, language_for, utc_date_time};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) asked: &'static str,
    pub(super) reset: &'static str,
    pub(super) validity: &'static str,
    pub(super) not_you: &'static str,
}

/// `token` is the opened token, already checked to be base64url.
pub(crate) fn render(
    first_name: &str,
    token: &str,
    expires_at: OffsetDateTime,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let strings = &language.password_reset;
    let product = config.product_name.as_str();
    let expires_at = utc_date_time(expires_at, &language.date_time);
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.asked, &[("product", product)])),
        Block::Link {
            label: strings.reset.to_owned(),
            url: config.link(&format!("/reset#token={token}")),
        },
        Block::Paragraph(fill(strings.validity, &[("expires_at", &expires_at)])),
        Block::Paragraph(strings.not_you.to_owned()),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
