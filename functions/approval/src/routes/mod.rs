pub mod contacts;
pub mod decisions;
pub mod oidc_clients;
pub mod outbox;
pub mod queue;
pub mod sign_in;
