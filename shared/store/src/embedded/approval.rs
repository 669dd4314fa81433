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
    let contact = state.free_contact(&user.contact_id)?;
    if state.usernames.contains_key(user.username.as_ref()) {
        return Err(StoreError::Refused(Refusal::UsernameTaken));
    }
    if let Some(organization) = &user.organization_id
        && !state.organizations.contains(organization)
    {
        return Err(StoreError::Refused(Refusal::OrganizationMissing));
    }
    let pointer = InvitationPointer::of(user);
    // Ids that should be new but are not: a lost race, like a moved version.
    if state.portal_users.contains_key(&user.id)
        || state.outbox.contains_key(&email.id)
        || pointer
            .as_ref()
            .is_some_and(|pointer| state.invitations.contains_key(&pointer.token_hash))
    {
        return Err(StoreError::ConditionFailed);
    }
    let mut changes = vec![
        Change::Registration(next.clone()),
        Change::PortalUser(user.clone()),
        Change::Username(UsernameGuard {
            username: user.username.clone(),
            portal_user_id: user.id.clone(),
        }),
        Change::Contact(Contact {
            portal_user_id: Some(user.id.clone()),
            ..contact.clone()
        }),
        Change::Outbox(OutboxEntry::pending(email)),
    ];
    changes.extend(pointer.map(Change::Invitation));
    Ok(changes)
}
