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

/// The contacts of one page, each once, in the order of the entries read (at most
/// `limit + 1`; see [`cursor::page`]), and the cursor to the next page.
pub(crate) fn page(
    prefix: &str,
    read: Vec<Entry>,
    limit: u32,
    cut_short: bool,
) -> (Vec<ContactId>, Option<String>) {
    let page = cursor::page(&list_for(prefix), read, limit, cut_short, |entry| {
        entry.position.clone()
    });
    let mut ids: Vec<ContactId> = Vec::with_capacity(page.items.len());
    for entry in page.items {
        if !ids.contains(&entry.contact_id) {
            ids.push(entry.contact_id);
        }
    }
    (ids, page.next_cursor)
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
