//! The configuration the two functions that serve both staff and organization
//! administrators (invitation, deactivation) share: they read exactly the same.

use portal_domain::Ports;
use portal_domain::config::Variable;
use portal_http::{AccessTokenVerifierConfig, StaffAuthConfig};

/// Everything such a function reads at cold start: its ports, where staff tokens come
/// from, and the public key of portal access tokens.
pub struct ManagerConfig {
    pub ports: Ports,
    pub staff: StaffAuthConfig,
    pub tokens: AccessTokenVerifierConfig,
}

impl ManagerConfig {
    /// Every variable [`ManagerConfig::from_env`] reads: template.yaml gives each such
    /// function exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        [
            crate::ports_variables(),
            StaffAuthConfig::VARIABLES.to_vec(),
            AccessTokenVerifierConfig::VARIABLES.to_vec(),
        ]
        .concat()
    }

    pub async fn from_env() -> Result<Self, String> {
        Ok(Self {
            ports: crate::ports_from_env().await?,
            staff: StaffAuthConfig::from_env()?,
            tokens: AccessTokenVerifierConfig::from_env()?,
        })
    }
}
