//! The `Staff` extractor: a verified staff member holding `portal.users.manage`.

use std::sync::Arc;

use crate::bearer::bearer_token;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use portal_domain::DomainError;
use portal_domain::staff::{MANAGE_USERS, StaffMember};

use super::StaffVerifier;
use crate::Problem;

/// One answer for every refused token, so a caller learns nothing about why.
const UNAUTHENTICATED: &str = "A valid staff bearer token is required";

/// The caller of a `/staff` route. Every `/staff` route needs `portal.users.manage`, so
/// the extractor checks it; finer permissions are the use case's business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff(pub StaffMember);

impl<S> FromRequestParts<S> for Staff
where
    Arc<StaffVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let verifier = Arc::<StaffVerifier>::from_ref(state);
        let staff = bearer_token(parts)
            .and_then(|token| verifier.verify(token))
            .map_err(|reason| {
                // The reason, never the token: it is a credential.
                tracing::info!(%reason, "staff token refused");
                Problem::unauthenticated(UNAUTHENTICATED)
            })?;
        if !staff.can(MANAGE_USERS) {
            tracing::info!(subject = %staff.subject, "staff member without {MANAGE_USERS}");
            return Err(DomainError::Forbidden(MANAGE_USERS).into());
        }
        Ok(Self(staff))
    }
}
