//! The SES mailer against moto server (started by `./scripts/test`, which sets
//! `PORTAL_TEST_SES_ENDPOINT`). Moto refuses senders that are not verified identities,
//! like SES in its sandbox.

use std::sync::Arc;

use portal_adapters::OsRandomness;
use portal_adapters::SealKey;
use portal_domain::outbox::{EmailContent, OutboxMessage};
use portal_domain::ports::Mailer;
use portal_domain::sealed::Sealer;
use portal_domain::types::{EmailAddress, Locale};
use portal_email::{EmailConfig, SesMailer, render};
use portal_testkit::moto::{random_suffix, ses_client, ses_endpoint};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Unique per run, so runs against one long-lived moto do not see each other's mail.
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", random_suffix())
}

const SEAL_KEY: &str = "mk-0SLqJ1HT6tYsFdJI6JaRcH4XbfoImE5Bu_kKXFfE";

fn config_sending_from(sender: &str) -> EmailConfig {
    EmailConfig {
        sender: sender.to_owned(),
        ..EmailConfig::local(
            "https://portal.acme.example",
            Arc::new(SealKey::from_base64(SEAL_KEY).unwrap()),
        )
    }
}

/// A verified sender, so only the message itself can make a send fail.
async fn verified_sender(client: &aws_sdk_sesv2::Client) -> String {
    let sender = format!("{}@acme.example", unique("portal"));
    client
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();
    sender
}

fn code_email(to: &str) -> OutboxMessage {
    OutboxMessage {
        id: unique("outbox"),
        to: EmailAddress::parse(to).unwrap(),
        locale: Locale::default(),
        created_at: OffsetDateTime::now_utc(),
        content: EmailContent::VerificationCode {
            first_name: "Ada".to_owned(),
            sealed_code: SealKey::from_base64(SEAL_KEY).unwrap().seal("314159"),
            valid_minutes: 10,
        },
        first_try_until: None,
    }
}

/// Moto's view of its state; a bare HTTP/1.0 GET is all this needs.
async fn moto_data(endpoint: &str) -> String {
    let authority = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).await.unwrap();
    let request = format!(
        "GET /moto-api/data.json HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.") && head.contains(" 200 "),
        "{head}"
    );
    body.to_owned()
}

#[tokio::test]
async fn an_email_from_a_verified_sender_is_sent_through_ses() {
    let endpoint = ses_endpoint();
    let client = ses_client(&endpoint);
    let sender = verified_sender(&client).await;
    let recipient = format!("{}@example.com", unique("ada"));
    let message = code_email(&recipient);
    let mailer = SesMailer::new(client, config_sending_from(&sender), None);

    mailer.send(&message).await.unwrap();

    let data = moto_data(&endpoint).await;
    let state: serde_json::Value = serde_json::from_str(&data).unwrap();
    let sent = state["ses"]["Message"]
        .as_array()
        .unwrap_or_else(|| panic!("moto lists no SES messages: {data}"));
    let ours = sent
        .iter()
        .find(|m| m["destinations"]["ToAddresses"][0] == recipient.as_str())
        .unwrap_or_else(|| panic!("moto did not record a message to {recipient}: {data}"));
    let rendered = render(&message, &config_sending_from(&sender)).unwrap();
    assert_eq!(ours["source"], sender.as_str());
    assert_eq!(ours["subject"], rendered.subject.as_str());
    // Moto keeps only one body, the HTML one when both are sent.
    assert!(ours["body"].as_str().unwrap().contains("314159"));
}

#[tokio::test]
async fn an_email_from_an_unverified_sender_is_an_error() {
    let endpoint = ses_endpoint();
    let sender = format!("{}@unverified.example", unique("nobody"));
    let mailer = SesMailer::new(ses_client(&endpoint), config_sending_from(&sender), None);

    let result = mailer.send(&code_email("ada@example.com")).await;

    let error = result.expect_err("an unverified sender was accepted");
    assert!(error.to_string().contains("not verified"), "{error}");
}

#[tokio::test]
async fn an_invitation_whose_seal_does_not_open_is_an_error_and_is_not_sent() {
    let endpoint = ses_endpoint();
    let client = ses_client(&endpoint);
    let sender = verified_sender(&client).await;
    let recipient = format!("{}@example.com", unique("ada"));
    let other_key = SealKey::generate(&OsRandomness);
    let message = OutboxMessage {
        content: EmailContent::Invitation {
            first_name: "Ada".to_owned(),
            sealed_token: other_key.seal("Zm9vYmFyLWJhei1xdXV4LXRva2VuLTMyLWJ5dGVzLTA"),
            expires_at: OffsetDateTime::now_utc(),
            username: None,
            client_id: None,
        },
        ..code_email(&recipient)
    };
    let mailer = SesMailer::new(client, config_sending_from(&sender), None);

    let error = mailer
        .send(&message)
        .await
        .expect_err("an invitation whose seal does not open was sent");

    assert!(error.to_string().contains("seal key"), "{error}");
    let data = moto_data(&endpoint).await;
    assert!(
        !data.contains(&recipient),
        "moto recorded a message to {recipient}"
    );
}
