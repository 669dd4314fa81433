use crate::ids::RegistrationId;
use crate::registration::{Registration, Verification};
use crate::verification_code::CodeAttempt;
use crate::{DomainError, Ports};

use super::{live_registration, with_retries};

/// Checks the emailed code. The right code moves the request to `new`; a wrong one
/// is counted (and answered `CodeInvalid`), and after five the code is burned.
pub async fn verify_registration(
    ports: &Ports,
    id: &RegistrationId,
    attempt: &CodeAttempt,
) -> Result<Registration, DomainError> {
    let verification = with_retries(|| async move {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        let verification = registration.verify(attempt, now)?;
        let (Verification::Verified(next) | Verification::WrongCode(next)) = &verification;
        ports.store.advance_registration(next, None).await?;
        Ok(verification)
    })
    .await?;
    match verification {
        Verification::Verified(next) => Ok(next),
        Verification::WrongCode(_) => Err(DomainError::CodeInvalid("the code is wrong")),
    }
}
