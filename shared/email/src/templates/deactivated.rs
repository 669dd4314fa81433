//! The notice that staff or the organization's administrator deactivated an account, so
//! the person learns why they were signed out and whom to ask if it was a mistake.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) deactivated: &'static str,
    pub(super) consequences: &'static str,
    pub(super) mistake: &'static str,
}

pub(crate) fn render(first_name: &str, locale: &Locale, config: &EmailConfig) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let strings = &language.deactivated;
    let product = config.product_name.as_str();
    // No link: neither logging in nor an invitation works for a deactivated account.
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.deactivated, &[("product", product)])),
        Block::Paragraph(strings.consequences.to_owned()),
        Block::Paragraph(fill(
            strings.mistake,
            &[("support", &config.support_address)],
        )),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
