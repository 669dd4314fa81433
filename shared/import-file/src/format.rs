//! Which reader a file goes to.

/// The two formats a people file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Xlsx,
}

/// How every .xlsx (a ZIP archive) starts: the signature of its first local file header.
const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

impl Format {
    /// The uploaded name's extension decides, in any case. Without a known extension only an
    /// .xlsx can be told by its content: a CSV has no signature, and reading any text file as
    /// one would turn an upload of the wrong file into a confusing header error.
    pub(crate) fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
        let extension = file_name
            .trim()
            .rsplit_once('.')
            .map(|(_, extension)| extension);
        match extension {
            Some(extension) if extension.eq_ignore_ascii_case("csv") => Some(Format::Csv),
            Some(extension) if extension.eq_ignore_ascii_case("xlsx") => Some(Format::Xlsx),
            _ if bytes.starts_with(ZIP_SIGNATURE) => Some(Format::Xlsx),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn the_extension_decides_in_any_case() {
        assert_eq!(
            Format::detect("people.CSV", b"PK\x03\x04"),
            Some(Format::Csv)
        );
        assert_eq!(Format::detect("people.Xlsx", b"email"), Some(Format::Xlsx));
    }

    #[test]
    fn without_a_known_extension_a_zip_is_taken_for_an_xlsx() {
        assert_eq!(
            Format::detect("people", b"PK\x03\x04rest"),
            Some(Format::Xlsx)
        );
        assert_eq!(
            Format::detect("people.bin", b"PK\x03\x04rest"),
            Some(Format::Xlsx)
        );
        assert_eq!(Format::detect("people", b"email\nann@example.com\n"), None);
        assert_eq!(Format::detect("people.txt", b"email\n"), None);
    }
}
