//! Files of people for imports, written as staff would save them from a spreadsheet.

use rust_xlsxwriter::Workbook;

/// A CSV file (comma-separated, quoted where needed) of `header` and `rows`.
pub fn people_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|cell| {
                if cell.contains([',', '"', '\n']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut text = line(header.iter().map(|cell| (*cell).to_owned()).collect());
    for row in rows {
        text.push('\n');
        text.push_str(&line(row.clone()));
    }
    text.into_bytes()
}

/// An Excel workbook whose first sheet holds `header` and `rows`, all as text.
pub fn people_xlsx(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, name) in (0..).zip(header) {
        sheet.write_string(0, column, *name).expect("a header cell");
    }
    for (row, cells) in (1..).zip(rows) {
        for (column, cell) in (0..).zip(cells) {
            if !cell.is_empty() {
                sheet.write_string(row, column, cell).expect("a cell");
            }
        }
    }
    workbook.save_to_buffer().expect("an .xlsx file")
}

/// `count` people at `domain`, numbered from `first`: email, first and last name, phone,
/// company and an external reference each.
pub fn numbered_people(first: usize, count: usize, domain: &str) -> Vec<Vec<String>> {
    (first..first + count)
        .map(|n| {
            vec![
                format!("person{n}@{domain}"),
                format!("Person{n}"),
                "Imported".to_owned(),
                format!("+49 30 {n:07}"),
                "Acme".to_owned(),
                format!("CRM-{domain}-{n}"),
            ]
        })
        .collect()
}

/// The header of [`numbered_people`].
pub const PEOPLE_HEADER: [&str; 6] = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "external_ref",
];
