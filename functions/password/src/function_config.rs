//! The function's configuration, read once per cold start.

use portal_domain::Ports;
use portal_domain::config::Variable;
use portal_http::AccessTokenConfig;

/// Everything the password Lambda reads at cold start.
pub struct FunctionConfig {
    pub ports: Ports,
    pub tokens: AccessTokenConfig,
}

impl FunctionConfig {
    /// Every variable [`FunctionConfig::from_env`] reads: template.yaml gives the function
    /// exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        portal_lambda::ports_and_access_tokens_variables()
    }

    pub async fn from_env() -> Result<Self, String> {
        let (ports, tokens) = portal_lambda::ports_and_access_tokens_from_env().await?;
        Ok(Self { ports, tokens })
    }
}
