//! The per-client limit of public routes: one counted write per request.

use crate::throttle::ThrottleWindow;
use crate::{DomainError, Ports, StoreError};

/// Counts a request of `client` to `route`; `RateLimited` once the client's minute is full.
/// Nothing is counted when the limit is off (0).
pub async fn admit_client(ports: &Ports, route: &str, client: &str) -> Result<(), DomainError> {
    let limit = ports.settings.client_rate_limit;
    if limit == 0 {
        return Ok(());
    }
    let now = ports.clock.now();
    let window = ThrottleWindow::client_requests(route, client, limit, now);
    match ports.store.count_request(&window).await {
        Ok(()) => Ok(()),
        Err(StoreError::Throttled) => Err(DomainError::RateLimited {
            retry_after: window.retry_after(now),
        }),
        Err(other) => Err(other.into()),
    }
}
