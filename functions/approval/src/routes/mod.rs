pub mod contacts;
pub mod decisions;
pub mod outbox;
pub mod queue;
pub mod sign_in;
