//! Staff sign-ins and sessions in process.

use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::ports::StaffSessionStore;
use portal_domain::staff_session::{StaffSession, StaffSignIn};

use super::EmbeddedStore;
use super::state::Change;

#[async_trait]
impl StaffSessionStore for EmbeddedStore {
    async fn save_staff_sign_in(&self, sign_in: &StaffSignIn) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.staff_sign_ins.contains_key(&sign_in.state_hash) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::StaffSignIn(sign_in.clone())])
        })
    }

    async fn take_staff_sign_in(
        &self,
        state_hash: &str,
    ) -> Result<Option<StaffSignIn>, StoreError> {
        let mut taken = None;
        self.commit(|state| {
            taken = state.staff_sign_ins.get(state_hash).cloned();
            Ok(taken
                .iter()
                .map(|_| Change::StaffSignInTaken(state_hash.to_owned()))
                .collect())
        })?;
        Ok(taken)
    }

    async fn start_staff_session(&self, session: &StaffSession) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.staff_sessions.contains_key(&session.key_hash) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::StaffSession(session.clone())])
        })
    }

    async fn staff_session(&self, key_hash: &str) -> Result<Option<StaffSession>, StoreError> {
        Ok(self.read(|state| state.staff_sessions.get(key_hash).cloned()))
    }

    async fn touch_staff_session(&self, next: &StaffSession) -> Result<(), StoreError> {
        self.commit(|state| {
            if !state.staff_sessions.contains_key(&next.key_hash) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::StaffSession(next.clone())])
        })
    }

    async fn end_staff_session(&self, key_hash: &str) -> Result<(), StoreError> {
        self.commit(|state| {
            Ok(state
                .staff_sessions
                .contains_key(key_hash)
                .then(|| Change::StaffSessionEnded(key_hash.to_owned()))
                .into_iter()
                .collect())
        })
    }
}
