//! Secrets that must travel through the outbox (invitation and reset links, verification
//! codes) are sealed, so no stored item ever holds them in the clear: the outbox has the
//! ciphertext, the entity only the secret's hash, and the mailer opens the seal. The port;
//! XChaCha20-Poly1305 with a configured key is in `portal-adapters`.

/// Seals and opens with one key.
pub trait Sealer: Send + Sync + std::fmt::Debug {
    /// A sealing of `plaintext`, different every time (a fresh nonce).
    fn seal(&self, plaintext: &str) -> String;

    /// The plaintext, or `None` when the seal was made with another key or tampered with.
    fn open(&self, sealed: &str) -> Option<String>;
}
