//! Reads the people file that staff upload for an import job: a CSV file or an .xlsx workbook
//! with one person per row under a header row that names the columns.
//!
//! This crate only turns bytes into rows. It rejects a file whose shape is wrong (format, size,
//! header, number of rows) and leaves every value unchecked: whether `email` is required, or
//! which roles exist, depends on configuration that only the caller holds. A row that cannot be
//! used does not fail the whole file; it is kept and marked ([`PersonRow::malformed`]) so the
//! caller can report it by the row number a spreadsheet shows, next to its own findings.

mod column;
mod csv_file;
mod error;
mod format;
mod header;
mod rows;
mod xlsx_file;

pub use column::Column;
pub use error::FileError;

use format::Format;

/// At most this many data rows (blank rows not counted): one import job stays one request's
/// work, and a mistaken upload (a whole CRM export) is refused instead of half imported.
pub const MAX_ROWS: usize = 10_000;

/// At most this many bytes, checked before parsing: the parsers hold the whole file in memory,
/// and 10,000 people fit in a fraction of it.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// A people file as read: its rows, and which columns its header named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleFile {
    /// The data rows in file order, fully blank rows left out.
    pub rows: Vec<PersonRow>,
    /// The header's columns, in header order. Private: the caller asks [`PeopleFile::has_column`].
    columns: Vec<Column>,
}

impl PeopleFile {
    /// Whether the header named `column`. A missing column and a column left empty in a row
    /// both read as `None`, so this is how the caller tells "no `email` column" (a file it may
    /// refuse, depending on configuration) from "this person has no email".
    pub fn has_column(&self, column: Column) -> bool {
        self.columns.contains(&column)
    }
}

/// One person's row. Values are trimmed; an empty cell (or a missing column) is `None`.
/// Nothing here is validated: an `email` may well not be an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// The row number a spreadsheet shows (the header usually being row 1), so that staff can
    /// find the row that a report names.
    pub row: u32,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    /// The `roles` cell split on `;` or `|` (one cell holds several roles), each trimmed,
    /// empty ones dropped.
    pub roles: Vec<String>,
    pub external_ref: Option<String>,
    /// Why this row cannot be used, as a short reason (e.g. "holds an error cell"); `None` when
    /// it can. The values it has are still filled in, so a report can name the person.
    pub malformed: Option<&'static str>,
}

/// Reads an uploaded people file. `file_name` (as uploaded) chooses the format by its
/// extension, `.csv` or `.xlsx` in any case; without either, only an .xlsx can be recognised,
/// by its content (a ZIP archive).
pub fn read(file_name: &str, bytes: &[u8]) -> Result<PeopleFile, FileError> {
    if bytes.len() > MAX_BYTES {
        return Err(FileError::TooLarge { max: MAX_BYTES });
    }
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    match Format::detect(file_name, bytes) {
        Some(Format::Csv) => csv_file::read(bytes),
        Some(Format::Xlsx) => xlsx_file::read(bytes),
        None => Err(FileError::UnknownFormat),
    }
}
