//! The secrets of a local run. Unless configured, each is generated on the first run and
//! kept in the data dir: restarting must not break the links in pending outbox emails
//! (sealed with the seal key) nor the staff tokens already handed out.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use portal_adapters::{OsRandomness, SealKey};
use portal_domain::random::Randomness;
use portal_http::PortalSigningKey;
use portal_oidc::ProviderKeys;

use crate::args::Args;

type Error = Box<dyn std::error::Error>;

/// `--outbox-seal-key`, else the persisted one.
pub fn seal_key(args: &Args) -> Result<SealKey, Error> {
    if let Some(configured) = &args.outbox_seal_key {
        return SealKey::from_base64(configured)
            .ok_or_else(|| "OUTBOX_SEAL_KEY must be 32 bytes in base64url".into());
    }
    let path = args.seal_key_path();
    let stored = persisted(&path, || SealKey::generate(&OsRandomness).to_base64())?;
    SealKey::from_base64(&stored).ok_or_else(|| {
        format!(
            "{} does not hold a seal key; delete it to make a new one",
            path.display()
        )
        .into()
    })
}

/// `--signing-key`, else the persisted one: access tokens survive a restart.
pub fn signing_key(args: &Args) -> Result<PortalSigningKey, Error> {
    let encoded = match &args.signing_key {
        Some(configured) => configured.clone(),
        None => persisted(&args.signing_key_path(), || {
            PortalSigningKey::generate().to_base64url()
        })?,
    };
    Ok(PortalSigningKey::from_base64url(&encoded)?)
}

/// `--oidc-keys`, else the persisted one: ID tokens keep verifying after a restart.
pub fn oidc_keys(args: &Args) -> Result<ProviderKeys, Error> {
    let pem = match &args.oidc_keys {
        Some(configured) => configured.clone(),
        None => persisted(&args.oidc_keys_path(), ProviderKeys::generate_pem)?,
    };
    Ok(ProviderKeys::from_pem(&pem).map_err(|error| format!("PORTAL_OIDC_KEYS: {error}"))?)
}

/// `--staff-jwt-secret`, else the persisted one.
pub fn staff_secret(args: &Args) -> Result<Vec<u8>, Error> {
    if let Some(configured) = &args.staff_jwt_secret {
        return Ok(configured.clone().into_bytes());
    }
    let secret = persisted(&args.staff_secret_path(), || {
        let mut bytes = [0u8; 32];
        OsRandomness.fill(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })?;
    Ok(secret.into_bytes())
}

/// The content of `path`, written by `generate` first if the file does not exist.
/// `create_new` makes two processes starting at once agree on one value.
fn persisted(path: &Path, generate: impl FnOnce() -> String) -> Result<String, Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            let value = generate();
            file.write_all(value.as_bytes())?;
            file.sync_all()?;
            Ok(value)
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            let value = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(
                    format!("{} is empty; delete it to make a new one", path.display()).into(),
                );
            }
            Ok(value.to_owned())
        }
        Err(error) => Err(format!("cannot create {}: {error}", path.display()).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persisted_value_is_generated_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("secret");
        let first = persisted(&path, || "one".to_owned()).unwrap();
        let second = persisted(&path, || "two".to_owned()).unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("one", "one"));
    }

    #[cfg(unix)]
    #[test]
    fn a_persisted_value_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        persisted(&path, || "x".to_owned()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
