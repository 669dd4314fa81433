//! Turns the rows either format yields into a [`PeopleFile`]: the first row with anything in it
//! is the header, every later one a person.

use crate::header::{Header, Slot};
use crate::{Column, FileError, MAX_ROWS, PeopleFile, PersonRow};

/// One cell as a format reader gives it, before it is placed under a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    /// The cell's value as text, untrimmed.
    Text(String),
    /// A spreadsheet error value (`#DIV/0!`, `#N/A`, ...), as Excel writes it. Kept apart from
    /// text: it says that the value the sheet meant to hold is not there.
    Error(String),
}

impl Cell {
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Text(text) | Cell::Error(text) => text,
        }
    }

    pub(crate) fn is_error(&self) -> bool {
        matches!(self, Cell::Error(_))
    }

    fn is_blank(&self) -> bool {
        !self.is_error() && self.text().trim().is_empty()
    }
}

const HOLDS_AN_ERROR_CELL: &str = "holds an error cell";
const VALUE_WITHOUT_HEADER: &str = "has a value under a column without a header";
const MORE_CELLS_THAN_COLUMNS: &str = "has more cells than the header has columns";

/// Collects the rows of one file, in order.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    header: Option<Header>,
    people: Vec<PersonRow>,
}

impl Rows {
    /// Takes the row that a spreadsheet numbers `row`, as `(position, cell)` pairs in any
    /// order (a missing position is an empty cell). A fully blank row is skipped: its number
    /// is simply not used, so later rows keep theirs.
    pub(crate) fn push(
        &mut self,
        row: u32,
        mut cells: Vec<(usize, Cell)>,
    ) -> Result<(), FileError> {
        if cells.iter().all(|(_, cell)| cell.is_blank()) {
            return Ok(());
        }
        // By position, so that the header's unknown names and a row's reason come out in the
        // order that the sheet shows them.
        cells.sort_by_key(|(position, _)| *position);
        let Some(header) = &self.header else {
            self.header = Some(Header::parse(&cells)?);
            return Ok(());
        };
        if self.people.len() == MAX_ROWS {
            return Err(FileError::TooManyRows { max: MAX_ROWS });
        }
        self.people.push(person(row, header, cells));
        Ok(())
    }

    /// The file read: [`FileError::Empty`] when no row had anything in it.
    pub(crate) fn finish(self) -> Result<PeopleFile, FileError> {
        let header = self.header.ok_or(FileError::Empty)?;
        Ok(PeopleFile {
            rows: self.people,
            columns: header.columns(),
        })
    }
}

/// A person from a data row, with the first reason (left to right) it cannot be used.
fn person(row: u32, header: &Header, cells: Vec<(usize, Cell)>) -> PersonRow {
    let mut person = PersonRow {
        row,
        email: None,
        first_name: None,
        last_name: None,
        phone: None,
        company: None,
        roles: Vec::new(),
        external_ref: None,
        malformed: None,
    };
    for (position, cell) in cells {
        let text = match cell {
            Cell::Error(_) => {
                person.malformed.get_or_insert(HOLDS_AN_ERROR_CELL);
                continue;
            }
            Cell::Text(text) => text,
        };
        let value = text.trim();
        if value.is_empty() {
            continue;
        }
        match header.slot(position) {
            Slot::Named(column) => set(&mut person, column, value),
            Slot::Unnamed => {
                person.malformed.get_or_insert(VALUE_WITHOUT_HEADER);
            }
            Slot::Beyond => {
                person.malformed.get_or_insert(MORE_CELLS_THAN_COLUMNS);
            }
        }
    }
    person
}

fn set(person: &mut PersonRow, column: Column, value: &str) {
    let text = || Some(value.to_owned());
    match column {
        Column::Email => person.email = text(),
        Column::FirstName => person.first_name = text(),
        Column::LastName => person.last_name = text(),
        Column::Phone => person.phone = text(),
        Column::Company => person.company = text(),
        Column::ExternalRef => person.external_ref = text(),
        Column::Roles => person.roles = roles(value),
    }
}

/// One cell lists several roles; staff separate them with `;` or `|` (a comma would clash with
/// the CSV separator).
fn roles(cell: &str) -> Vec<String> {
    cell.split([';', '|'])
        .map(str::trim)
        .filter(|role| !role.is_empty())
        .map(str::to_owned)
        .collect()
}
