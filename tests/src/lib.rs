//! Black-box flows over HTTP against a spawned portal-local, on the embedded store and on
//! DynamoDB (`tests/`), the function binaries under the Lambda emulator (`tests/runtime`)
//! and the benchmarks (`benches/`). Their helpers are portal-testkit's: `LocalPortal`, one
//! helper per endpoint, the emulator's endpoints.

/// Runs `tests/python/<script>` with `args` in the test Python (PyJWT, pyotp: tools none of
/// us wrote) and answers what it printed; a failure panics with what it said.
pub fn python(script: &str, args: &[&str]) -> String {
    let python = std::env::var("PORTAL_TEST_PYTHON").expect(
        "PORTAL_TEST_PYTHON is not set: run ./scripts/test (it installs the Python tools in .venv)",
    );
    let output = std::process::Command::new(python)
        .arg(format!("{}/python/{script}", env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("text")
}
