pub mod contacts;
pub mod decisions;
pub mod outbox;
pub mod queue;

use portal_domain::DomainError;
use portal_domain::random::is_well_formed_id;
use portal_http::Problem;

/// Ids of another shape cannot exist: answered 404 without a store call.
fn known_shape(id: &str) -> Result<&str, Problem> {
    if is_well_formed_id(id) {
        Ok(id)
    } else {
        Err(DomainError::NotFound.into())
    }
}
