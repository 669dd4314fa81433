//! The link to choose a new password, sent when someone asks for a reset of a known
//! address. The token rides in the fragment (`/reset#token=...`), so it never reaches a
//! server log.

use portal_domain::types::Locale;
use time::OffsetDateTime;

use super::layout::{self, Block};
use super::{DateTimeFormat, EN_DATE_TIME, Languages, fill, strings_for, utc_date_time};
use crate::{EmailConfig, RenderedEmail};

struct Strings {
    subject: &'static str,
    greeting: &'static str,
    asked: &'static str,
    reset: &'static str,
    validity: &'static str,
    not_you: &'static str,
    expires_at: DateTimeFormat,
}

const EN: Strings = Strings {
    subject: "Reset your {product} password",
    greeting: "Hello {first_name},",
    asked: "Someone (hopefully you) asked to reset your {product} password. Choose a new one here:",
    reset: "Choose a new password",
    validity: "The link works until {expires_at} and can be used only once.",
    not_you: "If you did not ask for this, you can ignore this email; your password stays unchanged.",
    expires_at: EN_DATE_TIME,
};

static LANGUAGES: &Languages<Strings> = &[("en", &EN)];

/// `token` is the opened token, already checked to be base64url.
pub(crate) fn render(
    first_name: &str,
    token: &str,
    expires_at: OffsetDateTime,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, strings) = strings_for(LANGUAGES, locale);
    let product = config.product_name.as_str();
    let expires_at = utc_date_time(expires_at, &strings.expires_at);
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
