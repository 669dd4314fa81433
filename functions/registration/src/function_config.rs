//! The function's configuration, read once per cold start.

use portal_domain::Ports;
use portal_domain::config::Variable;

/// Everything the registration Lambda reads at cold start.
pub struct FunctionConfig {
    pub ports: Ports,
}

impl FunctionConfig {
    /// Every variable [`FunctionConfig::from_env`] reads: template.yaml gives the function
    /// exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        portal_lambda::ports_variables()
    }

    pub async fn from_env() -> Result<Self, String> {
        Ok(Self {
            ports: portal_lambda::ports_from_env().await?,
        })
    }
}
