mod deliver;
mod resend_code;
mod submit_registration;
mod verify_registration;

pub use deliver::deliver_after_commit;
pub use resend_code::resend_code;
pub use submit_registration::submit_registration;
pub use verify_registration::verify_registration;

use time::OffsetDateTime;

use crate::registration::Registration;
use crate::{DomainError, Ports};

/// How often a use case re-reads and retries when another writer moved the state under it.
const OPTIMISTIC_RETRIES: usize = 3;

/// A request that exists and has not passed its deadline.
async fn live_registration(
    ports: &Ports,
    id: &str,
    now: OffsetDateTime,
) -> Result<Registration, DomainError> {
    match ports.store.registration(id).await? {
        Some(registration) if !registration.is_expired(now) => Ok(registration),
        _ => Err(DomainError::NotFound),
    }
}
