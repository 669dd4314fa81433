use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::contact::Contact;
use portal_domain::ids::{PortalUserId, RegistrationId};
use portal_domain::outbox::OutboxMessage;
use portal_domain::page::{Page, PageRequest};
use portal_domain::ports::{PortalUserStore, RegistrationStore, ThrottleStore};
use portal_domain::registration::{Registration, RegistrationStatus};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::Username;
use portal_domain::user::PortalUser;

use super::approval::username_guard;
use super::state::{Change, OutboxEntry};
use super::{EmbeddedStore, approval, contacts, queue};

#[async_trait]
impl RegistrationStore for EmbeddedStore {
    async fn submit_registration(
        &self,
        registration: &Registration,
        email: &OutboxMessage,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            // The throttle first, as on DynamoDB, where its refusal is the one reported.
            let counted = state.count_against(throttle)?;
            if state.registrations.contains_key(registration.id())
                || state.outbox.contains_key(&email.id)
            {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![
                Change::Registration(registration.into()),
                Change::Outbox(OutboxEntry::pending(email)),
                counted,
            ])
        })
    }

    async fn registration(&self, id: &RegistrationId) -> Result<Option<Registration>, StoreError> {
        Ok(self.read(|state| state.registrations.get(id).cloned()))
    }

    async fn registrations_by_status(
        &self,
        status: RegistrationStatus,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        self.read(|state| queue::page(state, status, page))
    }

    async fn search_registrations(
        &self,
        status: RegistrationStatus,
        key: &str,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        self.read(|state| queue::search(state, status, key, page))
    }

    async fn link_existing_contact(&self, next: &Registration) -> Result<(), StoreError> {
        self.commit(|state| contacts::link_existing(state, next))
    }

    async fn link_new_contact(
        &self,
        next: &Registration,
        contact: &Contact,
    ) -> Result<(), StoreError> {
        self.commit(|state| contacts::link_new(state, next, contact))
    }

    async fn approve_registration(
        &self,
        next: &Registration,
        user: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError> {
        self.commit(|state| approval::approve(state, next, user, email))
    }

    async fn advance_registration(
        &self,
        next: &Registration,
        email: Option<&OutboxMessage>,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            state.expect_previous_version(next)?;
            let mut changes = vec![Change::Registration(next.into())];
            if let Some(email) = email {
                if state.outbox.contains_key(&email.id) {
                    return Err(StoreError::ConditionFailed);
                }
                changes.push(Change::Outbox(OutboxEntry::pending(email)));
            }
            Ok(changes)
        })
    }
}

#[async_trait]
impl PortalUserStore for EmbeddedStore {
    async fn portal_user(&self, id: &PortalUserId) -> Result<Option<PortalUser>, StoreError> {
        Ok(self.read(|state| state.portal_users.get(id).cloned()))
    }

    async fn portal_user_id_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<PortalUserId>, StoreError> {
        Ok(self.read(|state| state.usernames.get(username.as_ref()).cloned()))
    }

    async fn create_portal_user(&self, user: &PortalUser) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.portal_users.contains_key(user.id()) {
                return Err(StoreError::ConditionFailed);
            }
            let username = username_guard(state, user).map_err(|_| StoreError::ConditionFailed)?;
            let mut changes = vec![Change::portal_user(user)];
            changes.extend(username);
            Ok(changes)
        })
    }
}

#[async_trait]
impl ThrottleStore for EmbeddedStore {
    async fn count_request(&self, window: &ThrottleWindow) -> Result<(), StoreError> {
        self.commit(|state| Ok(vec![state.count_against(window)?]))
    }
}
