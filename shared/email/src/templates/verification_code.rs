//! The code that proves a person owns the address they registered with.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) intro: &'static str,
    pub(super) validity: &'static str,
    pub(super) not_you: &'static str,
}

pub(crate) fn render(
    first_name: &str,
    code: &str,
    valid_minutes: u32,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let strings = &language.verification_code;
    let product = config.product_name.as_str();
    let minutes = valid_minutes.to_string();
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.intro, &[("product", product)])),
        Block::Code(code.to_owned()),
        Block::Paragraph(fill(strings.validity, &[("minutes", &minutes)])),
        Block::Paragraph(strings.not_you.to_owned()),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
