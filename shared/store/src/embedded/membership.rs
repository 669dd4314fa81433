//! Organizations and their members in process: the members lists are an index the state
//! keeps (like the review queue), and each write checks DynamoDB's rules in the same order.

use std::collections::BTreeSet;
use std::ops::Bound;

use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::contact::Contact;
use portal_domain::ids::{ContactId, OrganizationId, PortalUserId};
use portal_domain::organization::Organization;
use portal_domain::outbox::OutboxMessage;
use portal_domain::page::{Page, PageRequest};
use portal_domain::password_reset::PasswordReset;
use portal_domain::ports::{MembershipStore, NewMember};
use portal_domain::types::EmailAddress;
use portal_domain::user::PortalUser;

use super::EmbeddedStore;
use super::approval::{linked, new_user};
use super::contacts::new_contact;
use super::state::{Change, InvitationPointer, OutboxEntry, State};
use crate::cursor;
use crate::members::{self, linked_contact};
use crate::organization_list;

#[async_trait]
impl MembershipStore for EmbeddedStore {
    async fn create_organization(&self, organization: &Organization) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.organizations.contains_key(&organization.id) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::Organization(organization.clone())])
        })
    }

    async fn organization(&self, id: &OrganizationId) -> Result<Option<Organization>, StoreError> {
        Ok(self.read(|state| state.organizations.get(id).cloned()))
    }

    async fn organizations(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<Organization>, StoreError> {
        let after = page
            .cursor
            .as_deref()
            .map(|cursor| organization_list::resume(prefix, cursor))
            .transpose()?;
        Ok(self.read(|state| {
            let start = match &after {
                Some(resume) => Bound::Excluded(resume.position.clone()),
                None => Bound::Included(prefix.to_owned()),
            };
            let read = state
                .organization_names
                .range((start, Bound::Unbounded))
                .take_while(|(position, _)| position.starts_with(prefix))
                .take(page.limit as usize + 1)
                .filter_map(|(_, id)| state.organizations.get(id).cloned())
                .collect();
            organization_list::page(prefix, read, page.limit, false)
        }))
    }

    async fn update_organization(&self, next: &Organization) -> Result<(), StoreError> {
        self.commit(|state| {
            let stored = state
                .organizations
                .get(&next.id)
                .map(|stored| stored.version);
            if stored != Some(next.version - 1) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::Organization(next.clone())])
        })
    }

    async fn portal_users_in(
        &self,
        organization_id: Option<&OrganizationId>,
        page: &PageRequest,
    ) -> Result<Page<PortalUser>, StoreError> {
        self.users_listed(&members::list(organization_id), page)
    }

    async fn all_portal_users(&self, page: &PageRequest) -> Result<Page<PortalUser>, StoreError> {
        self.users_listed(members::ALL, page)
    }

    async fn contacts_by_emails(
        &self,
        emails: &[EmailAddress],
    ) -> Result<Vec<Contact>, StoreError> {
        let emails: BTreeSet<&str> = emails.iter().map(AsRef::as_ref).collect();
        Ok(self.read(|state| {
            emails
                .into_iter()
                .filter_map(|email| state.contact_emails.get(email))
                .filter_map(|id| state.contacts.get(id).cloned())
                .collect()
        }))
    }

    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        let ids: BTreeSet<&ContactId> = ids.iter().collect();
        Ok(self.read(|state| {
            ids.into_iter()
                .filter_map(|id| state.contacts.get(id).cloned())
                .collect()
        }))
    }

    async fn portal_users_by_ids(
        &self,
        ids: &[PortalUserId],
    ) -> Result<Vec<PortalUser>, StoreError> {
        let ids: BTreeSet<&PortalUserId> = ids.iter().collect();
        Ok(self.read(|state| {
            ids.into_iter()
                .filter_map(|id| state.portal_users.get(id).cloned())
                .collect()
        }))
    }

    async fn add_members(
        &self,
        members: &[NewMember],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        // One commit per member: each is atomic on its own, and a refusal stops no other.
        Ok(members
            .iter()
            .map(|member| self.commit(|state| new_member(state, member)))
            .collect())
    }

    async fn update_portal_user(
        &self,
        next: &PortalUser,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            state.expect_previous_user_version(next)?;
            state.expect_organization(next)?;
            if email.is_some_and(|email| state.outbox.contains_key(&email.id)) {
                return Err(StoreError::ConditionFailed);
            }
            let mut changes = vec![Change::portal_user(next)];
            // Written again even when unchanged: it only ever names the same user.
            changes.extend(InvitationPointer::pending(next).map(Change::Invitation));
            changes.extend(email.map(|email| Change::Outbox(OutboxEntry::pending(email))));
            Ok(changes)
        })
    }

    async fn issue_password_link(
        &self,
        next: &PortalUser,
        reset: &PasswordReset,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            state.expect_previous_user_version(next)?;
            let taken = state.password_resets.contains_key(&reset.token_hash)
                || email.is_some_and(|email| state.outbox.contains_key(&email.id));
            if taken {
                return Err(StoreError::ConditionFailed);
            }
            let mut changes = vec![
                Change::portal_user(next),
                Change::PasswordReset(reset.clone()),
            ];
            changes.extend(email.map(|email| Change::Outbox(OutboxEntry::pending(email))));
            Ok(changes)
        })
    }
}

/// The rules in the order DynamoDB reports them: the version or the contact first, then
/// the username, the organization, and ids that should be new.
fn new_member(state: &State, member: &NewMember) -> Result<Vec<Change>, StoreError> {
    match member {
        NewMember::User {
            new_contact: Some(contact),
            user,
            email,
        } => {
            let mut changes = new_contact(state, &linked_contact(contact, user)?)?;
            changes.extend(new_user(state, user, email.as_ref())?);
            Ok(changes)
        }
        NewMember::User {
            new_contact: None,
            user,
            email,
        } => {
            let contact = state.free_contact(user.contact_id())?;
            let mut changes = vec![linked(contact, user)];
            changes.extend(new_user(state, user, email.as_ref())?);
            Ok(changes)
        }
        NewMember::Update(next) => {
            state.expect_previous_user_version(next)?;
            state.expect_organization(next)?;
            Ok(vec![Change::portal_user(next)])
        }
    }
}

impl EmbeddedStore {
    /// A page of the users on the members list `list` (an organization's, none's, or
    /// everyone's), in list order, from where the page's cursor stopped.
    fn users_listed(&self, list: &str, page: &PageRequest) -> Result<Page<PortalUser>, StoreError> {
        let resume = page
            .cursor
            .as_deref()
            .map(|cursor| cursor::resume(list, cursor))
            .transpose()?;
        let start = match &resume {
            Some(resume) => Bound::Excluded(resume.position.as_str()),
            None => Bound::Unbounded,
        };
        Ok(self.read(|state| {
            let read = state
                .members
                .get(list)
                .into_iter()
                .flat_map(|listed| listed.range::<str, _>((start, Bound::Unbounded)))
                .take(page.limit.saturating_add(1) as usize)
                .filter_map(|(_, id)| state.portal_users.get(id).cloned())
                .collect();
            cursor::page(list, read, page.limit, false, members::position)
        }))
    }
}
