//! ID tokens, signed RS256 (OpenID Connect's default, which every client library
//! verifies) with the provider's RSA keys; the public halves go into the JWKS.
//!
//! Rotation: the secret holds one or more PKCS#8 PEM keys. The first signs; every one is
//! published. Put a new key first, and remove the old one once the longest-lived token it
//! signed has expired (an ID token lasts [`ID_TOKEN_LIFETIME`]; clients also cache the
//! JWKS, so wait a day).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header,
};
use portal_http::ClientSecret;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, rand_core::OsRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How long an ID token may be presented: it proves a sign-in that just happened.
pub const ID_TOKEN_LIFETIME: u64 = 5 * 60;
const PEM_END: &str = "-----END PRIVATE KEY-----";
/// NIST SP 800-131A: at least 2048 bits.
const MIN_BITS: usize = 2048;

/// What an ID token says (OpenID Connect Core §2, §5.1), named as in the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub azp: String,
    pub exp: u64,
    pub iat: u64,
    pub auth_time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub amr: Vec<String>,
    /// The app session (refresh token family) the token belongs to.
    pub sid: String,
    /// The claims of the granted scopes (`email`, `profile`).
    #[serde(flatten)]
    pub scope_claims: serde_json::Map<String, Value>,
}

/// The provider's keys as a function holds them: given (portal-local, tests), or read from
/// their secret at the first request that needs them (a deployed function), so no cold
/// start waits for a third secret and the RSA keys' parsing. Kept for the instance's life.
pub struct KeySource {
    keys: tokio::sync::OnceCell<ProviderKeys>,
    secret: Option<Arc<dyn ClientSecret>>,
}

impl KeySource {
    pub fn ready(keys: ProviderKeys) -> Self {
        Self {
            keys: tokio::sync::OnceCell::new_with(Some(keys)),
            secret: None,
        }
    }

    /// Keys in PKCS#8 PEM, as [`ProviderKeys::from_pem`] reads them, from `secret`.
    pub fn later(secret: Arc<dyn ClientSecret>) -> Self {
        Self {
            keys: tokio::sync::OnceCell::new(),
            secret: Some(secret),
        }
    }

    /// The keys; the error (for the log) says why they cannot be had, never what they hold.
    pub async fn get(&self) -> Result<&ProviderKeys, String> {
        self.keys
            .get_or_try_init(|| async {
                let secret = self
                    .secret
                    .as_ref()
                    .ok_or("no keys and no secret to read")?;
                ProviderKeys::from_pem(&secret.reveal().await?)
                    .map_err(|error| format!("the ID-token keys: {error}"))
            })
            .await
    }
}

struct RsaKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// base64url of the modulus and the exponent, as the JWKS gives them.
    n: String,
    e: String,
}

/// The provider's signing keys, read once per cold start.
pub struct ProviderKeys {
    keys: Vec<RsaKey>,
}

impl ProviderKeys {
    /// One or more PKCS#8 PEM RSA private keys of at least 2048 bits, the signing one
    /// first. Errors never repeat the key.
    pub fn from_pem(text: &str) -> Result<Self, String> {
        let keys = text
            .split_inclusive(PEM_END)
            .map(str::trim)
            .filter(|block| !block.is_empty())
            .enumerate()
            .map(|(index, block)| {
                rsa_key(block).map_err(|error| format!("key {}: {error}", index + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("no PEM private key (-----BEGIN PRIVATE KEY-----)".to_owned());
        }
        Ok(Self { keys })
    }

    /// A new 2048-bit key in PKCS#8 PEM, what `from_pem` reads (portal-local keeps one in
    /// its data directory; `portal-local oidc-key` prints one for a deployment).
    pub fn generate_pem() -> String {
        let key = RsaPrivateKey::new(&mut OsRng, MIN_BITS).expect("the OS gives randomness");
        key.to_pkcs8_pem(LineEnding::LF)
            .expect("a fresh key encodes")
            .to_string()
    }

    pub fn sign(&self, claims: &IdTokenClaims) -> String {
        let key = &self.keys[0];
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .expect("an RSA key that parsed signs any claims")
    }

    /// An ID token we issued, whoever it was for and however old: what a logout's
    /// `id_token_hint` must be (it usually has expired by then). Checks the signature and
    /// the issuer only.
    pub fn verify_hint(&self, token: &str, issuer: &str) -> Result<IdTokenClaims, String> {
        let header = decode_header(token).map_err(|error| format!("bad header: {error}"))?;
        let key = self
            .keys
            .iter()
            .find(|key| header.kid.as_deref() == Some(key.kid.as_str()))
            .ok_or("not signed by our keys")?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["iss", "sub", "aud"]);
        validation.set_issuer(&[issuer]);
        decode::<IdTokenClaims>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|error| format!("refused: {error}"))
    }

    /// The public keys, as JWKS entries (RFC 7517, 7518 §6.3).
    pub fn jwks(&self) -> Vec<Value> {
        self.keys
            .iter()
            .map(|key| {
                json!({
                    "kty": "RSA",
                    "n": key.n,
                    "e": key.e,
                    "kid": key.kid,
                    "alg": "RS256",
                    "use": "sig",
                })
            })
            .collect()
    }
}

fn rsa_key(pem: &str) -> Result<RsaKey, String> {
    let private = RsaPrivateKey::from_pkcs8_pem(pem)
        .map_err(|_| "not a PKCS#8 PEM RSA private key".to_owned())?;
    if private.size() * 8 < MIN_BITS {
        return Err(format!("an RSA key needs at least {MIN_BITS} bits"));
    }
    let modulus = private.n().to_bytes_be();
    let n = URL_SAFE_NO_PAD.encode(&modulus);
    let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| "jsonwebtoken cannot sign with this key".to_owned())?;
    let decoding = DecodingKey::from_rsa_components(&n, &e)
        .map_err(|_| "jsonwebtoken cannot verify with this key".to_owned())?;
    Ok(RsaKey {
        kid: URL_SAFE_NO_PAD.encode(&Sha256::digest(&modulus)[..16]),
        encoding,
        decoding,
        n,
        e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> IdTokenClaims {
        IdTokenClaims {
            iss: "https://portal.example".into(),
            sub: "u1".into(),
            aud: "c1".into(),
            azp: "c1".into(),
            exp: 2,
            iat: 1,
            auth_time: 1,
            nonce: Some("n".into()),
            amr: vec!["pwd".into()],
            sid: "s".into(),
            scope_claims: serde_json::Map::new(),
        }
    }

    #[test]
    fn the_first_key_signs_every_key_is_published_and_an_old_token_still_verifies() {
        let (old, new) = (ProviderKeys::generate_pem(), ProviderKeys::generate_pem());
        let before = ProviderKeys::from_pem(&old).unwrap();
        let token = before.sign(&claims());
        let after = ProviderKeys::from_pem(&format!("{new}\n{old}")).unwrap();
        assert_eq!(after.jwks().len(), 2);
        assert_eq!(after.jwks()[1], before.jwks()[0]);
        let verified = after.verify_hint(&token, "https://portal.example").unwrap();
        assert_eq!(verified, claims());
        assert!(after.verify_hint(&token, "https://other.example").is_err());
        let header = decode_header(after.sign(&claims())).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(
            Some(header.kid.unwrap().as_str()),
            after.jwks()[0]["kid"].as_str()
        );
    }

    #[test]
    fn a_token_of_another_key_or_a_bad_pem_is_refused_without_repeating_it() {
        let ours = ProviderKeys::from_pem(&ProviderKeys::generate_pem()).unwrap();
        let theirs = ProviderKeys::from_pem(&ProviderKeys::generate_pem()).unwrap();
        assert!(
            ours.verify_hint(&theirs.sign(&claims()), "https://portal.example")
                .is_err()
        );
        let error = ProviderKeys::from_pem(
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----",
        )
        .err()
        .unwrap();
        assert!(error.contains("key 1"), "{error}");
        assert!(!error.contains("c2VjcmV0"), "{error}");
        assert!(ProviderKeys::from_pem("  ").is_err());
    }
}
