//! Session families and refresh tokens on DynamoDB. A rotation is one transaction whose
//! conditions (old token still active, family not revoked) make concurrent refreshes of
//! one token end with exactly one winner.

use aws_sdk_dynamodb::types::{ConditionCheck, Put, Update};
use portal_domain::StoreError;
use portal_domain::session::{RefreshStatus, RefreshToken};
use time::OffsetDateTime;

use super::errors::{invalid_request, transaction_failed};
use super::items::{
    DATA, REVOKED_AT, STATUS, refresh_status, refresh_token_item, session_family_key, string,
};
use super::{DynamoStore, check, put};
use crate::sortable;
use crate::table::PK;

impl DynamoStore {
    pub(super) async fn rotate(
        &self,
        rotated: &RefreshToken,
        new: &RefreshToken,
    ) -> Result<(), StoreError> {
        // A missing old token has no status either, so it fails the same condition.
        let old = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(refresh_token_item(rotated)?))
            .condition_expression("#status = :active")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":active", string(refresh_status(RefreshStatus::Active)))
            .build()
            .map_err(invalid_request)?;
        let family = ConditionCheck::builder()
            .table_name(&self.table_name)
            .set_key(Some(session_family_key(&rotated.family_id)))
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#revoked_at)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#revoked_at", REVOKED_AT)
            .build()
            .map_err(invalid_request)?;
        let items = vec![
            put(old),
            check(family),
            put(self.put_new(refresh_token_item(new)?)?),
        ];
        self.transact(items).await.map_err(transaction_failed)
    }

    /// Idempotent: the first revocation's time stays (`if_not_exists`), and a family that
    /// does not exist (never did, or TTL removed it) is as ended as a revoked one; the
    /// condition only keeps the update from creating a stub item.
    pub(super) async fn revoke_family(
        &self,
        family_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // One string both on top and in `data`, where RFC 3339 parsing reads it back.
        let update = Update::builder()
            .table_name(&self.table_name)
            .set_key(Some(session_family_key(family_id)))
            .update_expression(
                "SET #revoked_at = if_not_exists(#revoked_at, :at), \
                 #data.#revoked_at = if_not_exists(#revoked_at, :at)",
            )
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#data", DATA)
            .expression_attribute_names("#revoked_at", REVOKED_AT)
            .expression_attribute_values(":at", string(sortable::timestamp(at)))
            .build()
            .map_err(invalid_request)?;
        match self.update_alone(update).await {
            Err(StoreError::ConditionFailed) => Ok(()),
            other => other,
        }
    }
}
