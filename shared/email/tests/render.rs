//! What each kind of email says, in text and HTML.

use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::types::{EmailAddress, Locale};
use portal_email::{EmailConfig, RenderedEmail, render};
use time::macros::datetime;

const HOSTILE_NAME: &str = "<script>alert(1)</script>";

fn config() -> EmailConfig {
    EmailConfig {
        product_name: "Acme portal".to_owned(),
        sender: "portal@acme.example".to_owned(),
        support_address: "help@acme.example".to_owned(),
        portal_base_url: "https://portal.acme.example/".to_owned(),
    }
}

fn message(content: EmailContent) -> OutboxMessage {
    OutboxMessage {
        id: "0123456789abcdef0123456789abcdef".to_owned(),
        to: EmailAddress::parse("ada@example.com").unwrap(),
        locale: Locale::default(),
        created_at: datetime!(2026-03-01 12:00 UTC),
        content,
    }
}

fn verification_code(first_name: &str) -> RenderedEmail {
    let content = EmailContent::VerificationCode {
        first_name: first_name.to_owned(),
        code: "042917".to_owned(),
        valid_minutes: 10,
    };
    render(&message(content), &config())
}

fn already_registered(first_name: &str) -> RenderedEmail {
    let content = EmailContent::AlreadyRegistered {
        first_name: first_name.to_owned(),
    };
    render(&message(content), &config())
}

fn assert_plain_text(text: &str) {
    for tag in ["<p", "<a ", "<br", "</", "<html", "&lt;", "&amp;"] {
        assert!(
            !text.contains(tag),
            "the text body contains {tag:?}:\n{text}"
        );
    }
}

#[test]
fn the_verification_code_email_shows_the_code_in_both_bodies() {
    let email = verification_code("Ada");

    assert_eq!(email.subject, "Your Acme portal verification code");
    assert!(email.text.contains("042917"));
    assert!(email.html.contains("042917"));
}

#[test]
fn the_verification_code_email_greets_by_first_name_and_says_how_long_the_code_works() {
    let email = verification_code("Ada");

    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(body.contains("works for 10 minutes"), "{body}");
        assert!(body.contains("If you did not ask for this code, you can ignore this email"));
    }
}

#[test]
fn the_verification_code_text_body_is_plain_text() {
    let email = verification_code("Ada");

    assert_plain_text(&email.text);
    assert!(email.text.contains("help@acme.example"));
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_verification_code_html() {
    let email = verification_code(HOSTILE_NAME);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(email.text.contains(HOSTILE_NAME));
}

#[test]
fn the_already_registered_email_says_an_account_exists() {
    let email = already_registered("Ada");

    assert_eq!(email.subject, "Your Acme portal account already exists");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(body.contains("an account already exists"), "{body}");
        assert!(body.contains("you can ignore this email"), "{body}");
    }
}

#[test]
fn the_already_registered_email_links_to_login_and_reset_on_the_configured_portal() {
    let email = already_registered("Ada");

    for body in [&email.text, &email.html] {
        assert!(body.contains("https://portal.acme.example/login"), "{body}");
        assert!(body.contains("https://portal.acme.example/reset"), "{body}");
        assert!(!body.contains("example//"), "{body}");
    }
    assert!(
        email
            .html
            .contains(r#"href="https://portal.acme.example/login""#)
    );
    assert!(
        email
            .html
            .contains(r#"href="https://portal.acme.example/reset""#)
    );
}

#[test]
fn the_already_registered_text_body_is_plain_text() {
    assert_plain_text(&already_registered("Ada").text);
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_already_registered_html() {
    let email = already_registered(HOSTILE_NAME);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn a_first_name_that_looks_like_a_placeholder_is_not_expanded() {
    let email = verification_code("{code}");

    assert!(email.text.contains("Hello {code},"), "{}", email.text);
}

#[test]
fn configured_values_are_escaped_in_html_too() {
    let mut config = config();
    config.product_name = "A&B <portal>".to_owned();
    config.portal_base_url = r#"https://x.example/"onmouseover="x"#.to_owned();
    let content = EmailContent::AlreadyRegistered {
        first_name: "Ada".to_owned(),
    };

    let email = render(&message(content), &config);

    assert!(email.html.contains("A&amp;B &lt;portal&gt;"));
    assert!(
        email
            .html
            .contains(r#"href="https://x.example/&quot;onmouseover=&quot;x/login""#),
        "{}",
        email.html
    );
}

#[test]
fn an_unwritten_language_falls_back_to_english() {
    let mut message = message(EmailContent::AlreadyRegistered {
        first_name: "Ada".to_owned(),
    });
    message.locale = Locale::parse("de-AT").unwrap();

    let email = render(&message, &config());

    assert_eq!(email.subject, "Your Acme portal account already exists");
    assert!(email.html.contains(r#"<html lang="en">"#));
}
