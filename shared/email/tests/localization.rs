//! Every kind of email in every language, compared to the committed snapshots in
//! `tests/snapshots/<kind>.<language>.txt`. After a deliberate change of wording or
//! layout, rewrite them with
//! `UPDATE_SNAPSHOTS=1 cargo test -p portal-email --test localization` and review the diff.

use std::sync::Arc;

use std::path::PathBuf;
use std::{env, fs};

use portal_adapters::SealKey;
use portal_domain::outbox::{EmailContent, OutboxMessage, SecondFactorChange};
use portal_domain::sealed::Sealer;
use portal_domain::types::{EmailAddress, Locale};
use portal_email::{EmailConfig, RenderedEmail, render};
use time::macros::datetime;

/// Every language written; each gets a snapshot per kind.
const LANGUAGES: [&str; 2] = ["en", "de"];
const SEAL_KEY: &str = "mk-0SLqJ1HT6tYsFdJI6JaRcH4XbfoImE5Bu_kKXFfE";
const TOKEN: &str = "Zm9vYmFyLWJhei1xdXV4LXRva2VuLTMyLWJ5dGVzLTA";

fn seal_key() -> SealKey {
    SealKey::from_base64(SEAL_KEY).unwrap()
}

fn config() -> EmailConfig {
    EmailConfig {
        product_name: "Acme portal".to_owned(),
        sender: "portal@acme.example".to_owned(),
        support_address: "help@acme.example".to_owned(),
        portal_base_url: "https://portal.acme.example/".to_owned(),
        sealer: Arc::new(seal_key()),
    }
}

/// The sealed form changes with every seal; the rendered email does not, since it shows
/// the opened token only.
fn sealed_token() -> String {
    seal_key().seal(TOKEN)
}

/// One fixed message of each kind, named as in the snapshot files.
fn kinds() -> Vec<(&'static str, EmailContent)> {
    let first_name = || "Ada".to_owned();
    vec![
        (
            "verification_code",
            EmailContent::VerificationCode {
                first_name: first_name(),
                sealed_code: seal_key().seal("042917"),
                valid_minutes: 10,
            },
        ),
        (
            "already_registered",
            EmailContent::AlreadyRegistered {
                first_name: first_name(),
            },
        ),
        (
            "invitation",
            EmailContent::Invitation {
                first_name: first_name(),
                sealed_token: sealed_token(),
                expires_at: datetime!(2026-11-26 02:19:30 UTC),
                username: Some("ada@example.com".to_owned()),
                client_id: None,
            },
        ),
        (
            "rejection",
            EmailContent::Rejection {
                first_name: first_name(),
                reason: "We could not confirm your company.\nPlease call us.".to_owned(),
            },
        ),
        (
            "password_reset",
            EmailContent::PasswordReset {
                first_name: first_name(),
                sealed_token: sealed_token(),
                expires_at: datetime!(2026-03-01 13:00:45 UTC),
            },
        ),
        (
            "access_info",
            EmailContent::AccessInfo {
                first_name: first_name(),
                username: "ada@example.com".to_owned(),
                sealed_token: sealed_token(),
                expires_at: datetime!(2026-03-04 12:00:00 UTC),
                client_id: None,
            },
        ),
        (
            "password_changed",
            EmailContent::PasswordChanged {
                first_name: first_name(),
            },
        ),
        (
            "deactivated",
            EmailContent::Deactivated {
                first_name: first_name(),
            },
        ),
        (
            "second_factor_changed",
            EmailContent::SecondFactorChanged {
                first_name: first_name(),
                change: SecondFactorChange::ResetByStaff,
            },
        ),
    ]
}

fn render_in(locale: &str, content: EmailContent) -> RenderedEmail {
    let message = OutboxMessage {
        id: "0123456789abcdef0123456789abcdef".to_owned(),
        to: EmailAddress::parse("ada@example.com").unwrap(),
        locale: Locale::parse(locale).unwrap(),
        created_at: datetime!(2026-03-01 12:00 UTC),
        content,
        first_try_until: None,
    };
    render(&message, &config()).unwrap()
}

fn snapshot_text(email: &RenderedEmail) -> String {
    format!(
        "subject: {}\n\n=== text ===\n{}\n=== html ===\n{}\n",
        email.subject, email.text, email.html
    )
}

/// Compares `actual` with the snapshot `name`, or writes it when `UPDATE_SNAPSHOTS=1`.
fn assert_snapshot(name: &str, actual: &str) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "snapshots"]
        .iter()
        .collect::<PathBuf>()
        .join(format!("{name}.txt"));
    if env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let hint = "rerun with UPDATE_SNAPSHOTS=1 to accept the new rendering, then review the diff";
    let expected = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}; {hint}", path.display()));
    if expected == actual {
        return;
    }
    let (mut expected_lines, mut actual_lines) = (expected.lines(), actual.lines());
    let mut line = 1;
    loop {
        let (want, got) = (expected_lines.next(), actual_lines.next());
        if want != got {
            panic!(
                "{} differs from the rendering at line {line}:\n  snapshot: {want:?}\n  rendered: {got:?}\n{hint}",
                path.display()
            );
        }
        if want.is_none() {
            // Same lines, different line endings or final newline.
            panic!(
                "{} differs from the rendering in line endings only; {hint}",
                path.display()
            );
        }
        line += 1;
    }
}

#[test]
fn every_kind_in_every_language_matches_its_snapshot() {
    for language in LANGUAGES {
        for (kind, content) in kinds() {
            let email = render_in(language, content);
            for part in [&email.subject, &email.text, &email.html] {
                assert!(
                    !part.contains('{'),
                    "{kind}.{language}: a placeholder was left unfilled: {part}"
                );
            }
            assert!(
                email.html.contains(&format!(r#"<html lang="{language}">"#)),
                "{kind}.{language}"
            );
            assert_snapshot(&format!("{kind}.{language}"), &snapshot_text(&email));
        }
    }
}

#[test]
fn a_regional_german_locale_renders_german() {
    for locale in ["de-AT", "de-CH", "DE_de"] {
        for (kind, content) in kinds() {
            let regional = render_in(locale, content.clone());
            let german = render_in("de", content);
            assert_eq!(regional, german, "{kind} in {locale}");
            assert!(regional.html.contains(r#"<html lang="de">"#));
        }
    }
    let email = render_in("de-AT", kinds().remove(2).1);
    assert_eq!(email.subject, "Sie wurden zu Acme portal eingeladen");
    assert!(email.text.contains("Hallo Ada,"), "{}", email.text);
    assert!(
        email.text.contains("bis 26. November 2026, 02:19 UTC"),
        "{}",
        email.text
    );
}

#[test]
fn a_language_not_written_yet_renders_english() {
    for locale in ["fr", "fr-CA", "ja"] {
        for (kind, content) in kinds() {
            let other = render_in(locale, content.clone());
            let english = render_in("en", content);
            assert_eq!(other, english, "{kind} in {locale}");
            assert!(other.html.contains(r#"<html lang="en">"#));
        }
    }
    let email = render_in("fr", kinds().remove(0).1);
    assert_eq!(email.subject, "Your Acme portal verification code");
}
