//! Completing a password reset on DynamoDB: the link used up, the user's new password and
//! its email in one transaction, so a link works once and only for the user it was made
//! for as they were when it was checked.

use aws_sdk_dynamodb::types::{AttributeValue, Put};
use portal_domain::StoreError;
use portal_domain::outbox::OutboxMessage;
use portal_domain::password_reset::PasswordReset;
use portal_domain::user::PortalUser;

use super::errors::{invalid_request, transaction_failed};
use super::items::{USED, password_reset_item, pending_outbox_item};
use super::{DynamoStore, put};

impl DynamoStore {
    pub(super) async fn complete_reset(
        &self,
        used: &PasswordReset,
        next: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError> {
        // A missing reset has no `used` either, so it fails the same condition.
        let reset = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(password_reset_item(used)?))
            .condition_expression("#used = :unused")
            .expression_attribute_names("#used", USED)
            .expression_attribute_values(":unused", AttributeValue::Bool(false))
            .build()
            .map_err(invalid_request)?;
        let mut items = vec![
            put(reset),
            put(self.replace_portal_user(next)?),
            put(self.put_new(pending_outbox_item(email)?)?),
        ];
        items.extend(self.clear_login_guard(next)?);
        self.transact(items).await.map_err(transaction_failed)
    }
}
