//! Why a file as a whole cannot be read.

/// Why an uploaded people file was refused as a whole. Each `Display` text is a sentence
/// fragment that follows the field's name in an API error: "file is empty".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Neither a `.csv` name nor an .xlsx that opens (also a `.csv` the CSV reader refuses).
    #[error("is neither a CSV nor an .xlsx file")]
    UnknownFormat,
    /// A CSV file that is not UTF-8 (Excel's "CSV UTF-8" is; its plain "CSV" may not be).
    #[error("is not UTF-8 text")]
    NotUtf8,
    /// No header row: no bytes, or no row with anything in it.
    #[error("is empty")]
    Empty,
    /// Header cells naming no known column, as written (trimmed), in header order.
    #[error("has unknown columns: {}", .0.join(", "))]
    UnknownColumns(Vec<String>),
    /// A column named twice in the header (by [`crate::Column::name`]): which cell holds the
    /// value would be a guess.
    #[error("names the column {0} twice")]
    DuplicateColumn(String),
    /// More than `max` data rows.
    #[error("must hold at most {max} rows")]
    TooManyRows { max: usize },
    /// More than `max` bytes.
    #[error("must be at most {} MB", .max / (1024 * 1024))]
    TooLarge { max: usize },
}
