//! The `Staff` extractor: a verified staff member holding `portal.users.manage`, by a
//! bearer token (scripts) or by the session cookie of a sign-in (the console).

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;
use portal_domain::staff::{MANAGE_USERS, StaffMember};
use portal_domain::use_cases::staff_session;
use portal_domain::{DomainError, Ports};

use super::StaffVerifier;
use super::session_cookie::{SESSION_COOKIE, cookie_value, same_origin};
use crate::Problem;
use crate::bearer::bearer_token;

/// One answer for every refused token or session, so a caller learns nothing about why.
const UNAUTHENTICATED: &str = "Sign in as staff (or send a valid staff bearer token)";

/// The caller of a `/staff` route. Every `/staff` route needs `portal.users.manage`, so
/// the extractor checks it; finer permissions are the use case's business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff(pub StaffMember);

impl<S> FromRequestParts<S> for Staff
where
    Arc<StaffVerifier>: FromRef<S>,
    Ports: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let staff = match cookie_value(&parts.headers, SESSION_COOKIE) {
            // A bearer token wins: a script that also holds a cookie means the token.
            Some(cookie)
                if !parts
                    .headers
                    .contains_key(axum::http::header::AUTHORIZATION) =>
            {
                let ports = Ports::from_ref(state);
                // CSRF: a cookie comes with any request the browser sends, even one another
                // site started; only the portal's own pages send our Origin.
                if !is_safe(&parts.method)
                    && !same_origin(&parts.headers, &ports.settings.portal_base_url)
                {
                    tracing::info!("a staff session request from another origin refused");
                    return Err(Problem::forbidden(
                        "A request with the staff session must come from the portal's own pages",
                    ));
                }
                staff_session(&ports, cookie).await?.member()
            }
            _ => {
                let verifier = Arc::<StaffVerifier>::from_ref(state);
                let token = bearer_token(parts).map_err(refused)?;
                verifier.verify(token).await.map_err(refused)?
            }
        };
        if !staff.can(MANAGE_USERS) {
            tracing::info!(subject = %staff.subject, "staff member without {MANAGE_USERS}");
            return Err(DomainError::Forbidden(MANAGE_USERS).into());
        }
        Ok(Self(staff))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The reason, never the token: it is a credential.
fn refused(reason: String) -> Problem {
    tracing::info!(%reason, "staff token refused");
    Problem::unauthenticated(UNAUTHENTICATED)
}
