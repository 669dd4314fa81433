//! Which algorithm each key of a JWKS may verify. The algorithm comes from the key, never
//! from the token: a token's `alg` header only has to agree with it. That is what stops
//! algorithm confusion (e.g. an HS256 token "signed" with a public key's bytes).

use std::collections::HashMap;
use std::str::FromStr;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};

/// The signing keys of `set` by `kid`, each with the one algorithm it verifies.
/// Encryption keys and keys of algorithms we cannot verify are left out; a signing key
/// without `kid`, a symmetric key, or a key whose `alg` contradicts its type is an error.
pub(super) fn signing_keys(
    set: &JwkSet,
) -> Result<HashMap<String, (DecodingKey, Algorithm)>, String> {
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(algorithm) = signing_algorithm(jwk)? else {
            continue;
        };
        let kid = jwk
            .common
            .key_id
            .clone()
            .ok_or("every signing key of the JWKS needs a kid")?;
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|error| format!("JWKS key {kid:?} is unusable: {error}"))?;
        if keys.insert(kid.clone(), (key, algorithm)).is_some() {
            return Err(format!("JWKS has two keys with kid {kid:?}"));
        }
    }
    if keys.is_empty() {
        return Err("the JWKS has no signing key we can verify".to_owned());
    }
    Ok(keys)
}

/// `None` for keys not meant for (or not usable for) verifying signatures.
fn signing_algorithm(jwk: &Jwk) -> Result<Option<Algorithm>, String> {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Ok(None);
    }
    let kid = jwk.common.key_id.as_deref().unwrap_or("(no kid)");
    // The algorithm the key type implies when `alg` is absent.
    let implied = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(params) => match params.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return Ok(None),
        },
        AlgorithmParameters::OctetKeyPair(params) => match params.curve {
            EllipticCurve::Ed25519 => Algorithm::EdDSA,
            _ => return Ok(None),
        },
        // A published symmetric key is a secret anyone can read: refuse the whole set.
        AlgorithmParameters::OctetKey(_) => {
            return Err(format!("JWKS key {kid:?} is a symmetric key"));
        }
    };
    let Some(declared) = jwk.common.key_algorithm else {
        return Ok(Some(implied));
    };
    // `KeyAlgorithm` also names encryption algorithms; those do not parse as `Algorithm`.
    let Ok(declared) = Algorithm::from_str(&declared.to_string()) else {
        return Ok(None);
    };
    // RSA keys may serve any RSA signature algorithm; an EC curve and Ed25519 fix theirs.
    let agrees = match implied.family() {
        AlgorithmFamily::Rsa => declared.family() == AlgorithmFamily::Rsa,
        _ => declared == implied,
    };
    if agrees {
        Ok(Some(declared))
    } else {
        Err(format!(
            "JWKS key {kid:?} declares alg {declared:?}, which its key type cannot verify"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(json: &str) -> JwkSet {
        serde_json::from_str(json).unwrap()
    }

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn a_key_without_alg_gets_its_type_s_algorithm() {
        let keys = signing_keys(&set(&format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"{ED_X}"}},
                {{"kty":"RSA","kid":"rsa","n":"sXch","e":"AQAB"}}]}}"#
        )))
        .unwrap();
        assert_eq!(keys["ed"].1, Algorithm::EdDSA);
        assert_eq!(keys["rsa"].1, Algorithm::RS256);
    }

    #[test]
    fn a_declared_alg_must_agree_with_the_key_type() {
        let ok = signing_keys(&set(
            r#"{"keys":[{"kty":"RSA","kid":"r","alg":"PS256","n":"sXch","e":"AQAB"}]}"#,
        ));
        assert_eq!(ok.unwrap()["r"].1, Algorithm::PS256);
        let contradiction = signing_keys(&set(&format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"ed","alg":"HS256","x":"{ED_X}"}}]}}"#
        )));
        assert!(contradiction.unwrap_err().contains("cannot verify"));
    }

    #[test]
    fn symmetric_keys_and_missing_kids_are_refused() {
        let symmetric = signing_keys(&set(r#"{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}"#));
        assert!(symmetric.unwrap_err().contains("symmetric"));
        let no_kid = signing_keys(&set(&format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}"}}]}}"#
        )));
        assert!(no_kid.unwrap_err().contains("kid"));
    }

    #[test]
    fn encryption_keys_are_left_out() {
        let keys = signing_keys(&set(&format!(
            r#"{{"keys":[{{"kty":"RSA","kid":"enc","use":"enc","n":"sXch","e":"AQAB"}},
                {{"kty":"RSA","kid":"oaep","alg":"RSA-OAEP","n":"sXch","e":"AQAB"}},
                {{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"{ED_X}"}}]}}"#
        )))
        .unwrap();
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["ed"]);
        let only_encryption = signing_keys(&set(
            r#"{"keys":[{"kty":"RSA","kid":"enc","use":"enc","n":"sXch","e":"AQAB"}]}"#,
        ));
        assert!(only_encryption.is_err());
    }

    #[test]
    fn duplicate_kids_are_refused() {
        let error = signing_keys(&set(&format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"a","x":"{ED_X}"}},
                {{"kty":"OKP","crv":"Ed25519","kid":"a","x":"{ED_X}"}}]}}"#
        )));
        assert!(error.unwrap_err().contains("two keys"));
    }
}
