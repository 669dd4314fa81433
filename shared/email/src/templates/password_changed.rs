//! The notice after a password change (through a reset link or from the account page),
//! so that the owner of the mailbox learns of a change they did not make.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{Languages, fill, strings_for};
use crate::{EmailConfig, RenderedEmail};

struct Strings {
    subject: &'static str,
    greeting: &'static str,
    changed: &'static str,
    not_you: &'static str,
    reset: &'static str,
    tell_us: &'static str,
}

const EN: Strings = Strings {
    subject: "Your {product} password was changed",
    greeting: "Hello {first_name},",
    changed: "Your {product} password was just changed, and every signed-in session was signed out.",
    not_you: "If this wasn't you, reset your password at once:",
    reset: "Reset your password",
    tell_us: "Then write to {support} so we can look into it.",
};

static LANGUAGES: &Languages<Strings> = &[("en", &EN)];

pub(crate) fn render(first_name: &str, locale: &Locale, config: &EmailConfig) -> RenderedEmail {
    let (_, strings) = strings_for(LANGUAGES, locale);
    let product = config.product_name.as_str();
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(strings.changed, &[("product", product)])),
        Block::Paragraph(strings.not_you.to_owned()),
        Block::Link {
            label: strings.reset.to_owned(),
            url: config.link("/reset"),
        },
        Block::Paragraph(fill(
            strings.tell_us,
            &[("support", &config.support_address)],
        )),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
