//! The `PortalCaller` extractor: the portal user a valid access token names.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use portal_domain::use_cases::{self, Manager};
use portal_domain::user::PortalUser;
use portal_domain::{DomainError, Ports};

use super::{AccessTokenClaims, AccessTokenVerifier};
use crate::Problem;
use crate::bearer::bearer_token;

/// One answer for every refused token, so a caller learns nothing about why.
const UNAUTHENTICATED: &str = "A valid access token is required";

/// The caller of a portal user route: the claims of its verified access token. Whether
/// the account still works (the token version) is the handler's check, against the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalCaller(pub AccessTokenClaims);

impl<S> FromRequestParts<S> for PortalCaller
where
    Arc<AccessTokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let tokens = Arc::<AccessTokenVerifier>::from_ref(state);
        let claims = bearer_token(parts)
            .and_then(|token| tokens.verify(token))
            .map_err(|reason| {
                // The reason, never the token: it is a credential.
                tracing::info!(%reason, "access token refused");
                Problem::unauthenticated(UNAUTHENTICATED)
            })?;
        Ok(Self(claims))
    }
}

impl AccessTokenClaims {
    /// The user this token speaks for, if they may still act: active, under the token's
    /// version, in a session that has not ended.
    pub async fn current_user(&self, ports: &Ports) -> Result<PortalUser, DomainError> {
        use_cases::current_user(ports, &self.sub, self.ver, &self.sid).await
    }

    /// The organization administrator this token speaks for, checked against the store.
    pub async fn org_admin(&self, ports: &Ports) -> Result<Manager, DomainError> {
        use_cases::org_admin(ports, &self.sub, self.ver, &self.sid, self.org.as_ref()).await
    }
}
