use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::ids::PortalUserId;
use portal_domain::ports::PortalUserStore;
use portal_domain::types::Username;
use portal_domain::user::PortalUser;

use aws_sdk_dynamodb::types::Put;

use super::errors::transaction_failed;
use super::items::{
    PORTAL_USER_ID, id_attribute, portal_user_item, portal_user_key, portal_user_of,
    user_listing_item, username_item, username_key,
};
use super::{DynamoStore, put};

#[async_trait]
impl PortalUserStore for DynamoStore {
    async fn portal_user(&self, id: &PortalUserId) -> Result<Option<PortalUser>, StoreError> {
        self.get(portal_user_key(id))
            .await?
            .map(portal_user_of)
            .transpose()
    }

    async fn portal_user_id_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<PortalUserId>, StoreError> {
        self.get(username_key(username))
            .await?
            .map(|guard| id_attribute(&guard, PORTAL_USER_ID))
            .transpose()
    }

    async fn create_portal_user(&self, user: &PortalUser) -> Result<(), StoreError> {
        let mut items = vec![
            put(self.put_new(portal_user_item(user)?)?),
            put(self.put_new(user_listing_item(user))?),
        ];
        if let Some(guard) = username_item(user) {
            items.push(put(self.put_new(guard)?));
        }
        self.transact(items).await.map_err(transaction_failed)
    }
}

impl DynamoStore {
    /// Writes `next` over the stored user if that is still the version `next` came from
    /// (the whole item: its keys and attributes are all derived from the user).
    pub(super) fn replace_portal_user(&self, next: &PortalUser) -> Result<Put, StoreError> {
        self.put_next_version(portal_user_item(next)?, next.version())
    }
}
