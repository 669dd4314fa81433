//! What every Lambda `main` does once per cold start, outside the handler: read the
//! configuration from the environment, fetch the function's secrets from Secrets Manager
//! and build the ports on DynamoDB and SES.
//!
//! The secrets are never in a function's environment, which anyone allowed
//! `lambda:GetFunctionConfiguration` can read: the environment names each secret (its
//! ARN), and the function's role may read exactly those secrets (`template.yaml`). That
//! is one GetSecretValue per secret per cold start, none per request; a changed secret
//! reaches each instance at its next cold start.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use portal_domain::Ports;
use portal_domain::clock::SystemClock;
use portal_domain::password::{Argon2Hasher, MinLength};
use portal_domain::ports::Settings;
use portal_domain::random::OsRandomness;
use portal_domain::sealed::SealKey;
use portal_email::{EmailConfig, SesMailer};
use portal_http::{AccessTokenConfig, PortalSigningKey};
use portal_store::DynamoStore;

/// The variable holding the ARN of the secret whose string is the outbox seal key (32
/// bytes, base64url): every function that builds ports seals or opens with it.
const SEAL_KEY_SECRET: &str = "OUTBOX_SEAL_KEY_SECRET_ARN";

/// The variable holding the ARN of the secret whose string is the access-token signing
/// key (the Ed25519 seed, base64url): only the function that issues tokens (password).
const SIGNING_KEY_SECRET: &str = "PORTAL_SIGNING_KEY_SECRET_ARN";

/// The ports of a deployed function. Environment (set by `template.yaml`): `TABLE_NAME`,
/// `OUTBOX_SEAL_KEY_SECRET_ARN`, `INVITATION_TTL_HOURS` (default 72),
/// `PASSWORD_MIN_LENGTH` (default 15), `CLIENT_RATE_LIMIT` (requests a minute per client
/// and public route, default 60, 0 off), `SES_CONFIGURATION_SET` (optional) and the email
/// variables of `EmailConfig::from_env`.
pub async fn ports_from_env() -> Result<Ports, String> {
    let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let secrets = aws_sdk_secretsmanager::Client::new(&aws);
    let seal_key = secret(&secrets, SEAL_KEY_SECRET).await?;
    ports(&aws, &seal_key)
}

/// The ports and the access-token configuration of the function that issues tokens
/// (password): as [`ports_from_env`], plus the signing key from the secret
/// `PORTAL_SIGNING_KEY_SECRET_ARN` names (the two secrets fetched at once, so the cold
/// start waits for one round trip), `PORTAL_TOKEN_ISSUER` and `PORTAL_TOKEN_AUDIENCE`.
pub async fn ports_and_access_tokens_from_env() -> Result<(Ports, AccessTokenConfig), String> {
    let issuer = required("PORTAL_TOKEN_ISSUER")?;
    let audience = required("PORTAL_TOKEN_AUDIENCE")?;
    let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let secrets = aws_sdk_secretsmanager::Client::new(&aws);
    let (seal_key, signing_key) = tokio::try_join!(
        secret(&secrets, SEAL_KEY_SECRET),
        secret(&secrets, SIGNING_KEY_SECRET),
    )?;
    let signing_key = PortalSigningKey::from_base64url(&signing_key)
        .map_err(|error| format!("the secret {SIGNING_KEY_SECRET} names: {error}"))?;
    let tokens = AccessTokenConfig {
        issuer,
        audience,
        signing_key,
    };
    Ok((ports(&aws, &seal_key)?, tokens))
}

/// The string of the secret whose ARN the variable `arn_variable` holds. Errors name the
/// variable and the ARN, never the value.
async fn secret(
    client: &aws_sdk_secretsmanager::Client,
    arn_variable: &str,
) -> Result<String, String> {
    let arn = required(arn_variable)?;
    let output = client
        .get_secret_value()
        .secret_id(&arn)
        .send()
        .await
        .map_err(|error| {
            format!(
                "cannot read the secret {arn_variable} names ({arn}): {}",
                DisplayErrorContext(&error)
            )
        })?;
    output.secret_string.ok_or_else(|| {
        format!("the secret {arn_variable} names ({arn}) holds no string (the key itself)")
    })
}

fn ports(aws: &SdkConfig, seal_key: &str) -> Result<Ports, String> {
    let seal_key = SealKey::from_base64(seal_key).ok_or_else(|| {
        format!("the secret {SEAL_KEY_SECRET} names must hold 32 bytes in base64url")
    })?;
    let settings = settings_from_env(seal_key)?;
    let email = EmailConfig::from_env(settings.seal_key.clone())?;
    Ok(Ports {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(aws),
            required("TABLE_NAME")?,
        )),
        mailer: Arc::new(SesMailer::new(
            aws_sdk_sesv2::Client::new(aws),
            email,
            std::env::var("SES_CONFIGURATION_SET").ok(),
        )),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        hasher: Arc::new(Argon2Hasher::new()),
        settings: Arc::new(settings),
    })
}

fn settings_from_env(seal_key: SealKey) -> Result<Settings, String> {
    let invitation_lifetime = match std::env::var("INVITATION_TTL_HOURS") {
        Ok(hours) => hours
            .parse::<u16>()
            .ok()
            .filter(|hours| *hours > 0)
            .map(|hours| time::Duration::hours(hours.into()))
            .ok_or("INVITATION_TTL_HOURS must be a whole number of hours above 0")?,
        Err(_) => Settings::DEFAULT_INVITATION_LIFETIME,
    };
    let password_min_length = match std::env::var("PASSWORD_MIN_LENGTH") {
        Ok(chars) => chars
            .parse::<usize>()
            .map_err(|_| "PASSWORD_MIN_LENGTH must be a whole number".to_owned())
            .and_then(MinLength::new)?,
        Err(_) => MinLength::default(),
    };
    let client_rate_limit = match std::env::var("CLIENT_RATE_LIMIT") {
        Ok(limit) => limit
            .parse::<u32>()
            .map_err(|_| "CLIENT_RATE_LIMIT must be a whole number (0 turns it off)")?,
        Err(_) => Settings::DEFAULT_CLIENT_RATE_LIMIT,
    };
    Ok(Settings {
        invitation_lifetime,
        seal_key,
        email_retries: Default::default(),
        password_min_length,
        client_rate_limit,
    })
}

/// A variable that must be set; empty counts as unset.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| format!("environment variable {name} is not set"))
}
