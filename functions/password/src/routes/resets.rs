use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::types::EmailAddress;
use portal_domain::use_cases::{complete_password_reset, request_password_reset};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, Problem};
use serde::{Deserialize, Serialize};

use super::required;

#[derive(Deserialize)]
pub struct ResetRequestBody {
    email: Option<String>,
}

/// The same answer for every well-formed address: nobody learns who has an account.
#[derive(Serialize)]
pub struct Accepted {
    status: &'static str,
}

pub async fn request(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<ResetRequestBody>,
) -> Result<(StatusCode, Json<Accepted>), Problem> {
    let mut errors = FieldErrors::new();
    let email = errors.require("email", body.email.as_deref(), EmailAddress::parse);
    let email = errors.finish(|| email).map_err(DomainError::from)?;
    request_password_reset(&ports, &email).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { status: "accepted" })))
}

#[derive(Deserialize)]
pub struct CompleteBody {
    token: Option<String>,
    password: Option<String>,
}

#[derive(Serialize)]
pub struct Completed {
    username: String,
    status: &'static str,
}

pub async fn complete(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> Result<Json<Completed>, Problem> {
    let token = required("token", body.token)?;
    let password = required("password", body.password)?;
    let user = complete_password_reset(&ports, &token, &password).await?;
    Ok(Json(Completed {
        username: user.username.to_string(),
        status: "password_changed",
    }))
}
