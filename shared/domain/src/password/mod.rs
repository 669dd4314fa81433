//! Passwords: the policy a new one must pass, and the port that hashes and verifies them
//! (with its Argon2id adapter).

mod hasher;
mod policy;

pub use hasher::{Argon2Hasher, PasswordHasher};
pub use policy::{MAX_CHARS, MinLength, NewPassword, PasswordRejection};
