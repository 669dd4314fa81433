//! The answer to a registration that staff did not approve, with their reason.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{Languages, fill, strings_for};
use crate::{EmailConfig, RenderedEmail};

struct Strings {
    subject: &'static str,
    greeting: &'static str,
    outcome: &'static str,
    reason: &'static str,
    questions: &'static str,
}

const EN: Strings = Strings {
    subject: "Your {product} access request",
    greeting: "Hello {first_name},",
    outcome: "Your request for access to {product} was not approved.",
    reason: "The reason given:",
    questions: "If you have questions about this decision, write to {support}.",
};

static LANGUAGES: &Languages<Strings> = &[("en", &EN)];

pub(crate) fn render(
    first_name: &str,
    reason: &str,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, strings) = strings_for(LANGUAGES, locale);
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
