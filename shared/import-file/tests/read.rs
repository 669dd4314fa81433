//! `read` on whole files: CSV text written here, .xlsx workbooks written by rust_xlsxwriter.

use portal_import_file::{Column, FileError, MAX_BYTES, MAX_ROWS, PeopleFile, PersonRow, read};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

const ALL_COLUMNS: [Column; 7] = [
    Column::Email,
    Column::FirstName,
    Column::LastName,
    Column::Phone,
    Column::Company,
    Column::Roles,
    Column::ExternalRef,
];

fn csv(text: &str) -> Result<PeopleFile, FileError> {
    read("people.csv", text.as_bytes())
}

/// A row with nothing in it but its number, for comparing whole rows.
fn row(number: u32) -> PersonRow {
    PersonRow {
        row: number,
        email: None,
        first_name: None,
        last_name: None,
        phone: None,
        company: None,
        roles: Vec::new(),
        external_ref: None,
        malformed: None,
    }
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn emails(file: &PeopleFile) -> Vec<(u32, Option<&str>)> {
    file.rows
        .iter()
        .map(|person| (person.row, person.email.as_deref()))
        .collect()
}

fn ann() -> PersonRow {
    PersonRow {
        email: some("ann@example.com"),
        first_name: some("Ann"),
        last_name: some("Lee"),
        phone: some("+49 151 1234"),
        company: some("Acme"),
        roles: vec!["admin".to_owned()],
        external_ref: some("E-1"),
        ..row(2)
    }
}

// ---- CSV ----

#[test]
fn csv_with_commas_reads_every_column() {
    let file = csv(
        "email,first_name,last_name,phone,company,roles,external_ref\n\
         ann@example.com,Ann,Lee,+49 151 1234,Acme,admin,E-1\n",
    )
    .unwrap();
    assert_eq!(file.rows, vec![ann()]);
    for column in ALL_COLUMNS {
        assert!(file.has_column(column), "{column:?}");
    }
}

#[test]
fn csv_with_semicolons_reads_every_column() {
    let file = csv(
        "email;first_name;last_name;phone;company;roles;external_ref\r\n\
         ann@example.com;Ann;Lee;+49 151 1234;Acme;admin;E-1\r\n",
    )
    .unwrap();
    assert_eq!(file.rows, vec![ann()]);
}

#[test]
fn csv_with_semicolons_keeps_commas_in_values() {
    let file = csv("email;company\nann@example.com;Acme, Inc.\n").unwrap();
    assert_eq!(file.rows[0].company.as_deref(), Some("Acme, Inc."));
}

#[test]
fn quoted_fields_keep_separators_quotes_and_line_breaks() {
    let file = csv("email,company,last_name\n\
         ann@example.com,\"Acme, Inc.\nBerlin\",\"O\"\"Neil\"\n\
         bob@example.com,Beta,Brown\n")
    .unwrap();
    assert_eq!(file.rows[0].company.as_deref(), Some("Acme, Inc.\nBerlin"));
    assert_eq!(file.rows[0].last_name.as_deref(), Some("O\"Neil"));
    // A record spanning two lines is one row, as in a spreadsheet.
    assert_eq!(
        emails(&file),
        vec![(2, Some("ann@example.com")), (3, Some("bob@example.com"))]
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let file = read("people.csv", "\u{feff}email\nann@example.com\n".as_bytes()).unwrap();
    assert!(file.has_column(Column::Email));
    assert_eq!(emails(&file), vec![(2, Some("ann@example.com"))]);
}

#[test]
fn the_extension_is_matched_in_any_case() {
    let file = read("PEOPLE.CSV", b"email\nann@example.com\n").unwrap();
    assert_eq!(emails(&file), vec![(2, Some("ann@example.com"))]);
}

#[test]
fn header_names_ignore_case_and_surrounding_spaces() {
    let file = csv(" Email ,FIRST_NAME,  External_Ref\nann@example.com,Ann,E-1\n").unwrap();
    assert!(file.has_column(Column::Email));
    assert!(file.has_column(Column::FirstName));
    assert!(file.has_column(Column::ExternalRef));
    assert_eq!(file.rows[0].external_ref.as_deref(), Some("E-1"));
}

#[test]
fn columns_the_header_does_not_name_are_absent() {
    let file = csv("first_name,last_name\nAnn,Lee\n").unwrap();
    assert!(!file.has_column(Column::Email));
    assert!(!file.has_column(Column::Roles));
    assert!(file.has_column(Column::LastName));
    assert_eq!(file.rows[0].email, None);
}

#[test]
fn values_are_trimmed_and_empty_ones_are_none() {
    let file = csv("email,first_name,phone,roles\n  ann@example.com  ,   ,,\n").unwrap();
    assert_eq!(
        file.rows,
        vec![PersonRow {
            email: some("ann@example.com"),
            ..row(2)
        }]
    );
}

#[test]
fn every_unknown_column_is_named_as_written() {
    let error =
        csv("email, Mobile ,first_name,department\nann@example.com,1,Ann,IT\n").unwrap_err();
    assert_eq!(
        error,
        FileError::UnknownColumns(vec!["Mobile".to_owned(), "department".to_owned()])
    );
    assert_eq!(error.to_string(), "has unknown columns: Mobile, department");
}

#[test]
fn a_column_named_twice_is_refused() {
    let error = csv("email,first_name,EMAIL\na@example.com,Ann,b@example.com\n").unwrap_err();
    assert_eq!(error, FileError::DuplicateColumn("email".to_owned()));
    assert_eq!(error.to_string(), "names the column email twice");
}

#[test]
fn blank_rows_are_skipped_but_keep_their_numbers() {
    let file = csv("email,first_name\n\
         ann@example.com,Ann\n\
         \n\
         ,\n\
         \x20 , \x20\n\
         bob@example.com,Bob\n\
         \r\n\
         cy@example.com,Cy\n")
    .unwrap();
    assert_eq!(
        emails(&file),
        vec![
            (2, Some("ann@example.com")),
            (6, Some("bob@example.com")),
            (8, Some("cy@example.com")),
        ]
    );
}

#[test]
fn blank_rows_keep_their_numbers_with_windows_line_endings() {
    let file = csv("email\r\nann@example.com\r\n\r\n\r\nbob@example.com\r\n").unwrap();
    assert_eq!(
        emails(&file),
        vec![(2, Some("ann@example.com")), (5, Some("bob@example.com"))]
    );
}

#[test]
fn blank_lines_before_the_header_count_as_rows() {
    let file = csv("\n\nemail\nann@example.com\n").unwrap();
    assert_eq!(emails(&file), vec![(4, Some("ann@example.com"))]);
}

#[test]
fn roles_are_split_on_semicolons_and_pipes() {
    let file = csv("email,roles\nann@example.com,\"admin; viewer | |editor;\"\n").unwrap();
    assert_eq!(file.rows[0].roles, vec!["admin", "viewer", "editor"]);
}

#[test]
fn short_rows_leave_the_missing_cells_empty() {
    let file = csv("email,first_name,last_name\nann@example.com\n").unwrap();
    assert_eq!(
        file.rows,
        vec![PersonRow {
            email: some("ann@example.com"),
            ..row(2)
        }]
    );
}

#[test]
fn an_extra_cell_makes_only_its_row_malformed() {
    let file = csv("email,first_name\n\
         ann@example.com,Ann\n\
         bob@example.com,Bob,surprise\n\
         cy@example.com,Cy,,  \n")
    .unwrap();
    let reasons: Vec<_> = file.rows.iter().map(|person| person.malformed).collect();
    assert_eq!(
        reasons,
        vec![
            None,
            Some("has more cells than the header has columns"),
            // Extra cells that are empty are not extra values.
            None,
        ]
    );
    // The malformed row keeps its values, so a report can name the person.
    assert_eq!(file.rows[1].email.as_deref(), Some("bob@example.com"));
}

#[test]
fn a_value_under_a_blank_header_cell_makes_its_row_malformed() {
    let file = csv("email,,first_name,,\n\
         ann@example.com,,Ann,,\n\
         bob@example.com,what,Bob\n")
    .unwrap();
    assert_eq!(file.rows[0].malformed, None);
    assert_eq!(file.rows[0].first_name.as_deref(), Some("Ann"));
    assert_eq!(
        file.rows[1].malformed,
        Some("has a value under a column without a header")
    );
}

#[test]
fn a_header_without_rows_is_a_file_without_people() {
    let file = csv("email,first_name\n").unwrap();
    assert!(file.rows.is_empty());
    assert!(file.has_column(Column::FirstName));
}

#[test]
fn a_file_without_a_header_is_empty() {
    for text in ["", "\n\n", "\u{feff}", " , \n,,\r\n"] {
        let error = csv(text).unwrap_err();
        assert_eq!(error, FileError::Empty, "{text:?}");
        assert_eq!(error.to_string(), "is empty");
    }
}

#[test]
fn at_most_max_rows_data_rows() {
    let people = |count: usize| {
        let mut text = String::from("email\n");
        for index in 0..count {
            text.push_str(&format!("p{index}@example.com\n\n"));
        }
        text
    };
    // Blank rows do not count towards the limit.
    let file = csv(&people(MAX_ROWS)).unwrap();
    assert_eq!(file.rows.len(), MAX_ROWS);
    assert_eq!(file.rows.last().unwrap().row, 2 * 10_000);

    let error = csv(&people(MAX_ROWS + 1)).unwrap_err();
    assert_eq!(error, FileError::TooManyRows { max: 10_000 });
    assert_eq!(error.to_string(), "must hold at most 10000 rows");
}

#[test]
fn at_most_max_bytes() {
    let mut text = String::from("email\nann@example.com\n");
    text.push_str(&"\n".repeat(MAX_BYTES - text.len()));
    assert_eq!(csv(&text).unwrap().rows.len(), 1);

    text.push('\n');
    let error = csv(&text).unwrap_err();
    assert_eq!(
        error,
        FileError::TooLarge {
            max: 5 * 1024 * 1024
        }
    );
    assert_eq!(error.to_string(), "must be at most 5 MB");
    // Checked before anything else: whatever the bytes and the name.
    let error = read("x.bin", &vec![0xff; MAX_BYTES + 1]).unwrap_err();
    assert_eq!(error, FileError::TooLarge { max: MAX_BYTES });
}

#[test]
fn a_csv_that_is_not_utf8_is_refused() {
    // "Müller" as Excel's plain "CSV" writes it on Windows (Latin-1).
    let error = read("people.csv", b"email,last_name\nm@example.com,M\xfcller\n").unwrap_err();
    assert_eq!(error, FileError::NotUtf8);
    assert_eq!(error.to_string(), "is not UTF-8 text");
}

#[test]
fn garbage_is_of_unknown_format() {
    let garbage: Vec<u8> = (0..4096_u32)
        .map(|index| (index * 7919 % 251) as u8)
        .collect();
    for name in ["people.bin", "people", "people.xlsx"] {
        let error = read(name, &garbage).unwrap_err();
        assert_eq!(error, FileError::UnknownFormat, "{name}");
        assert_eq!(error.to_string(), "is neither a CSV nor an .xlsx file");
    }
    // A ZIP signature alone does not make an .xlsx.
    assert_eq!(
        read("people", b"PK\x03\x04 but no archive").unwrap_err(),
        FileError::UnknownFormat
    );
}

#[test]
fn text_without_a_csv_extension_is_of_unknown_format() {
    assert_eq!(
        read("people.txt", b"email\nann@example.com\n").unwrap_err(),
        FileError::UnknownFormat
    );
}

// ---- XLSX ----

/// A workbook whose first sheet `fill` writes, as the bytes of an .xlsx file.
fn xlsx(fill: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    fill(workbook.add_worksheet());
    workbook.save_to_buffer().unwrap()
}

fn write_strings(sheet: &mut Worksheet, first_row: u32, rows: &[&[&str]]) {
    for (index, cells) in rows.iter().enumerate() {
        let number = first_row + u32::try_from(index).unwrap();
        for (column, text) in cells.iter().enumerate() {
            sheet
                .write_string(number, u16::try_from(column).unwrap(), *text)
                .unwrap();
        }
    }
}

const HEADER: &[&str] = &[
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "roles",
    "external_ref",
];

#[test]
fn xlsx_strings_are_read_as_written() {
    let bytes = xlsx(|sheet| {
        write_strings(
            sheet,
            0,
            &[
                HEADER,
                &[
                    "ann@example.com",
                    "Ann",
                    "Lee",
                    "+49 151 1234",
                    "Acme",
                    "admin",
                    "E-1",
                ],
            ],
        );
    });
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(file.rows, vec![ann()]);
    for column in ALL_COLUMNS {
        assert!(file.has_column(column), "{column:?}");
    }
}

#[test]
fn xlsx_is_recognised_by_content_without_an_extension() {
    let bytes = xlsx(|sheet| write_strings(sheet, 0, &[&["email"], &["ann@example.com"]]));
    for name in ["upload", "people.bin"] {
        let file = read(name, &bytes).unwrap();
        assert_eq!(emails(&file), vec![(2, Some("ann@example.com"))], "{name}");
    }
}

#[test]
fn xlsx_numbers_typed_as_numbers_read_as_a_person_would() {
    let bytes = xlsx(|sheet| {
        write_strings(sheet, 0, &[&["phone", "external_ref", "company", "roles"]]);
        sheet.write_number(1, 0, 4_915_112_345_678_f64).unwrap();
        sheet.write_number(1, 1, 12345).unwrap();
        sheet.write_number(1, 2, 1.5).unwrap();
        sheet.write_boolean(1, 3, true).unwrap();
    });
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(
        file.rows,
        vec![PersonRow {
            phone: some("4915112345678"),
            external_ref: some("12345"),
            company: some("1.5"),
            roles: vec!["true".to_owned()],
            ..row(2)
        }]
    );
}

#[test]
fn xlsx_dates_read_as_iso_8601() {
    let bytes = xlsx(|sheet| {
        write_strings(sheet, 0, &[&["external_ref", "company"]]);
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let date_time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let day = ExcelDateTime::from_ymd(2024, 1, 15).unwrap();
        let moment = day.clone().and_hms(9, 30, 0).unwrap();
        sheet.write_datetime_with_format(1, 0, &day, &date).unwrap();
        sheet
            .write_datetime_with_format(1, 1, &moment, &date_time)
            .unwrap();
    });
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(file.rows[0].external_ref.as_deref(), Some("2024-01-15"));
    assert_eq!(file.rows[0].company.as_deref(), Some("2024-01-15T09:30:00"));
}

#[test]
fn xlsx_error_cell_makes_its_row_malformed() {
    let bytes = xlsx(|sheet| {
        write_strings(
            sheet,
            0,
            &[
                &["email", "phone"],
                &["ann@example.com", "1"],
                &["bob@example.com"],
                &["cy@example.com", "3"],
            ],
        );
        // A formula whose saved result is an error: what Excel writes for `=1/0`.
        sheet
            .write_formula(2, 1, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
    });
    let file = read("people.xlsx", &bytes).unwrap();
    let reasons: Vec<_> = file
        .rows
        .iter()
        .map(|person| (person.row, person.malformed))
        .collect();
    assert_eq!(
        reasons,
        vec![(2, None), (3, Some("holds an error cell")), (4, None)]
    );
}

#[test]
fn xlsx_unknown_columns_are_named() {
    let bytes = xlsx(|sheet| {
        write_strings(
            sheet,
            0,
            &[
                &["Email", "Abteilung", "phone"],
                &["ann@example.com", "IT", "1"],
            ],
        );
    });
    assert_eq!(
        read("people.xlsx", &bytes).unwrap_err(),
        FileError::UnknownColumns(vec!["Abteilung".to_owned()])
    );
}

#[test]
fn xlsx_rows_are_numbered_as_the_sheet_shows_them() {
    let bytes = xlsx(|sheet| {
        // Header in row 2; row 4 holds nothing, row 5 only spaces.
        write_strings(sheet, 1, &[&["email"], &["ann@example.com"]]);
        sheet.write_string(4, 0, "  ").unwrap();
        sheet.write_string(5, 0, "bob@example.com").unwrap();
    });
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(
        emails(&file),
        vec![(3, Some("ann@example.com")), (6, Some("bob@example.com"))]
    );
}

#[test]
fn xlsx_values_right_of_the_header_make_the_row_malformed() {
    let bytes = xlsx(|sheet| {
        write_strings(
            sheet,
            0,
            &[&["email"], &["ann@example.com"], &["bob@example.com"]],
        );
        sheet.write_string(2, 5, "stray").unwrap();
    });
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(file.rows[0].malformed, None);
    assert_eq!(
        file.rows[1].malformed,
        Some("has more cells than the header has columns")
    );
}

#[test]
fn xlsx_only_the_first_sheet_is_read() {
    let mut workbook = Workbook::new();
    write_strings(
        workbook.add_worksheet(),
        0,
        &[&["email"], &["ann@example.com"]],
    );
    write_strings(workbook.add_worksheet(), 0, &[&["notes"], &["ignore me"]]);
    let bytes = workbook.save_to_buffer().unwrap();
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(emails(&file), vec![(2, Some("ann@example.com"))]);
}

#[test]
fn xlsx_without_cells_is_empty() {
    let bytes = xlsx(|_| {});
    assert_eq!(read("people.xlsx", &bytes).unwrap_err(), FileError::Empty);
}

#[test]
fn xlsx_with_a_thousand_rows_is_read_whole() {
    let bytes = xlsx(|sheet| {
        write_strings(sheet, 0, &[&["email", "phone", "roles"]]);
        for index in 1..=1000_u32 {
            sheet
                .write_string(index, 0, format!("p{index}@example.com"))
                .unwrap();
            sheet
                .write_number(index, 1, 4_915_100_000_000_f64 + f64::from(index))
                .unwrap();
            sheet.write_string(index, 2, "member|viewer").unwrap();
        }
    });
    let file = read("people.xlsx", &bytes).unwrap();
    assert_eq!(file.rows.len(), 1000);
    for (index, person) in (1..=1000_u32).zip(&file.rows) {
        assert_eq!(person.row, index + 1);
        assert_eq!(
            person.email.as_deref(),
            Some(format!("p{index}@example.com").as_str())
        );
        assert_eq!(
            person.phone.as_deref(),
            Some(
                (4_915_100_000_000_u64 + u64::from(index))
                    .to_string()
                    .as_str()
            )
        );
        assert_eq!(person.roles, vec!["member", "viewer"]);
        assert_eq!(person.malformed, None);
    }
}
