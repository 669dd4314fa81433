//! Opaque page cursors, made alike by both adapters: base64url of the list's name and the
//! position of the last item handed out. The name is inside so that a cursor brought to
//! another list is refused instead of silently starting that list somewhere arbitrary.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::StoreError;
use portal_domain::page::Page;

use crate::sortable;

/// Appears in neither list names nor positions.
const SEPARATOR: char = '\n';

pub(crate) fn encode(list: &str, position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}{SEPARATOR}{position}"))
}

/// The position a cursor of `list` carries; whether it is well formed is the list's to check.
pub(crate) fn decode(list: &str, cursor: &str) -> Result<String, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::InvalidCursor)?;
    let text = String::from_utf8(bytes).map_err(|_| StoreError::InvalidCursor)?;
    match text.split_once(SEPARATOR) {
        Some((made_for, position)) if made_for == list => Ok(position.to_owned()),
        _ => Err(StoreError::InvalidCursor),
    }
}

/// Where a page of a list ordered by [`sortable::by_creation`] starts: just past the item
/// at `position`, whose id is `id` (DynamoDB resumes a Query from that item's full key).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Resume {
    pub position: String,
    pub id: String,
}

/// Reads a cursor that a page of `list` handed out, for a list ordered by creation.
pub(crate) fn resume(list: &str, cursor: &str) -> Result<Resume, StoreError> {
    let position = decode(list, cursor)?;
    let id = sortable::id_by_creation(&position)
        .ok_or(StoreError::InvalidCursor)?
        .to_owned();
    Ok(Resume { position, id })
}

/// A page of `list` from the items read in list order: at most `limit + 1`, the extra one
/// only telling that a next page exists, so the last page never hands out a cursor to an
/// empty one. `cut_short` says the read stopped early for a reason of its own (DynamoDB's
/// 1 MB per call), so more may follow even without the extra item.
pub(crate) fn page<T>(
    list: &str,
    mut read: Vec<T>,
    limit: u32,
    cut_short: bool,
    position: impl Fn(&T) -> String,
) -> Page<T> {
    let limit = limit as usize;
    let more = read.len() > limit || cut_short;
    read.truncate(limit);
    let next_cursor = read
        .last()
        .filter(|_| more)
        .map(|last| encode(list, &position(last)));
    Page {
        items: read,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_gives_back_its_position_to_its_own_list() {
        let cursor = encode("LIST#a", "p#1");
        assert_eq!(decode("LIST#a", &cursor).unwrap(), "p#1");
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn a_cursor_of_another_list_or_no_cursor_at_all_is_invalid() {
        let other = encode("LIST#b", "p#1");
        for cursor in [other.as_str(), "", "not base64!", "bGlzdA", "_-8"] {
            assert!(
                matches!(decode("LIST#a", cursor), Err(StoreError::InvalidCursor)),
                "{cursor:?}"
            );
        }
    }
}
