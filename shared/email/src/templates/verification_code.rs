//! The code that proves a person owns the address they registered with.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{Languages, fill, strings_for};
use crate::{EmailConfig, RenderedEmail};

struct Strings {
    subject: &'static str,
    greeting: &'static str,
    intro: &'static str,
    validity: &'static str,
    not_you: &'static str,
}

const EN: Strings = Strings {
    subject: "Your {product} verification code",
    greeting: "Hello {first_name},",
    intro: "Enter this code to confirm your email address and continue your registration for {product}:",
    validity: "The code works for {minutes} minutes.",
    not_you: "If you did not ask for this code, you can ignore this email; nothing happens without it.",
};

static LANGUAGES: &Languages<Strings> = &[("en", &EN)];

pub(crate) fn render(
    first_name: &str,
    code: &str,
    valid_minutes: u32,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, strings) = strings_for(LANGUAGES, locale);
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
