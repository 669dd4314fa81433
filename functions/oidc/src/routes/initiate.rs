//! Third-party-initiated login (OpenID Connect Core §4): the portal sends a person on to
//! an app's login initiation URI with our issuer, and the app starts its own code flow
//! (with its own PKCE and state), which the provider session answers without a form. What
//! an invitation naming the app leads to once the password is set.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use portal_domain::Ports;
use portal_domain::use_cases::registered_client;
use portal_http::Problem;
use serde::Deserialize;

use super::issuer;
use crate::pages::{error_page, redirect, with_query};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InitiateParams {
    /// The app, as staff registered it with a login initiation URI.
    client_id: Option<String>,
}

#[utoipa::path(get, path = "/oauth2/initiate", operation_id = "oidc_initiate_login",
    params(InitiateParams),
    responses(
        (status = 302, description = "To the app's login initiation URI, with `iss`"),
        (status = 400, description = "No such app, or one that cannot start a sign-in itself \
            (a page)", content_type = "text/html", body = String),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn initiate(
    State(ports): State<Ports>,
    params: Result<Query<InitiateParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let client_id = params
        .ok()
        .and_then(|Query(params)| params.client_id)
        .unwrap_or_default();
    let target = registered_client(&ports, &client_id)
        .await?
        .and_then(|client| client.initiate_login_uri);
    Ok(match target {
        Some(uri) => redirect(&with_query(&uri, &[("iss", issuer(&ports))]), &[]),
        None => error_page(
            StatusCode::BAD_REQUEST,
            "This link names an app the portal cannot send you to. Log in to the app itself.",
        ),
    })
}
