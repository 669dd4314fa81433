//! Reads an `.xlsx` people file: the first sheet of the workbook.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use crate::rows::{Cell, Rows};
use crate::{FileError, PeopleFile};

/// The columns of an Excel sheet, A to XFD.
const EXCEL_COLUMNS: usize = 16_384;

/// Reads the first sheet cell by cell, as the sheet's XML lists them. Not through a
/// `calamine::Range`: a range is a dense grid spanning the used cells, and two cells at A1 and
/// XFD1048576 in a tiny file would make it billions of cells. Cells stream here, and only
/// the rows (as `(position, cell)` pairs) are kept.
pub(crate) fn read(bytes: &[u8]) -> Result<PeopleFile, FileError> {
    let unreadable = |_| FileError::UnknownFormat;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first_sheet = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(FileError::UnknownFormat)?;
    let mut sheet = workbook
        .worksheet_cells_reader(&first_sheet)
        .map_err(unreadable)?;
    let mut rows = Rows::default();
    // The row being collected: its 0-based index and its cells so far.
    let mut current: Option<(u32, Vec<(usize, Cell)>)> = None;
    while let Some(cell) = sheet.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let position = usize::try_from(column).map_err(|_| FileError::UnknownFormat)?;
        let cell = text_of(cell.get_value());
        match &mut current {
            // More cells than Excel has columns can only repeat positions: a crafted file.
            Some((index, cells)) if *index == row && cells.len() < EXCEL_COLUMNS => {
                cells.push((position, cell));
            }
            Some((index, _)) if *index == row => return Err(FileError::UnknownFormat),
            // Excel writes rows in order; out of order, a row's cells would be split apart.
            Some((index, _)) if *index > row => return Err(FileError::UnknownFormat),
            _ => {
                if let Some((index, cells)) = current.replace((row, vec![(position, cell)])) {
                    rows.push(index.saturating_add(1), cells)?;
                }
            }
        }
    }
    if let Some((index, cells)) = current {
        rows.push(index.saturating_add(1), cells)?;
    }
    rows.finish()
}

/// A cell's value as the text a person reads in it. Excel stores every number as a float, so
/// an integral one (a phone or an id typed as a number) is written without a fraction, never
/// as "4915112345678.0" or in exponent notation.
fn text_of(value: &DataRef<'_>) -> Cell {
    let text = match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.clone()
        }
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => number_text(*number),
        DataRef::Bool(flag) => flag.to_string(),
        DataRef::DateTime(date_time) if date_time.is_datetime() => {
            iso_date_time(date_time.to_ymd_hms_milli())
        }
        DataRef::DateTime(duration) => number_text(duration.as_f64()),
        DataRef::Error(error) => return Cell::Error(error.to_string()),
        DataRef::Empty => String::new(),
    };
    Cell::Text(text)
}

/// Integral numbers below 2^53 (where every integer is exact) as integers; others as Rust
/// prints an `f64`, which never uses exponent notation.
fn number_text(number: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if number.fract() == 0.0 && number.abs() < EXACT {
        // Exact: integral, and well within i64.
        (number as i64).to_string()
    } else {
        number.to_string()
    }
}

/// A date cell as ISO 8601: the date alone when it has no time of day (a birthday or a start
/// date), else with the time. calamine's own text for it is the serial number (45306), which
/// nobody could read; its calendar conversion needs no date library.
fn iso_date_time(
    (year, month, day, hour, minute, second, milli): (u16, u8, u8, u8, u8, u8, u16),
) -> String {
    let date = format!("{year:04}-{month:02}-{day:02}");
    match (hour, minute, second, milli) {
        (0, 0, 0, 0) => date,
        (_, _, _, 0) => format!("{date}T{hour:02}:{minute:02}:{second:02}"),
        _ => format!("{date}T{hour:02}:{minute:02}:{second:02}.{milli:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{iso_date_time, number_text};

    #[test]
    fn integral_numbers_have_no_fraction() {
        assert_eq!(number_text(4_915_112_345_678.0), "4915112345678");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(1e20), "100000000000000000000");
    }

    #[test]
    fn dates_are_iso_with_a_time_only_when_there_is_one() {
        assert_eq!(iso_date_time((2024, 1, 15, 0, 0, 0, 0)), "2024-01-15");
        assert_eq!(
            iso_date_time((2024, 1, 15, 9, 5, 0, 0)),
            "2024-01-15T09:05:00"
        );
        assert_eq!(
            iso_date_time((2024, 1, 15, 9, 5, 0, 250)),
            "2024-01-15T09:05:00.250"
        );
    }
}
