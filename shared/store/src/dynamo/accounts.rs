//! Accounts on DynamoDB: lookups are two consistent GetItems at most (a pointer, then the
//! user); every transition is one TransactWriteItems whose first item is the user's
//! version-checked write, so a user who moved meanwhile cancels the whole of it.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use portal_domain::ids::PortalUserId;
use portal_domain::login::{AttemptReservation, LoginEvent, LoginGuard};
use portal_domain::outbox::OutboxMessage;
use portal_domain::password_reset::PasswordReset;
use portal_domain::ports::{AccountStore, ContactEmail, PortalUserStore};
use portal_domain::session::{NewSession, RefreshToken, SessionFamily};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::Username;
use portal_domain::user::PortalUser;
use portal_domain::{Refusal, StoreError};
use time::OffsetDateTime;

use super::errors::{refused, transaction_failed, unavailable};
use super::items::{
    LOGIN_PREFIX, PORTAL_USER_ID, data_of, from_data, id_attribute, invitation_key,
    login_event_item, password_reset_item, password_reset_key, pending_outbox_item,
    portal_user_key, refresh_token_item, refresh_token_key, session_family_item,
    session_family_key, string, username_item,
};
use super::{DynamoStore, put};
use crate::sortable;
use crate::table::{PK, SK};

#[async_trait]
impl AccountStore for DynamoStore {
    async fn portal_user_by_invitation(
        &self,
        token_hash: &str,
    ) -> Result<Option<PortalUser>, StoreError> {
        let Some(pointer) = self.get(invitation_key(token_hash)).await? else {
            return Ok(None);
        };
        self.portal_user(&id_attribute(&pointer, PORTAL_USER_ID)?)
            .await
    }

    async fn portal_user_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<PortalUser>, StoreError> {
        match self.portal_user_id_by_username(username).await? {
            Some(id) => self.portal_user(&id).await,
            None => Ok(None),
        }
    }

    async fn accept_invitation(
        &self,
        next: &PortalUser,
        session: Option<&NewSession>,
        contact: Option<&ContactEmail>,
    ) -> Result<(), StoreError> {
        let mut items = vec![put(self.replace_portal_user(next)?)];
        let Some(contact) = contact else {
            if let Some(session) = session {
                items.extend(self.begin_session(session)?);
            }
            return self.transact(items).await.map_err(transaction_failed);
        };
        let username = match username_item(next).filter(|_| contact.username_is_new) {
            Some(guard) => {
                items.push(put(self.put_new(guard)?));
                Some(items.len() - 1)
            }
            None => None,
        };
        let offset = items.len();
        let edit = self.contact_edit(&contact.previous, &contact.next)?;
        items.extend(edit.writes);
        if let Some(session) = session {
            items.extend(self.begin_session(session)?);
        }
        // A moved user or contact is reported whatever else failed.
        self.transact(items).await.map_err(|error| {
            refused(error, |failed| {
                if failed.at(0) || failed.at(offset) {
                    return None;
                }
                edit.guards.taken(failed, offset).or_else(|| {
                    username
                        .is_some_and(|at| failed.at(at))
                        .then_some(Refusal::UsernameTaken)
                })
            })
        })
    }

    async fn login_guard(&self, key: &str) -> Result<Option<LoginGuard>, StoreError> {
        self.read_login_guard(key).await
    }

    async fn reserve_login_attempt(
        &self,
        reservation: &AttemptReservation,
    ) -> Result<(), StoreError> {
        self.reserve_attempt(reservation).await
    }

    async fn record_login_success(
        &self,
        next: &PortalUser,
        event: &LoginEvent,
        session: Option<&NewSession>,
    ) -> Result<(), StoreError> {
        let event = login_event_item(event, &sortable::by_time(event.at))?;
        let mut items = vec![
            put(self.replace_portal_user(next)?),
            put(self.put_new(event)?),
        ];
        items.extend(self.clear_login_guard(next)?);
        if let Some(session) = session {
            items.extend(self.begin_session(session)?);
        }
        self.transact(items).await.map_err(transaction_failed)
    }

    async fn record_login_failure(&self, event: &LoginEvent) -> Result<(), StoreError> {
        let event = login_event_item(event, &sortable::by_time(event.at))?;
        self.put_alone(self.put_new(event)?).await
    }

    async fn unlock_login(&self, next: &PortalUser) -> Result<(), StoreError> {
        let mut items = vec![put(self.replace_portal_user(next)?)];
        items.extend(self.clear_login_guard(next)?);
        self.transact(items).await.map_err(transaction_failed)
    }

    async fn recent_logins(
        &self,
        user_id: &PortalUserId,
        limit: u32,
    ) -> Result<Vec<LoginEvent>, StoreError> {
        // DynamoDB refuses a Limit of 0; nothing asked for is nothing to read.
        if limit == 0 {
            return Ok(Vec::new());
        }
        let partition = portal_user_key(user_id).remove(PK).expect("a key has a pk");
        // The prefix leaves out the user item itself (sort key `USER`) in the same partition.
        let output = self
            .client
            .query()
            .table_name(&self.table_name)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", partition)
            .expression_attribute_values(":prefix", string(LOGIN_PREFIX))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(data_of)
            .collect()
    }

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshToken>, StoreError> {
        from_data(self.get(refresh_token_key(token_hash)).await?)
    }

    async fn session_family(&self, family_id: &str) -> Result<Option<SessionFamily>, StoreError> {
        from_data(self.get(session_family_key(family_id)).await?)
    }

    async fn rotate_refresh_token(
        &self,
        rotated: &RefreshToken,
        new: &RefreshToken,
    ) -> Result<(), StoreError> {
        self.rotate(rotated, new).await
    }

    async fn revoke_session_family(
        &self,
        family_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.revoke_family(family_id, at).await
    }

    async fn request_password_reset(
        &self,
        reset: &PasswordReset,
        email: Option<&OutboxMessage>,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError> {
        let mut items = vec![put(self.put_new(password_reset_item(reset)?)?)];
        if let Some(email) = email {
            items.push(put(self.put_new(pending_outbox_item(email)?)?));
        }
        self.transact_counted(items, throttle).await
    }

    async fn password_reset(&self, token_hash: &str) -> Result<Option<PasswordReset>, StoreError> {
        from_data(self.get(password_reset_key(token_hash)).await?)
    }

    async fn complete_password_reset(
        &self,
        used: &PasswordReset,
        next: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError> {
        self.complete_reset(used, next, email).await
    }
}

impl DynamoStore {
    /// The writes that begin `session`: its family and first refresh token, both new.
    pub(super) fn begin_session(
        &self,
        session: &NewSession,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        Ok([
            put(self.put_new(session_family_item(&session.family)?)?),
            put(self.put_new(refresh_token_item(&session.refresh)?)?),
        ])
    }
}
