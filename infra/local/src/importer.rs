//! The importer Lambda's job, in process: portal-local runs open imports in the
//! background with the same domain logic (a lease, a chunk at a time).

use std::time::Duration;

use portal_domain::Ports;
use portal_domain::use_cases::run_open_imports;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// Soon after an upload, as the table's stream starts the Lambda.
pub const SWEEP_EVERY: Duration = Duration::from_millis(200);
/// How long one sweep runs jobs before it lets them go for the next.
const SWEEP_FOR: time::Duration = time::Duration::seconds(20);
/// Who holds the jobs this process runs.
const OWNER: &str = "portal-local";

pub fn spawn(ports: Ports, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let deadline = ports.clock.now() + SWEEP_FOR;
            match run_open_imports(&ports, OWNER, deadline).await {
                Ok(0) => {}
                Ok(ran) => tracing::info!(ran, "imports run"),
                Err(error) => tracing::warn!(%error, "import sweep failed; next one retries"),
            }
        }
    })
}
