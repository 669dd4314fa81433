//! What every Lambda `main` does once per cold start, outside the handler: read the
//! configuration from the environment, fetch the function's secrets from Secrets Manager
//! and build the ports on DynamoDB and SES.
//!
//! The secrets are never in a function's environment, which anyone allowed
//! `lambda:GetFunctionConfiguration` can read: the environment names each secret (its
//! ARN), and the function's role may read exactly those secrets (`template.yaml`). That
//! is one GetSecretValue per secret per cold start, none per request; a changed secret
//! reaches each instance at its next cold start.

mod manager_config;

pub use manager_config::ManagerConfig;

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use portal_adapters::SealKey;
use portal_domain::Ports;
use portal_domain::clock::SystemClock;
use portal_domain::config::Variable;
use portal_domain::password::MinLength;
use portal_domain::ports::Settings;
use portal_domain::sealed::Sealer;
use portal_domain::types::UsernameField;
use portal_email::{EmailConfig, SesMailer};
use portal_http::{AccessTokenConfig, PortalSigningKey};
use portal_store::DynamoStore;

/// The ARN of the secret whose string is the outbox seal key (32 bytes, base64url): every
/// function that builds ports seals or opens with it.
const SEAL_KEY_SECRET: Variable = Variable::required("OUTBOX_SEAL_KEY_SECRET_ARN");
/// The ARN of the secret whose string is the access-token signing key (the Ed25519 seed,
/// base64url): only the function that issues tokens (password).
const SIGNING_KEY_SECRET: Variable = Variable::required("PORTAL_SIGNING_KEY_SECRET_ARN");
const TABLE_NAME: Variable = Variable::required("TABLE_NAME");
/// Default 72.
const INVITATION_TTL_HOURS: Variable = Variable::optional("INVITATION_TTL_HOURS");
/// Default 15.
const PASSWORD_MIN_LENGTH: Variable = Variable::optional("PASSWORD_MIN_LENGTH");
/// Requests a minute per client and public route; default 60, 0 off.
const CLIENT_RATE_LIMIT: Variable = Variable::optional("CLIENT_RATE_LIMIT");
const SES_CONFIGURATION_SET: Variable = Variable::optional("SES_CONFIGURATION_SET");
/// Which contact field is the username: `email` (default), `phone` or `external_ref`.
const USERNAME_FIELD: Variable = Variable::optional("USERNAME_FIELD");

/// What [`ports_from_env`] reads: its own variables and the email configuration's.
pub fn ports_variables() -> Vec<Variable> {
    let own = [
        TABLE_NAME,
        SEAL_KEY_SECRET,
        INVITATION_TTL_HOURS,
        PASSWORD_MIN_LENGTH,
        CLIENT_RATE_LIMIT,
        SES_CONFIGURATION_SET,
        USERNAME_FIELD,
    ];
    [&own[..], EmailConfig::VARIABLES].concat()
}

/// What [`ports_and_access_tokens_from_env`] reads.
pub fn ports_and_access_tokens_variables() -> Vec<Variable> {
    let own = [
        SIGNING_KEY_SECRET,
        AccessTokenConfig::ISSUER,
        AccessTokenConfig::AUDIENCE,
    ];
    [&ports_variables(), &own[..]].concat()
}

/// The ports of a deployed function, from the variables of [`ports_variables`].
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
    let (ports, tokens, _) = with_access_tokens().await?;
    Ok((ports, tokens))
}

/// As [`ports_and_access_tokens_from_env`], plus a secret of the function's own (whose ARN
/// `arn_variable` holds, checked now) read on its first use, not at cold start.
pub async fn ports_access_tokens_and_later_secret_from_env(
    arn_variable: Variable,
) -> Result<(Ports, AccessTokenConfig, Arc<LaterSecret>), String> {
    required(arn_variable)?;
    let (ports, tokens, secrets) = with_access_tokens().await?;
    let later = Arc::new(LaterSecret {
        client: secrets,
        arn_variable,
        value: tokio::sync::OnceCell::new(),
    });
    Ok((ports, tokens, later))
}

/// The ports, the access-token configuration and the Secrets Manager client.
async fn with_access_tokens()
-> Result<(Ports, AccessTokenConfig, aws_sdk_secretsmanager::Client), String> {
    let issuer = required(AccessTokenConfig::ISSUER)?;
    let audience = required(AccessTokenConfig::AUDIENCE)?;
    let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let secrets = aws_sdk_secretsmanager::Client::new(&aws);
    let (seal_key, signing_key) = tokio::try_join!(
        secret(&secrets, SEAL_KEY_SECRET),
        secret(&secrets, SIGNING_KEY_SECRET),
    )?;
    let signing_key = PortalSigningKey::from_base64url(&signing_key)
        .map_err(|error| format!("the secret {} names: {error}", SIGNING_KEY_SECRET.name))?;
    let tokens = AccessTokenConfig {
        issuer,
        audience,
        signing_key,
    };
    Ok((ports(&aws, &seal_key)?, tokens, secrets))
}

/// The ports, as [`ports_from_env`], and a secret of the function's own (whose ARN
/// `arn_variable` holds, checked now) read on its first use, not at cold start.
pub async fn ports_and_later_secret_from_env(
    arn_variable: Variable,
) -> Result<(Ports, Arc<LaterSecret>), String> {
    let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let secrets = aws_sdk_secretsmanager::Client::new(&aws);
    let later = Arc::new(LaterSecret {
        client: secrets.clone(),
        arn_variable,
        value: tokio::sync::OnceCell::new(),
    });
    required(arn_variable)?;
    let seal_key = secret(&secrets, SEAL_KEY_SECRET).await?;
    Ok((ports(&aws, &seal_key)?, later))
}

/// A secret read from Secrets Manager on first use and kept for the instance's life.
pub struct LaterSecret {
    client: aws_sdk_secretsmanager::Client,
    arn_variable: Variable,
    value: tokio::sync::OnceCell<String>,
}

#[async_trait::async_trait]
impl portal_http::ClientSecret for LaterSecret {
    async fn reveal(&self) -> Result<String, String> {
        self.value
            .get_or_try_init(|| secret(&self.client, self.arn_variable))
            .await
            .cloned()
    }
}

/// The string of the secret whose ARN the variable `arn_variable` holds. Errors name the
/// variable and the ARN, never the value.
async fn secret(
    client: &aws_sdk_secretsmanager::Client,
    arn_variable: Variable,
) -> Result<String, String> {
    let arn = required(arn_variable)?;
    let arn_variable = arn_variable.name;
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
        format!(
            "the secret {} names must hold 32 bytes in base64url",
            SEAL_KEY_SECRET.name
        )
    })?;
    let sealer: Arc<dyn Sealer> = Arc::new(seal_key);
    let email = EmailConfig::from_env(sealer.clone())?;
    let settings = settings_from_env(email.portal_base_url.clone())?;
    Ok(portal_adapters::ports(
        Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(aws),
            required(TABLE_NAME)?,
        )),
        Arc::new(SesMailer::new(
            aws_sdk_sesv2::Client::new(aws),
            email,
            SES_CONFIGURATION_SET.read(&env),
        )),
        Arc::new(SystemClock),
        sealer,
        settings,
    ))
}

/// `portal_base_url` as the email configuration checked it.
fn settings_from_env(portal_base_url: String) -> Result<Settings, String> {
    let invitation_lifetime = match INVITATION_TTL_HOURS.read(&env) {
        Some(hours) => hours
            .parse::<u16>()
            .ok()
            .filter(|hours| *hours > 0)
            .map(|hours| time::Duration::hours(hours.into()))
            .ok_or("INVITATION_TTL_HOURS must be a whole number of hours above 0")?,
        None => Settings::DEFAULT_INVITATION_LIFETIME,
    };
    let password_min_length = match PASSWORD_MIN_LENGTH.read(&env) {
        Some(chars) => chars
            .parse::<usize>()
            .map_err(|_| "PASSWORD_MIN_LENGTH must be a whole number".to_owned())
            .and_then(MinLength::new)?,
        None => MinLength::default(),
    };
    let client_rate_limit = match CLIENT_RATE_LIMIT.read(&env) {
        Some(limit) => limit
            .parse::<u32>()
            .map_err(|_| "CLIENT_RATE_LIMIT must be a whole number (0 turns it off)")?,
        None => Settings::DEFAULT_CLIENT_RATE_LIMIT,
    };
    let username_field = match USERNAME_FIELD.read(&env) {
        Some(field) => {
            UsernameField::parse(&field).map_err(|message| format!("USERNAME_FIELD {message}"))?
        }
        None => UsernameField::default(),
    };
    Ok(Settings {
        invitation_lifetime,
        email_retries: Default::default(),
        password_min_length,
        client_rate_limit,
        portal_base_url,
        username_field,
    })
}

/// The process environment, as [`Variable`]s read it.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A variable that must be set; empty counts as unset.
fn required(variable: Variable) -> Result<String, String> {
    variable.require(&env)
}
