//! One module per kind of email. Each holds the shape of its strings and composes
//! [`layout::Block`]s from them; the layout alone turns blocks into text and HTML, so
//! escaping happens in one place. The strings themselves live in [`lang`], one file per
//! language holding every kind's strings; adding a language means adding one file there
//! and one line to its registry.

pub(crate) mod access_info;
pub(crate) mod already_registered;
pub(crate) mod deactivated;
pub(crate) mod invitation;
mod lang;
pub(crate) mod layout;
mod link_email;
pub(crate) mod password_changed;
pub(crate) mod password_reset;
pub(crate) mod rejection;
pub(crate) mod second_factor_changed;
pub(crate) mod verification_code;

use portal_domain::types::Locale;
use time::{OffsetDateTime, UtcOffset};

use self::lang::{LANGUAGES, Language};

/// A language tag and its strings; the first entry is the fallback for unknown languages.
type Languages<T> = [(&'static str, &'static T)];

/// The strings for `locale`'s language, or the fallback (first) ones.
fn strings_for<T>(languages: &'static Languages<T>, locale: &Locale) -> (&'static str, &'static T) {
    *languages
        .iter()
        .find(|(language, _)| *language == locale.language())
        .unwrap_or(&languages[0])
}

/// The tag and strings of `locale`'s primary language, or English's.
fn language_for(locale: &Locale) -> (&'static str, &'static Language) {
    strings_for(LANGUAGES, locale)
}

/// Replaces every `{name}` of `template` by its value. One pass, so a value that itself
/// contains `{...}` (a hostile first name) is never expanded; unknown names stay as they are.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('}').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a language writes a moment: a pattern over `{day}`, `{month}` (a name from
/// `months`, January first), `{year}`, `{hour}` and `{minute}` (both two digits, 24-hour).
struct DateTimeFormat {
    pattern: &'static str,
    months: [&'static str; 12],
}

/// `at` in UTC, written the way `format` says; seconds are dropped, so the moment shown
/// is never later than `at`.
fn utc_date_time(at: OffsetDateTime, format: &DateTimeFormat) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let month = format.months[usize::from(u8::from(at.month())) - 1];
    fill(
        format.pattern,
        &[
            ("day", &at.day().to_string()),
            ("month", month),
            ("year", &at.year().to_string()),
            ("hour", &format!("{:02}", at.hour())),
            ("minute", &format!("{:02}", at.minute())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_placeholders() {
        let filled = fill("Hello {name}, {n} left", &[("name", "Ada"), ("n", "3")]);
        assert_eq!(filled, "Hello Ada, 3 left");
    }

    #[test]
    fn fill_never_expands_placeholders_inside_values() {
        let filled = fill("{name}: {code}", &[("name", "{code}"), ("code", "123456")]);
        assert_eq!(filled, "{code}: 123456");
    }

    #[test]
    fn fill_keeps_unknown_placeholders_and_stray_braces() {
        assert_eq!(fill("{x} { {", &[("y", "1")]), "{x} { {");
    }

    fn date_time(language: &str) -> &'static DateTimeFormat {
        &language_for(&Locale::parse(language).unwrap()).1.date_time
    }

    #[test]
    fn a_moment_is_written_in_utc_with_the_month_name_and_two_digit_time() {
        let at = time::macros::datetime!(2026-11-24 14:05:59 UTC);
        assert_eq!(
            utc_date_time(at, date_time("en")),
            "24 November 2026, 14:05 UTC"
        );
        let early = time::macros::datetime!(2027-01-02 00:07 UTC);
        assert_eq!(
            utc_date_time(early, date_time("en")),
            "2 January 2027, 00:07 UTC"
        );
    }

    #[test]
    fn a_moment_with_another_offset_is_converted_to_utc_first() {
        let at = time::macros::datetime!(2026-12-01 01:30 +02:00);
        assert_eq!(
            utc_date_time(at, date_time("en")),
            "30 November 2026, 23:30 UTC"
        );
    }

    #[test]
    fn a_german_moment_has_a_dotted_day_and_a_german_month_name() {
        let at = time::macros::datetime!(2026-03-01 02:19:59 UTC);
        assert_eq!(
            utc_date_time(at, date_time("de")),
            "1. März 2026, 02:19 UTC"
        );
    }

    #[test]
    fn the_language_is_chosen_by_the_primary_subtag_and_falls_back_to_english() {
        for (locale, tag) in [
            ("en", "en"),
            ("en-GB", "en"),
            ("de", "de"),
            ("de-AT", "de"),
            ("de-CH", "de"),
            ("fr", "en"),
            ("fr-CA", "en"),
        ] {
            let (chosen, _) = language_for(&Locale::parse(locale).unwrap());
            assert_eq!(chosen, tag, "{locale}");
        }
    }

    #[test]
    fn english_is_the_first_and_every_tag_is_a_lowercase_primary_subtag_listed_once() {
        assert_eq!(LANGUAGES[0].0, "en");
        for (i, (tag, _)) in LANGUAGES.iter().enumerate() {
            let parsed = Locale::parse(tag).unwrap();
            assert_eq!(parsed.language(), *tag);
            assert!(
                LANGUAGES[..i].iter().all(|(other, _)| other != tag),
                "{tag}"
            );
        }
    }

    #[test]
    fn unknown_languages_fall_back_to_the_first_table_entry() {
        static EN: &str = "english";
        static LANGUAGES: &Languages<&str> = &[("en", &EN)];
        let locale = Locale::parse("fr-CA").unwrap();
        assert_eq!(strings_for(LANGUAGES, &locale), ("en", &EN));
    }
}
