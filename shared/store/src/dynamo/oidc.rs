//! Our OpenID provider on DynamoDB: one item per client, authorization code and provider
//! session. Clients are listed by name in one index partition (no Scan); a code carries
//! `used` on top of `data` once redeemed, so of two redemptions only one can begin a
//! session, and TTL removes codes and sessions (reads do not check expiry, the use cases do).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put};
use portal_domain::StoreError;
use portal_domain::ids::OidcClientId;
use portal_domain::oidc::{AuthorizationCode, OidcClient, ProviderSession};
use portal_domain::ports::OidcStore;
use portal_domain::session::NewSession;
use time::Duration;

use super::errors::{invalid_request, transaction_failed, unavailable};
use super::items::{
    DATA, Item, OIDC_CLIENTS, USED, authorization_code_key, data, data_of, epoch_seconds,
    from_data, oidc_client_key, provider_session_key, string,
};
use super::{DynamoStore, put};
use crate::table::{EXPIRES_AT, GSI1_PK, GSI1_SK, PK};

/// How long a code is kept past its expiry: a replay within it is still recognized as one
/// (and ends the session the first redemption began) rather than taken for an unknown code.
const USED_CODE_KEPT: Duration = Duration::days(1);

/// Clients read by one Query of their list; a company registers a handful.
const CLIENTS_PER_QUERY: u32 = 100;

#[async_trait]
impl OidcStore for DynamoStore {
    async fn create_oidc_client(&self, client: &OidcClient) -> Result<(), StoreError> {
        self.put_alone(self.put_new(client_item(client)?)?).await
    }

    async fn oidc_client(&self, id: &OidcClientId) -> Result<Option<OidcClient>, StoreError> {
        from_data(self.get(oidc_client_key(id)).await?)
    }

    async fn oidc_clients(&self) -> Result<Vec<OidcClient>, StoreError> {
        let mut clients = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .query_list(OIDC_CLIENTS.to_owned(), CLIENTS_PER_QUERY, false, start)
                .await?;
            for item in output.items.unwrap_or_default() {
                clients.push(data_of::<OidcClient>(item)?);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        // The index orders them already, but `#` sorts after a space ("Acme Ltd" before
        // "Acme"): the list's order is by name, case aside, then by id, as in process.
        clients.sort_by_cached_key(|client| (client.name.to_lowercase(), client.id.clone()));
        Ok(clients)
    }

    async fn update_oidc_client(&self, next: &OidcClient) -> Result<(), StoreError> {
        let put = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(client_item(next)?))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(invalid_request)?;
        self.put_alone(put).await
    }

    async fn delete_oidc_client(&self, id: &OidcClientId) -> Result<(), StoreError> {
        self.delete_key(oidc_client_key(id)).await
    }

    async fn save_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.put_alone(self.put_new(code_item(code)?)?).await
    }

    async fn authorization_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        from_data(self.get(authorization_code_key(code_hash)).await?)
    }

    async fn redeem_authorization_code(
        &self,
        used: &AuthorizationCode,
        session: &NewSession,
    ) -> Result<(), StoreError> {
        // A missing code has no `pk` and a used one has `used`: either fails the condition,
        // and the family and refresh token are written only with the code marked used.
        let code = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(code_item(used)?))
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#used)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#used", USED)
            .build()
            .map_err(invalid_request)?;
        let mut items = vec![put(code)];
        items.extend(self.begin_session(session)?);
        self.transact(items).await.map_err(transaction_failed)
    }

    async fn start_provider_session(&self, session: &ProviderSession) -> Result<(), StoreError> {
        self.put_alone(self.put_new(provider_session_item(session)?)?)
            .await
    }

    async fn provider_session(
        &self,
        key_hash: &str,
    ) -> Result<Option<ProviderSession>, StoreError> {
        from_data(self.get(provider_session_key(key_hash)).await?)
    }

    async fn end_provider_session(&self, key_hash: &str) -> Result<(), StoreError> {
        self.delete_key(provider_session_key(key_hash)).await
    }
}

impl DynamoStore {
    /// Idempotent: deleting a missing item succeeds.
    async fn delete_key(&self, key: Item) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table_name)
            .set_key(Some(key))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// Listed by name (case aside), the id breaking ties, in the one partition of every client.
fn client_item(client: &OidcClient) -> Result<Item, StoreError> {
    let mut item = oidc_client_key(&client.id);
    item.insert(GSI1_PK.to_owned(), string(OIDC_CLIENTS));
    item.insert(
        GSI1_SK.to_owned(),
        string(format!("{}#{}", client.name.to_lowercase(), client.id)),
    );
    item.insert(DATA.to_owned(), data(client)?);
    Ok(item)
}

/// Kept a day past its expiry, and `used` once redeemed.
fn code_item(code: &AuthorizationCode) -> Result<Item, StoreError> {
    let mut item = authorization_code_key(&code.code_hash);
    item.insert(
        EXPIRES_AT.to_owned(),
        epoch_seconds(code.expires_at + USED_CODE_KEPT),
    );
    if code.used_at.is_some() {
        item.insert(USED.to_owned(), AttributeValue::Bool(true));
    }
    item.insert(DATA.to_owned(), data(code)?);
    Ok(item)
}

/// TTL removes it once it could no longer sign anyone in.
fn provider_session_item(session: &ProviderSession) -> Result<Item, StoreError> {
    let mut item = provider_session_key(&session.key_hash);
    item.insert(EXPIRES_AT.to_owned(), epoch_seconds(session.expires_at));
    item.insert(DATA.to_owned(), data(session)?);
    Ok(item)
}

#[cfg(test)]
mod tests {
    use portal_domain::oidc::{ClientSettings, ClientType};
    use portal_domain::testing::id;
    use time::macros::datetime;

    use super::*;
    use crate::table::SK;

    const NOW: time::OffsetDateTime = datetime!(2026-11-27 09:00 UTC);

    fn code() -> AuthorizationCode {
        AuthorizationCode {
            code_hash: "ab".repeat(32),
            client_id: id("c1"),
            redirect_uri: "https://app.example/cb".into(),
            user_id: id("u1"),
            scopes: vec!["openid".into()],
            nonce: Some("n".into()),
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            auth_time: NOW,
            amr: vec!["pwd".into()],
            family_id: "f1".into(),
            expires_at: NOW + Duration::seconds(60),
            used_at: None,
        }
    }

    #[test]
    fn a_client_item_is_listed_by_its_name_and_reads_back_equal() {
        let settings =
            ClientSettings::parse("Time Sheets", &["https://a.example/cb".into()], &[], None)
                .unwrap();
        let client = OidcClient::new(id("c1"), settings, ClientType::Public, None, NOW);
        let item = client_item(&client).unwrap();
        assert_eq!(item[PK], string(format!("OIDCCLIENT#{}", client.id)));
        assert_eq!(item[SK], string("OIDCCLIENT"));
        assert_eq!(item[GSI1_PK], string("OIDCCLIENTS"));
        assert_eq!(item[GSI1_SK], string(format!("time sheets#{}", client.id)));
        assert_eq!(data_of::<OidcClient>(item).unwrap(), client);
    }

    #[test]
    fn a_code_item_is_kept_a_day_past_its_expiry_and_says_once_it_is_used() {
        let code = code();
        let item = code_item(&code).unwrap();
        assert_eq!(item[PK], string(format!("OIDCCODE#{}", code.code_hash)));
        assert_eq!(
            item[EXPIRES_AT],
            epoch_seconds(NOW + Duration::seconds(60) + Duration::days(1))
        );
        assert!(!item.contains_key(USED));
        let used = code.used(NOW);
        let item = code_item(&used).unwrap();
        assert_eq!(item[USED], AttributeValue::Bool(true));
        assert_eq!(data_of::<AuthorizationCode>(item).unwrap(), used);
    }
}
