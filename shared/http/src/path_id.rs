//! Ids in paths, parsed at the edge: a segment of another shape is the usual 404 before
//! any store call, and a handler holds a typed id it cannot mix up with another kind.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use portal_domain::ids::{Id, IdKind};

use crate::Problem;

/// The route's one `{id}` segment as an [`Id`] of kind `K`.
pub struct PathId<K: IdKind>(pub Id<K>);

impl<K: IdKind, S: Send + Sync> FromRequestParts<S> for PathId<K> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Problem::not_found())?;
        Id::parse(&raw).map(PathId).ok_or_else(Problem::not_found)
    }
}

/// In the OpenAPI document: the `id` path parameter, of the shape ids have (anything else
/// is a 404 without a store call).
impl<K: IdKind> utoipa::IntoParams for PathId<K> {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(portal_domain::ids::ID_PATTERN));
        vec![
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(format!("The {}'s id", K::NAME)))
                .schema(Some(schema))
                .build(),
        ]
    }
}
