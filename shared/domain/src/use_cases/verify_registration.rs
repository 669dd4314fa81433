use crate::error::StoreError;
use crate::registration::{Registration, Verification};
use crate::verification_code::CodeAttempt;
use crate::{DomainError, Ports};

use super::{OPTIMISTIC_RETRIES, live_registration};

/// Checks the emailed code. The right code moves the request to `new`; a wrong one
/// is counted (and answered `CodeInvalid`), and after five the code is burned.
pub async fn verify_registration(
    ports: &Ports,
    id: &str,
    attempt: &CodeAttempt,
) -> Result<Registration, DomainError> {
    for _ in 0..OPTIMISTIC_RETRIES {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        let (next, verified) = match registration.verify(attempt, now)? {
            Verification::Verified(next) => (next, true),
            Verification::WrongCode(next) => (next, false),
        };
        match ports.store.advance_registration(&next, None).await {
            Ok(()) if verified => return Ok(next),
            Ok(()) => return Err(DomainError::CodeInvalid("the code is wrong")),
            // Someone else changed the request first: decide again on what they left.
            Err(StoreError::ConditionFailed) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(DomainError::Conflict("the request is changing; try again"))
}
