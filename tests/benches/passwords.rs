//! Rerunnable benchmark (not a test): `cargo bench -p portal-tests --bench passwords`.
//! The Argon2 bound: how many Argon2id verifications and hashes (m = 19 MiB, t = 2, p = 1)
//! one core does per second, through the `PasswordHasher` port as the login will call it
//! (one at a time, each in `spawn_blocking`). Logins per second per core must reach 90 % of
//! the verification rate.

use std::time::Instant;

use portal_adapters::Argon2Hasher;
use portal_domain::password::{NewPassword, PasswordHasher};
use portal_testkit::bench;

const OPERATIONS: usize = 50;
const ROUNDS: usize = 3;
const PASSWORD: &str = "quiet-Otter-lamp-4711";

fn main() {
    bench::run(async {
        let hasher = Argon2Hasher::new();
        let password =
            NewPassword::parse(PASSWORD, &[], Default::default()).expect("a strong password");
        let stored = hasher.hash(&password).await;

        let verifies = rate(|| async {
            assert!(hasher.verify(PASSWORD, Some(&stored)).await);
        })
        .await;
        report("verifications", &verifies);

        let hashes = rate(|| async {
            hasher.hash(&password).await;
        })
        .await;
        report("hashes", &hashes);
    });
}

/// Operations per second in each round, sorted; the operations run one after another, so
/// at most one core is busy at a time.
async fn rate<F: Future<Output = ()>>(mut operation: impl FnMut() -> F) -> Vec<f64> {
    let mut rates = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..OPERATIONS {
            operation().await;
        }
        rates.push(OPERATIONS as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates
}

fn report(what: &str, rates: &[f64]) {
    let median = rates[ROUNDS / 2];
    println!(
        "argon2id m=19456,t=2,p=1: {median:.1} {what}/s on one core, {:.1} ms each \
         (median of {ROUNDS} rounds of {OPERATIONS}; min {:.1}/s, max {:.1}/s)",
        1000.0 / median,
        rates[0],
        rates[ROUNDS - 1],
    );
}
