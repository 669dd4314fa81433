//! Sent instead of a code when the address already has an account, so the registration
//! form answers the same either way and only the mailbox owner learns the difference.

use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{Languages, fill, strings_for};
use crate::{EmailConfig, RenderedEmail};

struct Strings {
    subject: &'static str,
    greeting: &'static str,
    exists: &'static str,
    login: &'static str,
    reset: &'static str,
    not_you: &'static str,
}

const EN: Strings = Strings {
    subject: "Your {product} account already exists",
    greeting: "Hello {first_name},",
    exists: "Someone asked to register this email address for {product}, but an account already exists for it.",
    login: "Log in",
    reset: "Forgot your password? Reset it",
    not_you: "If you did not try to register, you can ignore this email; your account is unchanged.",
};

static LANGUAGES: &Languages<Strings> = &[("en", &EN)];

pub(crate) fn render(first_name: &str, locale: &Locale, config: &EmailConfig) -> RenderedEmail {
    let (_, strings) = strings_for(LANGUAGES, locale);
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
            url: config.link("/reset"),
        },
        Block::Paragraph(strings.not_you.to_owned()),
    ];
    let subject = fill(strings.subject, &[("product", product)]);
    layout::render(subject, &blocks, locale, config)
}
