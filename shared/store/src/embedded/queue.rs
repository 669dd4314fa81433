//! The review queue in process: the state keeps each status's requests sorted by queue
//! position, so a page is a walk backwards from the cursor.

use std::ops::Bound;

use portal_domain::StoreError;
use portal_domain::page::{Page, PageRequest};
use portal_domain::registration::{Registration, RegistrationStatus};

use super::state::State;
use crate::review_queue::{self, SearchPage};

pub(super) fn page(
    state: &State,
    status: RegistrationStatus,
    page: &PageRequest,
) -> Result<Page<Registration>, StoreError> {
    let read = listed(state, status, page)?
        .take(review_queue::read_limit(page.limit) as usize)
        .cloned()
        .collect();
    Ok(review_queue::page(status, read, page.limit, false))
}

pub(super) fn search(
    state: &State,
    status: RegistrationStatus,
    key: &str,
    page: &PageRequest,
) -> Result<Page<Registration>, StoreError> {
    let mut listed = listed(state, status, page)?.peekable();
    let mut search = SearchPage::new(status, key, page.limit);
    while let Some(registration) = listed.next() {
        if !search.read(registration.clone()) {
            return Ok(search.finish(listed.peek().is_none()));
        }
    }
    Ok(search.finish(true))
}

/// The requests of `status`'s list from the page's cursor on, newest first.
fn listed<'a>(
    state: &'a State,
    status: RegistrationStatus,
    page: &PageRequest,
) -> Result<impl Iterator<Item = &'a Registration>, StoreError> {
    let resume = page
        .cursor
        .as_deref()
        .map(|cursor| review_queue::resume(status, cursor))
        .transpose()?;
    let end = match resume {
        Some(resume) => Bound::Excluded(resume.position),
        None => Bound::Unbounded,
    };
    Ok(state
        .queue
        .get(status.as_str())
        .into_iter()
        .flat_map(move |listed| listed.range::<String, _>((Bound::Unbounded, end.clone())))
        .rev()
        .filter_map(|(_, id)| state.registrations.get(id)))
}
