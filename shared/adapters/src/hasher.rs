//! Argon2id (m = 19 MiB, t = 2, p = 1, OWASP's first choice) in `spawn_blocking`: one
//! hash takes tens of milliseconds of CPU, which must never stall the async runtime.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use async_trait::async_trait;

use portal_domain::password::{NewPassword, PasswordHasher};

/// Memory cost in KiB (19 MiB).
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;
const SALT_BYTES: usize = 16;

#[derive(Clone)]
pub struct Argon2Hasher {
    argon2: Argon2<'static>,
    /// The hash of a random password nobody knows, checked when there is no user. Made on
    /// first need rather than at start: a cold start must not pay for an Argon2 hash.
    dummy: Arc<OnceLock<String>>,
}

impl Argon2Hasher {
    pub fn new() -> Self {
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
            .expect("constant Argon2 parameters are valid");
        Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            dummy: Arc::default(),
        }
    }

    fn hash_blocking(&self, password: &[u8]) -> String {
        let mut salt = [0u8; SALT_BYTES];
        getrandom::fill(&mut salt).expect("the OS random source is unavailable");
        let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
        self.argon2
            .hash_password(password, &salt)
            .expect("Argon2 hashes any password with valid parameters and salt")
            .to_string()
    }

    fn verify_blocking(&self, password: &str, stored: Option<&str>) -> bool {
        let Some(stored) = stored else {
            let dummy = self.dummy.get_or_init(|| {
                let mut secret = [0u8; 32];
                getrandom::fill(&mut secret).expect("the OS random source is unavailable");
                self.hash_blocking(&secret)
            });
            self.matches(password, dummy);
            return false;
        };
        self.matches(password, stored)
    }

    /// Verifies with the parameters written in `stored`, so hashes made with older
    /// parameters keep working after they change.
    fn matches(&self, password: &str, stored: &str) -> bool {
        match PasswordHash::new(stored) {
            Ok(parsed) => self
                .argon2
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(error) => {
                tracing::warn!(%error, "a stored password hash does not parse");
                false
            }
        }
    }
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &NewPassword) -> String {
        let hasher = self.clone();
        let password = password.expose().to_owned();
        blocking(move || hasher.hash_blocking(password.as_bytes())).await
    }

    async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let hasher = self.clone();
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        blocking(move || hasher.verify_blocking(&password, stored.as_deref())).await
    }
}

/// Runs CPU-bound work on tokio's blocking pool; a panic there is re-raised here.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn new_password(raw: &str) -> NewPassword {
        NewPassword::parse(raw, &[], Default::default()).expect("a strong password")
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hasher = Argon2Hasher::new();
        let stored = hasher.hash(&new_password("quiet-Otter-lamp-4711")).await;

        assert!(hasher.verify("quiet-Otter-lamp-4711", Some(&stored)).await);
        assert!(!hasher.verify("quiet-otter-lamp-4711", Some(&stored)).await);
        assert!(!hasher.verify("quiet-Otter-lamp-4711 ", Some(&stored)).await);
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_with_the_chosen_parameters() {
        let stored = Argon2Hasher::new()
            .hash(&new_password("quiet-Otter-lamp-4711"))
            .await;
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ_by_their_salt() {
        let hasher = Argon2Hasher::new();
        let password = new_password("quiet-Otter-lamp-4711");
        let first = hasher.hash(&password).await;
        let second = hasher.hash(&password).await;
        assert_ne!(first, second);
        assert!(hasher.verify(password.expose(), Some(&first)).await);
        assert!(hasher.verify(password.expose(), Some(&second)).await);
    }

    #[tokio::test]
    async fn no_user_is_false_after_a_real_argon2_verification() {
        let hasher = Argon2Hasher::new();
        let stored = hasher.hash(&new_password("quiet-Otter-lamp-4711")).await;
        // The dummy hash is made on first need; that first call is not the one measured.
        assert!(!hasher.verify("quiet-Otter-lamp-4711", None).await);

        // Interleaved, fastest of two each: other tests share the cores.
        let (mut unknown, mut known) = (Duration::MAX, Duration::MAX);
        for _ in 0..2 {
            let started = Instant::now();
            assert!(!hasher.verify("quiet-Otter-lamp-4711", None).await);
            unknown = unknown.min(started.elapsed());
            let started = Instant::now();
            assert!(!hasher.verify("wrong-Otter-lamp-4711", Some(&stored)).await);
            known = known.min(started.elapsed());
        }

        let ratio = unknown.as_secs_f64() / known.as_secs_f64();
        assert!(
            (0.2..=5.0).contains(&ratio),
            "no user took {unknown:?}, a wrong password {known:?}"
        );
    }

    #[tokio::test]
    async fn a_stored_hash_that_does_not_parse_never_verifies() {
        let hasher = Argon2Hasher::new();
        assert!(
            !hasher
                .verify("quiet-Otter-lamp-4711", Some("not a hash"))
                .await
        );
        assert!(!hasher.verify("", Some("")).await);
    }
}
