//! The function's configuration, read once per cold start.

use portal_domain::Ports;
use portal_domain::config::Variable;
use portal_http::AccessTokenConfig;

use std::sync::Arc;

use crate::KeySource;

/// The ARN of the secret that holds the provider's RSA keys (PKCS#8 PEM, the signing one
/// first): only this function reads it.
pub const OIDC_KEYS_SECRET: Variable = Variable::required("PORTAL_OIDC_KEYS_SECRET_ARN");

/// Everything the OpenID provider's Lambda reads at cold start.
pub struct FunctionConfig {
    pub ports: Ports,
    pub tokens: AccessTokenConfig,
    /// Read from their secret at the first request that needs them.
    pub keys: KeySource,
}

impl FunctionConfig {
    /// Every variable [`FunctionConfig::from_env`] reads: template.yaml gives the function
    /// exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        [
            portal_lambda::ports_and_access_tokens_variables(),
            vec![OIDC_KEYS_SECRET],
        ]
        .concat()
    }

    pub async fn from_env() -> Result<Self, String> {
        let (ports, tokens, keys) =
            portal_lambda::ports_access_tokens_and_later_secret_from_env(OIDC_KEYS_SECRET).await?;
        Ok(Self {
            ports,
            tokens,
            keys: KeySource::later(keys as Arc<dyn portal_http::ClientSecret>),
        })
    }
}
