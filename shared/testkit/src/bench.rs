//! What every benchmark (`tests/benches`, not tests: `./scripts/bench`) starts with.

use std::future::Future;

/// Runs a benchmark on one thread, so it measures one core.
pub fn run<F: Future>(benchmark: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(benchmark)
}

/// The emulator's address in `variable` (`PORTAL_TEST_DYNAMODB_ENDPOINT`,
/// `PORTAL_TEST_SES_ENDPOINT`); without it the benchmark `name` says so and exits with 1.
pub fn moto_endpoint(name: &str, variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        println!("{name}: {variable} is not set; run ./scripts/bench (it starts moto)");
        std::process::exit(1)
    })
}
