//! The domain of portal onboarding: parsed types, state machines, use cases and the
//! ports (store, mailer, clock, randomness) that adapters implement. No AWS, no HTTP.

pub mod audit;
pub mod clock;
pub mod config;
pub mod contact;
pub mod error;
pub mod ids;
pub mod import;
pub mod invitation;
pub mod login;
pub mod mfa;
pub mod oidc;
pub mod organization;
pub mod outbox;
pub mod page;
pub mod pages;
pub mod password;
pub mod password_reset;
pub mod ports;
pub mod random;
pub mod registration;
pub mod sealed;
pub mod secret_token;
pub mod session;
pub mod staff;
pub mod staff_session;
mod stored;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttle;
pub mod types;
pub mod use_cases;
pub mod user;
pub mod verification_code;

pub use error::{DomainError, FieldError, FieldErrors, Refusal, StoreError};
pub use ports::Ports;
