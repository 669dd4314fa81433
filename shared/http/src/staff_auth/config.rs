//! Where staff come from, read once from the environment at cold start: the company's
//! identity provider (in AWS always), and on a laptop also tokens we mint ourselves.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use portal_domain::config::Variable;
use serde_json::{Map, Value};

const ISSUER: Variable = Variable::required("STAFF_OIDC_ISSUER");
const CLIENT_ID: Variable = Variable::required("STAFF_OIDC_CLIENT_ID");
/// `aud` of bearer tokens for scripts; default the client id.
const AUDIENCE: Variable = Variable::optional("STAFF_JWT_AUDIENCE");
/// Default `permissions`.
const PERMISSIONS_CLAIM: Variable = Variable::optional("STAFF_PERMISSIONS_CLAIM");
/// JSON: claim value → permissions. Absent: the claim's values are the permissions.
const PERMISSION_MAP: Variable = Variable::optional("STAFF_PERMISSION_MAP");

pub const DEFAULT_PERMISSIONS_CLAIM: &str = "permissions";

/// The company's OpenID provider and what its tokens must say.
#[derive(Clone)]
pub struct ProviderConfig {
    /// Exactly as the provider's discovery document and tokens name it.
    pub issuer: String,
    /// The console's client id: the audience of the ID tokens it receives.
    pub client_id: String,
    /// The audience of bearer tokens (scripts).
    pub audience: String,
    pub permissions: PermissionRule,
    /// The console's client secret: only the function that serves the sign-in's callback
    /// has it (`None` elsewhere, where only bearer tokens and sessions are checked).
    pub client_secret: Option<Arc<dyn ClientSecret>>,
}

/// Where the console's client secret comes from: given (portal-local, tests), or fetched on
/// first use (a deployed function reads it from Secrets Manager at its first callback, so
/// no cold start waits for it).
#[async_trait]
pub trait ClientSecret: Send + Sync {
    /// The secret; the error (for the log) never holds it.
    async fn reveal(&self) -> Result<String, String>;
}

/// A client secret known from the start.
pub struct GivenSecret(pub String);

#[async_trait]
impl ClientSecret for GivenSecret {
    async fn reveal(&self) -> Result<String, String> {
        Ok(self.0.clone())
    }
}

/// Which claim carries a staff member's permissions, and how its values translate.
#[derive(Debug, Clone, Default)]
pub struct PermissionRule {
    pub claim: String,
    /// `None`: the values are permissions themselves.
    pub map: Option<HashMap<String, Vec<String>>>,
}

impl PermissionRule {
    /// The permissions `claims` grant: the claim may be a string or a list of strings;
    /// values the map does not name grant nothing. Sorted, without repeats.
    pub fn permissions(&self, claims: &Map<String, Value>) -> Vec<String> {
        let values: Vec<&str> = match claims.get(&self.claim) {
            Some(Value::String(one)) => one.split_whitespace().collect(),
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let mut permissions: Vec<String> = match &self.map {
            None => values.into_iter().map(str::to_owned).collect(),
            Some(map) => values
                .into_iter()
                .filter_map(|value| map.get(value))
                .flatten()
                .cloned()
                .collect(),
        };
        permissions.sort();
        permissions.dedup();
        permissions
    }
}

/// Staff tokens signed with a shared secret (HS256): portal-local and tests only, where
/// no provider runs. Whoever holds the secret can mint tokens.
#[derive(Clone)]
pub struct DevTokens {
    pub issuer: String,
    pub audience: String,
    pub secret: Vec<u8>,
}

/// What staff authentication accepts; at least one of the two.
#[derive(Debug, Clone)]
pub struct StaffAuthConfig {
    pub provider: Option<ProviderConfig>,
    pub dev: Option<DevTokens>,
}

impl StaffAuthConfig {
    /// What [`StaffAuthConfig::from_env`] reads.
    pub const VARIABLES: &[Variable] = &[
        ISSUER,
        CLIENT_ID,
        AUDIENCE,
        PERMISSIONS_CLAIM,
        PERMISSION_MAP,
    ];

    /// The provider from `STAFF_OIDC_ISSUER` and `STAFF_OIDC_CLIENT_ID` (required) and the
    /// optional `STAFF_JWT_AUDIENCE`, `STAFF_PERMISSIONS_CLAIM` and `STAFF_PERMISSION_MAP`.
    /// A deployed function trusts nothing else.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            provider: Some(ProviderConfig::from_lookup(|name| {
                std::env::var(name).ok()
            })?),
            dev: None,
        })
    }
}

impl ProviderConfig {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let issuer = ISSUER.require(&lookup)?;
        check_issuer(&issuer)?;
        let client_id = CLIENT_ID.require(&lookup)?;
        let map = PERMISSION_MAP
            .read(&lookup)
            .map(|json| {
                serde_json::from_str(&json).map_err(|error| {
                    format!(
                        "{} must map claim values to lists of permissions: {error}",
                        PERMISSION_MAP.name
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            issuer,
            audience: AUDIENCE.read(&lookup).unwrap_or_else(|| client_id.clone()),
            client_id,
            permissions: PermissionRule {
                claim: PERMISSIONS_CLAIM
                    .read(&lookup)
                    .unwrap_or_else(|| DEFAULT_PERMISSIONS_CLAIM.to_owned()),
                map,
            },
            client_secret: None,
        })
    }
}

/// An issuer is an https URL (OpenID Connect Discovery §3): codes, secrets and keys go
/// there. Plain http only to this machine, where tests run their provider.
fn check_issuer(issuer: &str) -> Result<(), String> {
    let url = url::Url::parse(issuer)
        .map_err(|error| format!("{} is not a URL: {error}", ISSUER.name))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
        Ok(())
    } else {
        Err(format!("{} must be an https URL", ISSUER.name))
    }
}

/// Never prints the secret (configs end up in startup logs and panics).
impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .field("permissions", &self.permissions)
            .field("client_secret", &self.client_secret.as_ref().map(|_| ".."))
            .finish()
    }
}

/// Never prints the secret (configs end up in startup logs and panics).
impl fmt::Debug for DevTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevTokens")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ProviderConfig, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        ProviderConfig::from_lookup(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        ("STAFF_OIDC_ISSUER", "https://login.example.com/tenant/v2.0"),
        ("STAFF_OIDC_CLIENT_ID", "portal-console"),
    ];

    #[test]
    fn issuer_and_client_id_are_required_and_the_rest_defaults() {
        let config = config(&BASE).unwrap();
        assert_eq!(config.issuer, "https://login.example.com/tenant/v2.0");
        assert_eq!(config.audience, "portal-console");
        assert_eq!(config.permissions.claim, "permissions");
        assert!(config.permissions.map.is_none());
        assert!(
            self::config(&BASE[..1])
                .unwrap_err()
                .contains("STAFF_OIDC_CLIENT_ID")
        );
        assert!(
            self::config(&BASE[1..])
                .unwrap_err()
                .contains("STAFF_OIDC_ISSUER")
        );
    }

    #[test]
    fn an_issuer_must_be_https_except_on_this_machine() {
        let with_issuer = |issuer| config(&[("STAFF_OIDC_ISSUER", issuer), BASE[1]]);
        assert!(with_issuer("http://idp.example.com").is_err());
        assert!(with_issuer("not a url").is_err());
        assert!(with_issuer("http://127.0.0.1:4000").is_ok());
        assert!(with_issuer("http://localhost:4000").is_ok());
    }

    #[test]
    fn a_map_translates_group_claims_into_permissions() {
        let config = config(&[
            BASE[0],
            BASE[1],
            ("STAFF_PERMISSIONS_CLAIM", "groups"),
            (
                "STAFF_PERMISSION_MAP",
                r#"{"portal-admins": ["portal.users.manage", "portal.roles.assign"],
                    "portal-desk": ["portal.users.manage"]}"#,
            ),
        ])
        .unwrap();
        let claims = json!({"groups": ["portal-desk", "portal-admins", "cafeteria"]});
        assert_eq!(
            config.permissions.permissions(claims.as_object().unwrap()),
            ["portal.roles.assign", "portal.users.manage"]
        );
        assert!(self::config(&[BASE[0], BASE[1], ("STAFF_PERMISSION_MAP", "[1]")]).is_err());
    }

    #[test]
    fn without_a_map_the_values_are_the_permissions() {
        let rule = PermissionRule {
            claim: "permissions".into(),
            map: None,
        };
        let list = json!({"permissions": ["portal.users.manage"]});
        let spaced = json!({"permissions": "portal.users.manage portal.roles.assign"});
        let odd = json!({"permissions": 7});
        assert_eq!(
            rule.permissions(list.as_object().unwrap()),
            ["portal.users.manage"]
        );
        assert_eq!(rule.permissions(spaced.as_object().unwrap()).len(), 2);
        assert!(rule.permissions(odd.as_object().unwrap()).is_empty());
    }
}
