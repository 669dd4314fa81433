//! Logs as one JSON object per line on stdout, which is what CloudWatch indexes.

use portal_domain::config::Variable;
use tracing_subscriber::EnvFilter;

/// What [`init_tracing`] reads (through `EnvFilter`'s default variable).
pub const LOG_FILTER: Variable = Variable::optional(EnvFilter::DEFAULT_ENV);

/// JSON logs filtered by `RUST_LOG` (default `info`). A second call does nothing, so
/// tests and `portal-local` may both call it.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _already_set = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .try_init();
}
