//! Userinfo (OpenID Connect Core §5.3): the claims of the granted scopes, for an access
//! token of a live app session. A deactivated user's token answers 401 at once.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use portal_domain::use_cases::app_user;
use portal_domain::{DomainError, Ports};
use portal_http::{AccessTokenVerifier, Problem, bearer_token};
use serde_json::{Value, json};

use super::scope_claims;

#[utoipa::path(get, path = "/oauth2/userinfo", operation_id = "oidc_userinfo",
    security(("portal" = [])),
    responses(
        (status = 200, description = "`sub` and the claims of the granted scopes", body = Object),
        (status = 401, description = "No valid access token of a live app session \
            (`unauthenticated`; `WWW-Authenticate: Bearer error=\"invalid_token\"`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn userinfo_get(
    State(ports): State<Ports>,
    State(verifier): State<Arc<AccessTokenVerifier>>,
    request: Request,
) -> Result<Response, Problem> {
    userinfo(&ports, &verifier, &request.into_parts().0).await
}

/// The same, by POST (OpenID Connect Core §5.3.1 allows both).
#[utoipa::path(post, path = "/oauth2/userinfo", operation_id = "oidc_userinfo_post",
    security(("portal" = [])),
    responses(
        (status = 200, description = "`sub` and the claims of the granted scopes", body = Object),
        (status = 401, description = "No valid access token of a live app session (`unauthenticated`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn userinfo_post(
    State(ports): State<Ports>,
    State(verifier): State<Arc<AccessTokenVerifier>>,
    request: Request,
) -> Result<Response, Problem> {
    userinfo(&ports, &verifier, &request.into_parts().0).await
}

async fn userinfo(
    ports: &Ports,
    verifier: &AccessTokenVerifier,
    parts: &Parts,
) -> Result<Response, Problem> {
    let claims = match bearer_token(parts).and_then(|token| verifier.verify(token)) {
        Ok(claims) => claims,
        Err(reason) => {
            tracing::info!(%reason, "userinfo token refused");
            return Ok(invalid_token());
        }
    };
    let (user, roles, grant) = match app_user(ports, &claims.sub, claims.ver, &claims.sid).await {
        Ok(found) => found,
        Err(DomainError::Unauthenticated) => return Ok(invalid_token()),
        Err(other) => return Err(other.into()),
    };
    let mut body = scope_claims(&user, &roles, &grant.scopes);
    body.insert("sub".into(), json!(user.id()));
    Ok(([(CACHE_CONTROL, "no-store")], Json(Value::Object(body))).into_response())
}

/// RFC 6750 §3.1: the header says why; the body is the API's problem, like every 401.
fn invalid_token() -> Response {
    let mut response =
        Problem::unauthenticated("A valid access token of an app's session is required")
            .into_response();
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}
