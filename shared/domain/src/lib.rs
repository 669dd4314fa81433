//! The domain of portal onboarding: parsed types, state machines, use cases and the
//! ports (store, mailer, clock, randomness) that adapters implement. No AWS, no HTTP.

pub mod clock;
pub mod error;
pub mod outbox;
pub mod ports;
pub mod random;
pub mod registration;
pub mod throttle;
pub mod types;
pub mod use_cases;
pub mod user;
pub mod verification_code;

pub use error::{DomainError, FieldError, FieldErrors, StoreError};
pub use ports::Ports;
