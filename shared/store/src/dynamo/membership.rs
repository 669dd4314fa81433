//! Organizations and their members on DynamoDB: an organization is one item; its members
//! are a list on the index (every user item carries its place there, see `items`); bulk
//! reads are BatchGetItems, and a user's update is one TransactWriteItems.

use std::collections::BTreeSet;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::Put;
use portal_domain::contact::Contact;
use portal_domain::ids::{ContactId, OrganizationId, PortalUserId};
use portal_domain::organization::Organization;
use portal_domain::outbox::OutboxMessage;
use portal_domain::page::{Page, PageRequest};
use portal_domain::password_reset::PasswordReset;
use portal_domain::ports::{MembershipStore, NewMember};
use portal_domain::types::EmailAddress;
use portal_domain::user::PortalUser;
use portal_domain::{Refusal, StoreError};

use super::errors::{invalid_request, refused};
use super::items::{
    CONTACT_ID, VERSION, all_users_entry_key, contact_email_key, contact_key, data_of, from_data,
    members_entry_key, number, organization_entry_key, organization_item, organization_key,
    password_reset_item, pending_invitation_item, pending_outbox_item, portal_user_key,
    portal_user_of, string_attribute,
};
use super::{DynamoStore, check, put};
use crate::table::PK;
use crate::{members, organization_list};

/// Where [`MembershipStore::update_portal_user`] has the user's version-checked write.
const USER: usize = 0;

#[async_trait]
impl MembershipStore for DynamoStore {
    async fn create_organization(&self, organization: &Organization) -> Result<(), StoreError> {
        self.put_alone(self.put_new(organization_item(organization)?)?)
            .await
    }

    async fn organization(&self, id: &OrganizationId) -> Result<Option<Organization>, StoreError> {
        from_data(self.get(organization_key(id)).await?)
    }

    async fn organizations(
        &self,
        prefix: &str,
        page: &PageRequest,
    ) -> Result<Page<Organization>, StoreError> {
        // A bad cursor is refused before any call is made.
        let start = page
            .cursor
            .as_deref()
            .map(|cursor| organization_list::resume(prefix, cursor))
            .transpose()?
            .map(|resume| organization_entry_key(&resume));
        let (read, cut_short) = self
            .read_list(
                organization_list::LIST.to_owned(),
                prefix,
                page.limit.saturating_add(1),
                false,
                start,
                data_of,
            )
            .await?;
        Ok(organization_list::page(prefix, read, page.limit, cut_short))
    }

    async fn update_organization(&self, next: &Organization) -> Result<(), StoreError> {
        let item = organization_item(next)?;
        let put = if next.version == 2 {
            // The first change: organizations stored before they had versions (and list
            // entries) have no `version` attribute, and read as version 1.
            Put::builder()
                .table_name(self.table_name())
                .set_item(Some(item))
                .condition_expression(
                    "attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :one)",
                )
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(":one", number(1))
                .build()
                .map_err(invalid_request)?
        } else {
            self.put_next_version(item, next.version)?
        };
        self.put_alone(put).await
    }

    async fn portal_users_in(
        &self,
        organization_id: Option<&OrganizationId>,
        page: &PageRequest,
    ) -> Result<Page<PortalUser>, StoreError> {
        // A bad cursor is refused before any call is made.
        let start = page
            .cursor
            .as_deref()
            .map(|cursor| members::resume(organization_id, cursor))
            .transpose()?
            .map(|resume| members_entry_key(organization_id, &resume));
        let (read, cut_short) = self
            .read_list(
                members::list(organization_id),
                "",
                page.limit.saturating_add(1),
                false,
                start,
                portal_user_of,
            )
            .await?;
        Ok(members::page(organization_id, read, page.limit, cut_short))
    }

    async fn contacts_by_emails(
        &self,
        emails: &[EmailAddress],
    ) -> Result<Vec<Contact>, StoreError> {
        // Two rounds, as for one email: the guards name the contacts, then the contacts.
        let emails: BTreeSet<&EmailAddress> = emails.iter().collect();
        let guards = self
            .batch_get(emails.into_iter().map(contact_email_key).collect())
            .await?;
        let ids = guards
            .iter()
            .map(|guard| string_attribute(guard, CONTACT_ID))
            .collect::<Result<BTreeSet<String>, _>>()?;
        self.batch_get(ids.iter().map(|id| contact_key(id)).collect())
            .await?
            .into_iter()
            .map(data_of)
            .collect()
    }

    async fn contacts_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        let ids: BTreeSet<&ContactId> = ids.iter().collect();
        self.batch_get(ids.into_iter().map(|id| contact_key(id)).collect())
            .await?
            .into_iter()
            .map(data_of)
            .collect()
    }

    async fn all_portal_users(&self, page: &PageRequest) -> Result<Page<PortalUser>, StoreError> {
        // A bad cursor is refused before any call is made.
        let start = page
            .cursor
            .as_deref()
            .map(|cursor| crate::cursor::resume(members::ALL, cursor))
            .transpose()?
            .map(|resume| all_users_entry_key(&resume));
        let (ids, cut_short) = self
            .read_list(
                members::ALL.to_owned(),
                "",
                page.limit.saturating_add(1),
                false,
                start,
                |entry| string_attribute(&entry, PK),
            )
            .await?;
        let ids: Vec<PortalUserId> = ids
            .iter()
            .filter_map(|pk| PortalUserId::parse(pk.strip_prefix("USER#")?))
            .collect();
        let mut users: std::collections::HashMap<PortalUserId, PortalUser> = self
            .portal_users_by_ids(&ids)
            .await?
            .into_iter()
            .map(|user| (user.id().clone(), user))
            .collect();
        let read = ids.iter().filter_map(|id| users.remove(id)).collect();
        Ok(members::page_of_all(read, page.limit, cut_short))
    }

    async fn portal_users_by_ids(
        &self,
        ids: &[PortalUserId],
    ) -> Result<Vec<PortalUser>, StoreError> {
        let ids: BTreeSet<&PortalUserId> = ids.iter().collect();
        self.batch_get(ids.into_iter().map(|id| portal_user_key(id)).collect())
            .await?
            .into_iter()
            .map(portal_user_of)
            .collect()
    }

    async fn add_members(
        &self,
        members: &[NewMember],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        Ok(self.write_members(members).await)
    }

    async fn update_portal_user(
        &self,
        next: &PortalUser,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError> {
        let replace = self.replace_portal_user(next)?;
        let mut items = vec![put(replace.clone())];
        if let Some(pointer) = pending_invitation_item(next) {
            items.push(put(self.put_over(pointer)?));
        }
        if let Some(email) = email {
            items.push(put(self.put_new(pending_outbox_item(email)?)?));
        }
        let organization = match &next.organization_id() {
            Some(id) => {
                items.push(check(self.exists(organization_key(id))?));
                Some(items.len() - 1)
            }
            None => None,
        };
        if items.len() == 1 {
            return self.put_alone(replace).await;
        }
        // A moved version is reported whatever else failed, as in every transition.
        self.transact(items).await.map_err(|error| {
            refused(error, |failed| {
                let missing = organization.is_some_and(|position| failed.at(position));
                (!failed.at(USER) && missing).then_some(Refusal::OrganizationMissing)
            })
        })
    }

    async fn issue_password_link(
        &self,
        next: &PortalUser,
        reset: &PasswordReset,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError> {
        let mut items = vec![
            put(self.replace_portal_user(next)?),
            put(self.put_new(password_reset_item(reset)?)?),
        ];
        if let Some(email) = email {
            items.push(put(self.put_new(pending_outbox_item(email)?)?));
        }
        // Only the version can move: the link and the email are new ids.
        self.transact(items)
            .await
            .map_err(|error| refused(error, |_| None))
    }
}
