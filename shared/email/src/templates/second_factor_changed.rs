//! The notice after an account's second factors changed (an authenticator app or a passkey
//! added or removed, new recovery codes, or a reset by staff), so that the owner of the mailbox
//! learns of a change they did not make.

use portal_domain::outbox::SecondFactorChange;
use portal_domain::types::Locale;

use super::{language_for, password_changed};
use crate::{EmailConfig, RenderedEmail};

pub(super) struct Strings {
    pub(super) subject: &'static str,
    pub(super) greeting: &'static str,
    pub(super) authenticator_added: &'static str,
    pub(super) authenticator_removed: &'static str,
    pub(super) passkey_added: &'static str,
    pub(super) passkey_removed: &'static str,
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
    let changed = match change {
        SecondFactorChange::AuthenticatorAdded => strings.authenticator_added,
        SecondFactorChange::AuthenticatorRemoved => strings.authenticator_removed,
        SecondFactorChange::PasskeyAdded => strings.passkey_added,
        SecondFactorChange::PasskeyRemoved => strings.passkey_removed,
        SecondFactorChange::RecoveryCodesReplaced => strings.recovery_codes_replaced,
        SecondFactorChange::ResetByStaff => strings.reset_by_staff,
    };
    let notice = password_changed::Strings {
        subject: strings.subject,
        greeting: strings.greeting,
        changed,
        not_you: strings.not_you,
        reset: strings.reset,
        tell_us: strings.tell_us,
    };
    password_changed::notice(&notice, first_name, locale, config)
}
