//! Values that can only be built by parsing, so holding one means it is valid.
//! Each parser answers the message shown to the client next to the field name.

mod company;
mod email_address;
mod locale;
mod person_name;
mod phone;
mod reason;
mod role;
mod username;

pub use company::Company;
pub use email_address::EmailAddress;
pub use locale::Locale;
pub use person_name::PersonName;
pub use phone::Phone;
pub use reason::Reason;
pub use role::Role;
pub use username::{Username, UsernameField};

/// Trims `raw` and checks it is printable text of 1..=`max` characters.
fn text(raw: &str, max: usize, too_long: &'static str) -> Result<String, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty");
    }
    if trimmed.chars().count() > max {
        return Err(too_long);
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    Ok(trimmed.to_owned())
}

/// Stored values are parsed again when read, so a bad row cannot smuggle in invalid data.
/// Printable text with something besides spaces: what [`text`] accepts, as a pattern of
/// the OpenAPI document (maximum lengths count the text before trimming there).
const TEXT_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// The OpenAPI schema of a text matching `pattern`.
fn pattern_schema(pattern: &str) -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .min_length(Some(1))
        .pattern(Some(pattern))
}

/// The OpenAPI schema of a text of at most `max` characters matching `pattern`.
fn text_schema(max: usize, pattern: &str) -> utoipa::openapi::ObjectBuilder {
    pattern_schema(pattern).max_length(Some(max))
}

/// Serde through `parse`, and `schema` (an `ObjectBuilder`) as its OpenAPI schema, so a
/// client sees the rules the parser holds.
macro_rules! parsed_string_serde {
    ($name:ident, $schema:expr) => {
        impl TryFrom<String> for $name {
            type Error = &'static str;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object($schema.build()))
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}
use parsed_string_serde;

/// What searches compare: lowercase, with runs of whitespace as one space, trimmed.
pub fn search_key(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}
