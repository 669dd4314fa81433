//! The Lambda runtime tests' harness (used by `tests/tests/lambda_runtime.rs`): the
//! function binaries under cargo-lambda's emulator, on moto, invoked with the events
//! AWS sends. `events/` holds those events' shapes; they also work by hand:
//! `cargo lambda invoke mailer --data-file tests/runtime/events/dynamodb-stream.json`.

pub mod deployment;
pub mod emulator;
pub mod http_api;
