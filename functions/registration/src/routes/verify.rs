use axum::Json;
use axum::extract::{Path, State};
use portal_domain::random::is_well_formed_id;
use portal_domain::use_cases::verify_registration;
use portal_domain::verification_code::CodeAttempt;
use portal_domain::{DomainError, FieldErrors, Ports};
use portal_http::{ApiJson, Problem};
use serde::Deserialize;

use super::RegistrationState;

#[derive(Deserialize)]
pub struct VerifyBody {
    code: Option<String>,
}

pub async fn verify(
    State(ports): State<Ports>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<RegistrationState>, Problem> {
    let mut errors = FieldErrors::new();
    let attempt = errors.require("code", body.code.as_deref(), CodeAttempt::parse);
    let attempt = errors.finish(|| attempt).map_err(DomainError::from)?;
    if !is_well_formed_id(&id) {
        return Err(DomainError::NotFound.into());
    }
    let registration = verify_registration(&ports, &id, &attempt).await?;
    Ok(Json((&registration).into()))
}
