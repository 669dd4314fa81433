//! The command line of API.md: every flag, each with its environment variable.

use std::process::Command;

#[test]
fn help_lists_every_flag_with_its_environment_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_portal-local"))
        .arg("--help")
        .output()
        .expect("run portal-local --help");
    let help = String::from_utf8(output.stdout).unwrap();

    for (flag, env) in [
        ("--port", "PORT"),
        ("--data-dir", "PORTAL_DATA_DIR"),
        ("--store", "PORTAL_STORE"),
        ("--dynamodb-endpoint", "DYNAMODB_ENDPOINT"),
        ("--table", "TABLE_NAME"),
        ("--portal-base-url", "PORTAL_BASE_URL"),
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
        assert!(
            help.contains(&format!("env: {env}")),
            "{env} missing from:\n{help}"
        );
    }
}

#[test]
fn an_unknown_store_is_refused_with_the_choices() {
    let output = Command::new(env!("CARGO_BIN_EXE_portal-local"))
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
