use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::Ports;
use portal_domain::use_cases::{self, refresh_session};
use portal_http::{AccessTokens, ApiJson, LoginClient, PortalCaller, Problem, SecondFactorBody};
use serde::Deserialize;

use super::{LoginAnswer, TokenPair, login_answer, required, token_pair};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    #[schema(value_type = String)]
    username: Option<String>,
    #[schema(value_type = String)]
    password: Option<String>,
}

/// Signs in with username and password. An account with a second factor gets the second
/// step instead of tokens (`POST /sessions/mfa`); a member of an organization that
/// requires one, without one, must set one up first.
#[utoipa::path(post, path = "/sessions", operation_id = "log_in",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in, or the second step is due", body = LoginAnswer),
        (status = 401, description = "Wrong username or password, whatever the reason \
            (`invalid_credentials`)"),
        (status = 422, description = "`username` or `password` is missing (`validation_failed`)"),
        (status = 429, description = "The username is locked after failed logins \
            (`too_many_attempts`), or too many requests from this client (`rate_limited`)"),
    ))]
pub async fn log_in(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    LoginClient(client): LoginClient,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<LoginAnswer>, Problem> {
    let username = required("username", body.username)?;
    let password = required("password", body.password)?;
    let signed_in = use_cases::log_in(&ports, &username, &password, &client).await?;
    Ok(login_answer(&tokens, signed_in))
}

/// Finishes a sign-in with the authenticator app's code or a recovery code. Each try
/// counts toward the username's lockout as a password does.
#[utoipa::path(post, path = "/sessions/mfa", operation_id = "log_in_second_factor",
    request_body = SecondFactorBody,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "The `mfa_token` is unknown, used, expired or burned by \
            5 wrong codes: sign in again (`unauthenticated`)"),
        (status = 422, description = "A field is missing or malformed (`validation_failed`), \
            or the code is wrong (`code_invalid`)"),
        (status = 429, description = "The username is locked (`too_many_attempts`), or too \
            many requests from this client (`rate_limited`)"),
    ))]
pub async fn second_factor(
    State(ports): State<Ports>,
    State(tokens): State<Arc<AccessTokens>>,
    LoginClient(client): LoginClient,
    ApiJson(body): ApiJson<SecondFactorBody>,
) -> Result<Json<TokenPair>, Problem> {
    let (token, answer) = body.parse()?;
    let session = use_cases::log_in_second_step(&ports, &token, &answer, &client).await?;
    Ok(token_pair(&tokens, &session))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshBody {
    #[schema(value_type = String)]
    refresh_token: Option<String>,
}

/// A new token pair for a refresh token, which dies; a reused one ends its session.
#[utoipa::path(post, path = "/sessions/refresh", operation_id = "refresh_session",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        (status = 401, description = "Unknown, used, expired or ended (`unauthenticated`)"),
        (status = 422, description = "`refresh_token` is missing (`validation_failed`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
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
#[utoipa::path(delete, path = "/sessions", operation_id = "log_out",
    security(("portal" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn log_out(
    State(ports): State<Ports>,
    PortalCaller(claims): PortalCaller,
) -> Result<StatusCode, Problem> {
    claims.current_user(&ports).await?;
    use_cases::log_out(&ports, &claims.sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
