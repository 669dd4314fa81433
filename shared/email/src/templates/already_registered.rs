//! Sent instead of a code when the address already has an account, so the registration
//! form answers the same either way and only the mailbox owner learns the difference.

use portal_domain::pages;
use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) exists: &'static str,
    pub(super) login: &'static str,
    pub(super) reset: &'static str,
    pub(super) not_you: &'static str,
}

pub(crate) fn render(first_name: &str, locale: &Locale, config: &EmailConfig) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let strings = &language.already_registered;
    let product = config.product_name.as_str();
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.exists, &[("product", product)])),
        Block::Link {
            label: strings.login.to_owned(),
            url: config.link("/login"),
        },
        Block::Link {
            label: strings.reset.to_owned(),
            url: config.link(pages::RESET),
        },
        Block::Paragraph(strings.not_you.to_owned()),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
