//! Unguessable one-time secrets handed to people (links) or clients (refresh tokens).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::random::Randomness;

/// 32 bytes from the CSPRNG, base64url: what invitation and reset links and refresh
/// tokens carry. Only its hash is ever stored.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate(random: &dyn Randomness) -> Self {
        let mut bytes = [0u8; 32];
        random.fill(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }
}

/// SHA-256 of a token, lowercase hex: the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether two texts are equal, in a time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRandomness;

    #[test]
    fn a_token_is_32_random_bytes_in_base64url() {
        let token = SecretToken::generate(&TestRandomness);
        assert_eq!(token.as_str().len(), 43);
        assert!(
            token
                .as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(
            token.as_str(),
            SecretToken::generate(&TestRandomness).as_str()
        );
    }

    #[test]
    fn only_the_hash_is_kept_and_it_does_not_contain_the_token() {
        let token = SecretToken::generate(&TestRandomness);
        assert_eq!(token.hash().len(), 64);
        assert!(!token.hash().contains(token.as_str()));
        assert_eq!(token.hash(), token_hash(token.as_str()));
    }
}
