//! The function's configuration, read once per cold start.

use portal_domain::Ports;
use portal_domain::config::Variable;
use portal_http::AccessTokenConfig;

use crate::ProviderKeys;

/// The ARN of the secret that holds the provider's RSA keys (PKCS#8 PEM, the signing one
/// first): only this function reads it.
pub const OIDC_KEYS_SECRET: Variable = Variable::required("PORTAL_OIDC_KEYS_SECRET_ARN");

/// Everything the OpenID provider's Lambda reads at cold start.
pub struct FunctionConfig {
    pub ports: Ports,
    pub tokens: AccessTokenConfig,
    pub keys: ProviderKeys,
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
            portal_lambda::ports_access_tokens_and_secret_from_env(OIDC_KEYS_SECRET).await?;
        let keys = ProviderKeys::from_pem(&keys)
            .map_err(|error| format!("the secret {} names: {error}", OIDC_KEYS_SECRET.name))?;
        Ok(Self {
            ports,
            tokens,
            keys,
        })
    }
}
