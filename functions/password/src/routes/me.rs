use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use portal_domain::Ports;
use portal_domain::ids::{OrganizationId, PortalUserId};
use portal_domain::use_cases::organization_roles;
use portal_http::{AccessTokenVerifier, PortalCaller, Problem};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    #[schema(value_type = String)]
    portal_user_id: PortalUserId,
    username: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    #[schema(value_type = Option<String>)]
    organization_id: Option<OrganizationId>,
    /// Every role the account holds: its own, its organization's and `portal.user`.
    roles: Vec<String>,
    /// The roles of the account's organization: what its administrators may grant.
    organization_roles: Vec<String>,
    org_admin: bool,
}

/// The caller's account, read fresh: a token of a deactivated user or from before a
/// password reset (older token version) is refused.
#[utoipa::path(get, path = "/me", operation_id = "me",
    security(("portal" = [])),
    responses((status = 200, description = "The account", body = Me)))]
pub async fn me(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<Json<Me>, Problem> {
    let user = claims.current_user(&ports).await?;
    let organization_roles = organization_roles(&ports, &user).await?;
    Ok(Json(Me {
        portal_user_id: user.id().clone(),
        // A signed-in user has both: a person known by name alone confirms an address,
        // which becomes their username, before their first password.
        username: user.username().map(ToString::to_string).unwrap_or_default(),
        email: user
            .email()
            .map(|email| email.to_string())
            .unwrap_or_default(),
        first_name: user.first_name().map(ToString::to_string),
        last_name: user.last_name().map(ToString::to_string),
        organization_id: user.organization_id().cloned(),
        roles: user
            .effective_roles(&organization_roles)
            .iter()
            .map(ToString::to_string)
            .collect(),
        organization_roles: organization_roles.iter().map(ToString::to_string).collect(),
        org_admin: user.org_admin(),
    }))
}

/// The public key of access tokens; verifiers may cache it for a few minutes.
#[utoipa::path(get, path = "/.well-known/jwks.json", operation_id = "jwks",
    responses((status = 200, description = "A JSON Web Key Set (RFC 7517)", body = Object)))]
pub async fn jwks(State(tokens): State<Arc<AccessTokenVerifier>>) -> impl IntoResponse {
    (
        [(CACHE_CONTROL, "public, max-age=300")],
        Json(tokens.jwks()),
    )
}
