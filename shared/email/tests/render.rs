//! What each kind of email says, in text and HTML.

use std::sync::Arc;

use portal_adapters::OsRandomness;
use portal_adapters::SealKey;
use portal_domain::outbox::{EmailContent, OutboxMessage, SecondFactorChange};
use portal_domain::sealed::Sealer;
use portal_domain::types::{EmailAddress, Locale};
use portal_email::{EmailConfig, RenderError, RenderedEmail, render};
use time::macros::datetime;

const HOSTILE_NAME: &str = "<script>alert(1)</script>";
const HOSTILE_REASON: &str =
    "We could not confirm <b>Acme</b> & co.\r\nCall us: <img src=x onerror=alert(1)>\n\nThanks.";
/// The configured key, in its configured (base64url) form.
const SEAL_KEY: &str = "mk-0SLqJ1HT6tYsFdJI6JaRcH4XbfoImE5Bu_kKXFfE";
/// What the invitation link carries: 32 bytes in base64url, as the domain makes them.
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

fn message(content: EmailContent) -> OutboxMessage {
    OutboxMessage {
        id: "0123456789abcdef0123456789abcdef".to_owned(),
        to: EmailAddress::parse("ada@example.com").unwrap(),
        locale: Locale::default(),
        created_at: datetime!(2026-03-01 12:00 UTC),
        content,
        first_try_until: None,
    }
}

fn verification_code(first_name: &str) -> RenderedEmail {
    let content = EmailContent::VerificationCode {
        first_name: first_name.to_owned(),
        sealed_code: seal_key().seal("042917"),
        valid_minutes: 10,
    };
    render(&message(content), &config()).unwrap()
}

fn already_registered(first_name: &str) -> RenderedEmail {
    let content = EmailContent::AlreadyRegistered {
        first_name: first_name.to_owned(),
    };
    render(&message(content), &config()).unwrap()
}

fn invitation_content(first_name: &str, sealed_token: String) -> EmailContent {
    EmailContent::Invitation {
        first_name: first_name.to_owned(),
        sealed_token,
        expires_at: datetime!(2026-11-24 14:05:30 UTC),
        username: Some("ada@example.com".to_owned()),
        client_id: None,
    }
}

/// The rendered invitation and the sealed form of its token.
fn invitation(first_name: &str) -> (RenderedEmail, String) {
    let sealed = seal_key().seal(TOKEN);
    let content = invitation_content(first_name, sealed.clone());
    (render(&message(content), &config()).unwrap(), sealed)
}

fn password_reset_content(first_name: &str, sealed_token: String) -> EmailContent {
    EmailContent::PasswordReset {
        first_name: first_name.to_owned(),
        sealed_token,
        expires_at: datetime!(2026-03-01 13:00:45 UTC),
    }
}

/// The rendered password reset and the sealed form of its token.
fn password_reset(first_name: &str) -> (RenderedEmail, String) {
    let sealed = seal_key().seal(TOKEN);
    let content = password_reset_content(first_name, sealed.clone());
    (render(&message(content), &config()).unwrap(), sealed)
}

fn password_changed(first_name: &str) -> RenderedEmail {
    let content = EmailContent::PasswordChanged {
        first_name: first_name.to_owned(),
    };
    render(&message(content), &config()).unwrap()
}

fn deactivated(first_name: &str) -> RenderedEmail {
    let content = EmailContent::Deactivated {
        first_name: first_name.to_owned(),
    };
    render(&message(content), &config()).unwrap()
}

fn second_factor_changed_in(
    locale: &str,
    first_name: &str,
    change: SecondFactorChange,
) -> RenderedEmail {
    let mut message = message(EmailContent::SecondFactorChanged {
        first_name: first_name.to_owned(),
        change,
    });
    message.locale = Locale::parse(locale).unwrap();
    render(&message, &config()).unwrap()
}

fn second_factor_changed(first_name: &str, change: SecondFactorChange) -> RenderedEmail {
    second_factor_changed_in("en", first_name, change)
}

/// Every change and the sentence saying it, in English and in German.
const SECOND_FACTOR_SENTENCES: [(SecondFactorChange, &str, &str); 6] = [
    (
        SecondFactorChange::AuthenticatorAdded,
        "An authenticator app was added to your Acme portal account.",
        "Zu Ihrem Konto für Acme portal wurde eine Authenticator-App hinzugefügt.",
    ),
    (
        SecondFactorChange::AuthenticatorRemoved,
        "An authenticator app was removed from your Acme portal account.",
        "Aus Ihrem Konto für Acme portal wurde eine Authenticator-App entfernt.",
    ),
    (
        SecondFactorChange::PasskeyAdded,
        "A passkey was added to your Acme portal account.",
        "Zu Ihrem Konto für Acme portal wurde ein Passkey hinzugefügt.",
    ),
    (
        SecondFactorChange::PasskeyRemoved,
        "A passkey was removed from your Acme portal account.",
        "Aus Ihrem Konto für Acme portal wurde ein Passkey entfernt.",
    ),
    (
        SecondFactorChange::RecoveryCodesReplaced,
        "New recovery codes were made for your Acme portal account; the old ones no longer work.",
        "Ihr Konto für Acme portal hat neue Wiederherstellungscodes erhalten; die bisherigen sind nicht mehr gültig.",
    ),
    (
        SecondFactorChange::ResetByStaff,
        "Our staff removed the second factors of your Acme portal account at your request. Your next sign-in needs only your password, unless your organization requires a second factor; then you set one up again.",
        "Unser Team hat auf Ihre Bitte hin die zweiten Faktoren Ihres Kontos für Acme portal entfernt. Bei Ihrer nächsten Anmeldung benötigen Sie nur Ihr Passwort, es sei denn, Ihre Organisation verlangt einen zweiten Faktor; dann richten Sie erneut einen ein.",
    ),
];

/// `change`'s email says its own sentence and no other change's, in English and German.
fn assert_second_factor_change_is_said(change: SecondFactorChange) {
    let english = second_factor_changed("Ada", change);
    let german = second_factor_changed_in("de", "Ada", change);

    assert_eq!(
        english.subject,
        "Security change to your Acme portal account"
    );
    assert_eq!(
        german.subject,
        "Sicherheitsrelevante Änderung an Ihrem Konto für Acme portal"
    );
    for (other, en, de) in SECOND_FACTOR_SENTENCES {
        let said = other == change;
        for body in [&english.text, &english.html] {
            assert_eq!(body.contains(en), said, "{other:?} in {change:?}: {body}");
            assert!(!body.contains(de), "{body}");
        }
        for body in [&german.text, &german.html] {
            assert_eq!(body.contains(de), said, "{other:?} in {change:?}: {body}");
            assert!(!body.contains(en), "{body}");
        }
    }
    for body in [&german.text, &german.html] {
        assert!(body.contains("Hallo Ada,"), "{body}");
        assert!(body.contains("Passwort zurücksetzen"), "{body}");
        assert!(!body.contains("Hello"), "{body}");
    }
    assert!(german.html.contains(r#"<html lang="de">"#));
}

fn rejection(first_name: &str, reason: &str) -> RenderedEmail {
    let content = EmailContent::Rejection {
        first_name: first_name.to_owned(),
        reason: reason.to_owned(),
    };
    render(&message(content), &config()).unwrap()
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

    let email = render(&message(content), &config).unwrap();

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
    message.locale = Locale::parse("fr-CA").unwrap();

    let email = render(&message, &config()).unwrap();

    assert_eq!(email.subject, "Your Acme portal account already exists");
    assert!(email.html.contains(r#"<html lang="en">"#));
}

#[test]
fn the_invitation_email_greets_by_first_name_and_says_access_was_given() {
    let (email, _) = invitation("Ada");

    assert_eq!(email.subject, "You are invited to Acme portal");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(
            body.contains("You have been given access to Acme portal."),
            "{body}"
        );
        assert!(body.contains("Accept the invitation"), "{body}");
    }
}

#[test]
fn the_invitation_links_to_the_welcome_page_of_the_configured_portal_with_the_opened_token() {
    let (email, sealed) = invitation("Ada");
    let link = format!("https://portal.acme.example/welcome#token={TOKEN}");

    for body in [&email.text, &email.html] {
        assert!(body.contains(&link), "{body}");
        assert!(!body.contains("example//"), "{body}");
    }
    assert!(
        email
            .text
            .contains(&format!("Accept the invitation:\n{link}\n"))
    );
    assert!(
        email.html.contains(&format!(r#"href="{link}""#)),
        "{}",
        email.html
    );
    for part in [&email.subject, &email.text, &email.html] {
        assert!(!part.contains(&sealed), "the sealed token leaked: {part}");
    }
}

#[test]
fn the_invitation_says_until_when_the_link_works_that_it_works_once_and_to_ignore_it_if_unexpected()
{
    let (email, _) = invitation("Ada");

    for body in [&email.text, &email.html] {
        assert!(
            body.contains("The link works until 24 November 2026, 14:05 UTC"),
            "{body}"
        );
        assert!(body.contains("can be used only once"), "{body}");
        assert!(
            body.contains("If you did not expect this invitation, you can ignore this email"),
            "{body}"
        );
    }
}

#[test]
fn the_invitation_expiry_is_shown_in_utc_whatever_offset_it_carries() {
    let sealed = seal_key().seal(TOKEN);
    let content = EmailContent::Invitation {
        first_name: "Ada".to_owned(),
        sealed_token: sealed,
        expires_at: datetime!(2026-12-01 01:30 +02:00),
        username: None,
        client_id: None,
    };

    let email = render(&message(content), &config()).unwrap();

    assert!(
        email.text.contains("until 30 November 2026, 23:30 UTC"),
        "{}",
        email.text
    );
}

#[test]
fn an_invitation_naming_an_app_links_to_the_welcome_page_with_its_client_id() {
    let client = portal_domain::ids::OidcClientId::parse("0123456789abcdef0123456789abcdef");
    let message =
        message(invitation_content("Ada", seal_key().seal(TOKEN))).for_app(client.as_ref());

    let email = render(&message, &config()).unwrap();

    let link = format!("/welcome?client_id=0123456789abcdef0123456789abcdef#token={TOKEN}");
    assert!(email.text.contains(&link), "{}", email.text);
    assert!(email.html.contains(&link), "{}", email.html);
}

#[test]
fn the_invitation_text_body_is_plain_text() {
    let (email, _) = invitation("Ada");

    assert_plain_text(&email.text);
    assert!(email.text.contains("help@acme.example"));
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_invitation_html() {
    let (email, _) = invitation(HOSTILE_NAME);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(email.text.contains(HOSTILE_NAME));
}

#[test]
fn an_invitation_sealed_with_another_key_is_a_render_error() {
    let other_key = SealKey::generate(&OsRandomness);
    let content = invitation_content("Ada", other_key.seal(TOKEN));

    let error = render(&message(content), &config()).unwrap_err();

    assert_eq!(
        error,
        RenderError::SealDoesNotOpen {
            outbox_id: "0123456789abcdef0123456789abcdef".to_owned()
        }
    );
    let said = error.to_string();
    assert!(said.contains("0123456789abcdef0123456789abcdef"), "{said}");
    assert!(said.contains("seal key"), "{said}");
}

#[test]
fn an_invitation_with_a_token_that_is_not_a_seal_at_all_is_a_render_error() {
    for sealed in ["", "not a seal!", TOKEN] {
        let content = invitation_content("Ada", sealed.to_owned());

        let error = render(&message(content), &config()).unwrap_err();

        assert!(
            matches!(error, RenderError::SealDoesNotOpen { .. }),
            "{sealed:?}"
        );
    }
}

#[test]
fn an_opened_token_that_would_change_the_link_is_a_render_error() {
    for token in ["", "abc&next=https://evil.example", "a b", "tok#en"] {
        let sealed = seal_key().seal(token);
        let content = invitation_content("Ada", sealed);

        let error = render(&message(content), &config()).unwrap_err();

        assert!(
            matches!(error, RenderError::MalformedToken { .. }),
            "{token:?}"
        );
    }
}

#[test]
fn the_rejection_email_says_the_request_was_not_approved_and_quotes_the_reason() {
    let email = rejection("Ada", "We could not confirm your company.");

    assert_eq!(email.subject, "Your Acme portal access request");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(
            body.contains("Your request for access to Acme portal was not approved."),
            "{body}"
        );
        assert!(
            body.contains("We could not confirm your company."),
            "{body}"
        );
        assert!(
            body.contains("If you have questions about this decision, write to help@acme.example."),
            "{body}"
        );
    }
    assert!(
        email
            .text
            .contains("> We could not confirm your company.\n")
    );
    assert!(email.html.contains("<blockquote"));
}

#[test]
fn the_rejection_text_body_is_plain_text() {
    assert_plain_text(&rejection("Ada", "Unknown company.\nPlease call us.").text);
}

#[test]
fn the_line_breaks_of_the_reason_are_kept_in_both_bodies() {
    let email = rejection("Ada", "Unknown company.\r\nPlease call us.\n\nThanks.");

    assert!(
        email
            .text
            .contains("> Unknown company.\n> Please call us.\n>\n> Thanks.\n"),
        "{}",
        email.text
    );
    assert!(!email.text.contains('\r'));
    assert!(
        email
            .html
            .contains("Unknown company.<br>Please call us.<br><br>Thanks.</blockquote>"),
        "{}",
        email.html
    );
}

#[test]
fn a_hostile_first_name_and_reason_are_shown_as_text_in_the_rejection_html() {
    let email = rejection(HOSTILE_NAME, HOSTILE_REASON);

    for tag in ["<script", "<b>", "<img"] {
        assert!(!email.html.contains(tag), "{tag}: {}", email.html);
    }
    assert!(
        email
            .html
            .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;,")
    );
    assert!(
        email.html.contains(
            "We could not confirm &lt;b&gt;Acme&lt;/b&gt; &amp; co.<br>Call us: &lt;img src=x onerror=alert(1)&gt;<br><br>Thanks."
        ),
        "{}",
        email.html
    );
    assert!(
        email
            .text
            .contains("> Call us: <img src=x onerror=alert(1)>\n")
    );
}

#[test]
fn a_reason_that_looks_like_a_placeholder_is_not_expanded() {
    let email = rejection("{support}", "{product} {support}");

    assert!(email.text.contains("Hello {support},"), "{}", email.text);
    assert!(
        email.text.contains("> {product} {support}\n"),
        "{}",
        email.text
    );
}

#[test]
fn the_password_reset_email_greets_by_first_name_and_says_a_reset_was_asked_for() {
    let (email, _) = password_reset("Ada");

    assert_eq!(email.subject, "Reset your Acme portal password");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(
            body.contains("Someone (hopefully you) asked to reset your Acme portal password."),
            "{body}"
        );
        assert!(body.contains("Choose a new password"), "{body}");
    }
}

#[test]
fn the_password_reset_links_to_the_reset_page_of_the_configured_portal_with_the_opened_token() {
    let (email, sealed) = password_reset("Ada");
    let link = format!("https://portal.acme.example/reset#token={TOKEN}");

    for body in [&email.text, &email.html] {
        assert!(body.contains(&link), "{body}");
        assert!(!body.contains("example//"), "{body}");
        assert!(!body.contains("/welcome"), "{body}");
    }
    assert!(
        email
            .text
            .contains(&format!("Choose a new password:\n{link}\n")),
        "{}",
        email.text
    );
    assert!(
        email.html.contains(&format!(r#"href="{link}""#)),
        "{}",
        email.html
    );
    for part in [&email.subject, &email.text, &email.html] {
        assert!(!part.contains(&sealed), "the sealed token leaked: {part}");
    }
}

#[test]
fn the_password_reset_link_uses_the_configured_base_url_with_or_without_a_trailing_slash() {
    for base in ["https://other.example", "https://other.example/"] {
        let mut config = config();
        config.portal_base_url = base.to_owned();
        let sealed = seal_key().seal(TOKEN);

        let email = render(&message(password_reset_content("Ada", sealed)), &config).unwrap();

        let link = format!("https://other.example/reset#token={TOKEN}");
        assert!(email.text.contains(&link), "{}", email.text);
        assert!(
            !email.text.contains("portal.acme.example"),
            "{}",
            email.text
        );
    }
}

#[test]
fn the_password_reset_says_until_when_the_link_works_that_it_works_once_and_to_ignore_it_if_unasked()
 {
    let (email, _) = password_reset("Ada");

    for body in [&email.text, &email.html] {
        assert!(
            body.contains("The link works until 1 March 2026, 13:00 UTC"),
            "{body}"
        );
        assert!(body.contains("can be used only once"), "{body}");
        assert!(
            body.contains(
                "If you did not ask for this, you can ignore this email; your password stays unchanged."
            ),
            "{body}"
        );
    }
}

#[test]
fn the_password_reset_expiry_is_shown_in_utc_whatever_offset_it_carries() {
    let sealed = seal_key().seal(TOKEN);
    let content = EmailContent::PasswordReset {
        first_name: "Ada".to_owned(),
        sealed_token: sealed,
        expires_at: datetime!(2026-03-01 00:30 +01:00),
    };

    let email = render(&message(content), &config()).unwrap();

    assert!(
        email.text.contains("until 28 February 2026, 23:30 UTC"),
        "{}",
        email.text
    );
}

#[test]
fn the_password_reset_text_body_is_plain_text() {
    let (email, _) = password_reset("Ada");

    assert_plain_text(&email.text);
    assert!(email.text.contains("help@acme.example"));
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_password_reset_html() {
    let (email, _) = password_reset(HOSTILE_NAME);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(
        email
            .html
            .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;,")
    );
    assert!(email.text.contains(HOSTILE_NAME));
}

#[test]
fn a_password_reset_sealed_with_another_key_is_a_render_error() {
    let other_key = SealKey::generate(&OsRandomness);
    let content = password_reset_content("Ada", other_key.seal(TOKEN));

    let error = render(&message(content), &config()).unwrap_err();

    assert_eq!(
        error,
        RenderError::SealDoesNotOpen {
            outbox_id: "0123456789abcdef0123456789abcdef".to_owned()
        }
    );
    let said = error.to_string();
    assert!(said.contains("0123456789abcdef0123456789abcdef"), "{said}");
    assert!(said.contains("seal key"), "{said}");
    assert!(!said.contains(TOKEN), "{said}");
}

#[test]
fn a_password_reset_with_a_token_that_is_not_a_seal_at_all_is_a_render_error() {
    for sealed in ["", "not a seal!", TOKEN] {
        let content = password_reset_content("Ada", sealed.to_owned());

        let error = render(&message(content), &config()).unwrap_err();

        assert!(
            matches!(error, RenderError::SealDoesNotOpen { .. }),
            "{sealed:?}"
        );
    }
}

#[test]
fn a_password_reset_token_that_would_change_the_link_is_a_render_error() {
    for token in [
        "",
        "abc&next=https://evil.example",
        "a b",
        "tok#en",
        "x/../y",
    ] {
        let sealed = seal_key().seal(token);
        let content = password_reset_content("Ada", sealed);

        let error = render(&message(content), &config()).unwrap_err();

        assert_eq!(
            error,
            RenderError::MalformedToken {
                outbox_id: "0123456789abcdef0123456789abcdef".to_owned()
            },
            "{token:?}"
        );
    }
}

#[test]
fn the_password_changed_email_says_the_password_changed_and_sessions_were_signed_out() {
    let email = password_changed("Ada");

    assert_eq!(email.subject, "Your Acme portal password was changed");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(
            body.contains("Your Acme portal password was just changed"),
            "{body}"
        );
        assert!(
            body.contains("every signed-in session was signed out"),
            "{body}"
        );
        assert!(
            body.contains("If this wasn't you, reset your password at once"),
            "{body}"
        );
    }
}

#[test]
fn the_password_changed_email_links_to_reset_on_the_configured_portal_and_names_support() {
    let email = password_changed("Ada");

    for body in [&email.text, &email.html] {
        assert!(body.contains("https://portal.acme.example/reset"), "{body}");
        assert!(!body.contains("example//"), "{body}");
        assert!(!body.contains("#token="), "{body}");
        assert!(body.contains("write to help@acme.example"), "{body}");
    }
    assert!(
        email
            .text
            .contains("Reset your password:\nhttps://portal.acme.example/reset\n"),
        "{}",
        email.text
    );
    assert!(
        email
            .html
            .contains(r#"href="https://portal.acme.example/reset""#),
        "{}",
        email.html
    );
}

#[test]
fn the_password_changed_text_body_is_plain_text() {
    assert_plain_text(&password_changed("Ada").text);
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_password_changed_html() {
    let email = password_changed(HOSTILE_NAME);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(
        email
            .html
            .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;,")
    );
    assert!(email.text.contains(HOSTILE_NAME));
}

#[test]
fn the_deactivated_email_says_the_account_was_deactivated_and_what_that_ended() {
    let email = deactivated("Ada");

    assert_eq!(email.subject, "Your Acme portal account was deactivated");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Hello Ada,"), "{body}");
        assert!(
            body.contains("Your Acme portal account was deactivated."),
            "{body}"
        );
        assert!(
            body.contains("Every signed-in session was signed out"),
            "{body}"
        );
        assert!(
            body.contains("any invitation link you were sent no longer works"),
            "{body}"
        );
    }
}

#[test]
fn the_deactivated_email_names_the_administrator_and_support_and_links_nowhere() {
    let email = deactivated("Ada");

    for body in [&email.text, &email.html] {
        assert!(
            body.contains(
                "If you think this is a mistake, contact your organization's administrator or write to help@acme.example."
            ),
            "{body}"
        );
        for path in ["/login", "/reset", "/welcome", "#token="] {
            assert!(!body.contains(path), "{path}: {body}");
        }
    }
    assert!(!email.html.contains("href=\"https://"), "{}", email.html);
}

#[test]
fn the_deactivated_text_body_is_plain_text() {
    assert_plain_text(&deactivated("Ada").text);
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_deactivated_html() {
    let email = deactivated(HOSTILE_NAME);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(
        email
            .html
            .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;,")
    );
    assert!(email.text.contains(HOSTILE_NAME));
}

#[test]
fn the_second_factor_changed_email_says_an_authenticator_app_was_added() {
    assert_second_factor_change_is_said(SecondFactorChange::AuthenticatorAdded);
}

#[test]
fn the_second_factor_changed_email_says_an_authenticator_app_was_removed() {
    assert_second_factor_change_is_said(SecondFactorChange::AuthenticatorRemoved);
}

#[test]
fn the_second_factor_changed_email_says_a_passkey_was_added() {
    assert_second_factor_change_is_said(SecondFactorChange::PasskeyAdded);
}

#[test]
fn the_second_factor_changed_email_says_a_passkey_was_removed() {
    assert_second_factor_change_is_said(SecondFactorChange::PasskeyRemoved);
}

#[test]
fn the_second_factor_changed_email_says_the_recovery_codes_were_replaced() {
    assert_second_factor_change_is_said(SecondFactorChange::RecoveryCodesReplaced);
}

#[test]
fn the_second_factor_changed_email_says_staff_reset_the_second_factors() {
    assert_second_factor_change_is_said(SecondFactorChange::ResetByStaff);
}

#[test]
fn the_second_factor_changed_email_greets_by_first_name_and_says_to_reset_if_it_was_not_you() {
    for (change, _, _) in SECOND_FACTOR_SENTENCES {
        let email = second_factor_changed("Ada", change);

        for body in [&email.text, &email.html] {
            assert!(body.contains("Hello Ada,"), "{body}");
            assert!(
                body.contains(
                    "If you did not make or ask for this change, reset your password at once"
                ),
                "{body}"
            );
        }
    }
}

#[test]
fn the_second_factor_changed_email_links_to_reset_on_the_configured_portal_and_names_support() {
    let email = second_factor_changed("Ada", SecondFactorChange::AuthenticatorRemoved);

    for body in [&email.text, &email.html] {
        assert!(body.contains("https://portal.acme.example/reset"), "{body}");
        assert!(!body.contains("example//"), "{body}");
        assert!(!body.contains("#token="), "{body}");
        assert!(body.contains("write to help@acme.example"), "{body}");
    }
    assert!(
        email
            .text
            .contains("Reset your password:\nhttps://portal.acme.example/reset\n"),
        "{}",
        email.text
    );
    assert!(
        email
            .html
            .contains(r#"href="https://portal.acme.example/reset""#),
        "{}",
        email.html
    );
}

#[test]
fn the_second_factor_changed_text_body_is_plain_text() {
    for (change, _, _) in SECOND_FACTOR_SENTENCES {
        assert_plain_text(&second_factor_changed("Ada", change).text);
    }
}

#[test]
fn a_hostile_first_name_is_shown_as_text_in_the_second_factor_changed_html() {
    let email = second_factor_changed(HOSTILE_NAME, SecondFactorChange::AuthenticatorAdded);

    assert!(!email.html.contains("<script"), "{}", email.html);
    assert!(
        email
            .html
            .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;,")
    );
    assert!(email.text.contains(HOSTILE_NAME));
}
