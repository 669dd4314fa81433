//! Black-box flows over HTTP against a spawned portal-local, on the embedded store and on
//! DynamoDB (`tests/`), the function binaries under the Lambda emulator (`tests/runtime`)
//! and the benchmarks (`benches/`). Their helpers are portal-testkit's: `LocalPortal`, one
//! helper per endpoint, the emulator's endpoints.
