use serde::{Deserialize, Serialize};

/// The language emails are written in: a BCP 47 tag such as `en`, `de` or `de-AT`,
/// language lowercased, region uppercased. Defaults to `en`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locale(String);

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const INVALID: &str = "is not a valid language tag (like en or de-AT)";
        let mut parts = raw.trim().split(['-', '_']);
        let language = parts.next().unwrap_or_default();
        if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic())
        {
            return Err(INVALID);
        }
        let mut tag = language.to_ascii_lowercase();
        for part in parts {
            if !(2..=8).contains(&part.len()) || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(INVALID);
            }
            tag.push('-');
            tag.push_str(&if part.len() == 2 {
                part.to_ascii_uppercase()
            } else {
                part.to_owned()
            });
        }
        Ok(Self(tag))
    }

    /// The primary language, e.g. `de` for `de-AT`.
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or("en")
    }
}

impl Default for Locale {
    fn default() -> Self {
        Self("en".to_owned())
    }
}

/// A language tag: a 2 or 3 letter language, then subtags of 2 to 8 letters or digits.
const PATTERN: &str = r"^\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\s*$";

super::parsed_string_serde!(Locale, super::pattern_schema(PATTERN));

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn tags_are_normalized() {
        assert_eq!(Locale::parse("DE_at").unwrap().as_ref(), "de-AT");
        assert_eq!(Locale::parse("de-AT").unwrap().language(), "de");
        assert_eq!(Locale::default().as_ref(), "en");
    }

    #[test]
    fn things_that_are_not_language_tags_are_refused() {
        for raw in ["", "e", "english", "de-", "12", "de-A"] {
            assert!(Locale::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}
