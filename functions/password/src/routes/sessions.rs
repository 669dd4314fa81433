use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::Ports;
use portal_domain::use_cases::{self, refresh_session};
use portal_http::{AccessTokens, ApiJson, PortalCaller, Problem};
use serde::Deserialize;

use super::{TokenPair, required, token_pair};
use crate::client::Client;

#[derive(Deserialize)]
pub struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

pub async fn log_in(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    Client(client): Client,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<TokenPair>, Problem> {
    let username = required("username", body.username)?;
    let password = required("password", body.password)?;
    let session = use_cases::log_in(&ports, &username, &password, &client).await?;
    Ok(token_pair(&tokens, &session))
}

#[derive(Deserialize)]
pub struct RefreshBody {
    refresh_token: Option<String>,
}

pub async fn refresh(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenPair>, Problem> {
    let refresh_token = required("refresh_token", body.refresh_token)?;
    let session = refresh_session(&ports, &refresh_token).await?;
    Ok(token_pair(&tokens, &session))
}

/// Ends the session the access token belongs to.
pub async fn log_out(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<StatusCode, Problem> {
    claims.current_user(&ports).await?;
    use_cases::log_out(&ports, &claims.sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
