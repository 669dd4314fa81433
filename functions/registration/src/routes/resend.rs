use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::ids::Registration;
use portal_domain::{Ports, use_cases};
use portal_http::{PathId, Problem};

use super::RegistrationState;

/// Sends a new code (the old one stops working), at most every minute and five times.
#[utoipa::path(post, path = "/registrations/{id}/resend-code", operation_id = "resend_code",
    params(PathId<Registration>),
    responses(
        (status = 202, description = "A new code is on its way", body = RegistrationState),
        (status = 404, description = "No such request (`not_found`)"),
        (status = 409, description = "The email is confirmed already (`invalid_state`)"),
        (status = 429, description = "Too soon after the last code, too many codes, or too \
            many requests from this client (`rate_limited`)"),
    ))]
pub async fn resend_code(
    State(ports): State<Ports>,
    PathId(id): PathId<Registration>,
) -> Result<(StatusCode, Json<RegistrationState>), Problem> {
    let registration = use_cases::resend_code(&ports, &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&registration).into())))
}
