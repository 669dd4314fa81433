//! The review queue on DynamoDB: one Query of the status's index partition, backwards; a
//! search, Queries of it until its page is decided (at most 10 of 100 requests).

use portal_domain::StoreError;
use portal_domain::page::{Page, PageRequest};
use portal_domain::registration::{Registration, RegistrationStatus};

use super::DynamoStore;
use super::items::{queue_entry_key, registration_of};
use crate::review_queue::{self, SearchPage};

impl DynamoStore {
    pub(super) async fn review_queue(
        &self,
        status: RegistrationStatus,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        let start = start_key(status, page)?;
        let (read, cut_short) = self
            .read_list(
                review_queue::list(status),
                "",
                review_queue::read_limit(page.limit),
                true,
                start,
                registration_of,
            )
            .await?;
        Ok(review_queue::page(status, read, page.limit, cut_short))
    }

    pub(super) async fn search_queue(
        &self,
        status: RegistrationStatus,
        key: &str,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        let mut start = start_key(status, page)?;
        let mut search = SearchPage::new(status, key, page.limit);
        loop {
            let output = self
                .query_list(
                    review_queue::list(status),
                    search.reads_left().min(SEARCH_QUERY_LIMIT),
                    true,
                    start,
                )
                .await?;
            let more = output.last_evaluated_key;
            let mut read = output.items.unwrap_or_default().into_iter().peekable();
            while let Some(item) = read.next() {
                if !search.read(registration_of(item)?) {
                    return Ok(search.finish(read.peek().is_none() && more.is_none()));
                }
            }
            match more {
                Some(key) => start = Some(key),
                None => return Ok(search.finish(true)),
            }
        }
    }
}

/// Requests read by one Query of a search.
const SEARCH_QUERY_LIMIT: u32 = 100;

/// Where a page starts: just past the request its cursor names. A bad cursor is refused
/// before any call is made.
fn start_key(
    status: RegistrationStatus,
    page: &PageRequest,
) -> Result<Option<super::items::Item>, StoreError> {
    Ok(page
        .cursor
        .as_deref()
        .map(|cursor| review_queue::resume(status, cursor))
        .transpose()?
        .map(|resume| queue_entry_key(status, &resume)))
}
