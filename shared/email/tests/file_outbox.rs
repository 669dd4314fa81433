//! The file outbox of `portal-local`: what is sent can be read back, in order.

use std::sync::Arc;

use portal_adapters::OsRandomness;
use portal_adapters::SealKey;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::ports::Mailer;
use portal_domain::sealed::Sealer;
use portal_domain::types::{EmailAddress, Locale};
use portal_email::{EmailConfig, FileOutbox, render};
use time::macros::datetime;

const SEAL_KEY: &str = "ujDNBv2OZ8_80DqbHKozYhn7HeBT0H1WpcAhluu1YaU";
const TOKEN: &str = "Zm9vYmFyLWJhei1xdXV4LXRva2VuLTMyLWJ5dGVzLTA";

fn seal_key() -> SealKey {
    SealKey::from_base64(SEAL_KEY).unwrap()
}

fn config() -> EmailConfig {
    EmailConfig::local("http://127.0.0.1:3000", Arc::new(seal_key()))
}

fn code_for(id: &str, to: &str) -> OutboxMessage {
    OutboxMessage {
        id: id.to_owned(),
        to: EmailAddress::parse(to).unwrap(),
        locale: Locale::default(),
        created_at: datetime!(2026-03-01 12:00:05 UTC),
        content: EmailContent::VerificationCode {
            first_name: "Ada".to_owned(),
            sealed_code: seal_key().seal("123456"),
            valid_minutes: 10,
        },
        first_try_until: None,
    }
}

fn already_registered_for(id: &str, to: &str) -> OutboxMessage {
    OutboxMessage {
        content: EmailContent::AlreadyRegistered {
            first_name: "Grace".to_owned(),
        },
        ..code_for(id, to)
    }
}

fn invitation_sealed_with(key: &SealKey, id: &str, to: &str) -> OutboxMessage {
    OutboxMessage {
        content: EmailContent::Invitation {
            first_name: "Ada".to_owned(),
            sealed_token: key.seal(TOKEN),
            expires_at: datetime!(2026-03-04 12:00 UTC),
            username: None,
            client_id: None,
        },
        ..code_for(id, to)
    }
}

fn password_reset_sealed_with(key: &SealKey, id: &str, to: &str) -> OutboxMessage {
    OutboxMessage {
        content: EmailContent::PasswordReset {
            first_name: "Ada".to_owned(),
            sealed_token: key.seal(TOKEN),
            expires_at: datetime!(2026-03-01 13:00 UTC),
        },
        ..code_for(id, to)
    }
}

#[tokio::test]
async fn sent_emails_are_read_back_oldest_first_with_their_rendered_fields() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = FileOutbox::new(dir.path().join("nested/dir/outbox.jsonl"), config());
    let first = code_for("m1", "ada@example.com");
    let second = already_registered_for("m2", "grace@example.com");

    outbox.send(&first).await.unwrap();
    outbox.send(&second).await.unwrap();
    let emails = outbox.read_all().unwrap();

    assert_eq!(emails.len(), 2);
    let rendered = render(&first, &config()).unwrap();
    assert_eq!(emails[0].id, "m1");
    assert_eq!(emails[0].kind, "verification_code");
    assert_eq!(emails[0].to, "ada@example.com");
    assert_eq!(emails[0].subject, rendered.subject);
    assert_eq!(emails[0].text, rendered.text);
    assert_eq!(emails[0].html, rendered.html);
    assert_eq!(emails[0].created_at, "2026-03-01T12:00:05Z");
    assert_eq!(emails[1].id, "m2");
    assert_eq!(emails[1].kind, "already_registered");
    assert_eq!(emails[1].to, "grace@example.com");
    assert!(emails[1].text.contains("http://127.0.0.1:3000/login"));
}

#[tokio::test]
async fn an_outbox_that_never_sent_anything_reads_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = FileOutbox::new(dir.path().join("outbox.jsonl"), config());

    assert!(outbox.read_all().unwrap().is_empty());
}

#[tokio::test]
async fn each_email_is_one_json_line_with_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let outbox = FileOutbox::new(&path, config());

    outbox
        .send(&code_for("m1", "ada@example.com"))
        .await
        .unwrap();

    let contents = std::fs::read_to_string(&path).unwrap();
    assert_eq!(contents.lines().count(), 1);
    assert!(contents.ends_with('\n'));
    let line: serde_json::Value = serde_json::from_str(contents.trim_end()).unwrap();
    let mut keys: Vec<_> = line.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["created_at", "html", "id", "kind", "subject", "text", "to"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_all_land_as_whole_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let outbox = Arc::new(FileOutbox::new(&path, config()));

    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move {
                let to = format!("person{n}@example.com");
                outbox.send(&code_for(&format!("m{n}"), &to)).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let mut ids: Vec<String> = outbox
        .read_all()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    ids.sort();
    let mut expected: Vec<String> = (0..50).map(|n| format!("m{n}")).collect();
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 50);
}

#[tokio::test]
async fn a_second_outbox_on_the_same_file_appends_after_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    FileOutbox::new(&path, config())
        .send(&code_for("m1", "ada@example.com"))
        .await
        .unwrap();

    let restarted = FileOutbox::new(&path, config());
    restarted
        .send(&code_for("m2", "ada@example.com"))
        .await
        .unwrap();

    let ids: Vec<_> = restarted
        .read_all()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["m1", "m2"]);
}

#[tokio::test]
async fn an_invitation_lands_with_its_link_on_the_configured_portal() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = FileOutbox::new(dir.path().join("outbox.jsonl"), config());
    let message = invitation_sealed_with(&seal_key(), "m1", "ada@example.com");

    outbox.send(&message).await.unwrap();

    let emails = outbox.read_all().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].kind, "invitation");
    assert!(
        emails[0]
            .text
            .contains(&format!("http://127.0.0.1:3000/welcome#token={TOKEN}")),
        "{}",
        emails[0].text
    );
}

#[tokio::test]
async fn an_invitation_sealed_with_another_key_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let outbox = FileOutbox::new(&path, config());
    let other_key = SealKey::generate(&OsRandomness);

    let error = outbox
        .send(&invitation_sealed_with(&other_key, "m1", "ada@example.com"))
        .await
        .expect_err("an invitation whose seal does not open was sent");

    assert!(error.to_string().contains("m1"), "{error}");
    assert!(error.to_string().contains("seal key"), "{error}");
    assert!(!path.exists(), "the outbox file was created");
    assert!(outbox.read_all().unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_message_leaves_the_lines_already_written_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let outbox = FileOutbox::new(&path, config());
    outbox
        .send(&code_for("m1", "ada@example.com"))
        .await
        .unwrap();
    let before = std::fs::read_to_string(&path).unwrap();

    let other_key = SealKey::generate(&OsRandomness);
    let refused = outbox
        .send(&invitation_sealed_with(&other_key, "m2", "ada@example.com"))
        .await;

    assert!(refused.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    let ids: Vec<_> = outbox
        .read_all()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["m1"]);
}

#[tokio::test]
async fn a_password_reset_lands_with_its_link_on_the_configured_portal() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = FileOutbox::new(dir.path().join("outbox.jsonl"), config());
    let message = password_reset_sealed_with(&seal_key(), "m1", "ada@example.com");

    outbox.send(&message).await.unwrap();

    let emails = outbox.read_all().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].kind, "password_reset");
    assert!(
        emails[0]
            .text
            .contains(&format!("http://127.0.0.1:3000/reset#token={TOKEN}")),
        "{}",
        emails[0].text
    );
}

#[tokio::test]
async fn a_password_reset_sealed_with_another_key_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.jsonl");
    let outbox = FileOutbox::new(&path, config());
    let other_key = SealKey::generate(&OsRandomness);

    let error = outbox
        .send(&password_reset_sealed_with(
            &other_key,
            "m1",
            "ada@example.com",
        ))
        .await
        .expect_err("a password reset whose seal does not open was sent");

    assert!(error.to_string().contains("m1"), "{error}");
    assert!(error.to_string().contains("seal key"), "{error}");
    assert!(!path.exists(), "the outbox file was created");
    assert!(outbox.read_all().unwrap().is_empty());
}

#[tokio::test]
async fn a_password_changed_notice_lands_with_the_reset_link() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = FileOutbox::new(dir.path().join("outbox.jsonl"), config());
    let message = OutboxMessage {
        content: EmailContent::PasswordChanged {
            first_name: "Ada".to_owned(),
        },
        ..code_for("m1", "ada@example.com")
    };

    outbox.send(&message).await.unwrap();

    let emails = outbox.read_all().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].kind, "password_changed");
    assert!(
        emails[0].text.contains("http://127.0.0.1:3000/reset\n"),
        "{}",
        emails[0].text
    );
    assert!(emails[0].text.contains("support@localhost"));
}

#[tokio::test]
async fn a_deactivation_notice_lands_without_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = FileOutbox::new(dir.path().join("outbox.jsonl"), config());
    let message = OutboxMessage {
        content: EmailContent::Deactivated {
            first_name: "Ada".to_owned(),
        },
        ..code_for("m1", "ada@example.com")
    };

    outbox.send(&message).await.unwrap();

    let emails = outbox.read_all().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].kind, "deactivated");
    assert!(
        !emails[0].text.contains("http://127.0.0.1:3000"),
        "{}",
        emails[0].text
    );
    assert!(emails[0].text.contains("support@localhost"));
}
