//! The sealing port with XChaCha20-Poly1305 and a key from configuration (the outbox seal
//! key every function shares).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use portal_domain::random::Randomness;
use portal_domain::sealed::Sealer;

use crate::OsRandomness;

const NONCE_LEN: usize = 24;

/// A 256-bit XChaCha20-Poly1305 key.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl SealKey {
    /// From 32 bytes in base64url (the configured form); `None` for anything else.
    pub fn from_base64(encoded: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded.trim().trim_end_matches('='))
            .ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn generate(random: &dyn Randomness) -> Self {
        let mut key = [0u8; 32];
        random.fill(&mut key);
        Self(key)
    }

    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

impl Sealer for SealKey {
    /// base64url(nonce ‖ ciphertext); a fresh random nonce per seal.
    fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        OsRandomness.fill(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("XChaCha20-Poly1305 encrypts any length we use");
        URL_SAFE_NO_PAD.encode([nonce.as_slice(), &ciphertext].concat())
    }

    fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .ok()?;
        String::from_utf8(plaintext).ok()
    }
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let key = SealKey::generate(&OsRandomness);
        let sealed = key.seal("the token");
        assert!(!sealed.contains("the token"));
        assert_eq!(key.open(&sealed).as_deref(), Some("the token"));
        assert_eq!(SealKey::generate(&OsRandomness).open(&sealed), None);
    }

    #[test]
    fn a_tampered_seal_does_not_open() {
        let key = SealKey::generate(&OsRandomness);
        let mut sealed = key.seal("the token").into_bytes();
        let last = sealed.len() - 1;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(key.open(&String::from_utf8(sealed).unwrap()), None);
    }

    #[test]
    fn a_key_round_trips_through_its_configured_form() {
        let key = SealKey::generate(&OsRandomness);
        let again = SealKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.open(&key.seal("x")).as_deref(), Some("x"));
        assert!(SealKey::from_base64("too-short").is_none());
    }
}
