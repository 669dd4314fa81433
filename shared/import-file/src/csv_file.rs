//! Reads a `.csv` people file: UTF-8, comma- or semicolon-separated, quoted per RFC 4180.

use crate::rows::{Cell, Rows};
use crate::{FileError, PeopleFile};

/// Reads the whole file. Excel writes a byte order mark before "CSV UTF-8" files and, in
/// locales whose decimal mark is a comma (German among them), separates with semicolons:
/// both are taken as they come.
pub(crate) fn read(bytes: &[u8]) -> Result<PeopleFile, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    // The csv reader skips a BOM too; skipped here as well so that the separator's detection
    // and the row numbering below see the very bytes the reader parses.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    let mut rows = Rows::default();
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    // Where the last record's bytes ended, and whether on the `\r` of a `\r\n` (the reader
    // stops between the two).
    let (mut end, mut ended_on_cr) = (0_usize, false);
    while reader
        .read_record(&mut record)
        .map_err(|_| FileError::UnknownFormat)?
    {
        let start = end;
        end = usize::try_from(reader.position().byte()).map_err(|_| FileError::UnknownFormat)?;
        let consumed = text.as_bytes().get(start..end).unwrap_or_default();
        // The reader skips empty lines, but a spreadsheet shows each as a row: count them, so
        // that later row numbers match what staff see.
        row = row
            .saturating_add(empty_lines_before(consumed, ended_on_cr))
            .saturating_add(1);
        ended_on_cr = consumed.last() == Some(&b'\r');
        let cells = record
            .iter()
            .map(|field| Cell::Text(field.to_owned()))
            .enumerate()
            .collect();
        rows.push(row, cells)?;
    }
    rows.finish()
}

/// The separator: whichever of comma and semicolon occurs more often outside quotes in the
/// first line (the header), comma when tied. The header is the one line whose cells are
/// known words, free of either character.
fn separator(text: &str) -> u8 {
    let (mut commas, mut semicolons) = (0_usize, 0_usize);
    let mut quoted = false;
    for byte in text.trim_start().bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// The empty lines that start `consumed`, the bytes the reader took for one record. A line
/// ends with `\r\n`, `\n` or `\r`, as the reader sees it; `after_cr` says that the previous
/// record's `\r` may be followed here by its `\n`.
fn empty_lines_before(consumed: &[u8], after_cr: bool) -> u32 {
    let mut bytes = consumed;
    if after_cr {
        bytes = bytes.strip_prefix(b"\n").unwrap_or(bytes);
    }
    let mut count: u32 = 0;
    loop {
        bytes = match bytes {
            [b'\r', b'\n', rest @ ..] | [b'\r' | b'\n', rest @ ..] => rest,
            _ => return count,
        };
        count = count.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::{empty_lines_before, separator};

    #[test]
    fn the_separator_occurring_more_often_in_the_first_line_wins() {
        assert_eq!(separator("email;first_name;phone\na,b,c,d\n"), b';');
        assert_eq!(separator("email,first_name;phone\n"), b',');
    }

    #[test]
    fn separators_inside_quotes_do_not_count() {
        assert_eq!(separator("\"e,m,a,i,l\";first_name;phone\n"), b';');
    }

    #[test]
    fn a_tie_is_a_comma() {
        assert_eq!(separator("email\n"), b',');
        assert_eq!(separator("email,first_name;phone;company,roles\n"), b',');
    }

    #[test]
    fn each_line_ending_ends_one_empty_line() {
        assert_eq!(empty_lines_before(b"a,b\n", false), 0);
        assert_eq!(empty_lines_before(b"\n\r\n\ra\n", false), 3);
    }

    #[test]
    fn the_rest_of_the_previous_crlf_is_no_empty_line() {
        assert_eq!(empty_lines_before(b"\na\r", true), 0);
        assert_eq!(empty_lines_before(b"\n\r\na\r", true), 1);
        assert_eq!(empty_lines_before(b"\na\r", false), 1);
    }
}
