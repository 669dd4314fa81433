//! Accounts in process: the same conditions as the DynamoDB transactions, checked under
//! the store's one lock, and every failed one is `ConditionFailed` there as here.

use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::ids::PortalUserId;
use portal_domain::login::{AttemptReservation, LoginEvent, LoginGuard};
use portal_domain::outbox::OutboxMessage;
use portal_domain::password_reset::PasswordReset;
use portal_domain::ports::{AccountStore, ContactEmail};
use portal_domain::session::{NewSession, RefreshStatus, RefreshToken, SessionFamily};
use portal_domain::throttle::ThrottleWindow;
use portal_domain::types::Username;
use portal_domain::user::PortalUser;
use time::OffsetDateTime;

use super::EmbeddedStore;
use super::approval::username_guard;
use super::contacts::contact_edit;
use super::state::{Change, LoginRecord, OutboxEntry, State};
use crate::sortable;

#[async_trait]
impl AccountStore for EmbeddedStore {
    async fn portal_user_by_invitation(
        &self,
        token_hash: &str,
    ) -> Result<Option<PortalUser>, StoreError> {
        Ok(self.read(|state| {
            let pointer = state.invitations.get(token_hash)?;
            state.portal_users.get(&pointer.portal_user_id).cloned()
        }))
    }

    async fn portal_user_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<PortalUser>, StoreError> {
        Ok(self.read(|state| {
            let id = state.usernames.get(username.as_ref())?;
            state.portal_users.get(id).cloned()
        }))
    }

    async fn accept_invitation(
        &self,
        next: &PortalUser,
        session: Option<&NewSession>,
        contact: Option<&ContactEmail>,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            state.expect_previous_user_version(next)?;
            let mut changes = vec![Change::portal_user(next)];
            if let Some(contact) = contact {
                // DynamoDB's order: the contact's version, its email's guard, the username's.
                changes.extend(contact_edit(state, &contact.previous, &contact.next)?);
                if contact.username_is_new {
                    changes.extend(username_guard(state, next)?);
                }
            }
            if let Some(session) = session {
                changes.extend(begin_session(state, session)?);
            }
            Ok(changes)
        })
    }

    async fn login_guard(&self, key: &str) -> Result<Option<LoginGuard>, StoreError> {
        Ok(self.read(|state| state.login_guards.get(key).cloned()))
    }

    async fn reserve_login_attempt(
        &self,
        reservation: &AttemptReservation,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            let stored = state
                .login_guards
                .get(&reservation.key)
                .cloned()
                .unwrap_or_else(|| LoginGuard::fresh(reservation.key.clone()));
            if !stored.admits(reservation) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::LoginGuard(stored.counted(reservation))])
        })
    }

    async fn record_login_success(
        &self,
        next: &PortalUser,
        event: &LoginEvent,
        session: Option<&NewSession>,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            state.expect_previous_user_version(next)?;
            let mut changes = vec![Change::portal_user(next), login_record(event)];
            changes.extend(login_guard_cleared(next));
            if let Some(session) = session {
                changes.extend(begin_session(state, session)?);
            }
            Ok(changes)
        })
    }

    async fn record_login_failure(&self, event: &LoginEvent) -> Result<(), StoreError> {
        self.commit(|_| Ok(vec![login_record(event)]))
    }

    async fn unlock_login(&self, next: &PortalUser) -> Result<(), StoreError> {
        self.commit(|state| {
            state.expect_previous_user_version(next)?;
            let mut changes = vec![Change::portal_user(next)];
            changes.extend(login_guard_cleared(next));
            Ok(changes)
        })
    }

    async fn recent_logins(
        &self,
        user_id: &PortalUserId,
        limit: u32,
    ) -> Result<Vec<LoginEvent>, StoreError> {
        Ok(self.read(|state| {
            state.logins.get(user_id).map_or_else(Vec::new, |events| {
                events
                    .values()
                    .rev()
                    .take(limit as usize)
                    .cloned()
                    .collect()
            })
        }))
    }

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshToken>, StoreError> {
        Ok(self.read(|state| state.refresh_tokens.get(token_hash).cloned()))
    }

    async fn session_family(&self, family_id: &str) -> Result<Option<SessionFamily>, StoreError> {
        Ok(self.read(|state| state.session_families.get(family_id).cloned()))
    }

    async fn rotate_refresh_token(
        &self,
        rotated: &RefreshToken,
        new: &RefreshToken,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            let old_is_active = state
                .refresh_tokens
                .get(&rotated.token_hash)
                .is_some_and(|old| old.status == RefreshStatus::Active);
            let family_is_live = state
                .session_families
                .get(&rotated.family_id)
                .is_some_and(|family| family.revoked_at.is_none());
            if !old_is_active
                || !family_is_live
                || state.refresh_tokens.contains_key(&new.token_hash)
            {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![
                Change::RefreshToken(rotated.clone()),
                Change::RefreshToken(new.clone()),
            ])
        })
    }

    async fn revoke_session_family(
        &self,
        family_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // Missing or already revoked: nothing to do, and the first revocation's time stays.
        self.commit(|state| {
            Ok(state
                .session_families
                .get(family_id)
                .filter(|family| family.revoked_at.is_none())
                .map(|family| {
                    Change::SessionFamily(SessionFamily {
                        revoked_at: Some(at),
                        ..family.clone()
                    })
                })
                .into_iter()
                .collect())
        })
    }

    async fn request_password_reset(
        &self,
        reset: &PasswordReset,
        email: Option<&OutboxMessage>,
        throttle: &ThrottleWindow,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            // The throttle first, as on DynamoDB, where its refusal is the one reported.
            let mut changes = vec![state.count_against(throttle)?];
            if state.password_resets.contains_key(&reset.token_hash) {
                return Err(StoreError::ConditionFailed);
            }
            changes.push(Change::PasswordReset(reset.clone()));
            if let Some(email) = email {
                if state.outbox.contains_key(&email.id) {
                    return Err(StoreError::ConditionFailed);
                }
                changes.push(Change::Outbox(OutboxEntry::pending(email)));
            }
            Ok(changes)
        })
    }

    async fn password_reset(&self, token_hash: &str) -> Result<Option<PasswordReset>, StoreError> {
        Ok(self.read(|state| state.password_resets.get(token_hash).cloned()))
    }

    async fn complete_password_reset(
        &self,
        used: &PasswordReset,
        next: &PortalUser,
        email: &OutboxMessage,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            let unused = state
                .password_resets
                .get(&used.token_hash)
                .is_some_and(|stored| stored.used_at.is_none());
            if !unused {
                return Err(StoreError::ConditionFailed);
            }
            state.expect_previous_user_version(next)?;
            if state.outbox.contains_key(&email.id) {
                return Err(StoreError::ConditionFailed);
            }
            let mut changes = vec![
                Change::PasswordReset(used.clone()),
                Change::portal_user(next),
                Change::Outbox(OutboxEntry::pending(email)),
            ];
            changes.extend(login_guard_cleared(next));
            Ok(changes)
        })
    }
}

/// The failures of `user`'s username forgotten; nothing for a user without one yet.
fn login_guard_cleared(user: &PortalUser) -> Option<Change> {
    Some(Change::LoginGuardCleared(LoginGuard::key_of(
        user.username()?,
    )))
}

fn login_record(event: &LoginEvent) -> Change {
    Change::Login(LoginRecord {
        position: sortable::by_time(event.at),
        event: event.clone(),
    })
}

/// The changes that begin `session`; its family and token must be new (a login, an
/// accepted invitation, an app's redeemed code).
pub(super) fn begin_session(
    state: &State,
    session: &NewSession,
) -> Result<[Change; 2], StoreError> {
    if state.session_families.contains_key(&session.family.id)
        || state
            .refresh_tokens
            .contains_key(&session.refresh.token_hash)
    {
        return Err(StoreError::ConditionFailed);
    }
    Ok([
        Change::SessionFamily(session.family.clone()),
        Change::RefreshToken(session.refresh.clone()),
    ])
}
