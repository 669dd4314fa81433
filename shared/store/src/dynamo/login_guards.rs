//! Login guards on DynamoDB: a small item per username key whose counters live on top,
//! so that counting an attempt is one UpdateItem with `ADD` and parallel attempts never
//! conflict; only the steps (a lock reached, a lock ended) are decided by conditions.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use portal_domain::StoreError;
use portal_domain::login::{
    AttemptReservation, FAILURES_LOCKING_FOR_GOOD, FAILURES_PER_LOCK, LoginGuard,
};
use portal_domain::user::PortalUser;
use time::OffsetDateTime;

use super::DynamoStore;
use super::errors::{invalid_request, malformed_item};
use super::items::{Item, epoch_seconds, login_guard_key, number};
use crate::table::{EXPIRES_AT, PK};

const FAILURES: &str = "failures";
const LOCK_AT: &str = "lock_at";
const LOCKED_UNTIL: &str = "locked_until";

impl DynamoStore {
    pub(super) async fn read_login_guard(
        &self,
        key: &str,
    ) -> Result<Option<LoginGuard>, StoreError> {
        let Some(item) = self.get(login_guard_key(key)).await? else {
            return Ok(None);
        };
        Ok(Some(LoginGuard {
            key: key.to_owned(),
            failures: whole_number(&item, FAILURES)? as u32,
            lock_at: whole_number(&item, LOCK_AT)? as u32,
            locked_until: OffsetDateTime::from_unix_timestamp(whole_number(&item, LOCKED_UNTIL)?)
                .map_err(malformed_item)?,
        }))
    }

    /// The conditions are `LoginGuard::admits`, said in DynamoDB's words.
    pub(super) async fn reserve_attempt(
        &self,
        reservation: &AttemptReservation,
    ) -> Result<(), StoreError> {
        let condition = if reservation.next_step {
            "#lock_at = :read AND #failures >= #lock_at AND #locked_until <= :now \
             AND #lock_at < :for_good"
        } else if reservation.read_lock_at == FAILURES_PER_LOCK {
            // A guard not there yet is a fresh one, at the first step.
            "attribute_not_exists(#pk) OR (#lock_at = :read AND #failures < #lock_at)"
        } else {
            "#lock_at = :read AND #failures < #lock_at"
        };
        let ttl = match reservation.expires_at {
            Some(_) => ", #expires_at = :expires_at",
            // The last step locks for good: nothing may forget it.
            None => " REMOVE #expires_at",
        };
        let mut update = Update::builder()
            .table_name(&self.table_name)
            .set_key(Some(login_guard_key(&reservation.key)))
            .update_expression(format!(
                "ADD #failures :one SET #lock_at = :lock_at, #locked_until = :locks_until{ttl}"
            ))
            .condition_expression(condition)
            .expression_attribute_names("#failures", FAILURES)
            .expression_attribute_names("#lock_at", LOCK_AT)
            .expression_attribute_names("#locked_until", LOCKED_UNTIL)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":lock_at", number(reservation.lock_at))
            .expression_attribute_values(":read", number(reservation.read_lock_at))
            .expression_attribute_values(":locks_until", epoch_seconds(reservation.locks_until));
        if condition.contains("#pk") {
            update = update.expression_attribute_names("#pk", PK);
        }
        if reservation.next_step {
            update = update
                .expression_attribute_values(":now", epoch_seconds(reservation.now))
                .expression_attribute_values(":for_good", number(FAILURES_LOCKING_FOR_GOOD));
        }
        if let Some(expires_at) = reservation.expires_at {
            update = update.expression_attribute_values(":expires_at", epoch_seconds(expires_at));
        }
        self.update_alone(update.build().map_err(invalid_request)?)
            .await
    }

    /// In a transaction: the failures of `user`'s username forgotten (whether or not it
    /// has any); nothing for a user without a username yet.
    pub(super) fn clear_login_guard(
        &self,
        user: &PortalUser,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let Some(username) = user.username() else {
            return Ok(None);
        };
        let delete = Delete::builder()
            .table_name(&self.table_name)
            .set_key(Some(login_guard_key(&LoginGuard::key_of(username))))
            .build()
            .map_err(invalid_request)?;
        Ok(Some(TransactWriteItem::builder().delete(delete).build()))
    }
}

fn whole_number(item: &Item, name: &str) -> Result<i64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().map_err(malformed_item),
        _ => Err(malformed_item(format!("no number attribute `{name}`"))),
    }
}
