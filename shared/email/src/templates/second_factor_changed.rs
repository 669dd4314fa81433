//! The notice after an account's second factors changed (an authenticator app added or
//! removed, new recovery codes, or a reset by staff), so that the owner of the mailbox
//! learns of a change they did not make.

use portal_domain::outbox::SecondFactorChange;
use portal_domain::pages;
use portal_domain::types::Locale;

use super::layout::{self, Block};
use super::{fill, language_for};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) authenticator_added: &'static str,
    pub(super) authenticator_removed: &'static str,
    pub(super) recovery_codes_replaced: &'static str,
    pub(super) reset_by_staff: &'static str,
    pub(super) not_you: &'static str,
    pub(super) reset: &'static str,
    pub(super) tell_us: &'static str,
}

pub(crate) fn render(
    first_name: &str,
    change: SecondFactorChange,
    locale: &Locale,
    config: &EmailConfig,
) -> RenderedEmail {
    let (_, language) = language_for(locale);
    let strings = &language.second_factor_changed;
    let product = config.product_name.as_str();
    let changed = match change {
        SecondFactorChange::AuthenticatorAdded => strings.authenticator_added,
        SecondFactorChange::AuthenticatorRemoved => strings.authenticator_removed,
        SecondFactorChange::RecoveryCodesReplaced => strings.recovery_codes_replaced,
        SecondFactorChange::ResetByStaff => strings.reset_by_staff,
    };
    let blocks = [
        Block::Paragraph(fill(strings.greeting, &[("first_name", first_name)])),
        Block::Paragraph(fill(changed, &[("product", product)])),
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
