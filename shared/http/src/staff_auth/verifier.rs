//! Verifies staff tokens: bearer tokens (scripts) and the provider's ID tokens (sign-in).

use jsonwebtoken::get_current_timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use portal_domain::staff::StaffMember;
use serde_json::{Map, Value};

use super::config::{DEFAULT_PERMISSIONS_CLAIM, DevTokens, PermissionRule, StaffAuthConfig};
use super::provider::{LEEWAY_SECONDS, StaffProvider};

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
const MIN_SECRET_LEN: usize = 32;

/// The shared secret of [`DevTokens`] with the rules its tokens must pass.
struct DevKey {
    key: DecodingKey,
    validation: Validation,
    /// Our tokens carry their permissions as they are, under `permissions`.
    rule: PermissionRule,
}

/// Checks staff tokens. Build it once and share it (`Arc<StaffVerifier>`).
pub struct StaffVerifier {
    dev: Option<DevKey>,
    provider: Option<StaffProvider>,
}

impl StaffVerifier {
    pub fn new(config: StaffAuthConfig) -> Result<Self, String> {
        if config.dev.is_none() && config.provider.is_none() {
            return Err("staff need an identity provider (STAFF_OIDC_ISSUER)".to_owned());
        }
        Ok(Self {
            dev: config.dev.map(dev_key).transpose()?,
            provider: config.provider.map(StaffProvider::new),
        })
    }

    /// The company's provider, when one is configured.
    pub fn provider(&self) -> Option<&StaffProvider> {
        self.provider.as_ref()
    }

    /// The staff member a bearer token names. HS256 tokens are ours (portal-local) and
    /// checked only against our secret; every other token is the provider's and checked
    /// only against its keys, so no key is ever tried with an algorithm it is not for.
    /// The error says why a token was refused, for the logs only: never the token.
    pub async fn verify(&self, token: &str) -> Result<StaffMember, String> {
        // `alg: none` (or any unknown alg) already fails here: `Algorithm` has no such value.
        let header = decode_header(token).map_err(|error| format!("bad token header: {error}"))?;
        let (claims, rule) = if header.alg == Algorithm::HS256 {
            let dev = self
                .dev
                .as_ref()
                .ok_or("token refused: HS256 is not accepted")?;
            let claims = decode::<Map<String, Value>>(token, &dev.key, &dev.validation)
                .map_err(|error| format!("token refused: {error}"))?
                .claims;
            (claims, &dev.rule)
        } else {
            let provider = self
                .provider
                .as_ref()
                .ok_or("token refused: no identity provider is configured")?;
            let config = provider.config();
            let claims = provider.verify(token, &config.audience).await?;
            (claims, &config.permissions)
        };
        member(&claims, rule)
    }

    /// The staff member an ID token from the sign-in's callback names: signed by the
    /// provider for our client, carrying the sign-in's `nonce` (OpenID Connect Core
    /// §3.1.3.7).
    pub async fn verify_id_token(&self, token: &str, nonce: &str) -> Result<StaffMember, String> {
        let provider = self
            .provider
            .as_ref()
            .ok_or("no identity provider is configured")?;
        let config = provider.config();
        let claims = provider.verify(token, &config.client_id).await?;
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
            return Err("ID token refused: not the sign-in's nonce".to_owned());
        }
        // §3.1.3.7 item 4–5: a token for several audiences must have been issued to us.
        let audiences = claims
            .get("aud")
            .and_then(Value::as_array)
            .map_or(1, Vec::len);
        let azp = claims.get("azp").and_then(Value::as_str);
        if (audiences > 1 || azp.is_some()) && azp != Some(&config.client_id) {
            return Err("ID token refused: issued to another party (azp)".to_owned());
        }
        member(&claims, &config.permissions)
    }
}

fn dev_key(dev: DevTokens) -> Result<DevKey, String> {
    if dev.secret.len() < MIN_SECRET_LEN {
        return Err(format!(
            "the staff HS256 secret must be at least {MIN_SECRET_LEN} bytes"
        ));
    }
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_issuer(&[&dev.issuer]);
    validation.set_audience(&[&dev.audience]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECONDS;
    Ok(DevKey {
        key: DecodingKey::from_secret(&dev.secret),
        validation,
        rule: PermissionRule {
            claim: DEFAULT_PERMISSIONS_CLAIM.to_owned(),
            map: None,
        },
    })
}

/// The staff member verified claims name. `iat` is checked here because jsonwebtoken can
/// only require `exp`, `nbf`, `iss`, `aud` and `sub`.
fn member(claims: &Map<String, Value>, rule: &PermissionRule) -> Result<StaffMember, String> {
    let iat = claims
        .get("iat")
        .and_then(Value::as_f64)
        .ok_or("token refused: no iat")?;
    if !iat.is_finite() || iat < 0.0 {
        return Err("token refused: iat is not a date".to_owned());
    }
    if iat > (get_current_timestamp() + LEEWAY_SECONDS) as f64 {
        return Err("token refused: issued in the future".to_owned());
    }
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|sub| !sub.trim().is_empty())
        .ok_or("token refused: empty sub")?;
    let permissions = rule.permissions(claims);
    Ok(StaffMember {
        subject: subject.to_owned(),
        name: claims
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        permissions,
    })
}
