pub mod resend;
pub mod submit;
pub mod verify;

use portal_domain::registration::{Registration, RegistrationStatus};
use serde::Serialize;

/// The answer of every registration route.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistrationState {
    registration_id: String,
    status: RegistrationStatus,
}

impl From<&Registration> for RegistrationState {
    fn from(registration: &Registration) -> Self {
        Self {
            registration_id: registration.id().to_string(),
            status: registration.status(),
        }
    }
}
