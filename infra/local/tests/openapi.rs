//! `docs/openapi.json` is what the code generates: a change of a route, a request or an
//! answer shows in the committed document (and in review), never only in the code.

use std::process::Command;

#[test]
fn the_committed_openapi_document_is_what_the_code_generates() {
    let output = Command::new(env!("CARGO_BIN_EXE_portal-local"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = String::from_utf8(output.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the code's document; regenerate it with \
         `cargo run -p portal-local -- openapi > docs/openapi.json` and review the diff"
    );
}
