//! The header row: which column each position of a row stands under.

use crate::rows::Cell;
use crate::{Column, FileError};

/// What a position (0-based, column A or the first CSV field being 0) stands under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Named(Column),
    /// A blank header cell between named ones: a value under it belongs to no column.
    Unnamed,
    /// Right of the last non-blank header cell.
    Beyond,
}

/// The header row, read.
#[derive(Debug)]
pub(crate) struct Header {
    /// One entry per position up to the last non-blank header cell: trailing blank header
    /// cells (a spreadsheet's formatted but empty columns) are not part of the header.
    slots: Vec<Option<Column>>,
}

impl Header {
    /// Reads the header from a row's `(position, cell)` pairs, sorted by position. Every
    /// unknown name is collected before failing, so that one upload shows all of them; a
    /// column named twice fails, since which of its cells holds the value would be a guess.
    pub(crate) fn parse(cells: &[(usize, Cell)]) -> Result<Header, FileError> {
        let mut slots = Vec::new();
        let mut unknown = Vec::new();
        let mut duplicate = None;
        for (position, cell) in cells {
            let text = cell.text().trim();
            if text.is_empty() && !cell.is_error() {
                continue;
            }
            let Some(column) = Column::from_header(text) else {
                unknown.push(text.to_owned());
                continue;
            };
            if slots.contains(&Some(column)) {
                duplicate.get_or_insert(column);
            }
            if slots.len() <= *position {
                slots.resize(position + 1, None);
            }
            slots[*position] = Some(column);
        }
        if !unknown.is_empty() {
            return Err(FileError::UnknownColumns(unknown));
        }
        if let Some(column) = duplicate {
            return Err(FileError::DuplicateColumn(column.name().to_owned()));
        }
        Ok(Header { slots })
    }

    pub(crate) fn slot(&self, position: usize) -> Slot {
        match self.slots.get(position) {
            Some(Some(column)) => Slot::Named(*column),
            Some(None) => Slot::Unnamed,
            None => Slot::Beyond,
        }
    }

    /// The named columns, in header order.
    pub(crate) fn columns(&self) -> Vec<Column> {
        self.slots.iter().flatten().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Header, Slot};
    use crate::rows::Cell;
    use crate::{Column, FileError};

    fn cells(texts: &[&str]) -> Vec<(usize, Cell)> {
        texts
            .iter()
            .map(|text| Cell::Text((*text).to_owned()))
            .enumerate()
            .collect()
    }

    #[test]
    fn blank_cells_between_names_are_unnamed_and_trailing_ones_are_dropped() {
        let header = Header::parse(&cells(&["email", " ", "phone", "", "  "])).unwrap();
        assert_eq!(header.slot(0), Slot::Named(Column::Email));
        assert_eq!(header.slot(1), Slot::Unnamed);
        assert_eq!(header.slot(2), Slot::Named(Column::Phone));
        assert_eq!(header.slot(3), Slot::Beyond);
        assert_eq!(header.columns(), vec![Column::Email, Column::Phone]);
    }

    #[test]
    fn an_error_cell_in_the_header_is_an_unknown_column() {
        let row = vec![
            (0, Cell::Text("email".to_owned())),
            (1, Cell::Error("#REF!".to_owned())),
        ];
        assert_eq!(
            Header::parse(&row).unwrap_err(),
            FileError::UnknownColumns(vec!["#REF!".to_owned()])
        );
    }
}
