//! The columns a people file may have, and the header text that names each.

/// A column of the people file. The header names it by [`Column::name`], in any case and with
/// any surrounding spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Email,
    FirstName,
    LastName,
    Phone,
    Company,
    Roles,
    ExternalRef,
}

impl Column {
    const ALL: [Column; 7] = [
        Column::Email,
        Column::FirstName,
        Column::LastName,
        Column::Phone,
        Column::Company,
        Column::Roles,
        Column::ExternalRef,
    ];

    /// The header text naming this column, as the import template writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Phone => "phone",
            Column::Company => "company",
            Column::Roles => "roles",
            Column::ExternalRef => "external_ref",
        }
    }

    /// The column a header cell names, if any: spreadsheets are typed by hand, so case and
    /// surrounding spaces do not count.
    pub(crate) fn from_header(text: &str) -> Option<Column> {
        let key = text.trim().to_lowercase();
        Column::ALL.into_iter().find(|column| column.name() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::Column;

    #[test]
    fn every_column_is_found_by_its_own_name() {
        for column in Column::ALL {
            assert_eq!(Column::from_header(column.name()), Some(column));
        }
    }

    #[test]
    fn case_and_surrounding_spaces_do_not_count() {
        assert_eq!(
            Column::from_header("  First_Name "),
            Some(Column::FirstName)
        );
        assert_eq!(Column::from_header("EMAIL"), Some(Column::Email));
        assert_eq!(Column::from_header("first name"), None);
    }
}
