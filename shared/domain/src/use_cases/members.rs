//! One portal user at a time, as staff or an organization administrator manage them:
//! creation from a contact, the detail, access changes, a new invitation, deactivation
//! and reactivation. Each change is one version-checked write with its email.

use std::collections::HashMap;

use crate::audit::{AuditAction, AuditEvent};
use crate::contact::Contact;
use crate::ids::{ContactId, Id, OrganizationId, PortalUserId};
use crate::invitation::Invitation;
use crate::login::LoginEvent;
use crate::outbox::{EmailContent, OutboxMessage};
use crate::page::{Page, PageRequest};
use crate::ports::NewMember;
use crate::types::{Role, Username, UsernameField};
use crate::user::{AccessChange, Membership, PortalUser, PortalUserStatus, Profile};
use crate::{DomainError, Ports};

use super::contacts::search_prefix;
use super::invitations::{NO_EMAIL, email_to, greeting_name, invitation_email_to, new_invitation};
use super::manager::{Manager, managed_user, refuse_leaving_no_admin};
use super::{deliver_after_commit, with_retries};

/// How many login events a user's detail shows.
const RECENT_LOGINS: u32 = 10;

/// A user as their detail shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDetail {
    pub user: PortalUser,
    /// Own ∪ organization's ∪ the base role.
    pub effective_roles: Vec<Role>,
    pub logins: Vec<LoginEvent>,
}

/// The username `contact` gives under `USERNAME_FIELD`, or why it gives none (a contact
/// without that field cannot get a portal user). A contact without email under
/// `USERNAME_FIELD=email` gives none yet: the address its user confirms through their
/// personal link becomes it.
pub(super) fn username_for(
    ports: &Ports,
    contact: &Contact,
) -> Result<Option<Username>, &'static str> {
    let field = ports.settings.username_field;
    match (field.of_contact(contact), field) {
        (Some(username), _) => Ok(Some(username)),
        (None, UsernameField::Email) => Ok(None),
        (None, UsernameField::Phone) => Err("has no phone to be a username"),
        (None, UsernameField::ExternalRef) => Err("has no external_ref to be a username"),
    }
}

/// The contact `id` as it is now, and [`username_for`] it (`422` on `contact_id` when it
/// gives none): a contact edited since a request was linked to it gives its new address.
pub(super) async fn username_of(
    ports: &Ports,
    id: &ContactId,
) -> Result<(Option<Username>, Contact), DomainError> {
    let contact = ports
        .store
        .contact(id)
        .await?
        .ok_or(DomainError::ContactRequired)?;
    let username =
        username_for(ports, &contact).map_err(|reason| field_error("contact_id", reason))?;
    Ok((username, contact))
}

/// A new portal user for `contact`, built the same for one user and for a bulk: invited
/// with a fresh link (and its email) when `send_invitation`, else without any link yet.
/// Refused (with the reason) for a contact without the field usernames come from, and
/// for one without email when `send_invitation` (staff hand such a person a link).
pub(super) fn new_member(
    ports: &Ports,
    manager: &Manager,
    contact: &Contact,
    membership: Membership,
) -> Result<(PortalUser, Option<OutboxMessage>), &'static str> {
    let username = username_for(ports, contact)?;
    if membership.send_invitation && contact.email.is_none() {
        return Err(NO_EMAIL_TO_INVITE);
    }
    let Membership {
        grant,
        org_admin,
        send_invitation,
    } = membership;
    let now = ports.clock.now();
    let (token, invitation) = new_invitation(ports, now);
    let invited = AuditEvent::new(&manager.actor(), AuditAction::Invited, None, now);
    let mut user = PortalUser::invite(
        Id::generate(ports.random.as_ref()),
        contact.id.clone(),
        username,
        contact.email.clone(),
        grant,
        invitation.clone(),
        invited,
    )
    .with_locale(contact.locale.clone());
    // A contact known by name gives the account its name; one known only by an email
    // address leaves it to the person, who is asked when accepting.
    if let Some(last_name) = &contact.last_name {
        user = user.with_profile(Profile {
            first_name: contact.first_name.clone(),
            last_name: last_name.clone(),
            phone: contact.phone.clone(),
        });
    }
    user = user.administering(org_admin);
    if !send_invitation {
        return Ok((user.without_invitation(), None));
    }
    let email = invitation_email_to(ports, &user, &token, &invitation, now);
    Ok((user, email))
}

/// Why a contact without email is not invited by email.
const NO_EMAIL_TO_INVITE: &str =
    "has no email: create the user without sending and get a personal link for them";

/// Staff create a portal user for an existing contact, invited at once unless told not to.
pub async fn create_portal_user(
    ports: &Ports,
    manager: &Manager,
    contact_id: &ContactId,
    membership: Membership,
) -> Result<PortalUser, DomainError> {
    let grant = &membership.grant;
    if !grant.roles.is_empty()
        || membership.org_admin
        || gives_roles(ports, grant.organization_id.as_ref()).await?
    {
        manager.require_role_assignment()?;
    }
    if membership.org_admin && grant.organization_id.is_none() {
        return Err(field_error("org_admin", "needs an organization_id"));
    }
    let contact = ports
        .store
        .contact(contact_id)
        .await?
        .ok_or_else(|| field_error("contact_id", "is not an existing contact"))?;
    if contact.portal_user_id.is_some() {
        return Err(DomainError::Conflict(
            "the contact already has a portal user",
        ));
    }
    let (user, email) = new_member(ports, manager, &contact, membership)
        .map_err(|reason| field_error("contact_id", reason))?;
    let member = NewMember::User {
        new_contact: None,
        user: user.clone(),
        email: email.clone(),
    };
    let mut outcomes = ports.store.add_members(&[member]).await?;
    outcomes.pop().unwrap_or(Ok(()))?;
    if let Some(email) = &email {
        deliver_after_commit(ports, email).await;
    }
    Ok(user)
}

/// Store pages one filtered page reads at most: a status few users have still answers in
/// bounded time, with a cursor that carries on where the reading stopped.
const FILTERED_READS: usize = 10;

/// Whose users a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserScope {
    /// Every user, whatever their organization.
    All,
    Organization(OrganizationId),
    NoOrganization,
}

impl UserScope {
    fn holds(&self, user: &PortalUser) -> bool {
        match self {
            Self::All => true,
            Self::Organization(id) => user.organization_id() == Some(id),
            Self::NoOrganization => user.organization_id().is_none(),
        }
    }

    async fn read(
        &self,
        ports: &Ports,
        page: &PageRequest,
    ) -> Result<Page<PortalUser>, DomainError> {
        Ok(match self {
            Self::All => ports.store.all_portal_users(page).await?,
            Self::Organization(id) => ports.store.portal_users_in(Some(id), page).await?,
            Self::NoOrganization => ports.store.portal_users_in(None, page).await?,
        })
    }
}

/// The users of an organization (or of none), oldest first, optionally of one status
/// only: [`find_portal_users`] without a search.
pub async fn portal_users(
    ports: &Ports,
    organization_id: Option<&OrganizationId>,
    status: Option<PortalUserStatus>,
    page: &PageRequest,
) -> Result<Page<PortalUser>, DomainError> {
    let scope = match organization_id {
        Some(id) => UserScope::Organization(id.clone()),
        None => UserScope::NoOrganization,
    };
    find_portal_users(ports, &scope, None, status, page).await
}

/// The users in `scope`, optionally of one status only, oldest first; or, with `query`,
/// those whose contact's name, email (their username) or company starts with it, in the
/// order of the text that matched. The status (and with a query, the scope) is filtered
/// from the list, read on until the page is full: each read asks for no more than the page
/// still has room for, so the store's cursor never skips a match.
pub async fn find_portal_users(
    ports: &Ports,
    scope: &UserScope,
    query: Option<&str>,
    status: Option<PortalUserStatus>,
    page: &PageRequest,
) -> Result<Page<PortalUser>, DomainError> {
    let prefix = query.map(search_prefix).transpose()?;
    let wanted = |user: &PortalUser| {
        status.is_none_or(|status| user.status() == status)
            && (prefix.is_none() || scope.holds(user))
    };
    if status.is_none() && prefix.is_none() {
        return scope.read(ports, page).await;
    }
    let mut items = Vec::new();
    let mut request = page.clone();
    for _ in 0..FILTERED_READS {
        let read = match &prefix {
            Some(prefix) => users_found(ports, prefix, &request).await?,
            None => scope.read(ports, &request).await?,
        };
        items.extend(read.items.into_iter().filter(|user| wanted(user)));
        let room = page.limit.saturating_sub(items.len() as u32);
        match read.next_cursor {
            Some(cursor) if room > 0 => {
                request = PageRequest {
                    limit: room,
                    cursor: Some(cursor),
                }
            }
            next_cursor => return Ok(Page { items, next_cursor }),
        }
    }
    Ok(Page {
        items,
        next_cursor: request.cursor,
    })
}

/// The users of the contacts a search finds, in the contacts' order, with the search's
/// cursor (contacts without a user are passed over).
async fn users_found(
    ports: &Ports,
    prefix: &str,
    page: &PageRequest,
) -> Result<Page<PortalUser>, DomainError> {
    let contacts = ports.store.search_contacts(prefix, page).await?;
    let ids: Vec<PortalUserId> = contacts
        .items
        .iter()
        .filter_map(|contact| contact.portal_user_id.clone())
        .collect();
    let mut users: HashMap<PortalUserId, PortalUser> = ports
        .store
        .portal_users_by_ids(&ids)
        .await?
        .into_iter()
        .map(|user| (user.id().clone(), user))
        .collect();
    Ok(Page {
        items: ids.iter().filter_map(|id| users.remove(id)).collect(),
        next_cursor: contacts.next_cursor,
    })
}

pub async fn member_detail(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<MemberDetail, DomainError> {
    let user = managed_user(ports, manager, id).await?;
    detail_of(ports, user).await
}

async fn detail_of(ports: &Ports, user: PortalUser) -> Result<MemberDetail, DomainError> {
    let organization_roles = organization_roles(ports, &user).await?;
    let logins = ports.store.recent_logins(user.id(), RECENT_LOGINS).await?;
    Ok(MemberDetail {
        effective_roles: user.effective_roles(&organization_roles),
        user,
        logins,
    })
}

/// The roles `user` inherits from their organization.
pub async fn organization_roles(
    ports: &Ports,
    user: &PortalUser,
) -> Result<Vec<Role>, DomainError> {
    let Some(organization_id) = &user.organization_id() else {
        return Ok(Vec::new());
    };
    Ok(ports
        .store
        .organization(organization_id)
        .await?
        .map(|organization| organization.roles)
        .unwrap_or_default())
}

/// Whether putting a user into `organization_id` gives them roles: its members inherit
/// the organization's, so staff need `portal.roles.assign` for that as for roles of their
/// own. An unknown organization gives none (the store then refuses the write).
pub(super) async fn gives_roles(
    ports: &Ports,
    organization_id: Option<&OrganizationId>,
) -> Result<bool, DomainError> {
    let Some(id) = organization_id else {
        return Ok(false);
    };
    Ok(ports
        .store
        .organization(id)
        .await?
        .is_some_and(|organization| !organization.roles.is_empty()))
}

/// Roles, organization and the administrator flag. Staff need `portal.roles.assign` for
/// roles, the flag, and a move into an organization that has roles (the user then holds
/// them). An organization administrator sets the flag and the roles of their own members,
/// roles of their organization only, and moves nobody.
pub async fn change_access(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
    change: &AccessChange,
) -> Result<MemberDetail, DomainError> {
    let new_organization = change.organization_id.as_ref().and_then(Option::as_ref);
    if change.roles.is_some()
        || change.org_admin.is_some()
        || gives_roles(ports, new_organization).await?
    {
        manager.require_role_assignment()?;
    }
    if let Manager::OrgAdmin {
        organization_id, ..
    } = manager
    {
        if change.organization_id.is_some() {
            return Err(DomainError::Forbidden(
                "an organization administrator does not move members between organizations",
            ));
        }
        if let Some(roles) = &change.roles
            && !super::organizations::organization(ports, organization_id)
                .await?
                .grants(roles)
        {
            return Err(field_error("roles", "must be roles of the organization"));
        }
    }
    let next = with_retries(|| async {
        let user = managed_user(ports, manager, id).await?;
        if change.org_admin == Some(false) {
            refuse_leaving_no_admin(ports, manager, &user).await?;
        }
        let next = user.change_access(&manager.actor(), change, ports.clock.now());
        if change.org_admin == Some(true) && next.organization_id().is_none() {
            return Err(field_error(
                "org_admin",
                "needs the user to be in an organization",
            ));
        }
        ports.store.update_portal_user(&next, None).await?;
        Ok(next)
    })
    .await?;
    detail_of(ports, next).await
}

/// A new link for an invited user; every older link answers 410 from now on.
pub async fn reinvite(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<Invitation, DomainError> {
    let (invitation, email) = with_retries(|| async {
        let now = ports.clock.now();
        let user = managed_user(ports, manager, id).await?;
        let (token, invitation) = new_invitation(ports, now);
        let next = user.reinvite(&manager.actor(), invitation.clone(), now)?;
        let email = invitation_email_to(ports, &next, &token, &invitation, now)
            .ok_or(DomainError::InvalidState(NO_EMAIL))?;
        ports.store.update_portal_user(&next, Some(&email)).await?;
        Ok((invitation, email))
    })
    .await?;
    deliver_after_commit(ports, &email).await;
    Ok(invitation)
}

/// Ends a login lock early (a lock for good included): the username's failures are
/// forgotten and the unlock recorded on the user, in one write.
pub async fn unlock(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<PortalUser, DomainError> {
    with_retries(|| async {
        let user = managed_user(ports, manager, id).await?;
        let next = user.unlock(&manager.actor(), ports.clock.now());
        ports.store.unlock_login(&next).await?;
        Ok(next)
    })
    .await
}

/// Cuts a user off in one write: deactivated, pending invitation revoked, token version
/// bumped (every session and access token ends), audited; then the email.
pub async fn deactivate(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<PortalUser, DomainError> {
    let (next, email) = with_retries(|| async {
        let now = ports.clock.now();
        let user = managed_user(ports, manager, id).await?;
        refuse_leaving_no_admin(ports, manager, &user).await?;
        let next = user.deactivate(&manager.actor(), now)?;
        let content = EmailContent::Deactivated {
            first_name: greeting_name(&next),
        };
        let email = email_to(ports, &next, content, now);
        ports
            .store
            .update_portal_user(&next, email.as_ref())
            .await?;
        Ok((next, email))
    })
    .await?;
    if let Some(email) = &email {
        deliver_after_commit(ports, email).await;
    }
    Ok(next)
}

/// Back to `active`; a user who never set a password is `invited` again, with a new link.
pub async fn reactivate(
    ports: &Ports,
    manager: &Manager,
    id: &PortalUserId,
) -> Result<PortalUser, DomainError> {
    let (next, email) = with_retries(|| async {
        let now = ports.clock.now();
        let user = managed_user(ports, manager, id).await?;
        if !user.reactivates_as_invited() {
            let next = user.reactivate(&manager.actor(), None, now)?;
            ports.store.update_portal_user(&next, None).await?;
            return Ok((next, None));
        }
        let (token, invitation) = new_invitation(ports, now);
        let next = user.reactivate(&manager.actor(), Some(invitation.clone()), now)?;
        let email = invitation_email_to(ports, &next, &token, &invitation, now);
        ports
            .store
            .update_portal_user(&next, email.as_ref())
            .await?;
        Ok((next, email))
    })
    .await?;
    if let Some(email) = &email {
        deliver_after_commit(ports, email).await;
    }
    Ok(next)
}

pub(super) fn field_error(field: &'static str, message: &'static str) -> DomainError {
    DomainError::invalid_field(field, message)
}
