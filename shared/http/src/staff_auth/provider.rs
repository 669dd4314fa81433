//! The company's identity provider, as its discovery document describes it: where to send
//! a person to sign in, where to exchange a code, and the keys its tokens are signed with.
//! Discovery is read once per process, on first use (a cold start does not wait for it);
//! the keys are cached and fetched again when a token names a key we do not know, at most
//! once a minute, so a flood of forged `kid`s cannot make us hammer the provider.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::{Mutex, OnceCell};

use super::config::ProviderConfig;
use super::jwks;

/// Clock skew tolerated between the provider and us, on `exp`, `nbf` and `iat`.
pub(super) const LEEWAY_SECONDS: u64 = 30;
/// The least time between two fetches of the provider's keys.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// How long we wait for the provider on any one call.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The fields of the discovery document we use (OpenID Connect Discovery 1.0 §3).
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

struct KeyCache {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    fetched_at: Option<Instant>,
}

/// One provider per process (`Arc` it): its discovery and keys are shared by every request.
pub struct StaffProvider {
    config: ProviderConfig,
    /// Built on first use: its TLS roots take milliseconds a cold start need not spend.
    http: std::sync::OnceLock<reqwest::Client>,
    discovery: OnceCell<Discovery>,
    keys: Mutex<KeyCache>,
}

impl StaffProvider {
    pub fn new(config: ProviderConfig) -> Self {
        Self {
            config,
            http: std::sync::OnceLock::new(),
            discovery: OnceCell::new(),
            keys: Mutex::new(KeyCache {
                keys: HashMap::new(),
                fetched_at: None,
            }),
        }
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(PROVIDER_TIMEOUT)
                // The provider's endpoints come from its own document; a redirect elsewhere
                // is not something to follow with a code and a client secret.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client with a timeout and no redirects builds")
        })
    }

    /// The discovery document, fetched on first use. It must name the configured issuer
    /// (Discovery §4.3): otherwise a document served elsewhere could redirect our trust.
    pub async fn discovery(&self) -> Result<&Discovery, String> {
        self.discovery
            .get_or_try_init(|| async {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    self.config.issuer.trim_end_matches('/')
                );
                let discovery: Discovery = self.get_json(&url).await?;
                if discovery.issuer != self.config.issuer {
                    return Err(format!(
                        "the provider's discovery names issuer {:?}, not {:?}",
                        discovery.issuer, self.config.issuer
                    ));
                }
                Ok(discovery)
            })
            .await
    }

    /// The claims of a token the provider signed for `audience`, checked for signature
    /// (the key's own algorithm), issuer, audience and expiry. The error is for the logs.
    pub async fn verify(&self, token: &str, audience: &str) -> Result<Map<String, Value>, String> {
        let header = decode_header(token).map_err(|error| format!("bad token header: {error}"))?;
        let kid = header.kid.ok_or("token refused: no kid")?;
        let (key, algorithm) = self.key(&kid).await?;
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[audience]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        decode::<Map<String, Value>>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|error| format!("token refused: {error}"))
    }

    /// The key with this `kid`, fetching the provider's keys again if it is new to us and
    /// the last fetch is more than a minute old.
    async fn key(&self, kid: &str) -> Result<(DecodingKey, Algorithm), String> {
        let mut cache = self.keys.lock().await;
        if let Some(found) = cache.keys.get(kid) {
            return Ok(found.clone());
        }
        if cache
            .fetched_at
            .is_some_and(|at| at.elapsed() < REFETCH_AFTER)
        {
            return Err(format!("token refused: unknown kid {kid:?}"));
        }
        let jwks_uri = self.discovery().await?.jwks_uri.clone();
        // Recorded before the fetch: a failing provider is not asked again for a minute.
        cache.fetched_at = Some(Instant::now());
        let set: JwkSet = self.get_json(&jwks_uri).await?;
        cache.keys = jwks::signing_keys(&set)?;
        tracing::info!(keys = cache.keys.len(), "fetched the staff provider's keys");
        cache
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| format!("token refused: unknown kid {kid:?}"))
    }

    /// Exchanges an authorization code at the token endpoint (client_secret_basic, with
    /// the PKCE verifier) and returns the ID token.
    pub async fn exchange_code(
        &self,
        client_secret: &str,
        code: &str,
        redirect_uri: &str,
        pkce_verifier: &str,
    ) -> Result<String, String> {
        #[derive(Deserialize)]
        struct TokenResponse {
            id_token: Option<String>,
        }
        let token_endpoint = &self.discovery().await?.token_endpoint;
        // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
        let form = |value: &str| {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        };
        let response = self
            .http()
            .post(token_endpoint)
            .basic_auth(form(&self.config.client_id), Some(form(client_secret)))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", pkce_verifier),
            ])
            .send()
            .await
            .map_err(|error| format!("the token endpoint cannot be reached: {error}"))?;
        let status = response.status();
        if !status.is_success() {
            // The provider's error code only (RFC 6749 §5.2); its description may echo input.
            let error = response
                .json::<Value>()
                .await
                .ok()
                .and_then(|body| body.get("error")?.as_str().map(str::to_owned))
                .unwrap_or_default();
            return Err(format!("the token endpoint answered {status} {error}"));
        }
        let body: TokenResponse = response.json().await.map_err(|error| {
            format!("the token endpoint's answer is not a token response: {error}")
        })?;
        body.id_token
            .ok_or_else(|| "the token endpoint gave no id_token".to_owned())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        let response = self
            .http()
            .get(url)
            .send()
            .await
            .map_err(|error| format!("{url} cannot be reached: {error}"))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        response
            .json()
            .await
            .map_err(|error| format!("{url} is not the expected JSON: {error}"))
    }
}
