use crate::ids::RegistrationId;
use crate::registration::Registration;
use crate::verification_code::VerificationCode;
use crate::{DomainError, Ports};

use super::submit_registration::code_message;
use super::{deliver_after_commit, live_registration, with_retries};

/// Sends a new code for a request that is still unverified; the old code stops working.
pub async fn resend_code(ports: &Ports, id: &RegistrationId) -> Result<Registration, DomainError> {
    let (next, message) = with_retries(|| async move {
        let now = ports.clock.now();
        let registration = live_registration(ports, id, now).await?;
        let code = VerificationCode::generate(ports.random.as_ref());
        let next = registration.resend(&code, now)?;
        let message = code_message(ports, &next, &code);
        ports
            .store
            .advance_registration(&next, Some(&message))
            .await?;
        Ok((next, message))
    })
    .await?;
    deliver_after_commit(ports, &message).await;
    Ok(next)
}
