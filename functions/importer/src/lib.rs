//! The importer Lambda: runs import jobs a chunk at a time (the domain's `run_import`).
//! A new job arrives from the table's stream; a schedule sweeps up every job still open
//! (one whose worker timed out or failed, or that the stream did not reach). A job is
//! held by one worker at a time under a lease, so the two triggers never run one chunk
//! twice.

mod event;

use std::time::{Duration, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent};
use portal_domain::config::Variable;
use portal_domain::use_cases::{run_import, run_open_imports};
use portal_domain::{DomainError, Ports};
use serde_json::Value;
use time::OffsetDateTime;

pub use event::Job;

/// How long before the invocation's deadline a worker lets its job go: a chunk takes a
/// few seconds, and the next worker carries on at once instead of after the lease.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(30);

/// Everything the importer reads at cold start: the store (and what the invitation
/// emails of new users need).
pub struct FunctionConfig {
    pub ports: Ports,
}

impl FunctionConfig {
    /// Every variable [`FunctionConfig::from_env`] reads: template.yaml gives the function
    /// exactly these (shared/store/tests/deployment.rs).
    pub fn variables() -> Vec<Variable> {
        portal_lambda::ports_variables()
    }

    pub async fn from_env() -> Result<Self, String> {
        Ok(Self {
            ports: portal_lambda::ports_from_env().await?,
        })
    }
}

/// One invocation, from either trigger; it runs until its jobs are done or its time is
/// nearly up.
pub async fn handle(ports: &Ports, event: LambdaEvent<Value>) -> Result<u32, ImporterError> {
    let job = Job::from_event(&event.payload).map_err(ImporterError::NotAnEvent)?;
    let deadline = deadline(event.context.deadline, ports.clock.now());
    let owner = format!("lambda:{}", event.context.request_id);
    run(ports, &job, &owner, deadline)
        .await
        .map_err(ImporterError::Sweep)
}

/// The jobs `job` names, or every open one. A job that fails on the store is left for
/// the next sweep (the domain counts its failures); only a sweep that cannot list the
/// open jobs fails, as a stream batch must not (it would be replayed whole).
pub async fn run(
    ports: &Ports,
    job: &Job,
    owner: &str,
    deadline: OffsetDateTime,
) -> Result<u32, DomainError> {
    match job {
        Job::Run(ids) => {
            for id in ids {
                if let Err(error) = run_import(ports, id, owner, deadline).await {
                    tracing::warn!(import = %id, %error, "import stopped; the sweep resumes it");
                }
            }
            Ok(u32::try_from(ids.len()).unwrap_or(u32::MAX))
        }
        Job::Sweep => run_open_imports(ports, owner, deadline).await,
    }
}

/// When the worker stops taking chunks: [`DEADLINE_MARGIN`] before Lambda's deadline
/// (epoch milliseconds), on the portal's clock.
fn deadline(lambda_deadline_ms: u64, now: OffsetDateTime) -> OffsetDateTime {
    let left = SystemTime::UNIX_EPOCH + Duration::from_millis(lambda_deadline_ms);
    let left = left
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .saturating_sub(DEADLINE_MARGIN);
    now + left
}

/// Why an invocation failed, as Lambda records it (`errorType` names the variant).
#[derive(Debug)]
pub enum ImporterError {
    NotAnEvent(String),
    Sweep(DomainError),
}

impl std::fmt::Display for ImporterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnEvent(error) => f.write_str(error),
            Self::Sweep(error) => write!(f, "the open imports could not be listed: {error}"),
        }
    }
}

impl std::error::Error for ImporterError {}

impl From<ImporterError> for Diagnostic {
    fn from(error: ImporterError) -> Self {
        let error_type = match error {
            ImporterError::NotAnEvent(_) => "NotAnEvent",
            ImporterError::Sweep(_) => "SweepFailed",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: error.to_string(),
        }
    }
}
