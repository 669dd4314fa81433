//! The function's configuration, read once per cold start.

use portal_domain::Ports;

use crate::Config;
use portal_domain::config::Variable;

/// Everything the mailer Lambda reads at cold start.
pub struct FunctionConfig {
    pub ports: Ports,
    /// The pace of sending.
    pub mailer: Config,
}

impl FunctionConfig {
    /// Every variable [`FunctionConfig::from_env`] reads: template.yaml gives the function
    /// exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        [portal_lambda::ports_variables(), Config::VARIABLES.to_vec()].concat()
    }

    pub async fn from_env() -> Result<Self, String> {
        Ok(Self {
            ports: portal_lambda::ports_from_env().await?,
            mailer: Config::from_env()?,
        })
    }
}
