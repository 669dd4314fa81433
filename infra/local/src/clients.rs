//! `portal-local register-client`: an app for local development, registered as staff would
//! (`POST /staff/oidc-clients`), without a console or a token.

use portal_domain::Ports;
use portal_domain::oidc::{ClientSettings, ClientType};
use portal_domain::staff::{MANAGE_CLIENTS, StaffMember};
use portal_domain::use_cases::register_oidc_client;
use serde_json::json;

use crate::args::RegisterClientArgs;

/// The new client's id (and secret) as JSON, or why the settings were refused.
pub async fn register(
    ports: &Ports,
    request: &RegisterClientArgs,
) -> Result<String, Box<dyn std::error::Error>> {
    let settings = ClientSettings::parse(
        &request.name,
        &request.redirect_uris,
        &request.post_logout_redirect_uris,
        request.initiate_login_uri.as_deref(),
    )
    .map_err(|errors| {
        errors
            .iter()
            .map(|error| format!("{}: {}", error.field, error.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let client_type = if request.public {
        ClientType::Public
    } else {
        ClientType::Confidential
    };
    let local = StaffMember {
        subject: "portal-local".to_owned(),
        name: Some("portal-local register-client".to_owned()),
        permissions: vec![MANAGE_CLIENTS.to_owned()],
    };
    let registered = register_oidc_client(ports, &local, settings, client_type).await?;
    Ok(json!({
        "client_id": registered.client.id,
        "client_secret": registered.secret.map(|secret| secret.as_str().to_owned()),
    })
    .to_string())
}
