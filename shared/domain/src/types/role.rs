use serde::{Deserialize, Serialize};

/// A portal role name such as `portal.user` or `billing.viewer`: 1..=64 characters,
/// lowercase letters, digits, `.`, `_` and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Role(String);

/// Every portal user holds this role, like the "All portal users" group of CRM portals.
pub const BASE_ROLE: &str = "portal.user";

impl Role {
    pub fn base() -> Self {
        Self(BASE_ROLE.to_owned())
    }

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let valid = raw.len() <= 64
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be role names of lowercase letters, digits, '.', '_' or '-'")
        }
    }

    /// Parses a list, dropping repeats and keeping it sorted.
    pub fn parse_all(raw: &[String]) -> Result<Vec<Self>, &'static str> {
        if raw.len() > 50 {
            return Err("must hold at most 50 roles");
        }
        let mut roles = raw
            .iter()
            .map(|r| Self::parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        roles.sort();
        roles.dedup();
        Ok(roles)
    }
}

super::parsed_string_serde!(Role, super::text_schema(64, r"^[a-z][a-z0-9._\-]*$"));

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn role_names_are_lowercase_dotted_words() {
        assert!(Role::parse("portal.user").is_ok());
        assert!(Role::parse("billing_viewer-2").is_ok());
        for raw in ["", "Portal", "1role", "a b", &"a".repeat(65)] {
            assert!(Role::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn a_list_is_sorted_without_repeats() {
        let raw = ["b".to_owned(), "a".to_owned(), "b".to_owned()];
        let roles = Role::parse_all(&raw).unwrap();
        assert_eq!(
            roles,
            [Role::parse("a").unwrap(), Role::parse("b").unwrap()]
        );
    }
}
