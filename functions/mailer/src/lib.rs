//! The mailer Lambda: delivers the email outbox through SES at SES's pace. New messages
//! arrive from the table's stream; a schedule sweeps up whatever is due (retries, and
//! messages a stream invocation did not reach). Sending, backoff and giving up are the
//! domain's (`deliver_emails`); this crate only turns an invocation into that call.

mod config;
mod event;
mod function_config;
mod metrics;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::{Diagnostic, LambdaEvent};
use portal_domain::use_cases::{DeliveryReport, Pace, deliver_emails, sweep_outbox};
use portal_domain::{DomainError, Ports};
use serde_json::Value;
use tokio::time::Instant;

pub use config::{Config, DEADLINE_MARGIN};
pub use event::Job;
pub use function_config::FunctionConfig;
pub use metrics::emf_line;

/// One invocation, from either trigger. The report is the invocation's result.
pub async fn handle(
    ports: &Ports,
    config: &Config,
    event: LambdaEvent<Value>,
) -> Result<DeliveryReport, MailerError> {
    // The runtime logs a returned error with the invocation's request id.
    let job = Job::from_event(&event.payload).map_err(MailerError::NotAnEvent)?;
    let pace = config.pace(event.context.deadline, (SystemTime::now(), Instant::now()));
    let report = run(ports, config, &job, &pace)
        .await
        .map_err(MailerError::Sweep)?;
    let trigger = match job {
        Job::Deliver(_) => "stream",
        Job::Sweep => "schedule",
    };
    tracing::info!(
        trigger,
        sent = report.sent,
        retrying = report.retrying,
        dead = report.dead,
        skipped = report.skipped,
        left = report.left,
        "outbox delivery done"
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    if let Some(line) = emf_line(&report, now.as_millis() as u64) {
        // Straight to stdout, not through tracing: CloudWatch reads EMF only from a
        // line that is the metric document itself.
        println!("{line}");
    }
    Ok(report)
}

/// Does what `job` asks. Delivery failures are not errors: the domain records them on
/// each message and the next sweep retries, so a stream batch always succeeds (an
/// error would stall the shard and replay the whole batch). Only a sweep that cannot
/// list the due messages fails.
pub async fn run(
    ports: &Ports,
    config: &Config,
    job: &Job,
    pace: &Pace,
) -> Result<DeliveryReport, DomainError> {
    match job {
        Job::Deliver(ids) => Ok(deliver_emails(ports, ids, pace).await),
        Job::Sweep => sweep_outbox(ports, config.sweep_limit, pace).await,
    }
}

/// Why an invocation failed, as Lambda records it (`errorType` names the variant).
#[derive(Debug)]
pub enum MailerError {
    NotAnEvent(String),
    Sweep(DomainError),
}

impl fmt::Display for MailerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnEvent(error) => f.write_str(error),
            Self::Sweep(error) => write!(f, "the due messages could not be listed: {error}"),
        }
    }
}

impl std::error::Error for MailerError {}

impl From<MailerError> for Diagnostic {
    fn from(error: MailerError) -> Self {
        let error_type = match error {
            MailerError::NotAnEvent(_) => "NotAnEvent",
            MailerError::Sweep(_) => "SweepFailed",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: error.to_string(),
        }
    }
}
