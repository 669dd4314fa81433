pub mod resend;
pub mod submit;
pub mod verify;

use portal_domain::registration::{Registration, RegistrationStatus};
use serde::Serialize;

/// The answer of every registration route.
#[derive(Serialize)]
pub struct RegistrationState {
    registration_id: String,
    status: RegistrationStatus,
}

impl From<&Registration> for RegistrationState {
    fn from(registration: &Registration) -> Self {
        Self {
            registration_id: registration.id.clone(),
            status: registration.status,
        }
    }
}

/// Ids are 32 lowercase hex characters; anything else cannot exist, so it is answered
/// without asking the store (and never reaches it as an oversized key).
fn is_well_formed_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
