//! The review queue on DynamoDB: one Query of the status's index partition, backwards.

use portal_domain::StoreError;
use portal_domain::page::{Page, PageRequest};
use portal_domain::registration::{Registration, RegistrationStatus};

use super::DynamoStore;
use super::items::{queue_entry_key, registration_of};
use crate::review_queue;

impl DynamoStore {
    pub(super) async fn review_queue(
        &self,
        status: RegistrationStatus,
        page: &PageRequest,
    ) -> Result<Page<Registration>, StoreError> {
        // A bad cursor is refused before any call is made.
        let start = page
            .cursor
            .as_deref()
            .map(|cursor| review_queue::resume(status, cursor))
            .transpose()?
            .map(|resume| queue_entry_key(status, &resume));
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
}
