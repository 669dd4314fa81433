//! Every language the emails are written in, one file each.
//!
//! To add a language:
//! 1. copy `en.rs` to `<tag>.rs` (the primary language subtag, like `fr`), rename its
//!    static and translate every string, including the date pattern and month names;
//! 2. declare the module below and add one `("<tag>", &<tag>::<STATIC>)` line to
//!    [`LANGUAGES`].
//!
//! The compiler then checks that no string is missing, and a locale like `fr-CA` picks
//! the new language through its primary subtag. Snapshot tests live in
//! `tests/localization.rs`; add the tag there too and run them once with
//! `UPDATE_SNAPSHOTS=1` to write the new language's snapshots.

mod de;
mod en;

use super::{
    DateTimeFormat, access_info, already_registered, deactivated, invitation, layout,
    password_changed, password_reset, rejection, second_factor_changed, verification_code,
};

/// Everything one language says: the strings of every kind of email, the frame they
/// share, and how a moment is written.
pub(super) struct Language {
    pub(super) layout: layout::Strings,
    pub(super) verification_code: verification_code::Strings,
    pub(super) already_registered: already_registered::Strings,
    pub(super) invitation: invitation::Strings,
    pub(super) rejection: rejection::Strings,
    pub(super) password_reset: password_reset::Strings,
    pub(super) access_info: access_info::Strings,
    pub(super) password_changed: password_changed::Strings,
    pub(super) deactivated: deactivated::Strings,
    pub(super) second_factor_changed: second_factor_changed::Strings,
    pub(super) date_time: DateTimeFormat,
}

/// A primary language subtag (lowercase) and its strings. English comes first: it is the
/// fallback for every language not listed here.
pub(super) static LANGUAGES: &[(&str, &Language)] = &[("en", &en::EN), ("de", &de::DE)];
