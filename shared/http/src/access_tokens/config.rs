//! Where access tokens get their key, issuer and audience, read once at cold start.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use portal_adapters::OsRandomness;
use portal_domain::config::Variable;
use portal_domain::random::Randomness;

const ISSUER: Variable = Variable::required("PORTAL_TOKEN_ISSUER");
const AUDIENCE: Variable = Variable::required("PORTAL_TOKEN_AUDIENCE");
const PUBLIC_KEY: Variable = Variable::required("PORTAL_TOKEN_PUBLIC_KEY");

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
        let seed = decode_32_bytes(text).map_err(|error| match error {
            None => format!("the signing key is not base64url; {HOW_TO_MAKE_ONE}"),
            Some(length) => format!(
                "the signing key must be a 32-byte Ed25519 seed, not {length} bytes; \
                 {HOW_TO_MAKE_ONE}"
            ),
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

    /// The public half, which verifies the tokens this key signs.
    pub fn public_key(&self) -> PortalPublicKey {
        PortalPublicKey(SigningKey::from_bytes(&self.0).verifying_key().to_bytes())
    }
}

/// The Ed25519 public key that verifies access tokens (RFC 8032, 32 bytes): all that the
/// functions which only check tokens get, so they cannot mint any. Not a secret; in
/// configuration it is base64url, as `portal-local token-public-key` prints it and the
/// JWKS's `x` holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortalPublicKey([u8; 32]);

impl PortalPublicKey {
    /// From base64url (padding and surrounding whitespace ignored): 32 bytes that are a
    /// valid Ed25519 point, so a mistyped key stops the cold start, not every request.
    pub fn from_base64url(text: &str) -> Result<Self, String> {
        const HOW: &str = "print it with `portal-local token-public-key`";
        let bytes = decode_32_bytes(text).map_err(|error| match error {
            None => format!("the public key is not base64url; {HOW}"),
            Some(length) => {
                format!("the public key must be 32 bytes (Ed25519), not {length}; {HOW}")
            }
        })?;
        VerifyingKey::from_bytes(&bytes)
            .map_err(|_| format!("the public key is not an Ed25519 key; {HOW}"))?;
        Ok(Self(bytes))
    }

    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub(super) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Never prints the key (configs end up in startup logs and panics).
impl fmt::Debug for PortalSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PortalSigningKey(..)")
    }
}

/// What access tokens are signed with and say about their origin and recipient: the
/// configuration of the function that issues them (password).
#[derive(Clone, Debug)]
pub struct AccessTokenConfig {
    /// The `iss` of every token, e.g. the portal API's base URL.
    pub issuer: String,
    /// The `aud` of every token: the portal API.
    pub audience: String,
    pub signing_key: PortalSigningKey,
}

impl AccessTokenConfig {
    /// The `iss` of issued tokens. (The signing key is a secret: the caller reads it from
    /// where it is kept, Secrets Manager in AWS.)
    pub const ISSUER: Variable = ISSUER;
    /// The `aud` of issued tokens.
    pub const AUDIENCE: Variable = AUDIENCE;

    /// From `PORTAL_SIGNING_KEY` (the Ed25519 seed in base64url), `PORTAL_TOKEN_ISSUER`
    /// and `PORTAL_TOKEN_AUDIENCE`, all required. An empty variable counts as unset.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let required = required_from(lookup);
        let signing_key = PortalSigningKey::from_base64url(&required("PORTAL_SIGNING_KEY")?)
            .map_err(|error| format!("PORTAL_SIGNING_KEY: {error}"))?;
        Ok(Self {
            issuer: required(ISSUER.name)?,
            audience: required(AUDIENCE.name)?,
            signing_key,
        })
    }

    /// What verifies the tokens this configuration issues.
    pub fn verifier_config(&self) -> AccessTokenVerifierConfig {
        AccessTokenVerifierConfig {
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            public_key: self.signing_key.public_key(),
        }
    }
}

/// What a function that only checks access tokens (invitation and deactivation, on their
/// `/org` routes) needs: the public key, and the issuer and audience tokens must name.
#[derive(Clone, Debug)]
pub struct AccessTokenVerifierConfig {
    pub issuer: String,
    pub audience: String,
    pub public_key: PortalPublicKey,
}

impl AccessTokenVerifierConfig {
    /// What [`AccessTokenVerifierConfig::from_env`] reads.
    pub const VARIABLES: &[Variable] = &[PUBLIC_KEY, ISSUER, AUDIENCE];

    /// From `PORTAL_TOKEN_PUBLIC_KEY` (base64url), `PORTAL_TOKEN_ISSUER` and
    /// `PORTAL_TOKEN_AUDIENCE`, all required. An empty variable counts as unset.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let required = required_from(lookup);
        let public_key = PortalPublicKey::from_base64url(&required(PUBLIC_KEY.name)?)
            .map_err(|error| format!("PORTAL_TOKEN_PUBLIC_KEY: {error}"))?;
        Ok(Self {
            issuer: required(ISSUER.name)?,
            audience: required(AUDIENCE.name)?,
            public_key,
        })
    }
}

/// 32 bytes from base64url, padding and surrounding whitespace ignored. The error is the
/// decoded length (`None`: not base64url); it never holds the input, which may be a secret.
fn decode_32_bytes(text: &str) -> Result<[u8; 32], Option<usize>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|_| None)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| Some(bytes.len()))
}

/// A reader of required variables from `lookup`, where empty counts as unset.
fn required_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> impl Fn(&str) -> Result<String, String> {
    move |name| {
        lookup(name)
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| format!("{name} must be set (access tokens)"))
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

    fn verifier_config(vars: &[(&str, &str)]) -> Result<AccessTokenVerifierConfig, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        AccessTokenVerifierConfig::from_lookup(|name| vars.get(name).cloned())
    }

    fn verifier_with_key(key: &str) -> Result<AccessTokenVerifierConfig, String> {
        verifier_config(&[
            ("PORTAL_TOKEN_ISSUER", "https://portal.example.test"),
            ("PORTAL_TOKEN_AUDIENCE", "portal-api"),
            ("PORTAL_TOKEN_PUBLIC_KEY", key),
        ])
    }

    #[test]
    fn a_verifier_gets_the_public_half_of_the_signing_key_and_nothing_secret() {
        let signing = with_key(SEED).unwrap();
        let public = signing.signing_key.public_key().to_base64url();
        let verifier = verifier_with_key(&public).unwrap();
        assert_eq!(verifier.public_key, signing.verifier_config().public_key);
        assert_eq!(verifier.issuer, "https://portal.example.test");
        assert_eq!(verifier.audience, "portal-api");
        assert_ne!(public, SEED);
        // The signing key is not among what a verifier reads.
        assert!(
            verifier_config(&[
                ("PORTAL_TOKEN_ISSUER", "iss"),
                ("PORTAL_TOKEN_AUDIENCE", "aud"),
                ("PORTAL_SIGNING_KEY", SEED),
            ])
            .unwrap_err()
            .contains("PORTAL_TOKEN_PUBLIC_KEY must be set")
        );
    }

    #[test]
    fn a_public_key_that_is_not_an_ed25519_key_is_refused() {
        // 32 bytes, but y = 2 has no x on the curve.
        let mut off_curve = [0u8; 32];
        off_curve[0] = 2;
        let off_curve = URL_SAFE_NO_PAD.encode(off_curve);
        for (key, expected) in [
            ("AQEBAQ", "not 4"),
            ("not base64!", "not base64url"),
            (off_curve.as_str(), "not an Ed25519 key"),
        ] {
            let error = verifier_with_key(key).unwrap_err();
            assert!(error.contains("PORTAL_TOKEN_PUBLIC_KEY"), "{error}");
            assert!(error.contains(expected), "{key}: {error}");
            assert!(error.contains("token-public-key"), "{error}");
        }
    }

    #[test]
    fn every_verifier_variable_is_required() {
        let public = PortalSigningKey::generate().public_key().to_base64url();
        for missing in [
            "PORTAL_TOKEN_ISSUER",
            "PORTAL_TOKEN_AUDIENCE",
            "PORTAL_TOKEN_PUBLIC_KEY",
        ] {
            let vars: Vec<_> = [
                ("PORTAL_TOKEN_ISSUER", "iss"),
                ("PORTAL_TOKEN_AUDIENCE", "aud"),
                ("PORTAL_TOKEN_PUBLIC_KEY", public.as_str()),
            ]
            .into_iter()
            .map(|(name, value)| (name, if name == missing { "" } else { value }))
            .collect();
            assert!(
                verifier_config(&vars).unwrap_err().contains(missing),
                "{missing}"
            );
        }
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
