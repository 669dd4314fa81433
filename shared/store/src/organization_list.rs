//! The list of organizations, kept alike by both adapters: ordered by name (its search
//! key, the id breaking ties), a page at a time, all of them or those whose name starts
//! with a prefix. In DynamoDB every organization item lies in one index partition,
//! [`LIST`], with its position as the sort key, so a prefix search is a Query with
//! `begins_with` on the sort key: no Scan at any size, and no item besides the
//! organization itself to write.

use portal_domain::StoreError;
use portal_domain::ids::OrganizationId;
use portal_domain::organization::Organization;
use portal_domain::page::Page;

use crate::cursor::{self, Resume};

/// The index partition of every organization.
pub(crate) const LIST: &str = "ORGS";

/// Between a name and its id in a position: it sorts before every character a name's
/// search key can hold (no control characters, whitespace collapsed to spaces), so "Acme"
/// lists before "Acme Ltd".
const SEPARATOR: char = '\t';

/// An organization's place on the list: its name's search key, then its id.
pub(crate) fn position(organization: &Organization) -> String {
    format!("{}{SEPARATOR}{}", organization.name_key(), organization.id)
}

/// What a cursor is made for: the whole list, or the names starting with `prefix`.
fn list_for(prefix: &str) -> String {
    if prefix.is_empty() {
        LIST.to_owned()
    } else {
        format!("{LIST}?{prefix}")
    }
}

/// Reads a cursor that a page of the list for `prefix` handed out.
pub(crate) fn resume(prefix: &str, cursor: &str) -> Result<Resume, StoreError> {
    let position = cursor::decode(&list_for(prefix), cursor)?;
    let (_, id) = position
        .rsplit_once(SEPARATOR)
        .filter(|(name, id)| name.starts_with(prefix) && OrganizationId::parse(id).is_some())
        .ok_or(StoreError::InvalidCursor)?;
    let id = id.to_owned();
    Ok(Resume { position, id })
}

/// A page from the organizations read in list order; see [`cursor::page`].
pub(crate) fn page(
    prefix: &str,
    read: Vec<Organization>,
    limit: u32,
    cut_short: bool,
) -> Page<Organization> {
    cursor::page(&list_for(prefix), read, limit, cut_short, position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_of_another_search_or_of_a_forged_position_is_invalid() {
        let id = portal_domain::testing::id_text("o1");
        let cursor = cursor::encode(&list_for("ac"), &format!("acme ltd{SEPARATOR}{id}"));
        assert_eq!(resume("ac", &cursor).unwrap().id, id);
        for prefix in ["", "b", "acm"] {
            assert!(matches!(
                resume(prefix, &cursor),
                Err(StoreError::InvalidCursor)
            ));
        }
        let forged = cursor::encode(&list_for(""), &format!("acme{SEPARATOR}not-an-id"));
        assert!(matches!(
            resume("", &forged),
            Err(StoreError::InvalidCursor)
        ));
    }
}
