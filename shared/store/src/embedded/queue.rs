//! The review queue in process: the state keeps each status's requests sorted by queue
//! position, so a page is a walk backwards from the cursor.

use std::ops::Bound;

use portal_domain::StoreError;
use portal_domain::page::{Page, PageRequest};
use portal_domain::registration::{Registration, RegistrationStatus};

use super::state::State;
use crate::review_queue;

pub(super) fn page(
    state: &State,
    status: RegistrationStatus,
    page: &PageRequest,
) -> Result<Page<Registration>, StoreError> {
    let resume = page
        .cursor
        .as_deref()
        .map(|cursor| review_queue::resume(status, cursor))
        .transpose()?;
    let read = state
        .queue
        .get(status.as_str())
        .into_iter()
        .flat_map(|listed| {
            let end = match &resume {
                Some(resume) => Bound::Excluded(resume.position.as_str()),
                None => Bound::Unbounded,
            };
            listed.range::<str, _>((Bound::Unbounded, end))
        })
        .rev()
        .take(review_queue::read_limit(page.limit) as usize)
        .filter_map(|(_, id)| state.registrations.get(id).cloned())
        .collect();
    Ok(review_queue::page(status, read, page.limit, false))
}
