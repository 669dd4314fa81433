//! Our OpenID provider in process: clients, authorization codes and provider sessions,
//! each under one key, with the same conditions as on DynamoDB. A redemption marks its
//! code used and begins the session it grants in one commit.

use async_trait::async_trait;
use portal_domain::StoreError;
use portal_domain::ids::OidcClientId;
use portal_domain::oidc::{AuthorizationCode, OidcClient, ProviderSession};
use portal_domain::ports::OidcStore;
use portal_domain::session::NewSession;

use super::EmbeddedStore;
use super::accounts::begin_session;
use super::state::Change;

#[async_trait]
impl OidcStore for EmbeddedStore {
    async fn create_oidc_client(&self, client: &OidcClient) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.oidc_clients.contains_key(&client.id) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::OidcClient(client.clone())])
        })
    }

    async fn oidc_client(&self, id: &OidcClientId) -> Result<Option<OidcClient>, StoreError> {
        Ok(self.read(|state| state.oidc_clients.get(id).cloned()))
    }

    async fn oidc_clients(&self) -> Result<Vec<OidcClient>, StoreError> {
        let mut clients: Vec<OidcClient> =
            self.read(|state| state.oidc_clients.values().cloned().collect());
        // As DynamoDB lists them: by name, case aside, then by id.
        clients.sort_by_cached_key(|client| (client.name.to_lowercase(), client.id.clone()));
        Ok(clients)
    }

    async fn update_oidc_client(&self, next: &OidcClient) -> Result<(), StoreError> {
        self.commit(|state| {
            if !state.oidc_clients.contains_key(&next.id) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::OidcClient(next.clone())])
        })
    }

    async fn delete_oidc_client(&self, id: &OidcClientId) -> Result<(), StoreError> {
        self.commit(|state| {
            Ok(state
                .oidc_clients
                .contains_key(id)
                .then(|| Change::OidcClientDeleted(id.clone()))
                .into_iter()
                .collect())
        })
    }

    async fn save_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.authorization_codes.contains_key(&code.code_hash) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::AuthorizationCode(code.clone())])
        })
    }

    async fn authorization_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        Ok(self.read(|state| state.authorization_codes.get(code_hash).cloned()))
    }

    async fn redeem_authorization_code(
        &self,
        used: &AuthorizationCode,
        session: &NewSession,
    ) -> Result<(), StoreError> {
        self.commit(|state| {
            // A missing code and a used one fail alike, as the condition does on DynamoDB.
            match state.authorization_codes.get(&used.code_hash) {
                Some(stored) if stored.used_at.is_none() => {}
                _ => return Err(StoreError::ConditionFailed),
            }
            let [family, refresh] = begin_session(state, session)?;
            Ok(vec![
                Change::AuthorizationCode(used.clone()),
                family,
                refresh,
            ])
        })
    }

    async fn start_provider_session(&self, session: &ProviderSession) -> Result<(), StoreError> {
        self.commit(|state| {
            if state.provider_sessions.contains_key(&session.key_hash) {
                return Err(StoreError::ConditionFailed);
            }
            Ok(vec![Change::ProviderSession(session.clone())])
        })
    }

    async fn provider_session(
        &self,
        key_hash: &str,
    ) -> Result<Option<ProviderSession>, StoreError> {
        Ok(self.read(|state| state.provider_sessions.get(key_hash).cloned()))
    }

    async fn end_provider_session(&self, key_hash: &str) -> Result<(), StoreError> {
        self.commit(|state| {
            Ok(state
                .provider_sessions
                .contains_key(key_hash)
                .then(|| Change::ProviderSessionEnded(key_hash.to_owned()))
                .into_iter()
                .collect())
        })
    }
}
