//! Approval in process: the same rules, in the same order, as the DynamoDB transaction.

use portal_domain::contact::Contact;
use portal_domain::outbox::OutboxMessage;
use portal_domain::registration::Registration;
use portal_domain::user::PortalUser;
use portal_domain::{Refusal, StoreError};

use super::state::{Change, InvitationPointer, OutboxEntry, State, UsernameGuard};

pub(super) fn approve(
    state: &State,
    next: &Registration,
    user: &PortalUser,
    email: &OutboxMessage,
) -> Result<Vec<Change>, StoreError> {
    state.expect_previous_version(next)?;
    let contact = state.free_contact(user.contact_id())?;
    let mut changes = vec![Change::Registration(next.into()), linked(contact, user)];
    changes.extend(new_user(state, user, Some(email))?);
    Ok(changes)
}

/// `contact` (free) once it has `user`.
pub(super) fn linked(contact: &Contact, user: &PortalUser) -> Change {
    Change::Contact(Contact {
        portal_user_id: Some(user.id().clone()),
        ..contact.clone()
    })
}

/// The guard of `user`'s username, which no other user may have (none without one).
pub(super) fn username_guard(
    state: &State,
    user: &PortalUser,
) -> Result<Option<Change>, StoreError> {
    let Some(username) = user.username() else {
        return Ok(None);
    };
    if state.usernames.contains_key(username.as_ref()) {
        return Err(StoreError::Refused(Refusal::UsernameTaken));
    }
    Ok(Some(Change::Username(UsernameGuard {
        username: username.clone(),
        portal_user_id: user.id().clone(),
    })))
}

/// The changes that create `user` with its username guard, its invitation pointer and
/// `email`, once its contact is settled: the rules after the contact's, in DynamoDB's order.
pub(super) fn new_user(
    state: &State,
    user: &PortalUser,
    email: Option<&OutboxMessage>,
) -> Result<Vec<Change>, StoreError> {
    let username = username_guard(state, user)?;
    state.expect_organization(user)?;
    let pointer = InvitationPointer::pending(user);
    // Ids that should be new but are not: a lost race, like a moved version.
    if state.portal_users.contains_key(user.id())
        || email.is_some_and(|email| state.outbox.contains_key(&email.id))
        || pointer
            .as_ref()
            .is_some_and(|pointer| state.invitations.contains_key(&pointer.token_hash))
    {
        return Err(StoreError::ConditionFailed);
    }
    let mut changes = vec![Change::portal_user(user)];
    changes.extend(username);
    changes.extend(email.map(|email| Change::Outbox(OutboxEntry::pending(email))));
    changes.extend(pointer.map(Change::Invitation));
    Ok(changes)
}
