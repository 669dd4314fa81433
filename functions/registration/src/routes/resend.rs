use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portal_domain::random::is_well_formed_id;
use portal_domain::{DomainError, Ports, use_cases};
use portal_http::Problem;

use super::RegistrationState;

pub async fn resend_code(
    State(ports): State<Ports>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<RegistrationState>), Problem> {
    if !is_well_formed_id(&id) {
        return Err(DomainError::NotFound.into());
    }
    let registration = use_cases::resend_code(&ports, &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&registration).into())))
}
