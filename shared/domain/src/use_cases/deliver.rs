use crate::Ports;
use crate::outbox::OutboxMessage;

/// Sends a committed message at once. A failure only leaves it pending in the outbox,
/// where the mailer retries it: the transition has happened either way.
pub async fn deliver_after_commit(ports: &Ports, message: &OutboxMessage) {
    if let Err(error) = ports.mailer.send(message).await {
        tracing::warn!(message_id = %message.id, %error, "email left pending in the outbox");
        return;
    }
    if let Err(error) = ports
        .store
        .mark_email_sent(&message.id, ports.clock.now())
        .await
    {
        tracing::warn!(message_id = %message.id, %error, "sent email not marked as sent");
    }
}
