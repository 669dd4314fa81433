//! A new invitation and its email: one shape for approval, staff creation, bulk
//! membership, a resend and a reactivation.

use time::OffsetDateTime;

use crate::Ports;
use crate::invitation::{Invitation, InvitationStatus, SecretToken};
use crate::outbox::{EmailContent, OutboxMessage};
use crate::user::PortalUser;

/// A fresh invitation valid for the configured lifetime, and the token behind its hash
/// (only the email ever carries the token, sealed).
pub fn new_invitation(ports: &Ports, now: OffsetDateTime) -> (SecretToken, Invitation) {
    let token = SecretToken::generate(ports.random.as_ref());
    let invitation = Invitation {
        token_hash: token.hash(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now + ports.settings.invitation_lifetime,
        confirm_contact_data: true,
        email_code: None,
    };
    (token, invitation)
}

/// The invitation email to `user`, in their language: the link to set a password (the
/// token sealed for the mailer) and the username to sign in with. `None` for a person
/// known by name alone, who is reached by a personal link only.
pub fn invitation_email_to(
    ports: &Ports,
    user: &PortalUser,
    token: &SecretToken,
    invitation: &Invitation,
    now: OffsetDateTime,
) -> Option<OutboxMessage> {
    email_to(
        ports,
        user,
        EmailContent::Invitation {
            first_name: greeting_name(user),
            sealed_token: ports.sealer.seal(token.as_str()),
            expires_at: invitation.expires_at,
            username: user.username().map(ToString::to_string),
            client_id: None,
        },
        now,
    )
}

/// The email to `user` about `content`, in their language; `None` for a person known by
/// name alone (no address yet).
pub fn email_to(
    ports: &Ports,
    user: &PortalUser,
    content: EmailContent,
    now: OffsetDateTime,
) -> Option<OutboxMessage> {
    let to = user.email()?;
    Some(OutboxMessage::new(
        ports.random.as_ref(),
        to,
        user.locale().clone(),
        content,
        now,
    ))
}

/// Why a person known by name alone gets no email: staff hand them a personal link.
pub const NO_EMAIL: &str = "the user has no email: get a personal link for them instead";

/// How emails greet a user: their first name, or the part of their address before `@`
/// when they were invited by email alone.
pub fn greeting_name(user: &PortalUser) -> String {
    user.first_name()
        .map(ToString::to_string)
        .or_else(|| user.email().map(|email| email.local_part().to_owned()))
        .unwrap_or_default()
}
