//! JSON request bodies with problem+json rejections that name the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use portal_domain::FieldError;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::Problem;

/// Like `axum::Json`, but every rejection is a [`Problem`], and a field of the wrong
/// type is reported by its path. Missing fields are not checked here: DTOs use `Option`
/// fields so the domain can report every missing one at once as a 422.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(request.headers()) {
            return Err(Problem::malformed("content-type must be application/json"));
        }
        // Through `Bytes`, so the `DefaultBodyLimit` of `app` applies, with or
        // without a content-length.
        let body =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => Problem::payload_too_large(),
                    _ => Problem::malformed("the body could not be read"),
                })?;
        parse(&body).map(ApiJson)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            Category::Data if path != "." => {
                let message = without_position(&inner);
                Problem::malformed(format!("field `{path}`: {message}")).with_errors(vec![
                    FieldError {
                        field: path,
                        message,
                    },
                ])
            }
            Category::Data => Problem::malformed(format!("body: {}", without_position(&inner))),
            Category::Syntax | Category::Eof | Category::Io => {
                Problem::malformed(format!("body is not valid JSON: {inner}"))
            }
        }
    })?;
    // Trailing garbage after the value means the client sent something else than it thinks.
    deserializer
        .end()
        .map_err(|error| Problem::malformed(format!("body is not valid JSON: {error}")))?;
    Ok(value)
}

/// The position is noise once the field is named (and the body is usually one line).
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_content_type(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn json_media_types_are_recognized() {
        for value in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            assert!(is_json(&with_content_type(value)), "{value} was refused");
        }
    }

    #[test]
    fn other_media_types_are_refused() {
        for value in ["text/plain", "application/jsonx", "text/json", "json", ""] {
            assert!(!is_json(&with_content_type(value)), "{value} was accepted");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn trailing_data_after_the_value_is_malformed() {
        let problem = parse::<serde_json::Value>(b"{} {}").unwrap_err();
        assert_eq!(problem.code, "malformed_request");
        assert!(problem.detail.starts_with("body is not valid JSON"));
    }
}
