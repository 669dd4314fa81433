mod access_info;
mod accounts;
mod approve_registration;
mod client_limit;
mod contacts;
mod dead_emails;
mod deliver;
mod imports;
mod invitations;
mod link_contact;
mod manager;
mod members;
mod oidc;
mod organizations;
mod passkeys;
mod reject_registration;
mod resend_code;
mod review_queue;
mod second_factors;
mod staff_sessions;
mod submit_registration;
mod verify_registration;

pub use access_info::{
    AccessInfoOutcome, AccessInfoRequest, AccessInfoResult, AccessLink, Delivery, send_access_info,
    send_access_info_to_many,
};
pub use accounts::{
    SessionStart, accept_invitation, complete_password_reset, current_user, log_in, log_out,
    lookup_invitation, refresh_session, request_password_reset, send_invitation_email_code,
};
pub use approve_registration::{Approval, approve_registration};
pub use client_limit::admit_client;
pub use contacts::{
    change_contact, contact_by_email, contact_detail, create_contact, search_contacts,
    search_prefix,
};
pub use dead_emails::{Requeued, dead_emails, requeue_dead_email, requeue_dead_emails};
pub use deliver::{DeliveryReport, Pace, deliver_after_commit, deliver_emails, sweep_outbox};
pub use imports::{import, import_rows, run_import, run_open_imports, start_import};
pub use link_contact::{ContactChoice, link_contact};
pub use manager::{Manager, org_admin};
pub use members::{
    MemberDetail, UserScope, change_access, create_portal_user, deactivate, find_portal_users,
    member_detail, organization_roles, portal_users, reactivate, reinvite, unlock,
};
pub use oidc::{
    AppSession, CodeRequest, ProviderSignIn, RegisteredClient, app_user, authenticate_client,
    change_oidc_client, delete_oidc_client, end_provider_session, issue_authorization_code,
    oidc_client, oidc_clients, provider_session, redeem_authorization_code, refresh_app_session,
    register_oidc_client, registered_client, revoke_app_session, revoke_refresh_token,
    sign_in_to_provider, sign_in_to_provider_second_step, sign_in_to_provider_with_passkey,
};
pub use organizations::{
    BulkInvite, Entry, MemberOutcome, MemberResult, add_members, change_organization,
    create_organization, list_organizations, organization,
};
pub use passkeys::{
    PasskeyAdded, PasskeySignInStart, add_passkey, begin_passkey_sign_in, log_in_with_passkey,
    passkeys, remove_passkey, start_passkey,
};
pub use reject_registration::reject_registration;
pub use resend_code::resend_code;
pub use review_queue::{
    RegistrationDetail, Suggestion, SuggestionMatch, list_registrations, registration_detail,
    search_registrations,
};
pub use second_factors::{
    Enroller, MfaStep, SecondFactorAnswer, SignIn, TotpSetup, confirm_totp, log_in_second_step,
    remove_totp, replace_recovery_codes, reset_second_factors, start_totp,
};
pub use staff_sessions::{
    SignInStart, begin_staff_sign_in, end_staff_session, staff_session, start_staff_session,
    take_staff_sign_in,
};
pub use submit_registration::submit_registration;
pub use verify_registration::verify_registration;

use std::future::Future;

use time::OffsetDateTime;

use crate::error::StoreError;
use crate::ids::RegistrationId;
use crate::registration::Registration;
use crate::{DomainError, Ports};

/// How often a transition is re-read and decided again when another writer moved the
/// state under it (optimistic concurrency).
const OPTIMISTIC_RETRIES: usize = 3;

/// Runs `attempt` (read, decide, conditional write) until no concurrent writer beat it.
async fn with_retries<T, F, Fut>(mut attempt: F) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DomainError>>,
{
    for _ in 0..OPTIMISTIC_RETRIES {
        match attempt().await {
            Err(DomainError::Store(StoreError::ConditionFailed)) => continue,
            outcome => return outcome,
        }
    }
    Err(DomainError::Conflict("the request is changing; try again"))
}

/// A request that exists and has not passed its deadline.
async fn live_registration(
    ports: &Ports,
    id: &RegistrationId,
    now: OffsetDateTime,
) -> Result<Registration, DomainError> {
    match ports.store.registration(id).await? {
        Some(registration) if !registration.is_expired(now) => Ok(registration),
        _ => Err(DomainError::NotFound),
    }
}
