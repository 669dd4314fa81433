//! The mailer in AWS: one SES v2 `SendEmail` per message.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use portal_domain::outbox::OutboxMessage;
use portal_domain::ports::{MailError, Mailer};

use crate::{EmailConfig, render};

pub struct SesMailer {
    client: Client,
    config: EmailConfig,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// `client` is built once per cold start; `configuration_set` routes bounces and
    /// complaints to wherever the set publishes them.
    pub fn new(client: Client, config: EmailConfig, configuration_set: Option<String>) -> Self {
        Self {
            client,
            config,
            configuration_set,
        }
    }
}

fn utf8(data: String) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|error| MailError(error.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, message: &OutboxMessage) -> Result<(), MailError> {
        // A message that cannot be rendered (an invitation whose seal does not open) is
        // refused before anything is written or sent, so it stays pending in the outbox.
        let rendered = render(message, &self.config)?;
        let content = EmailContent::builder()
            .simple(
                Message::builder()
                    .subject(utf8(rendered.subject)?)
                    .body(
                        Body::builder()
                            .text(utf8(rendered.text)?)
                            .html(utf8(rendered.html)?)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&self.config.sender)
            .destination(
                Destination::builder()
                    .to_addresses(message.to.as_ref())
                    .build(),
            )
            .content(content)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|error| MailError(DisplayErrorContext(&error).to_string()))?;
        // Ids only: the address is personal data and stays out of the logs.
        tracing::info!(
            outbox_id = %message.id,
            kind = message.content.kind(),
            ses_message_id = output.message_id().unwrap_or_default(),
            "email sent"
        );
        Ok(())
    }
}
