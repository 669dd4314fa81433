//! Passwords: the policy a new one must pass, and the port that hashes and verifies them
//! (Argon2id in `portal-adapters`).

mod policy;

use async_trait::async_trait;

pub use policy::{MAX_CHARS, MinLength, NewPassword, PasswordRejection};

#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt.
    async fn hash(&self, password: &NewPassword) -> String;

    /// Whether `password` matches `stored`. `None` means "no such user": the answer is
    /// `false`, after as much work as a real check, so timing does not tell.
    async fn verify(&self, password: &str, stored: Option<&str>) -> bool;
}
