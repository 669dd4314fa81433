//! The function's configuration, read once per cold start.

use portal_domain::Ports;
use portal_domain::config::Variable;
use portal_http::StaffAuthConfig;

/// The ARN of the secret whose string is the console's client secret at the company's
/// identity provider: only this function, which serves the sign-in's callback, reads it.
const CLIENT_SECRET: Variable = Variable::required("STAFF_OIDC_CLIENT_SECRET_ARN");

/// Everything the approval Lambda reads at cold start.
pub struct FunctionConfig {
    pub ports: Ports,
    pub staff: StaffAuthConfig,
}

impl FunctionConfig {
    /// Every variable [`FunctionConfig::from_env`] reads: template.yaml gives the function
    /// exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        [
            portal_lambda::ports_variables(),
            StaffAuthConfig::VARIABLES.to_vec(),
            vec![CLIENT_SECRET],
        ]
        .concat()
    }

    pub async fn from_env() -> Result<Self, String> {
        let mut staff = StaffAuthConfig::from_env()?;
        // The client secret is read at the first callback: no cold start waits for it.
        let (ports, client_secret) =
            portal_lambda::ports_and_later_secret_from_env(CLIENT_SECRET).await?;
        if let Some(provider) = &mut staff.provider {
            provider.client_secret = Some(client_secret);
        }
        Ok(Self { ports, staff })
    }
}
