//! The list of dead emails, kept alike by both adapters: newest message first, a page at
//! a time, with the same positions and cursors (see `review_queue` for the pattern).

use portal_domain::StoreError;
use portal_domain::outbox::{DeadEmail, OutboxMessage};
use portal_domain::page::Page;

use crate::{cursor, sortable};

/// The list's name (in DynamoDB, the index partition).
pub(crate) const LIST: &str = "OUTBOX#dead";

/// A message's place on the outbox lists: its creation, fixed for its whole life.
pub(crate) fn position(message: &OutboxMessage) -> String {
    sortable::by_creation(message.created_at, &message.id)
}

/// The position and message id a cursor of this list carries.
pub(crate) fn resume(cursor: &str) -> Result<(String, String), StoreError> {
    let cursor::Resume { position, id } = cursor::resume(LIST, cursor)?;
    Ok((position, id))
}

/// A page from the dead emails read in list order; see [`cursor::page`].
pub(crate) fn page(read: Vec<DeadEmail>, limit: u32, cut_short: bool) -> Page<DeadEmail> {
    cursor::page(LIST, read, limit, cut_short, |dead| position(&dead.message))
}
