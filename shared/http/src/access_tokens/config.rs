//! Where access tokens get their key, issuer and audience, read once at cold start.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::random::{OsRandomness, Randomness};

/// How to make a value for `PORTAL_SIGNING_KEY`, quoted in every error about it.
const HOW_TO_MAKE_ONE: &str = "make one with `openssl rand 32 | basenc --base64url | tr -d =`";

/// The Ed25519 private key access tokens are signed with: its 32-byte seed (RFC 8032).
/// Whoever holds it can mint tokens for any user, so it never appears in `Debug` output.
///
/// In configuration it is the seed in base64url; make one with
/// `openssl rand 32 | basenc --base64url | tr -d =`.
#[derive(Clone, PartialEq, Eq)]
pub struct PortalSigningKey([u8; 32]);

impl PortalSigningKey {
    /// A new key, 32 bytes from the OS CSPRNG (for `portal-local`, which persists it via
    /// [`to_base64url`](Self::to_base64url) so tokens survive a restart).
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        OsRandomness.fill(&mut seed);
        Self(seed)
    }

    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(seed)
    }

    /// From the seed in base64url, as `PORTAL_SIGNING_KEY` holds it. Padding and
    /// surrounding whitespace are ignored. The error never repeats the input.
    pub fn from_base64url(text: &str) -> Result<Self, String> {
        let text = text.trim().trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| format!("the signing key is not base64url; {HOW_TO_MAKE_ONE}"))?;
        let seed = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
            format!(
                "the signing key must be a 32-byte Ed25519 seed, not {} bytes; {HOW_TO_MAKE_ONE}",
                bytes.len()
            )
        })?;
        Ok(Self(seed))
    }

    /// The seed in base64url without padding: the secret itself, for storing it where
    /// [`from_base64url`](Self::from_base64url) will read it back.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub(super) fn seed(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Never prints the key (configs end up in startup logs and panics).
impl fmt::Debug for PortalSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PortalSigningKey(..)")
    }
}

/// What access tokens are signed with and say about their origin and recipient.
#[derive(Clone, Debug)]
pub struct AccessTokenConfig {
    /// The `iss` of every token, e.g. the portal API's base URL.
    pub issuer: String,
    /// The `aud` of every token: the portal API.
    pub audience: String,
    pub signing_key: PortalSigningKey,
}

impl AccessTokenConfig {
    /// From `PORTAL_SIGNING_KEY` (the Ed25519 seed in base64url), `PORTAL_TOKEN_ISSUER`
    /// and `PORTAL_TOKEN_AUDIENCE`, all required. An empty variable counts as unset.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let required =
            |name: &str| read(name).ok_or_else(|| format!("{name} must be set (access tokens)"));
        let issuer = required("PORTAL_TOKEN_ISSUER")?;
        let audience = required("PORTAL_TOKEN_AUDIENCE")?;
        let signing_key = PortalSigningKey::from_base64url(&required("PORTAL_SIGNING_KEY")?)
            .map_err(|error| format!("PORTAL_SIGNING_KEY: {error}"))?;
        Ok(Self {
            issuer,
            audience,
            signing_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// 32 bytes of 0x01 in base64url.
    const SEED: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";

    fn config(vars: &[(&str, &str)]) -> Result<AccessTokenConfig, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        AccessTokenConfig::from_lookup(|name| vars.get(name).cloned())
    }

    fn with_key(key: &str) -> Result<AccessTokenConfig, String> {
        config(&[
            ("PORTAL_TOKEN_ISSUER", "https://portal.example.test"),
            ("PORTAL_TOKEN_AUDIENCE", "portal-api"),
            ("PORTAL_SIGNING_KEY", key),
        ])
    }

    #[test]
    fn the_three_variables_give_a_config() {
        let config = with_key(SEED).unwrap();
        assert_eq!(config.issuer, "https://portal.example.test");
        assert_eq!(config.audience, "portal-api");
        assert_eq!(config.signing_key.seed(), &[1u8; 32]);
    }

    #[test]
    fn padding_and_whitespace_around_the_key_are_ignored() {
        let padded = with_key(&format!(" {SEED}=\n")).unwrap();
        assert_eq!(padded.signing_key.seed(), &[1u8; 32]);
    }

    #[test]
    fn a_key_that_is_not_a_32_byte_seed_is_refused_without_being_repeated() {
        for (key, expected) in [
            ("AQEBAQ", "not 4 bytes"),
            (&"AQEB".repeat(12), "not 36 bytes"),
            (
                "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ+",
                "not base64url",
            ),
            ("-----BEGIN PRIVATE KEY-----", "not base64url"),
        ] {
            let error = with_key(key).unwrap_err();
            assert!(error.contains("PORTAL_SIGNING_KEY"), "{error}");
            assert!(error.contains(expected), "{key}: {error}");
            assert!(error.contains("openssl rand 32"), "{error}");
            assert!(!error.contains(key), "{error}");
        }
    }

    #[test]
    fn every_variable_is_required() {
        for missing in [
            "PORTAL_TOKEN_ISSUER",
            "PORTAL_TOKEN_AUDIENCE",
            "PORTAL_SIGNING_KEY",
        ] {
            let vars: Vec<_> = [
                ("PORTAL_TOKEN_ISSUER", "iss"),
                ("PORTAL_TOKEN_AUDIENCE", "aud"),
                ("PORTAL_SIGNING_KEY", SEED),
            ]
            .into_iter()
            .map(|(name, value)| (name, if name == missing { " " } else { value }))
            .collect();
            assert!(config(&vars).unwrap_err().contains(missing), "{missing}");
        }
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let config = with_key(SEED).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains(SEED), "{debug}");
        assert!(!debug.contains("[1, 1"), "{debug}");
    }

    #[test]
    fn generated_keys_differ_and_survive_their_base64url_form() {
        let key = PortalSigningKey::generate();
        assert_ne!(key, PortalSigningKey::generate());
        let text = key.to_base64url();
        assert_eq!(text.len(), 43);
        assert_eq!(PortalSigningKey::from_base64url(&text).unwrap(), key);
    }
}
