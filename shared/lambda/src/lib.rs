//! What every Lambda `main` does once per cold start, outside the handler: read the
//! configuration from the environment and build the ports on DynamoDB and SES.

use std::sync::Arc;

use portal_domain::Ports;
use portal_domain::clock::SystemClock;
use portal_domain::password::{Argon2Hasher, MinLength};
use portal_domain::ports::Settings;
use portal_domain::random::OsRandomness;
use portal_domain::sealed::SealKey;
use portal_email::{EmailConfig, SesMailer};
use portal_store::DynamoStore;

/// The ports of a deployed function. Environment (set by `template.yaml`): `TABLE_NAME`,
/// `OUTBOX_SEAL_KEY`, `INVITATION_TTL_HOURS` (default 72), `PASSWORD_MIN_LENGTH` (default
/// 15), `CLIENT_RATE_LIMIT` (requests a minute per client and public route, default 60, 0
/// off), `SES_CONFIGURATION_SET` (optional) and the email variables of `EmailConfig::from_env`.
pub async fn ports_from_env() -> Result<Ports, String> {
    let settings = settings_from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let email = EmailConfig::from_env(settings.seal_key.clone())?;
    Ok(Ports {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&aws),
            env("TABLE_NAME")?,
        )),
        mailer: Arc::new(SesMailer::new(
            aws_sdk_sesv2::Client::new(&aws),
            email,
            std::env::var("SES_CONFIGURATION_SET").ok(),
        )),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandomness),
        hasher: Arc::new(Argon2Hasher::new()),
        settings: Arc::new(settings),
    })
}

pub fn settings_from_env() -> Result<Settings, String> {
    let seal_key = SealKey::from_base64(&env("OUTBOX_SEAL_KEY")?)
        .ok_or("OUTBOX_SEAL_KEY must be 32 bytes in base64url")?;
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

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
}
