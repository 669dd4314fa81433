use crate::error::StoreError;
use crate::ids::RegistrationId;
use crate::outbox::{EmailContent, OutboxMessage};
use crate::registration::{Registration, RegistrationForm};
use crate::throttle::ThrottleWindow;
use crate::types::Username;
use crate::verification_code::{CODE_LIFETIME, VerificationCode};
use crate::{DomainError, Ports};

use super::deliver_after_commit;

/// Records a public registration request and emails its code. When the email already
/// belongs to a portal user, the request is recorded the same way but the email says
/// "you already have an account": the caller cannot tell the two apart.
pub async fn submit_registration(
    ports: &Ports,
    form: RegistrationForm,
) -> Result<Registration, DomainError> {
    let now = ports.clock.now();
    // By the username an address is when usernames are addresses (`USERNAME_FIELD`); under
    // another field the address is no username, and the request goes on to staff, whose
    // approval finds its contact has a user.
    let existing_account = ports
        .store
        .portal_user_id_by_username(&Username::of_email(&form.email))
        .await?
        .is_some();
    let code = VerificationCode::generate(ports.random.as_ref());
    let registration = Registration::submit(
        RegistrationId::generate(ports.random.as_ref()),
        form,
        &code,
        existing_account,
        now,
    );
    let message = code_message(ports, &registration, &code);
    let throttle = ThrottleWindow::registrations(registration.email(), now);
    match ports
        .store
        .submit_registration(&registration, &message, &throttle)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Throttled) => {
            return Err(DomainError::RateLimited {
                retry_after: throttle.retry_after(now),
            });
        }
        Err(other) => return Err(other.into()),
    }
    deliver_after_commit(ports, &message).await;
    Ok(registration)
}

/// The email that carries a new code, or says there is an account already.
pub(super) fn code_message(
    ports: &Ports,
    registration: &Registration,
    code: &VerificationCode,
) -> OutboxMessage {
    let first_name = registration.first_name().to_string();
    let content = if registration.existing_account() {
        EmailContent::AlreadyRegistered { first_name }
    } else {
        EmailContent::VerificationCode {
            first_name,
            sealed_code: ports.sealer.seal(code.as_str()),
            valid_minutes: CODE_LIFETIME.whole_minutes() as u32,
        }
    };
    OutboxMessage::to_registrant(ports.random.as_ref(), registration, content)
}
