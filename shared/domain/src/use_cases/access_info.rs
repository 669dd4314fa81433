//! Access information, sent again as often as staff like (EspoCRM's "send access info"),
//! or handed over as a personal link (ELMA365's "get link"): an invited user gets a new
//! invitation, an active user a link to set a password. Either way every older link of
//! the user stops working, and a deactivated user gets nothing.

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::ids::{OidcClientId, PortalUserId};
use crate::invitation::SecretToken;
use crate::outbox::{EmailContent, OutboxMessage};
use crate::pages;
use crate::password_reset::ACCESS_LINK_LIFETIME;
use crate::user::PortalUserStatus;
use crate::{DomainError, Ports};

use super::accounts::password_link;
use super::invitations::{NO_EMAIL, email_to, greeting_name, invitation_email_to, new_invitation};
use super::manager::{Manager, managed_user};
use super::{deliver_after_commit, with_retries};

/// How access information reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// By email to the user's address, with their username.
    Email,
    /// In the answer, for staff to hand over: never stored, never emailed.
    Link,
}

/// What staff ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessInfoRequest {
    pub delivery: Delivery,
    /// For an invitation: whether the person confirms their name and phone before the
    /// password (see [`crate::invitation::Invitation::confirm_contact_data`]).
    pub confirm_contact_data: bool,
    /// The app (an OpenID client with a login initiation URI) the person goes on to,
    /// signed in, once their password is set.
    pub client_id: Option<OidcClientId>,
}

impl AccessInfoRequest {
    /// By email, with the contact data confirmed: what many users at once get.
    pub const EMAIL: Self = Self {
        delivery: Delivery::Email,
        confirm_contact_data: true,
        client_id: None,
    };
}

/// The link just made.
#[derive(Debug)]
pub struct AccessLink {
    pub expires_at: OffsetDateTime,
    /// The whole link, only for [`Delivery::Link`]: shown once.
    pub link: Option<String>,
}

/// Sends `id` new access information, or makes the personal link, as `request` says.
pub async fn send_access_info(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
    request: AccessInfoRequest,
) -> Result<AccessLink, DomainError> {
    let (link, email) = issue(ports, manager, id, request, FirstTry::AfterCommit).await?;
    if let Some(email) = &email {
        deliver_after_commit(ports, email).await;
    }
    Ok(link)
}

/// What became of one user of a bulk send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessInfoOutcome {
    Sent,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessInfoResult {
    pub portal_user_id: PortalUserId,
    pub outcome: AccessInfoOutcome,
    /// Why a user was skipped.
    pub reason: Option<&'static str>,
}

/// Emails access information to each of `ids` (Creatio's "send invites"), one row per
/// distinct id in the order given. A user the manager does not reach reads as unknown,
/// exactly like one that does not exist. The mailer delivers the emails, so the answer
/// does not wait for up to a hundred sends.
pub async fn send_access_info_to_many(
    ports: &Ports,
    manager: &Manager,
    ids: &[PortalUserId],
) -> Result<Vec<AccessInfoResult>, DomainError> {
    let mut seen = HashSet::new();
    let mut results = Vec::new();
    for id in ids.iter().filter(|id| seen.insert(*id)) {
        let issued = issue(
            ports,
            manager,
            id,
            AccessInfoRequest::EMAIL,
            FirstTry::Mailer,
        )
        .await;
        let (outcome, reason) = match issued {
            Ok(_) => (AccessInfoOutcome::Sent, None),
            Err(DomainError::NotFound) => (AccessInfoOutcome::Skipped, Some("not found")),
            Err(DomainError::InvalidState(_)) => (AccessInfoOutcome::Skipped, Some("deactivated")),
            // The one field `issue` refuses: a person known by name alone has no address.
            Err(DomainError::Validation(_)) => (AccessInfoOutcome::Skipped, Some("no email")),
            Err(other) => return Err(other),
        };
        results.push(AccessInfoResult {
            portal_user_id: id.clone(),
            outcome,
            reason,
        });
    }
    Ok(results)
}

/// Who sends an email first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FirstTry {
    /// The request, right after the commit (then the mailer if that fails).
    AfterCommit,
    /// The mailer, at SES's pace.
    Mailer,
}

/// The new link in one write with the user, and its email when it is emailed.
async fn issue(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
    request: AccessInfoRequest,
    first_try: FirstTry,
) -> Result<(AccessLink, Option<OutboxMessage>), DomainError> {
    let delivery = request.delivery;
    let client_id = request.client_id.as_ref();
    if let Some(id) = client_id {
        app_to_sign_in_to(ports, id).await?;
    }
    let queued = |email: OutboxMessage| {
        let email = email.for_app(client_id);
        match first_try {
            FirstTry::AfterCommit => email,
            FirstTry::Mailer => email.for_mailer(),
        }
    };
    with_retries(|| async {
        let now = ports.clock.now();
        let user = managed_user(ports, manager, id).await?;
        if delivery == Delivery::Email && user.needs_email() {
            return Err(DomainError::invalid_field("delivery", NO_EMAIL));
        }
        if user.status() == PortalUserStatus::Invited {
            let (token, mut invitation) = new_invitation(ports, now);
            invitation.confirm_contact_data = request.confirm_contact_data;
            let next = user.reinvite(&manager.actor(), invitation.clone(), now)?;
            let email = (delivery == Delivery::Email)
                .then(|| invitation_email_to(ports, &next, &token, &invitation, now))
                .flatten()
                .map(queued);
            ports
                .store
                .update_portal_user(&next, email.as_ref())
                .await?;
            let link = access_link(
                ports,
                delivery,
                &pages::for_app(pages::WELCOME, client_id),
                &token,
                invitation.expires_at,
            );
            return Ok((link, email));
        }
        let next = user.issue_password_link(&manager.actor(), how(delivery), now)?;
        let (reset, token) = password_link(ports, &next, ACCESS_LINK_LIFETIME, now);
        let email = (delivery == Delivery::Email)
            .then(|| {
                let content = EmailContent::AccessInfo {
                    first_name: greeting_name(&next),
                    username: next.username().map(ToString::to_string).unwrap_or_default(),
                    sealed_token: ports.sealer.seal(token.as_str()),
                    expires_at: reset.expires_at,
                    client_id: None,
                };
                email_to(ports, &next, content, now)
            })
            .flatten()
            .map(queued);
        ports
            .store
            .issue_password_link(&next, &reset, email.as_ref())
            .await?;
        let page = pages::for_app(pages::RESET, client_id);
        let link = access_link(ports, delivery, &page, &token, reset.expires_at);
        Ok((link, email))
    })
    .await
}

fn access_link(
    ports: &Ports,
    delivery: Delivery,
    page: &str,
    token: &SecretToken,
    expires_at: OffsetDateTime,
) -> AccessLink {
    AccessLink {
        expires_at,
        link: (delivery == Delivery::Link).then(|| ports.settings.link(page, token.as_str())),
    }
}

/// The app an access link may lead to: a registered client that can start a sign-in
/// itself (a login initiation URI), else the field is invalid.
async fn app_to_sign_in_to(ports: &Ports, id: &OidcClientId) -> Result<(), DomainError> {
    match ports.store.oidc_client(id).await? {
        Some(client) if client.initiate_login_uri.is_some() => Ok(()),
        Some(_) => Err(DomainError::invalid_field(
            "client_id",
            "names an app without a login initiation URI",
        )),
        None => Err(DomainError::invalid_field(
            "client_id",
            "is not an existing OpenID Connect client",
        )),
    }
}

/// How the audit trail tells the two deliveries apart.
fn how(delivery: Delivery) -> &'static str {
    match delivery {
        Delivery::Email => "by email",
        Delivery::Link => "as a personal link",
    }
}
