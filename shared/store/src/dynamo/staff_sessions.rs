//! Staff sign-ins and sessions on DynamoDB: one item each, under the hash of the browser's
//! secret, removed by TTL once it has expired (reads check expiry themselves: TTL is late).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, ReturnValue};
use portal_domain::StoreError;
use portal_domain::ports::StaffSessionStore;
use portal_domain::staff_session::{StaffSession, StaffSignIn};

use super::DynamoStore;
use super::errors::{invalid_request, unavailable};
use super::items::{
    DATA, Item, data, data_of, epoch_seconds, from_data, staff_session_key, staff_sign_in_key,
};
use crate::table::{EXPIRES_AT, PK};

#[async_trait]
impl StaffSessionStore for DynamoStore {
    async fn save_staff_sign_in(&self, sign_in: &StaffSignIn) -> Result<(), StoreError> {
        let mut item = staff_sign_in_key(&sign_in.state_hash);
        item.insert(EXPIRES_AT.to_owned(), epoch_seconds(sign_in.expires_at));
        item.insert(DATA.to_owned(), data(sign_in)?);
        self.put_alone(self.put_new(item)?).await
    }

    async fn take_staff_sign_in(
        &self,
        state_hash: &str,
    ) -> Result<Option<StaffSignIn>, StoreError> {
        // One DeleteItem that returns what it deleted: of two callbacks, the second finds
        // nothing, however close together they come.
        let output = self
            .client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(staff_sign_in_key(state_hash)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(unavailable)?;
        output.attributes.map(data_of).transpose()
    }

    async fn start_staff_session(&self, session: &StaffSession) -> Result<(), StoreError> {
        self.put_alone(self.put_new(session_item(session)?)?).await
    }

    async fn staff_session(&self, key_hash: &str) -> Result<Option<StaffSession>, StoreError> {
        from_data(self.get(staff_session_key(key_hash)).await?)
    }

    async fn touch_staff_session(&self, next: &StaffSession) -> Result<(), StoreError> {
        let put = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(session_item(next)?))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(invalid_request)?;
        self.put_alone(put).await
    }

    async fn end_staff_session(&self, key_hash: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(staff_session_key(key_hash)))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// TTL removes it once it could no longer be used, idle or not.
fn session_item(session: &StaffSession) -> Result<Item, StoreError> {
    let mut item = staff_session_key(&session.key_hash);
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(session.expires_at()));
    item.insert(DATA.to_owned(), data(session)?);
    Ok(item)
}
