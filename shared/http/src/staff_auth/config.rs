//! Where staff tokens come from, read once from the environment at cold start.

use std::fmt;

use jsonwebtoken::jwk::JwkSet;
use portal_domain::config::Variable;

const ISSUER: Variable = Variable::required("STAFF_JWT_ISSUER");
const AUDIENCE: Variable = Variable::required("STAFF_JWT_AUDIENCE");
/// Required in AWS: the identity provider's keys.
const JWKS: Variable = Variable::required("STAFF_JWKS");
/// portal-local's stand-in for `STAFF_JWKS`; the template test keeps it out of AWS.
const SECRET: Variable = Variable::optional("STAFF_JWT_SECRET");

/// The key staff tokens are signed with.
#[derive(Clone)]
pub enum StaffKey {
    /// A shared secret (HS256), for local use only: whoever holds it can mint tokens.
    Hs256(Vec<u8>),
    /// The identity provider's public keys; a token names its key by `kid`.
    Jwks(JwkSet),
}

/// What a staff token must match to be accepted.
#[derive(Clone, Debug)]
pub struct StaffAuthConfig {
    pub issuer: String,
    pub audience: String,
    pub key: StaffKey,
}

impl StaffAuthConfig {
    /// What [`StaffAuthConfig::from_env`] reads.
    pub const VARIABLES: &[Variable] = &[ISSUER, AUDIENCE, JWKS, SECRET];

    /// From `STAFF_JWT_ISSUER`, `STAFF_JWT_AUDIENCE` (both required) and exactly one of
    /// `STAFF_JWKS` (a JWKS JSON document) or `STAFF_JWT_SECRET` (HS256). An empty
    /// variable counts as unset.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let required = |variable: Variable| {
            variable
                .read(&lookup)
                .ok_or_else(|| format!("{} must be set (staff tokens)", variable.name))
        };
        let issuer = required(ISSUER)?;
        let audience = required(AUDIENCE)?;
        let key = match (JWKS.read(&lookup), SECRET.read(&lookup)) {
            (Some(_), Some(_)) => {
                // Accepting both would let a leaked local secret mint production tokens.
                return Err("set STAFF_JWKS or STAFF_JWT_SECRET, not both".to_owned());
            }
            (Some(jwks), None) => StaffKey::Jwks(
                serde_json::from_str(&jwks)
                    .map_err(|error| format!("STAFF_JWKS is not a JWKS document: {error}"))?,
            ),
            (None, Some(secret)) => StaffKey::Hs256(secret.into_bytes()),
            (None, None) => {
                return Err("set STAFF_JWKS (or STAFF_JWT_SECRET for local use)".to_owned());
            }
        };
        Ok(Self {
            issuer,
            audience,
            key,
        })
    }
}

/// Never prints the secret (configs end up in startup logs and panics).
impl fmt::Debug for StaffKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hs256(_) => f.write_str("Hs256(..)"),
            Self::Jwks(set) => write!(f, "Jwks({} keys)", set.keys.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

    fn config(vars: &[(&str, &str)]) -> Result<StaffAuthConfig, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        StaffAuthConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn a_secret_gives_an_hs256_key() {
        let config = config(&[
            ("STAFF_JWT_ISSUER", "idp"),
            ("STAFF_JWT_AUDIENCE", "portal"),
            ("STAFF_JWT_SECRET", "s3cret"),
        ])
        .unwrap();
        assert_eq!(config.issuer, "idp");
        assert_eq!(config.audience, "portal");
        assert!(matches!(config.key, StaffKey::Hs256(ref secret) if secret == b"s3cret"));
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn a_jwks_gives_its_keys() {
        let config = config(&[
            ("STAFF_JWT_ISSUER", "idp"),
            ("STAFF_JWT_AUDIENCE", "portal"),
            ("STAFF_JWKS", JWKS),
        ])
        .unwrap();
        assert!(matches!(config.key, StaffKey::Jwks(ref set) if set.keys.len() == 1));
    }

    #[test]
    fn both_keys_or_none_are_refused() {
        let base = [
            ("STAFF_JWT_ISSUER", "idp"),
            ("STAFF_JWT_AUDIENCE", "portal"),
        ];
        let both = [
            base.as_slice(),
            &[("STAFF_JWKS", JWKS), ("STAFF_JWT_SECRET", "x")],
        ]
        .concat();
        assert!(config(&both).unwrap_err().contains("not both"));
        assert!(config(&base).is_err());
        let empty = [base.as_slice(), &[("STAFF_JWT_SECRET", " ")]].concat();
        assert!(config(&empty).is_err());
    }

    #[test]
    fn issuer_and_audience_are_required() {
        let error = config(&[("STAFF_JWT_AUDIENCE", "portal"), ("STAFF_JWT_SECRET", "x")]);
        assert!(error.unwrap_err().contains("STAFF_JWT_ISSUER"));
        let error = config(&[("STAFF_JWT_ISSUER", "idp"), ("STAFF_JWT_SECRET", "x")]);
        assert!(error.unwrap_err().contains("STAFF_JWT_AUDIENCE"));
    }

    #[test]
    fn a_broken_jwks_is_refused() {
        let error = config(&[
            ("STAFF_JWT_ISSUER", "idp"),
            ("STAFF_JWT_AUDIENCE", "portal"),
            ("STAFF_JWKS", "{\"keys\": 1}"),
        ]);
        assert!(error.unwrap_err().contains("STAFF_JWKS"));
    }
}
