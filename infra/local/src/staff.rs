//! Staff tokens on a laptop: HS256 with the configured (or generated) secret, so the
//! banner and `portal-local staff-token` can hand out tokens the routes accept; and the
//! company's provider, when one is configured, for signing in to the console.

use std::sync::Arc;
use std::time::Duration;

use portal_domain::staff::{ASSIGN_ROLES, MANAGE_CLIENTS, MANAGE_USERS};
use portal_http::{
    DevTokens, GivenSecret, ProviderConfig, StaffAuthConfig, StaffVerifier, mint_dev_staff_token,
};

use crate::args::{Args, StaffTokenArgs};
use crate::keys;

/// The secret, issuer and audience every local staff token uses.
pub struct LocalStaffAuth {
    secret: Vec<u8>,
    issuer: String,
    audience: String,
    /// The company's provider, when one is configured: sign-in through it, beside the
    /// local tokens.
    provider: Option<ProviderConfig>,
}

impl LocalStaffAuth {
    pub fn load(args: &Args) -> Result<Self, Box<dyn std::error::Error>> {
        Ok(Self {
            secret: keys::staff_secret(args)?,
            issuer: args.staff_jwt_issuer.clone(),
            audience: args.staff_jwt_audience.clone(),
            provider: provider(args)?,
        })
    }

    /// Fails for a secret too weak to sign with, before any token is handed out.
    pub fn verifier(&self) -> Result<StaffVerifier, String> {
        StaffVerifier::new(StaffAuthConfig {
            provider: self.provider.clone(),
            dev: Some(DevTokens {
                issuer: self.issuer.clone(),
                audience: self.audience.clone(),
                secret: self.secret.clone(),
            }),
        })
    }

    /// The banner's token: every permission, 12 hours.
    pub fn banner_token(&self) -> String {
        self.mint(
            "local-staff",
            "Local Staff",
            &[MANAGE_USERS, ASSIGN_ROLES, MANAGE_CLIENTS],
            12,
        )
    }

    /// The token `portal-local staff-token` prints.
    pub fn requested_token(&self, request: &StaffTokenArgs) -> String {
        let permissions: Vec<&str> = request.permissions.iter().map(String::as_str).collect();
        self.mint(&request.subject, &request.name, &permissions, request.hours)
    }

    fn mint(&self, subject: &str, name: &str, permissions: &[&str], hours: u16) -> String {
        mint_dev_staff_token(
            &self.secret,
            &self.issuer,
            &self.audience,
            subject,
            name,
            permissions,
            Duration::from_secs(u64::from(hours) * 3600),
        )
    }
}

/// The provider the options name, read as a deployed function reads its variables.
fn provider(args: &Args) -> Result<Option<ProviderConfig>, String> {
    if args.staff_oidc_issuer.is_none() {
        return Ok(None);
    }
    let mut config = ProviderConfig::from_lookup(|name| match name {
        "STAFF_OIDC_ISSUER" => args.staff_oidc_issuer.clone(),
        "STAFF_OIDC_CLIENT_ID" => args.staff_oidc_client_id.clone(),
        "STAFF_PERMISSIONS_CLAIM" => args.staff_permissions_claim.clone(),
        "STAFF_PERMISSION_MAP" => args.staff_permission_map.clone(),
        _ => None,
    })?;
    let secret = args
        .staff_oidc_client_secret
        .clone()
        .ok_or("STAFF_OIDC_CLIENT_SECRET is needed with STAFF_OIDC_ISSUER")?;
    config.client_secret = Some(Arc::new(GivenSecret(secret)));
    Ok(Some(config))
}
