//! The command line (docs/configuration.md): every flag, each with its environment variable, and the
//! `staff-token` and `token-public-key` subcommands.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::staff::{ASSIGN_ROLES, MANAGE_USERS, StaffMember};
use portal_http::{DevTokens, PortalSigningKey, StaffAuthConfig, StaffVerifier};

const SECRET: &str = "cli-test-staff-secret-cli-test-staff-secret";

/// The binary with none of the variables it reads inherited from the caller's shell.
fn portal_local(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal-local"));
    for name in [
        "PORT",
        "PORTAL_STORE",
        "DYNAMODB_ENDPOINT",
        "TABLE_NAME",
        "PORTAL_BASE_URL",
        "INVITATION_TTL_HOURS",
        "PASSWORD_MIN_LENGTH",
        "CLIENT_RATE_LIMIT",
        "USERNAME_FIELD",
        "OUTBOX_SEAL_KEY",
        "PORTAL_SIGNING_KEY",
        "STAFF_JWT_SECRET",
        "STAFF_JWT_ISSUER",
        "STAFF_JWT_AUDIENCE",
        "STAFF_OIDC_ISSUER",
        "STAFF_OIDC_CLIENT_ID",
        "STAFF_OIDC_CLIENT_SECRET",
        "STAFF_PERMISSIONS_CLAIM",
        "STAFF_PERMISSION_MAP",
    ] {
        command.env_remove(name);
    }
    command.env("PORTAL_DATA_DIR", data_dir);
    command
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn verify(token: &str, secret: &[u8], issuer: &str, audience: &str) -> StaffMember {
    let verifier = StaffVerifier::new(StaffAuthConfig {
        provider: None,
        dev: Some(DevTokens {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            secret: secret.to_vec(),
        }),
    })
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(verifier.verify(token)).unwrap()
}

/// `exp - iat` of a token, read without verifying (the verifier does not expose them).
fn lifetime(token: &str) -> Duration {
    let payload = token.split('.').nth(1).unwrap();
    let json = URL_SAFE_NO_PAD.decode(payload).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let seconds = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    Duration::from_secs(seconds)
}

#[test]
fn help_lists_every_flag_with_its_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .arg("--help")
        .env("STAFF_JWT_SECRET", SECRET)
        .output()
        .expect("run portal-local --help");
    let help = stdout(&output);

    for (flag, env) in [
        ("--port", "PORT"),
        ("--data-dir", "PORTAL_DATA_DIR"),
        ("--store", "PORTAL_STORE"),
        ("--dynamodb-endpoint", "DYNAMODB_ENDPOINT"),
        ("--table", "TABLE_NAME"),
        ("--portal-base-url", "PORTAL_BASE_URL"),
        ("--invitation-ttl-hours", "INVITATION_TTL_HOURS"),
        ("--outbox-seal-key", "OUTBOX_SEAL_KEY"),
        ("--staff-jwt-secret", "STAFF_JWT_SECRET"),
        ("--staff-jwt-issuer", "STAFF_JWT_ISSUER"),
        ("--staff-jwt-audience", "STAFF_JWT_AUDIENCE"),
        ("--staff-oidc-issuer", "STAFF_OIDC_ISSUER"),
        ("--staff-oidc-client-id", "STAFF_OIDC_CLIENT_ID"),
        ("--staff-oidc-client-secret", "STAFF_OIDC_CLIENT_SECRET"),
        ("--staff-permissions-claim", "STAFF_PERMISSIONS_CLAIM"),
        ("--staff-permission-map", "STAFF_PERMISSION_MAP"),
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
        assert!(
            help.contains(&format!("env: {env}")),
            "{env} missing from:\n{help}"
        );
    }
    assert!(help.contains("staff-token"), "{help}");
    assert!(!help.contains(SECRET), "the secret leaked into:\n{help}");
}

#[test]
fn an_unknown_store_is_refused_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .args(["--store", "postgres"])
        .output()
        .expect("run portal-local");

    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(
        error.contains("embedded") && error.contains("dynamodb"),
        "{error}"
    );
}

#[test]
fn staff_token_prints_a_token_the_verifier_accepts_with_both_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .arg("staff-token")
        .env("STAFF_JWT_SECRET", SECRET)
        .env("STAFF_JWT_ISSUER", "cli-issuer")
        .env("STAFF_JWT_AUDIENCE", "cli-audience")
        .output()
        .expect("run portal-local staff-token");
    let printed = stdout(&output);
    let token = printed.trim();

    assert_eq!(printed.lines().count(), 1, "just the token: {printed}");
    let staff = verify(token, SECRET.as_bytes(), "cli-issuer", "cli-audience");
    assert_eq!(staff.subject, "local-staff");
    assert_eq!(staff.name.as_deref(), Some("Local Staff"));
    assert!(
        staff.can(MANAGE_USERS) && staff.can(ASSIGN_ROLES),
        "{staff:?}"
    );
    assert_eq!(lifetime(token), Duration::from_secs(12 * 3600));
    // A secret of its own was not needed, so none was written.
    assert!(!dir.path().join("staff-jwt-secret").exists());
}

#[test]
fn staff_token_takes_subject_name_permissions_and_hours() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .args(["staff-token", "--subject", "s-1", "--name", "Sam"])
        .args(["--permission", MANAGE_USERS, "--hours", "2"])
        .args(["--staff-jwt-secret", SECRET])
        .output()
        .expect("run portal-local staff-token");
    let token = stdout(&output);
    let token = token.trim();

    let staff = verify(token, SECRET.as_bytes(), "portal-local", "portal-staff");
    assert_eq!(staff.subject, "s-1");
    assert_eq!(staff.name.as_deref(), Some("Sam"));
    assert_eq!(staff.permissions, [MANAGE_USERS]);
    assert_eq!(lifetime(token), Duration::from_secs(2 * 3600));
}

#[test]
fn without_a_configured_secret_one_is_generated_once_into_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mint = || {
        let output = portal_local(dir.path())
            .arg("staff-token")
            .output()
            .expect("run portal-local staff-token");
        stdout(&output).trim().to_owned()
    };
    let first = mint();
    let second = mint();

    let secret = std::fs::read(dir.path().join("staff-jwt-secret")).unwrap();
    assert!(secret.len() >= 32);
    for token in [first, second] {
        let staff = verify(&token, &secret, "portal-local", "portal-staff");
        assert!(staff.can(MANAGE_USERS) && staff.can(ASSIGN_ROLES));
    }
}

#[test]
fn a_short_staff_secret_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .arg("staff-token")
        .env("STAFF_JWT_SECRET", "short")
        .output()
        .expect("run portal-local staff-token");

    assert!(!output.status.success());
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("32 bytes"), "{error}");
    assert!(output.stdout.is_empty());
}

#[test]
fn token_public_key_prints_the_public_half_of_the_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = PortalSigningKey::generate();
    let output = portal_local(dir.path())
        .arg("token-public-key")
        .env("PORTAL_SIGNING_KEY", key.to_base64url())
        .output()
        .expect("run portal-local token-public-key");
    assert_eq!(stdout(&output).trim(), key.public_key().to_base64url());
    assert!(!stdout(&output).contains(&key.to_base64url()));

    // Unconfigured: the key the local server signs with, kept in the data dir.
    let printed = stdout(
        &portal_local(dir.path())
            .arg("token-public-key")
            .output()
            .expect("run portal-local token-public-key"),
    );
    let stored = std::fs::read_to_string(dir.path().join("signing-key")).unwrap();
    let stored = PortalSigningKey::from_base64url(&stored).unwrap();
    assert_eq!(printed.trim(), stored.public_key().to_base64url());
}

#[test]
fn token_public_key_refuses_a_key_that_is_not_a_seed_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .arg("token-public-key")
        .env("PORTAL_SIGNING_KEY", "AQEBAQ")
        .output()
        .expect("run portal-local token-public-key");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("32-byte Ed25519 seed"), "{stderr}");
}

#[test]
fn a_plain_http_base_url_off_loopback_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal_local(dir.path())
        .args(["--port", "0"])
        .env("PORTAL_BASE_URL", "http://portal.example.com")
        .output()
        .expect("run portal-local");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must use https://"), "{stderr}");
}

/// Every flag's variable, as `--help` shows it, is explained in docs/configuration.md.
#[test]
fn every_variable_of_the_command_line_is_documented() {
    let data_dir = tempfile::tempdir().unwrap();
    let help = stdout(
        &portal_local(data_dir.path())
            .arg("--help")
            .output()
            .unwrap(),
    );
    let documented = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/configuration.md"
    ))
    .unwrap();
    let variables: Vec<&str> = help
        .split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split(['=', ']']).next())
        .collect();
    assert!(variables.contains(&"PORTAL_DATA_DIR"), "{help}");
    let undocumented: Vec<_> = variables
        .iter()
        .filter(|name| !documented.contains(&format!("`{name}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "docs/configuration.md does not explain {undocumented:?}"
    );
}
