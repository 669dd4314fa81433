use crate::error::StoreError;
use crate::registration::Registration;
use crate::verification_code::VerificationCode;
use crate::{DomainError, Ports};

use super::submit_registration::code_message;
use super::{OPTIMISTIC_RETRIES, deliver_after_commit, live_registration};

/// Sends a new code for a request that is still unverified; the old code stops working.
pub async fn resend_code(ports: &Ports, id: &str) -> Result<Registration, DomainError> {
    for _ in 0..OPTIMISTIC_RETRIES {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        let code = VerificationCode::generate(ports.random.as_ref());
        let next = registration.resend(&code, now)?;
        let message = code_message(ports, &next, &code);
        match ports
            .store
            .advance_registration(&next, Some(&message))
            .await
        {
            Ok(()) => {
                deliver_after_commit(ports, &message).await;
                return Ok(next);
            }
            Err(StoreError::ConditionFailed) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(DomainError::Conflict("the request is changing; try again"))
}
