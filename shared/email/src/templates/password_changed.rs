//! The notice after a password change (through a reset link or from the account page),
//! so that the owner of the mailbox learns of a change they did not make.

use portal_domain::pages;
use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) changed: &'static str,
    pub(super) not_you: &'static str,
    pub(super) reset: &'static str,
    pub(super) tell_us: &'static str,
}

pub(crate) fn render(first_name: &str, locale: &Locale, config: &EmailConfig) -> RenderedEmail {
    let (_, language) = language_for(locale);
    notice(&language.password_changed, first_name, locale, config)
}

/// A change to the account its owner may not have made: what changed, then the way back
/// (a password reset) and whom to tell. Second-factor changes are told the same way.
pub(super) fn notice(
    strings: &Strings,
    first_name: &str,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let product = config.product_name.as_str();
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.changed, &[("product", product)])),
        Block::Paragraph(strings.not_you.to_owned()),
        Block::Link {
            label: strings.reset.to_owned(),
            url: config.link(pages::RESET),
        },
        Block::Paragraph(fill(
            strings.tell_us,
            &[("support", &config.support_address)],
        )),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
