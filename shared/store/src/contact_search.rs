//! The search of contacts by prefix, kept alike by both adapters. Each contact has up to
//! three entries, one per text it is found by (name, email, company; see
//! `Contact::search_keys`), ordered by that text and then the contact's id. In DynamoDB an
//! entry is an item of its own beside the contact, written in the same transaction, whose
//! index partition is the text's first two characters: a search is a Query with
//! `begins_with` on one partition, at any table size, and a contact costs up to three more
//! items a write.

use portal_domain::StoreError;
use portal_domain::contact::{Contact, SearchField};
use portal_domain::ids::ContactId;

use crate::cursor;

/// How many characters of its text an entry's partition is named by: the shortest query.
const PARTITION_CHARS: usize = 2;

/// Between the parts of a position: sorts before every character a search key can hold,
/// so "ada" lists before "ada lovelace".
const SEPARATOR: char = '\t';

/// One entry: which text of which contact, at which position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub field: SearchField,
    pub contact_id: ContactId,
    pub position: String,
}

/// The entries `contact` is found by, in field order.
pub(crate) fn entries(contact: &Contact) -> Vec<Entry> {
    contact
        .search_keys()
        .into_iter()
        .filter_map(|(field, key)| {
            let key = key.filter(|key| !key.is_empty())?;
            Some(Entry {
                field,
                contact_id: contact.id.clone(),
                position: format!("{key}{SEPARATOR}{}{SEPARATOR}{}", contact.id, code(field)),
            })
        })
        .collect()
}

/// The index partition of the entries whose text starts like `text`.
pub(crate) fn partition(text: &str) -> String {
    let start: String = text.chars().take(PARTITION_CHARS).collect();
    format!("CONTACTSEARCH#{start}")
}

/// What a field is called in positions and item keys.
pub(crate) fn code(field: SearchField) -> &'static str {
    match field {
        SearchField::Name => "name",
        SearchField::Email => "email",
        SearchField::Company => "company",
    }
}

/// The entry at `position`, if it is one.
pub(crate) fn entry_at(position: &str) -> Option<Entry> {
    let mut parts = position.rsplitn(3, SEPARATOR);
    let field = match parts.next()? {
        "name" => SearchField::Name,
        "email" => SearchField::Email,
        "company" => SearchField::Company,
        _ => return None,
    };
    let contact_id = ContactId::parse(parts.next()?)?;
    parts.next()?;
    Some(Entry {
        field,
        contact_id,
        position: position.to_owned(),
    })
}

fn list_for(prefix: &str) -> String {
    format!("SEARCH#contact?{prefix}")
}

/// The entry a cursor of the search for `prefix` stopped at.
pub(crate) fn resume(prefix: &str, cursor: &str) -> Result<Entry, StoreError> {
    let position = cursor::decode(&list_for(prefix), cursor)?;
    entry_at(&position)
        .filter(|entry| entry.position.starts_with(prefix))
        .ok_or(StoreError::InvalidCursor)
}

/// Entries a page reads: enough for `limit` contacts found by all three of their texts,
/// and one more to tell whether another page follows.
pub(crate) fn reads(limit: u32) -> u32 {
    limit.saturating_mul(3).saturating_add(1)
}

/// The contacts of one page: up to `limit`, each once, in the order of the entries read
/// ([`reads`] of them at most), and the cursor to the next page. `more` says the read
/// may have stopped short of the end (it filled, or DynamoDB stopped at 1 MB). A contact
/// whose entries lie on both sides of a page's end shows on both pages.
pub(crate) fn page(
    prefix: &str,
    read: &[Entry],
    limit: u32,
    more: bool,
) -> (Vec<ContactId>, Option<String>) {
    let cursor = |position: &str| cursor::encode(&list_for(prefix), position);
    let mut ids: Vec<ContactId> = Vec::new();
    let mut last: Option<&str> = None;
    for entry in read {
        if !ids.contains(&entry.contact_id) {
            if ids.len() == limit as usize {
                return (ids, last.map(cursor));
            }
            ids.push(entry.contact_id.clone());
        }
        last = Some(&entry.position);
    }
    (ids, last.filter(|_| more).map(cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_from_its_position() {
        let id: ContactId = portal_domain::testing::id("c1");
        let position = format!("ada lovelace{SEPARATOR}{id}{SEPARATOR}name");
        let entry = entry_at(&position).unwrap();
        assert_eq!(entry.contact_id, id);
        assert_eq!(entry.field, SearchField::Name);
        assert_eq!(partition("ada lovelace"), "CONTACTSEARCH#ad");
    }

    #[test]
    fn a_cursor_of_another_search_or_of_a_forged_position_is_invalid() {
        let id = portal_domain::testing::id_text("c1");
        let cursor = cursor::encode(
            &list_for("ad"),
            &format!("ada{SEPARATOR}{id}{SEPARATOR}name"),
        );
        assert_eq!(resume("ad", &cursor).unwrap().contact_id.as_str(), id);
        assert!(matches!(
            resume("ada", &cursor),
            Err(StoreError::InvalidCursor)
        ));
        for forged in [
            format!("ada{SEPARATOR}{id}{SEPARATOR}phone"),
            format!("ada{SEPARATOR}not-an-id{SEPARATOR}name"),
            format!("ada{SEPARATOR}{id}"),
        ] {
            let cursor = cursor::encode(&list_for("ad"), &forged);
            assert!(
                matches!(resume("ad", &cursor), Err(StoreError::InvalidCursor)),
                "{forged}"
            );
        }
    }
}
