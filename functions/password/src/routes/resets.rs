use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::types::EmailAddress;
use portal_domain::use_cases::{complete_password_reset, request_password_reset};
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, Problem};
use serde::{Deserialize, Serialize};

use super::required;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetRequestBody {
    #[schema(value_type = EmailAddress)]
    email: Option<String>,
}

/// The same answer for every well-formed address: nobody learns who has an account.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// Always `accepted`.
    #[schema(value_type = String, pattern = "^accepted$")]
    status: &'static str,
}

/// Emails a one-time link to set a new password, if the address is an active user's.
#[utoipa::path(post, path = "/password-resets", operation_id = "request_password_reset",
    request_body = ResetRequestBody,
    responses(
        (status = 202, description = "Accepted, whether or not the address has an account",
            body = Accepted),
        (status = 422, description = "`email` is missing or not an address (`validation_failed`)"),
        (status = 429, description = "Too many requests for this address or from this client \
            (`rate_limited`)"),
    ))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CompleteBody {
    /// The token of the link (`/reset#token=…`).
    #[schema(value_type = String)]
    token: Option<String>,
    /// At least `PASSWORD_MIN_LENGTH` characters (15 by default), not easy to guess.
    #[schema(value_type = String)]
    password: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Completed {
    username: String,
    /// Always `password_changed`.
    #[schema(value_type = String, pattern = "^password_changed$")]
    status: &'static str,
}

/// Sets the new password; every session of the account ends.
#[utoipa::path(post, path = "/password-resets/complete", operation_id = "complete_password_reset",
    request_body = CompleteBody,
    responses(
        (status = 200, description = "Changed", body = Completed),
        (status = 409, description = "The account changed meanwhile; try again (`conflict`)"),
        (status = 410, description = "Unknown, expired or used link (`token_invalid`)"),
        (status = 422, description = "A field is missing (`validation_failed`), or the \
            password is too short or easy to guess (`password_rejected`)"),
        (status = 429, description = "Too many requests from this client (`rate_limited`)"),
    ))]
pub async fn complete(
    State(ports): State<Ports>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> Result<Json<Completed>, Problem> {
    let token = required("token", body.token)?;
    let password = required("password", body.password)?;
    let user = complete_password_reset(&ports, &token, &password).await?;
    Ok(Json(Completed {
        // Only a user with an address gets a link that works (see `complete_password_reset`).
        username: user.username().map(ToString::to_string).unwrap_or_default(),
        status: "password_changed",
    }))
}
