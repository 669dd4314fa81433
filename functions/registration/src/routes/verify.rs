use axum::Json;
use axum::extract::State;
use portal_domain::ids::Registration;
use portal_domain::use_cases::verify_registration;
use portal_domain::verification_code::CodeAttempt;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, PathId, Problem};
use serde::Deserialize;

use super::RegistrationState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VerifyBody {
    /// The six digits of the email.
    #[schema(value_type = String, pattern = "^\\s*[0-9]{6}\\s*$")]
    code: Option<String>,
}

/// Confirms the email with its code; the request joins the staff queue as `new`.
#[utoipa::path(post, path = "/registrations/{id}/verify", operation_id = "verify_registration",
    params(PathId<Registration>),
    request_body = VerifyBody,
    responses(
        (status = 200, description = "Confirmed", body = RegistrationState),
        (status = 404, description = "No such request (`not_found`)"),
        (status = 409, description = "The email is confirmed already (`invalid_state`)"),
        (status = 422, description = "The code is missing or not six digits \
            (`validation_failed`), or wrong or expired (`code_invalid`)"),
        (status = 429, description = "Too many wrong codes (`too_many_attempts`), or too \
            many requests from this client (`rate_limited`)"),
    ))]
pub async fn verify(
    State(ports): State<Ports>,
    PathId(id): PathId<Registration>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<RegistrationState>, Problem> {
    let mut errors = FieldErrors::new();
    let attempt = errors.require("code", body.code.as_deref(), CodeAttempt::parse);
    let attempt = errors.finish(|| attempt).map_err(DomainError::from)?;
    let registration = verify_registration(&ports, &id, &attempt).await?;
    Ok(Json((&registration).into()))
}
