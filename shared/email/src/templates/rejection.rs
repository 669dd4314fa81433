//! The answer to a registration that staff did not approve, with their reason.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) outcome: &'static str,
    pub(super) reason: &'static str,
    pub(super) questions: &'static str,
}

pub(crate) fn render(
    first_name: &str,
    reason: &str,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let strings = &language.rejection;
    let product = config.product_name.as_str();
    let mut blocks = vec![
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.outcome, &[("product", product)])),
    ];
    // The domain never sends an empty reason; should one come, say nothing rather than
    // introduce a blank quote.
    if !reason.trim().is_empty() {
        blocks.push(Block::Paragraph(strings.reason.to_owned()));
        blocks.push(Block::Quote(reason.to_owned()));
    }
    blocks.push(Block::Paragraph(fill(
        strings.questions,
        &[("support", &config.support_address)],
    )));
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
