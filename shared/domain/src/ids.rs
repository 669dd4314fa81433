//! Typed ids: a registration's id cannot be passed where a portal user's is expected, and
//! an id is checked for the shape [`new_id`](crate::random::new_id) gives when it enters
//! the system (a path segment), so anything else is "not found" without a store call.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::random::{Randomness, is_well_formed_id, new_id};

/// What an [`Id`] names; only a marker.
pub trait IdKind {
    /// How the OpenAPI document and error messages name it, e.g. `registration`.
    const NAME: &'static str;
    /// How a field naming no such thing is reported, e.g. `is not an existing contact`.
    const UNKNOWN: &'static str;
}

/// An id of the shape every entity's id has (32 lowercase hex digits).
pub struct Id<K: IdKind>(String, PhantomData<K>);

macro_rules! id_kinds {
    ($($kind:ident = $name:literal => $alias:ident),* $(,)?) => {$(
        #[doc = concat!("Marks the id of a ", $name, ".")]
        pub enum $kind {}
        impl IdKind for $kind {
            const NAME: &'static str = $name;
            const UNKNOWN: &'static str = concat!("is not an existing ", $name);
        }
        pub type $alias = Id<$kind>;
    )*};
}

id_kinds! {
    Registration = "registration" => RegistrationId,
    PortalUser = "portal user" => PortalUserId,
    Contact = "contact" => ContactId,
    Organization = "organization" => OrganizationId,
    Import = "import" => ImportId,
    OidcClient = "OpenID Connect client" => OidcClientId,
}

impl<K: IdKind> Id<K> {
    /// `None` for anything [`new_id`](crate::random::new_id) could not have made.
    pub fn parse(raw: &str) -> Option<Self> {
        is_well_formed_id(raw).then(|| Self(raw.to_owned(), PhantomData))
    }

    /// An id a body or a query gives: one of another shape cannot name anything that
    /// exists, and is reported like an unknown one.
    pub fn parse_field(raw: &str) -> Result<Self, &'static str> {
        Self::parse(raw).ok_or(K::UNKNOWN)
    }

    /// A new id from `random`.
    pub fn generate(random: &dyn Randomness) -> Self {
        Self(new_id(random), PhantomData)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Stored and sent as its text.
impl<K: IdKind> Serialize for Id<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read back only in the shape ids have: a stored item cannot smuggle in another.
impl<'de, K: IdKind> Deserialize<'de> for Id<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("not the id of a {}", K::NAME)))
    }
}

/// In the OpenAPI document: text of the shape ids have. Fields of this type are inlined
/// (`#[schema(inline)]`): every kind shares the one Rust name `Id`.
impl<K: IdKind> utoipa::PartialSchema for Id<K> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(ID_PATTERN))
            .description(Some(format!("The id of a {}", K::NAME)))
            .into()
    }
}

impl<K: IdKind> utoipa::ToSchema for Id<K> {}

/// What every id looks like, as a regular expression (32 lowercase hex digits).
pub const ID_PATTERN: &str = "^[0-9a-f]{32}$";

// By hand: derives would ask the marker `K` for the same traits.
impl<K: IdKind> Clone for Id<K> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<K: IdKind> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K: IdKind> Eq for Id<K> {}

impl<K: IdKind> PartialOrd for Id<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: IdKind> Ord for Id<K> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<K: IdKind> std::hash::Hash for Id<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<K: IdKind> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", K::NAME, self.0)
    }
}

impl<K: IdKind> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<K: IdKind> AsRef<str> for Id<K> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Read as text where text is wanted (keys, log fields); the other way needs `parse`.
impl<K: IdKind> std::ops::Deref for Id<K> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by ids are looked up by text too (ordering and hashing are the text's).
impl<K: IdKind> std::borrow::Borrow<str> for Id<K> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl<K: IdKind> From<&Id<K>> for String {
    fn from(id: &Id<K>) -> Self {
        id.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::new_id;
    use crate::testing::TestRandomness;

    #[test]
    fn only_generated_ids_parse() {
        let id = new_id(&TestRandomness);
        assert_eq!(RegistrationId::parse(&id).unwrap().as_str(), id);
        for raw in ["", "not-an-id", &"A".repeat(32), &"f".repeat(33), &id[1..]] {
            assert!(PortalUserId::parse(raw).is_none(), "{raw:?}");
        }
    }

    #[test]
    fn an_id_is_stored_as_its_text_and_read_back_only_in_its_shape() {
        let id = RegistrationId::generate(&crate::testing::TestRandomness);
        let text = serde_json::to_string(&id).unwrap();
        assert_eq!(text, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<RegistrationId>(&text).unwrap(), id);
        let error = serde_json::from_str::<RegistrationId>("\"r1\"").unwrap_err();
        assert!(
            error.to_string().contains("not the id of a registration"),
            "{error}"
        );
    }
}
